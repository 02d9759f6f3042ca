"""E-mail in on the production set-up: a private Dovecot holds the desk's support
mailbox, Celery beat polls it every second through the worker (see conftest.py
for the desk and dovecot.py for the server), and messages are delivered into
the mailbox with IMAP APPEND, as a mail server would.

These tests run only with REDIS_URL set and the test database on PostgreSQL, and
with Dovecot installed (``.ci/run`` installs it); elsewhere they skip.
"""

from __future__ import annotations

import email
import email.policy
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tickets.conftest import BIN, _kill_group, _spawn, _tail, needs_live_desk, wait_until
from tests.tickets.dovecot import Dovecot, dovecot, needs_dovecot
from tests.tickets.test_worker import MAIL, load_customer
from tickets.models import InboundMessage, Message, Ticket

pytestmark = [
    pytest.mark.worker,
    needs_live_desk,
    needs_dovecot,
    pytest.mark.django_db(transaction=True),
]

Outcome = InboundMessage.Outcome
SUPPORT = "support@scopedesk.example"  # DEFAULT_FROM_EMAIL: the desk's own address
USERS = {"support": "desk-secret", "otherdesk": "other-secret"}


@pytest.fixture(scope="module")
def imap() -> Iterator[Dovecot]:
    yield from dovecot(USERS)


@pytest.fixture(scope="module")
def live_desk_settings(imap, tmp_path_factory) -> dict[str, str]:
    return {
        "INBOUND_IMAP_URL": imap.url("support"),
        "INBOUND_IMAP_POLL_SECONDS": "1",
        "INBOUND_IMAP_BATCH": "10",
        # Every ticket here gets its automatic reply: the per-sender limit is
        # tested elsewhere, and would hide a second reply.
        "MAIL_AUTO_REPLIES_PER_HOUR": "1000",
        "ATTACHMENTS_DIR": str(tmp_path_factory.mktemp("attachments")),
    }


