"""A customer's e-mail across a worker killed mid-send, on the production set-up
(PostgreSQL, Redis, a prefork Celery worker; see conftest.py) with a real SMTP
server in the test process.

Runs only with REDIS_URL set and the test database on PostgreSQL; elsewhere it
skips, like test_worker.py.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from tests.tickets.conftest import free_port, needs_live_desk, wait_until
from tests.tickets.test_worker import MAIL, load_customer
from tickets.models import Message, Ticket

pytestmark = [pytest.mark.worker, needs_live_desk, pytest.mark.django_db(transaction=True)]

# The killed worker's claim must run out within the test, and a send that hangs
# must give up before the claim runs out (the settings insist on that order).
LEASE_SECONDS = 10
TIMEOUT_SECONDS = 8


class Mailbox:
    """An SMTP server's DATA handler. It holds the first message without answering,
    so that the worker sending it is stuck mid-send, until ``release``; that copy is
    then dropped, as a server drops mail from a client that went away. Every later
    message is delivered. The Message-ID of every attempt is kept."""

    def __init__(self) -> None:
        self.port = free_port()
        self.attempts: list[str] = []
        self.delivered: list[email.message.EmailMessage] = []
        self.holding = threading.Event()
        self.released = threading.Event()
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.attempts.append(message["Message-ID"])
            first = not self.holding.is_set()
            self.holding.set()
        if first:
            await asyncio.to_thread(self.released.wait, 120)
            return "451 4.3.0 the client went away"
        self.delivered.append(message)
        return "250 OK"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        box.released.set()
        controller.stop()


@pytest.fixture(scope="module")
def live_desk_settings(mailbox) -> dict[str, str]:
    """The desk's processes send through the SMTP server above."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mailbox.port),
        "EMAIL_TIMEOUT": str(TIMEOUT_SECONDS),
        "EMAIL_SEND_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def test_an_email_whose_worker_is_killed_mid_send_is_delivered_after_its_lease(
    live_desk, catalogue, mailbox
):
    api = live_desk.api(load_customer(catalogue, "killedmail")["en"])
    answer = api.file("Mail", MAIL)
    assert answer.status == 201, answer
    ticket = Ticket.objects.get(pk=answer.data["id"])

    # The worker decides the ticket and starts e-mailing the automatic reply; the
    # server holds the message, and the worker dies waiting for its answer.
    wait_until(
        mailbox.holding.is_set,
        timeout=60,
        what="the reply to reach the server",
        detail=live_desk.logs,
    )
    live_desk.worker.kill()
    reply = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    assert reply.delivery == Message.Delivery.SENDING, "the killed worker held no claim"
    assert mailbox.delivered == []
    mailbox.released.set()

    # Until the claim runs out nobody sends it: neither the new worker nor the sweep.
    live_desk.worker.start()
    live_desk.sweep()
    assert mailbox.delivered == []
    wait_until(
        lambda: timezone.now() > reply.delivery_lease_until,
        timeout=LEASE_SECONDS + 5,
        what="the killed worker's claim to run out",
    )
    time.sleep(0.5)
    live_desk.sweep()

    wait_until(lambda: mailbox.delivered, timeout=30, what="the reply to be delivered")
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT and reply.emailed_at is not None
    assert reply.delivery_attempts == 2
    # Every attempt, the dropped one and the delivered one, carries the reply's own
    # Message-ID, so a copy that did arrive twice is shown once.
    assert set(mailbox.attempts) == {reply.message_id}
    assert {m["Message-ID"] for m in mailbox.delivered} == {reply.message_id}
    assert mailbox.delivered[0]["Subject"] == f"[#{ticket.pk}] Mail"
