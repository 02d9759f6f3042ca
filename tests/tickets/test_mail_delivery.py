"""E-mail to customers: line breaks in a subject, and the delivery of each message
(claimed with a lease, retried after a temporary failure, failed for good after a
permanent one and shown so to staff)."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.helpers import api
from tests.tickets.test_ticket_flow import (
    MAIL,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
)
from tickets import services
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


def reply_of(ticket: Ticket) -> Message:
    return ticket.messages.get(kind=Message.Kind.AUTOMATIC)


# --- line breaks in a subject ----------------------------------------------------


def test_a_subject_with_line_breaks_is_filed_on_one_line(desk):
    ticket = file(SARA, MAIL, subject="Mail\r\nBcc: everyone@example.com\n\n  broken ")
    assert ticket.subject == "Mail Bcc: everyone@example.com broken"


def test_a_subject_with_line_breaks_through_the_api_is_filed_and_answered_by_email(desk):
    response = api(SARA).post(
        "/api/v1/tickets/", {"subject": "Mail\r\nX-Injected: yes", "body": MAIL}
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.subject == "Mail X-Injected: yes"
    assert [m.subject for m in mail.outbox] == [f"[#{ticket.pk}] Mail X-Injected: yes"]
    assert reply_of(ticket).emailed_at is not None


def test_a_stored_subject_with_line_breaks_is_flattened_in_the_email(desk, technician):
    """Tickets filed before the fix may hold one; their e-mail still goes out."""
    ticket = file(SARA, MAIL)
    Ticket.objects.filter(pk=ticket.pk).update(subject="Mail\r\nstill broken")
    mail.outbox.clear()
    message = services.message_post(ticket_id=ticket.pk, author=technician, body="On it.")
    assert [m.subject for m in mail.outbox] == [f"[#{ticket.pk}] Mail still broken"]
    message.refresh_from_db()
    assert message.emailed_at is not None


def test_staff_notices_with_a_subject_from_user_text_are_sent_on_one_line(desk):
    mail.outbox.clear()
    services.send_mail_safely(subject="SLA due soon: #1 a\r\nb", body="x", to=["t@example.com"])
    assert [m.subject for m in mail.outbox] == ["SLA due soon: #1 a b"]
