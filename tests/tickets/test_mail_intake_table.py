"""What the desk does with each raw message of the corpus (tests/mail/): the
``intake`` key of expected.yaml. Every sender is a contact of Northwind (the
mailer daemon excepted), so what decides is the message itself: a person's
e-mail opens a ticket with one automatic reply, a machine's opens nothing and
is answered by nothing, a bounce is recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core import mail

from contracts.models import Contact
from tickets.inbound.reading import read_message
from tickets.models import InboundMessage, Ticket
from tickets.services.inbound import mail_ingest

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parents[1] / "mail"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
DAEMONS = ("mailer-daemon", "postmaster")


@pytest.fixture
def every_sender_a_contact(northwind):
    users = get_user_model().objects
    for path in CORPUS.glob("*.eml"):
        sender = read_message(path.read_bytes()).sender
        if not sender or sender.startswith(DAEMONS):
            continue
        if not users.filter(email__iexact=sender).exists():
            Contact.objects.create(
                customer=northwind, user=users.create_user(sender, sender), name=sender
            )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_desk_does_what_the_table_says(every_sender_a_contact, name):
    raw = (CORPUS / name).read_bytes()
    sender = read_message(raw).sender
    row = mail_ingest(raw=raw)
    expected = EXPECTED[name]["intake"]
    assert row.outcome == expected, row.detail
    replies = [m for m in mail.outbox if m.to == [sender] and m.extra_headers.get("Auto-Submitted")]
    if expected == InboundMessage.Outcome.TICKET_CREATED:
        ticket = Ticket.objects.get(pk=row.ticket_id)
        assert ticket.channel == "email"
        assert len(replies) == 1, "a person's e-mail gets one automatic reply"
        assert replies[0].extra_headers["Auto-Submitted"] == "auto-replied"
    else:
        assert not Ticket.objects.exists()
        assert replies == [], "a machine's message is never answered"
    # Delivered again: stored once, nothing new.
    again = mail_ingest(raw=raw)
    assert again.outcome == InboundMessage.Outcome.DUPLICATE
    assert InboundMessage.objects.count() == 1
