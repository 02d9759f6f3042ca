"""Polling IMAP mailboxes against a real Dovecot (tests/tickets/dovecot.py): every
message is handed to mail_ingest once as the bytes the server holds, then moved
to the processed folder; a message whose intake fails stays for the next poll;
a mailbox that cannot be reached is skipped."""

from __future__ import annotations

import email.policy
import logging
import os
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

from helpdesk.mailboxes import parse_mailbox_url
from tests.tickets.dovecot import Dovecot, dovecot
from tickets.inbound import imap
from tickets.inbound.imap import LOCK_CLASS, batches, lock_key, mailboxes_poll
from tickets.models import InboundMessage, Message, Ticket
from tickets.services.inbound import mail_ingest

pytestmark = pytest.mark.django_db(transaction=True)

SARA = "sara@northwind.example"
USERS = {"desk": "s3cret", "sales": "an0ther", "empty": "n0thing"}


@pytest.fixture(scope="module")
def server() -> Iterator[Dovecot]:
    yield from dovecot(USERS)


@pytest.fixture(autouse=True)
def _empty_mailboxes(server):
    for user in USERS:
        with server.mailbox(user) as box:
            for folder in box.folder.list():
                box.folder.set(folder.name)
                if uids := box.uids():
                    box.delete(uids)


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


class Intake:
    """mail_ingest, keeping what it was handed; a message whose body holds
    ``FAIL`` raises instead, as mail_ingest does when it cannot store a message
    (its database down)."""

    def __init__(self) -> None:
        self.taken: list[bytes] = []
        self.lock = threading.Lock()

    def __call__(self, *, raw: bytes) -> None:
        if b"FAIL" in raw:
            raise RuntimeError("this message breaks the intake")
        mail_ingest(raw=raw)
        with self.lock:
            self.taken.append(raw)


def stored() -> list[bytes]:
    """The raw messages the desk stored, oldest first."""
    found = []
    for inbound in InboundMessage.objects.order_by("pk"):
        with inbound.raw.open("rb") as raw:
            found.append(raw.read())
    return found


def message(number: int, body: str = "Our mail is down, please help.") -> bytes:
    return (
        f"From: Sara <{SARA}>\r\n"
        f"To: support@desk.example\r\n"
        f"Subject: Request {number}\r\n"
        f"Message-ID: <request-{number}@example.com>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"\r\n"
        f"{body}\r\n"
    ).encode()


def test_it_stores_every_message_as_the_server_holds_it_and_moves_it_away(
    server, settings, northwind
):
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    sent = [message(n) for n in range(3)]
    sent.append("Subject: =?utf-8?q?Pr=C3=BCfung?=\r\n\r\nÄäö — koi8: ".encode() + bytes([0xF0]))
    server.deliver("desk", *sent)

    assert mailboxes_poll() == 4

    assert stored() == sent  # byte for byte, in the order they arrived
    assert Ticket.objects.filter(requester__email=SARA).count() == 3
    assert server.count("desk") == 0
    assert server.count("desk", "Processed") == 4


def test_a_second_poll_hands_in_nothing_again(server, settings):
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    server.deliver("desk", message(1), message(2))
    intake = Intake()
    mailboxes_poll(ingest=intake)

    assert mailboxes_poll(ingest=intake) == 0
    assert len(intake.taken) == 2


def test_a_message_delivered_again_after_it_was_taken_in_is_stored_once(
    server, settings, northwind
):
    """What a worker killed between the intake and the move leaves behind."""
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    server.deliver("desk", message(1))
    mailboxes_poll()
    server.deliver("desk", message(1))

    assert mailboxes_poll() == 1
    assert stored() == [message(1)]
    assert Ticket.objects.count() == 1
    assert server.count("desk", "Processed") == 2


def test_it_takes_more_messages_than_a_batch_in_one_poll(server, settings):
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    settings.INBOUND_IMAP_BATCH = 3
    server.deliver("desk", *(message(n) for n in range(10)))
    intake = Intake()

    assert mailboxes_poll(ingest=intake) == 10
    assert intake.taken == [message(n) for n in range(10)]


def test_a_poll_out_of_time_starts_no_new_batch(server, settings):
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    server.deliver("desk", message(1))

    assert mailboxes_poll(ingest=Intake(), seconds=0) == 0
    assert server.count("desk") == 1


def test_a_message_whose_intake_fails_stays_for_the_next_poll_and_holds_up_no_other(
    server, settings, caplog
):
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    settings.INBOUND_IMAP_BATCH = 2
    server.deliver("desk", message(1), message(2, "FAIL"), message(3), message(4, "FAIL"))
    intake = Intake()

    with caplog.at_level(logging.ERROR, logger="tickets.inbound.imap"):
        assert mailboxes_poll(ingest=intake) == 2
    assert intake.taken == [message(1), message(3)]
    assert server.count("desk") == 2
    assert "could not be taken in; it stays for the next poll" in caplog.text

    assert mailboxes_poll(ingest=intake) == 0  # tried again, fails again
    assert server.count("desk") == 2


def test_a_mailbox_that_cannot_be_reached_is_logged_and_skipped(server, settings, caplog):
    settings.INBOUND_IMAP_URLS = [
        f"imap://desk:{USERS['desk']}@127.0.0.1:1/INBOX",  # nothing listens there
        f"imap://desk:wrong-password@127.0.0.1:{server.port}/INBOX",
        server.url("sales"),
    ]
    settings.INBOUND_IMAP_TIMEOUT = 5
    server.deliver("sales", message(1))
    intake = Intake()

    with caplog.at_level(logging.WARNING, logger="tickets.inbound.imap"):
        assert mailboxes_poll(ingest=intake) == 1

    assert intake.taken == [message(1)]
    assert "imap://desk@127.0.0.1:1/INBOX could not be polled" in caplog.text
    assert f"imap://desk@127.0.0.1:{server.port}/INBOX could not be polled" in caplog.text
    assert "wrong-password" not in caplog.text


