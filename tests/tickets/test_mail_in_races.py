"""E-mail in under concurrency: the same message delivered twice at the same
moment (two pollers, a poller and a pipe) is stored and handled once, and a
stranger writing twice at once is answered once. PostgreSQL only: SQLite locks
the whole file, so there is no race to lose."""

from __future__ import annotations

from functools import partial

import pytest
from django.core import mail as outbox
from django.db import connection

from tests.tickets.test_locking import _together
from tests.tickets.test_mail_in import inbound, ingest, monday_morning  # noqa: F401
from tickets.models import InboundMessage, Message, Ticket

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks: PostgreSQL only (SQLite locks the whole file)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 8


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


def test_the_same_message_twice_at_once_is_one_ticket(northwind):
    for n in range(ROUNDS):
        mail = inbound(subject=f"Mail problem {n}")
        assert _together(partial(ingest, mail), partial(ingest, mail)) == [None, None]
        assert InboundMessage.objects.filter(message_id=mail.message_id).count() == 1
    assert Ticket.objects.count() == ROUNDS
    assert Message.objects.filter(kind=Message.Kind.AUTOMATIC).count() == ROUNDS


def test_a_stranger_writing_twice_at_once_is_answered_once(northwind):
    for n in range(ROUNDS):
        sender = f"stranger{n}@elsewhere.example"
        first, second = inbound(sender, "Help"), inbound(sender, "Help!")
        assert _together(partial(ingest, first), partial(ingest, second)) == [None, None]
        assert InboundMessage.objects.filter(sender=sender).count() == 2
    assert len(outbox.outbox) == ROUNDS
    assert Ticket.objects.count() == 0