class Beat:
    """`celery -A helpdesk beat`, with its schedule file in a temporary folder."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.process = None

    def start(self) -> None:
        self.process = _spawn(
            [
                *(str(BIN / "celery"), "-A", "helpdesk", "beat", "--loglevel=INFO"),
                *("--schedule", str(self.logs / "beat-schedule")),
            ],
            log=self.logs / "beat.log",
            env={**self.env, "DEBUG": "0"},
        )
        wait_until(
            lambda: "beat: Starting" in (self.logs / "beat.log").read_text(errors="replace"),
            timeout=30,
            what="celery beat to start",
            detail=lambda: _tail(self.logs / "beat.log"),
        )

    def stop(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
            self.process = None


@pytest.fixture(scope="module")
def beat(live_desk_stack, tmp_path_factory) -> Iterator[Beat]:
    runner = Beat(live_desk_stack.env, tmp_path_factory.mktemp("beat"))
    try:
        runner.start()
        yield runner
    finally:
        runner.stop()


def raw_mail(
    sender: str,
    number: int,
    *,
    subject: str = "Mail problem",
    body: str = MAIL,
    in_reply_to: str = "",
    headers: str = "",
) -> bytes:
    thread = f"In-Reply-To: {in_reply_to}\r\nReferences: {in_reply_to}\r\n" if in_reply_to else ""
    return (
        f"From: Customer <{sender}>\r\n"
        f"To: {SUPPORT}\r\n"
        f"Subject: {subject} {number}\r\n"
        f"Message-ID: <mail-{number}@{sender.split('@')[1]}>\r\n"
        f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        f"{thread}{headers}"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"\r\n"
        f"{body}\r\n"
    ).encode()


def drained(imap: Dovecot, total: int) -> bool:
    return imap.count("support") == 0 and imap.count("support", "Processed") == total


def test_a_hundred_messages_across_a_killed_worker_make_a_hundred_tickets_or_replies_once(
    live_desk, beat, imap, catalogue
):
    load_customer(catalogue, "mailin")
    senders = [f"{lang}@mailin.example" for lang in ("en", "ru", "fi", "lv")]
    # 80 new requests; every fifth message answers the one before it.
    messages = []
    for n in range(100):
        sender = senders[n % 4] if n % 5 != 4 else senders[(n - 1) % 4]
        previous = f"<mail-{n - 1}@mailin.example>" if n % 5 == 4 else ""
        messages.append(raw_mail(sender, n, in_reply_to=previous))
    imap.deliver("support", *messages)

    # Killed in the middle of the intake, while beat keeps queueing polls.
    wait_until(
        lambda: InboundMessage.objects.count() >= 20,
        timeout=60,
        what="the first messages to be taken in",
        detail=live_desk.logs,
    )
    live_desk.worker.kill()
    assert InboundMessage.objects.count() < 100, "the worker was killed too late to matter"
    live_desk.worker.start()

    wait_until(
        lambda: drained(imap, 100),
        timeout=180,
        what="the mailbox to be emptied into Processed",
        detail=lambda: f"{imap.count('support')} left\n{live_desk.logs()}",
    )
    # Scope checks the killed worker had taken are left to the sweep.
    live_desk.sweep()
    tickets = Ticket.objects.filter(customer__slug="mailin")
    wait_until(
        lambda: not tickets.filter(decided_at=None).exists(),
        timeout=60,
        what="every ticket's decision",
        detail=live_desk.logs,
    )

    outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True))
    assert outcomes == {Outcome.TICKET_CREATED: 80, Outcome.REPLY_ADDED: 20}
    assert tickets.count() == 80
    assert Message.objects.filter(ticket__in=tickets, kind=Message.Kind.PUBLIC).count() == 20
    replies = Counter(
        Message.objects.filter(ticket__in=tickets, kind=Message.Kind.AUTOMATIC).values_list(
            "ticket", flat=True
        )
    )
    assert set(replies.values()) == {1} and len(replies) == 80  # one each, none twice
    live_desk.assert_no_task_failures()

    # The same hundred again: stored before, nothing new.
    imap.deliver("support", *messages)
    wait_until(
        lambda: drained(imap, 200),
        timeout=120,
        what="the second delivery to be taken in",
        detail=lambda: f"{imap.count('support')} left\n{live_desk.logs()}",
    )
    time.sleep(2)  # anything queued by the second delivery would be done by now
    assert InboundMessage.objects.count() == 100
    assert tickets.count() == 80
    assert (
        Message.objects.filter(ticket__in=tickets).exclude(kind=Message.Kind.AUTOMATIC).count()
        == 20
    )
    assert Message.objects.filter(ticket__in=tickets, kind=Message.Kind.AUTOMATIC).count() == 80


def sent_to(live_desk, address: str) -> list[email.message.EmailMessage]:
    return [mail for mail in live_desk.mails() if address in str(mail["To"])]


@pytest.mark.parametrize(
    ("slug", "marks"),
    [
        ("loop-rfc", "Auto-Submitted: auto-replied\r\n"),
        ("loop-bulk", "Precedence: bulk\r\n"),
        ("loop-exchange", "X-Auto-Response-Suppress: All\r\n"),
    ],
)
def test_two_desks_answering_each_other_automatically_stop_after_one_exchange(
    live_desk, beat, imap, catalogue, slug, marks
):
    """The other desk is a contact whose address answers every e-mail it gets
    with an automatic reply (marked as RFC 3834 says, or as other desks do), as a
    second support desk would. Its first message is a person's; the desk answers
    it once, the other desk's auto-reply to that is kept on the ticket and
    answered by nobody."""
    load_customer(catalogue, slug)
    other = f"en@{slug}.example"
    before = imap.count("otherdesk")
    imap.deliver("support", raw_mail(other, 1, subject="Our mail is down"))

    answered: set[str] = set()
    for _ in range(6):  # six rounds: a loop would have shown itself by then
        time.sleep(3)
        for mail in sent_to(live_desk, other):
            if mail["Message-ID"] in answered:
                continue
            answered.add(mail["Message-ID"])
            # Delivered to the other desk's mailbox, and answered from there.
            imap.deliver("otherdesk", mail.as_bytes())
            auto_reply = raw_mail(
                other,
                100 + len(answered),
                subject=f"Re: {mail['Subject']}",
                body="Thank you for your message. We will answer within a day.",
                in_reply_to=mail["Message-ID"],
                headers=marks,
            )
            imap.deliver("support", auto_reply)

    assert len(answered) == 1, "the desk answered the other desk's automatic reply"
    assert imap.count("otherdesk") == before + 1
    (answer,) = [m for m in sent_to(live_desk, other) if m["Message-ID"] in answered][:1]
    assert answer["Auto-Submitted"] == "auto-replied"
    ticket = Ticket.objects.get(customer__slug=slug)
    kinds = Counter(ticket.messages.values_list("kind", flat=True))
    assert kinds[Message.Kind.AUTOMATIC] == 1
    assert kinds[Message.Kind.INTERNAL] == 1  # the other desk's auto-reply, as a note
    assert Counter(
        InboundMessage.objects.filter(sender=other).values_list("outcome", flat=True)
    ) == {
        Outcome.TICKET_CREATED: 1,
        Outcome.NOTE_ADDED: 1,
    }
    live_desk.assert_no_task_failures()