def test_each_mailbox_is_polled_and_its_own_folder_only(server, settings):
    settings.INBOUND_IMAP_URLS = [server.url("desk"), server.url("sales"), server.url("empty")]
    server.deliver("desk", message(1))
    server.deliver("sales", message(2), message(3))
    server.deliver("desk", message(4), folder="Processed")  # taken in before
    intake = Intake()

    assert mailboxes_poll(ingest=intake) == 3
    assert sorted(intake.taken) == sorted([message(1), message(2), message(3)])
    assert server.count("desk", "Processed") == 2


def test_the_processed_folder_is_the_one_configured(server, settings):
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    settings.INBOUND_IMAP_PROCESSED_FOLDER = "Desk done"
    server.deliver("desk", message(1))

    assert mailboxes_poll(ingest=Intake()) == 1
    assert server.count("desk", "Desk done") == 1
    assert server.count("desk", "Processed") == 0


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the poll lock is PostgreSQL's (the embedded set-up runs one task at a time)",
)
def test_a_mailbox_being_polled_elsewhere_is_left_to_that_poll(server, settings):
    """Another worker's poll holds the mailbox's lock (a session of its own); this
    poll takes nothing, and once that session ends (even a killed worker's) the
    next poll takes the messages."""
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    server.deliver("desk", message(1))
    mailbox = parse_mailbox_url(server.url("desk"))
    db = connection.settings_dict
    other = psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        autocommit=True,
    )
    row = other.execute(
        "SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, lock_key(mailbox)]
    ).fetchone()
    assert row is not None and row[0]
    other_pid = other.info.backend_pid
    try:
        assert mailboxes_poll(ingest=Intake()) == 0
        assert server.count("desk") == 1
    finally:
        other.close()
    session_ended_wait(other_pid)

    assert mailboxes_poll(ingest=Intake()) == 1


def session_ended_wait(pid: int) -> None:
    """PostgreSQL ends a closed client's session (and frees its locks) a moment
    after the socket closes, not before close() returns."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
            time.sleep(0.02)
    raise AssertionError(f"PostgreSQL session {pid} did not end")


def test_over_tls_it_polls_a_server_whose_certificate_it_trusts(server, settings, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(server.cert))  # the system's trust store, for now
    settings.INBOUND_IMAP_URLS = [server.url("desk", tls=True)]
    server.deliver("desk", message(1))

    assert mailboxes_poll(ingest=Intake()) == 1


def test_over_tls_it_refuses_a_server_whose_certificate_it_cannot_verify(server, settings, caplog):
    settings.INBOUND_IMAP_URLS = [server.url("desk", tls=True)]
    server.deliver("desk", message(1))

    with caplog.at_level(logging.WARNING, logger="tickets.inbound.imap"):
        assert mailboxes_poll(ingest=Intake()) == 0
    assert "CERTIFICATE_VERIFY_FAILED" in caplog.text
    assert server.count("desk") == 1


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ([], []),
        ([("1", 10), ("2", 10), ("3", 10)], [["1", "2"], ["3"]]),  # two a batch
        ([("1", 60), ("2", 50), ("3", 10)], [["1"], ["2", "3"]]),  # 100 bytes a batch
        ([("1", 500), ("2", 10)], [["1"], ["2"]]),  # a bigger one alone
        ([("1", 10), ("2", 500), ("3", 10)], [["1"], ["2"], ["3"]]),
        ([("1", 50), ("2", 50), ("3", 1)], [["1", "2"], ["3"]]),  # exactly full
    ],
)
def test_a_batch_holds_so_many_messages_and_so_many_bytes(sizes, expected):
    assert list(batches(sizes, most=2, bytes_=100)) == expected


def test_big_messages_are_fetched_a_few_at_a_time_and_all_taken_in(server, settings, monkeypatch):
    monkeypatch.setattr(imap, "BATCH_BYTES", 2000)
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    sent = [message(n, body="x" * 900 * (n % 3)) for n in range(7)]
    server.deliver("desk", *sent)
    intake = Intake()

    assert mailboxes_poll(ingest=intake) == 7
    assert intake.taken == sent


def test_a_message_with_a_20_mb_attachment_comes_through_whole(server, settings, northwind):
    """Over the attachment limit (10 MB): the ticket is opened, the file left out
    with a note, and the message stored as it came."""
    settings.INBOUND_IMAP_URLS = [server.url("desk")]
    mail = EmailMessage()
    mail["From"] = f"Sara <{SARA}>"
    mail["To"] = "support@desk.example"
    mail["Subject"] = "The database dump"
    mail["Message-ID"] = "<dump@northwind.example>"
    mail.set_content("Our mail is down, the dump of the mail database is attached.")
    mail.add_attachment(
        os.urandom(20 * 1024 * 1024), maintype="application", subtype="gzip", filename="mail.sql.gz"
    )
    raw = mail.as_bytes(policy=email.policy.SMTP)
    server.deliver("desk", raw)

    assert mailboxes_poll() == 1

    assert stored() == [raw]
    ticket = Ticket.objects.get(requester__email=SARA)
    assert not ticket.attachments.exists()
    assert ticket.messages.filter(kind=Message.Kind.INTERNAL, body__contains="mail.sql.gz").exists()
