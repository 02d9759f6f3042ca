"""Polling the desk's IMAP mailboxes (settings.INBOUND_IMAP_URLS).

Each message in a mailbox's folder is handed, as the raw bytes the server holds,
to ``mail_ingest`` (tickets/services/inbound.py) (which stores it before anything else and takes the
same message twice as once), then moved to the processed folder. The folder is
a queue: whatever sits in it has not been taken in yet. So a worker killed
between the two steps only makes the next poll hand the message in again, which
changes nothing; a message whose intake raised stays and is tried at every poll,
without holding up the ones behind it.
"""

from __future__ import annotations

import contextlib
import logging
import re
import ssl
import time
import zlib
from collections.abc import Callable, Iterator

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import connection
from imap_tools import BaseMailBox, MailBox, MailBoxUnencrypted
from imap_tools.errors import MailboxFetchError
from imap_tools.utils import check_command_status

from helpdesk.mailboxes import MailboxURL, parse_mailbox_url
from tickets.services.inbound import mail_ingest

logger = logging.getLogger(__name__)

Ingest = Callable[..., object]  # mail_ingest(*, raw: bytes), or a test's stand-in

# pg_try_advisory_lock's first key: the class of lock, so that no other advisory
# lock of the desk's can collide with a mailbox's.
LOCK_CLASS = 0x5D1A
# A batch's messages are held in memory together: at most this many bytes.
BATCH_BYTES = 25 * 1024 * 1024


def mailboxes_poll(*, ingest: Ingest | None = None, seconds: float | None = None) -> int:
    """Take in the new messages of every configured mailbox; how many were taken.
    A mailbox that cannot be reached is logged and skipped. ``seconds`` bounds
    the poll: no new batch is started after it (the task's soft limit follows)."""
    if ingest is None:
        ingest = mail_ingest
    stop_at = time.monotonic() + seconds if seconds is not None else None
    taken = 0
    for raw_url in settings.INBOUND_IMAP_URLS:
        mailbox = parse_mailbox_url(raw_url)
        try:
            taken += mailbox_poll(mailbox, ingest=ingest, stop_at=stop_at)
        except SoftTimeLimitExceeded:
            raise
        except Exception as exc:  # a mailbox down must not keep the others waiting
            logger.warning("Mailbox %s could not be polled: %r", mailbox.safe, exc)
    return taken


def mailbox_poll(mailbox: MailboxURL, *, ingest: Ingest, stop_at: float | None = None) -> int:
    """One mailbox's poll; 0 at once when another poll of it is running."""
    processed = settings.INBOUND_IMAP_PROCESSED_FOLDER
    taken = 0
    with _poll_lock(mailbox) as ours:
        if not ours:
            logger.info("Mailbox %s is being polled already", mailbox.safe)
            return 0
        with _connect(mailbox) as box:
            if not box.folder.exists(processed):
                box.folder.create(processed)
            box.folder.set(mailbox.folder)
            sizes = _sizes(box)
            for batch in batches(sizes, most=settings.INBOUND_IMAP_BATCH, bytes_=BATCH_BYTES):
                if stop_at is not None and time.monotonic() > stop_at:
                    break
                done = []
                for uid, raw in _fetch_raw(box, batch):
                    try:
                        ingest(raw=raw)
                    except SoftTimeLimitExceeded:
                        raise
                    except Exception:
                        logger.exception(
                            "Message %s in %s could not be taken in; it stays for the next poll",
                            uid,
                            mailbox.safe,
                        )
                        continue
                    done.append(uid)
                # Once a batch, not once a message: a worker killed before the move
                # makes the next poll hand these in again, which changes nothing.
                if done:
                    box.move(done, processed)
                    taken += len(done)
    if taken:
        logger.info("Mailbox %s: %d messages taken in", mailbox.safe, taken)
    return taken


def batches(sizes: list[tuple[str, int]], *, most: int, bytes_: int) -> Iterator[list[str]]:
    """The uids in order, at most ``most`` and ``bytes_`` a batch (a bigger
    message alone): a few 20 MB attachments must not all be held at once."""
    batch: list[str] = []
    held = 0
    for uid, size in sizes:
        if batch and (len(batch) == most or held + size > bytes_):
            yield batch
            batch, held = [], 0
        batch.append(uid)
        held += size
    if batch:
        yield batch


_SIZE = re.compile(rb"\bUID (\d+)\b.*?\bRFC822\.SIZE (\d+)|\bRFC822\.SIZE (\d+)\b.*?\bUID (\d+)")


def _sizes(box: BaseMailBox) -> list[tuple[str, int]]:
    """(uid, size in bytes) of every message in the selected folder, oldest first."""
    uids = box.uids("ALL")
    if not uids:
        return []
    response = box.client.uid("FETCH", f"{uids[0]}:{uids[-1]}", "(UID RFC822.SIZE)")
    check_command_status(response, MailboxFetchError)
    sizes = {}
    for item in response[1]:
        found = _SIZE.search(item if isinstance(item, bytes) else b"")
        if found:
            uid, size = (found[1], found[2]) if found[1] else (found[4], found[3])
            sizes[int(uid)] = int(size)
    return [(str(uid), sizes[uid]) for uid in sorted(sizes)]


def _connect(mailbox: MailboxURL) -> BaseMailBox:
    timeout = settings.INBOUND_IMAP_TIMEOUT
    box: BaseMailBox = (
        # imaplib alone would not check the server's certificate.
        MailBox(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
        if mailbox.tls
        else MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)
    )
    return box.login(mailbox.user, mailbox.password)


_UID = re.compile(rb"\bUID (\d+)")


def _fetch_raw(box: BaseMailBox, uids: list[str]) -> Iterator[tuple[str, bytes]]:
    """(uid, the message's bytes exactly as the server holds them) for each uid
    still there; PEEK leaves the \\Seen flag alone. imap-tools' own fetch keeps
    only a parsed copy, and the desk stores the original."""
    response = box.client.uid("FETCH", ",".join(uids), "(UID BODY.PEEK[])")
    check_command_status(response, MailboxFetchError)
    pending: bytes | None = None
    for item in response[1]:
        # Servers put the UID before the literal or after it (a bytes item then).
        if isinstance(item, tuple):
            found = _UID.search(item[0])
            if found:
                yield found.group(1).decode(), item[1]
                pending = None
            else:
                pending = item[1]
        elif pending is not None and isinstance(item, bytes) and (found := _UID.search(item)):
            yield found.group(1).decode(), pending
            pending = None


def lock_key(mailbox: MailboxURL) -> int:
    """pg_try_advisory_lock's second key: the mailbox, as a signed 32-bit int."""
    return zlib.crc32(mailbox.safe.encode()) - 2**31


@contextlib.contextmanager
def _poll_lock(mailbox: MailboxURL) -> Iterator[bool]:
    """True when this process may poll the mailbox now. Two polls at once (a slow
    one and the next beat, or two workers) would hand the same message in twice
    at the same moment. On PostgreSQL a session lock, which a killed worker's
    closed connection releases at once; the embedded set-up runs its tasks in
    one process, one at a time."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = lock_key(mailbox)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, key])
        ours = cursor.fetchone()[0]
    try:
        yield ours
    finally:
        if ours:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, key])
