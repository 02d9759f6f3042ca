"""E-mail to customers: line breaks in a subject, and the delivery of each message
(claimed with a lease, retried after a temporary failure, failed for good after a
permanent one and shown so to staff)."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.helpers import api
from tests.tickets.test_ticket_flow import (
    MAIL,
    MONDAY_10,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
)
from tickets import services
from tickets.models import Message, Ticket
from tickets.services import sweep

pytestmark = pytest.mark.django_db(transaction=True)

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


def reply_of(ticket: Ticket) -> Message:
    return ticket.messages.get(kind=Message.Kind.AUTOMATIC)


class RefusingMailServer:
    """A mail server that refuses the recipient: 550 (no such mailbox) for good,
    or 450 (mailbox busy, try later) for now, as ``CODE`` says."""

    CODE = 550

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        refused = {to: (self.CODE, b"mailbox unavailable") for m in messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(refused)


class BusyMailServer(RefusingMailServer):
    CODE = 450


class DownMailServer(RefusingMailServer):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


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
    assert reply_of(ticket).delivery == Message.Delivery.SENT


def test_a_stored_subject_with_line_breaks_is_flattened_in_the_email(desk, technician):
    """Tickets filed before the fix may hold one; their e-mail still goes out."""
    ticket = file(SARA, MAIL)
    Ticket.objects.filter(pk=ticket.pk).update(subject="Mail\r\nstill broken")
    mail.outbox.clear()
    message = services.message_post(ticket_id=ticket.pk, author=technician, body="On it.")
    assert [m.subject for m in mail.outbox] == [f"[#{ticket.pk}] Mail still broken"]
    message.refresh_from_db()
    assert message.delivery == Message.Delivery.SENT and message.emailed_at is not None


def test_staff_notices_with_a_subject_from_user_text_are_sent_on_one_line(desk):
    mail.outbox.clear()
    services.send_mail_safely(subject="SLA due soon: #1 a\r\nb", body="x", to=["t@example.com"])
    assert [m.subject for m in mail.outbox] == ["SLA due soon: #1 a b"]


# --- a permanent failure ---------------------------------------------------------


def test_a_message_refused_for_good_is_failed_with_its_reason_and_not_retried(desk, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    ticket = file(SARA, MAIL)
    reply = reply_of(ticket)
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.FAILED
    assert "550" in reply.delivery_error and reply.emailed_at is None
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.tickets_decide_forgotten()
    assert mail.outbox == []  # the sweep leaves it alone
    assert services.message_email(message_id=reply.pk) is False


def test_a_message_that_can_never_be_built_is_failed_with_its_reason(desk):
    """A header the message can never carry (here an address with a line break,
    stored before anything checked it): BadHeaderError is permanent."""
    get_user_model().objects.filter(email=SARA).update(email=f"{SARA}\nBcc: x@example.com")
    ticket = file(f"{SARA}\nBcc: x@example.com", MAIL)
    reply = reply_of(ticket)
    assert reply.delivery == Message.Delivery.FAILED
    assert reply.delivery_error.startswith("BadHeaderError")
    assert mail.outbox == []


def test_a_failed_message_no_longer_holds_up_the_sweep(desk, settings, monkeypatch):
    """The sweep takes a bounded number of messages at a time: failed ones must not
    be among them, or a few hundred would starve every newer message for ever."""
    monkeypatch.setattr(sweep, "SWEEP_BATCH", 2)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    failed = [file(SARA, MAIL, subject=f"Old {n}") for n in range(2)]
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    late = file(SARA, MAIL, subject="New")
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.tickets_decide_forgotten()
    assert [m.subject for m in mail.outbox] == [f"[#{late.pk}] New"]
    assert {reply_of(t).delivery for t in failed} == {Message.Delivery.FAILED}


def test_the_queue_shows_staff_that_a_reply_could_not_be_emailed_and_why(
    desk, settings, client, technician
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    ticket = file(SARA, MAIL)
    client.force_login(technician)
    html = client.get(reverse("queue:ticket", args=[ticket.pk])).content.decode()
    assert "could not be e-mailed" in html
    assert "mailbox unavailable" in html


# --- a temporary failure ----------------------------------------------------------


@pytest.mark.parametrize("server", ["BusyMailServer", "DownMailServer"])
def test_a_temporary_failure_leaves_the_message_for_the_next_try(desk, settings, server):
    settings.EMAIL_BACKEND = f"{__name__}.{server}"
    reply = reply_of(file(SARA, MAIL))
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.PENDING and reply.emailed_at is None
    assert reply.delivery_attempts >= 1 and reply.delivery_error
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.tickets_decide_forgotten()
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT and reply.delivery_error == ""
    assert len(mail.outbox) == 1


# --- the claim and its lease --------------------------------------------------------


class SecondWorkerMidSend:
    """A mail server that, while it takes the message, lets a second worker try to
    send the same message: what it got back is kept in ``SECOND_TRY``."""

    SECOND_TRY: list[bool] = []

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            pk = Message.objects.get(message_id=message.extra_headers["Message-ID"]).pk
            self.SECOND_TRY.append(services.message_email(message_id=pk))
        mail.outbox.extend(messages)
        return len(messages)


def test_a_message_being_sent_cannot_be_claimed_by_a_second_worker(desk, settings):
    SecondWorkerMidSend.SECOND_TRY.clear()
    settings.EMAIL_BACKEND = f"{__name__}.SecondWorkerMidSend"
    reply = reply_of(file(SARA, MAIL))
    assert SecondWorkerMidSend.SECOND_TRY == [False]
    assert len(mail.outbox) == 1
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT and reply.delivery_attempts == 1


def test_a_message_whose_worker_died_mid_send_is_sent_once_its_lease_runs_out(desk, settings):
    """A worker claimed the message and died before the server took it: the claim
    holds until the lease runs out, then the sweep sends it with the same Message-ID."""
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    reply = reply_of(file(SARA, MAIL))
    lease = timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)
    Message.objects.filter(pk=reply.pk).update(  # the dead worker's claim
        delivery=Message.Delivery.SENDING, delivery_lease_until=MONDAY_10 + lease
    )
    settings.EMAIL_BACKEND = LOCMEM
    with time_machine.travel(MONDAY_10 + lease - timedelta(seconds=1), tick=False):
        services.tickets_decide_forgotten()
        assert services.message_email(message_id=reply.pk) is False
    assert mail.outbox == []
    with time_machine.travel(MONDAY_10 + lease + timedelta(seconds=1), tick=False):
        services.tickets_decide_forgotten()
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [reply.message_id]
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT
    assert reply.emailed_at == MONDAY_10 + lease + timedelta(seconds=1)


def test_a_sent_message_is_not_sent_again(desk):
    reply = reply_of(file(SARA, MAIL))
    assert services.message_email(message_id=reply.pk) is False
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.tickets_decide_forgotten()
    assert len(mail.outbox) == 1


def test_internal_notes_and_the_customers_own_messages_are_not_emailed(desk, technician):
    ticket = file(SARA, MAIL)
    mail.outbox.clear()
    note = services.message_post(
        ticket_id=ticket.pk, author=technician, body="Check the MX.", internal=True
    )
    own = services.message_post(ticket_id=ticket.pk, author=ticket.requester, body="Thanks!")
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.tickets_decide_forgotten()
    assert mail.outbox == []
    assert {m.delivery for m in Message.objects.filter(pk__in=[note.pk, own.pk])} == {
        Message.Delivery.NOT_EMAILED
    }


def test_the_admin_shows_a_tickets_email_that_could_not_be_delivered(
    desk, settings, client, admin_user
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    ticket = file(SARA, MAIL)
    client.force_login(admin_user)
    response = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    html = response.content.decode()
    assert "Could not be e-mailed" in html and "mailbox unavailable" in html


def test_the_sweep_stops_at_the_first_unreachable_mail_server(desk, settings):
    """Each of the batch would wait on the same server's timeout in turn."""
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    replies = [reply_of(file(SARA, MAIL, subject=f"Mail {n}")) for n in range(3)]
    before = {
        m.pk: m.delivery_attempts for m in Message.objects.filter(pk__in=[r.pk for r in replies])
    }
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.tickets_decide_forgotten()
    after = {
        m.pk: m.delivery_attempts for m in Message.objects.filter(pk__in=[r.pk for r in replies])
    }
    assert sum(after.values()) - sum(before.values()) == 1
