"""Take one raw e-mail from a file or standard input (what a mail server's pipe
or an LMTP hand-off calls) and hand it to the desk, as IMAP polling does.

Exit 0 once the message is stored, whatever the desk made of it (ignored, not a
contact, a duplicate): a mail server must not bounce those. Non-zero (75,
EX_TEMPFAIL) only when it could not be stored, so the server tries again."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from tickets.services.inbound import mail_ingest

EX_TEMPFAIL = 75  # sysexits.h: the mail server keeps the message and retries


class Command(BaseCommand):
    help = "Read one raw e-mail from FILE (or - for standard input) into the desk."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="a .eml file, or - (stdin)")

    def handle(self, *args, file: str, **options):
        try:
            if file == "-":
                raw = sys.stdin.buffer.read()
            else:
                with open(file, "rb") as handle:
                    raw = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}", returncode=EX_TEMPFAIL) from exc
        if not raw.strip():
            raise CommandError("the message is empty", returncode=EX_TEMPFAIL)
        try:
            inbound = mail_ingest(raw=raw)
        except Exception as exc:  # not stored: the mail server must keep it and retry
            raise CommandError(
                f"could not store the message: {type(exc).__name__}: {exc}",
                returncode=EX_TEMPFAIL,
            ) from exc
        where = f" #{inbound.ticket_id}" if inbound.ticket_id else ""
        detail = f" ({inbound.detail})" if inbound.detail else ""
        self.stdout.write(f"{inbound.outcome}{where}{detail}")
