"""How many e-mails one worker takes in per second: read (parse, charsets, HTML,
quoted history), store (the raw .eml and its row), and act (a ticket with its
scope check and automatic reply, or a reply on a ticket).

    .venv/bin/python benchmarks/mail_intake.py [--messages 300]

Needs PostgreSQL (trust auth, as in .ci/run). The script makes a database of its
own (scopedesk_bench_mail), migrated and loaded with the service catalogue and
one customer with four contacts, and removes it at the end whatever happens.
Tasks run in this process, one after another (no REDIS_URL): the scope check and
the automatic reply's e-mail (to Django's locmem backend) happen inside each
``mail_ingest``, as one worker would do them. It is not a timed test: on a busy
machine the figures drop.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import os
import secrets
import shutil
import tempfile
import time
from datetime import datetime

from benchmarks.intake import ROOT, admin_connection

DATABASE = "scopedesk_bench_mail"
LANGUAGES = ["en", "ru", "fi", "lv"]
CUSTOMER = """
customer:
  name: Mailbench Ltd
  slug: mailbench
  timezone: UTC
  language: en
  contacts:
{contacts}
contracts:
  - reference: MAILBENCH-1
    title: Hosting
    valid_from: 2020-01-01
    currency: EUR
    hourly_rate: 90.00
    unlisted_services: paid
    allowance: {{included_tickets: 100000, included_minutes: 100000}}
    support_hours: {{weekly: "24/7"}}
    sla:
      normal: {{first_response: 8h, resolution: 3d}}
    clauses:
      - {{service: hosting.email, coverage: included, text: Mail delivery on our servers.}}
      - {{service: hosting.availability, coverage: included, text: Bringing servers back.}}
"""
TEXTS = {
    "en": "Emails to our mailbox info@ are not arriving since yesterday, please check.",
    "ru": "Со вчерашнего дня письма на наш ящик info@ не приходят, проверьте, пожалуйста.",
    "fi": "Sähköpostit info@-osoitteeseemme eivät ole tulleet perille eilisestä asti.",
    "lv": "Kopš vakardienas e-pasti uz mūsu pastkastīti info@ nepienāk, lūdzu pārbaudiet.",
}


def messages(count: int) -> list[bytes]:
    """Plain text, HTML only, and replies quoting the one before, in turn."""
    made = []
    for n in range(count):
        # A reply (every third) comes from the sender of the message it answers.
        lang = LANGUAGES[(n - 1 if n % 3 == 2 else n) % 4]
        sender = f"{lang}@mailbench.example"
        text = TEXTS[lang]
        head = (
            f"From: Contact <{sender}>\r\nTo: support@scopedesk.example\r\n"
            f"Message-ID: <bench-{n}@mailbench.example>\r\n"
            f"Date: Mon, 23 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        )
        if n % 3 == 0:
            body = (
                f"Subject: Mail problem {n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                f"{text}\r\n\r\n-- \r\nContact\r\n"
            )
        elif n % 3 == 1:
            body = (
                f"Subject: Mail problem {n}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
                f"<html><body><p>{text}</p><script>x()</script></body></html>\r\n"
            )
        else:
            body = (
                f"Subject: Re: Mail problem {n - 1}\r\n"
                f"In-Reply-To: <bench-{n - 1}@mailbench.example>\r\n"
                f"References: <bench-{n - 1}@mailbench.example>\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
                f"Still not working.\r\n\r\nOn Mon, 23 Nov 2026 someone wrote:\r\n> {text}\r\n"
            )
        made.append((head + body).encode())
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server, no database"
    )
    args = parser.parse_args()
    server_url = args.postgres.rstrip("/")
    with admin_connection(server_url) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    files = Path(tempfile.mkdtemp(prefix="scopedesk-mailbench-"))
    os.environ.pop("REDIS_URL", None)
    os.environ.update(
        {
            "DATABASE_URL": f"{server_url}/{DATABASE}",
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
            "ATTACHMENTS_DIR": str(files),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
            "MAIL_AUTO_REPLIES_PER_HOUR": "100000",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        }
    )
    try:
        run(args)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with admin_connection(server_url) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        shutil.rmtree(files, ignore_errors=True)


def run(args) -> None:
    import django

    django.setup()
    from collections import Counter

    from django.conf import settings
    from django.core.management import call_command

    from contracts.contract_files import load_contract_file, load_services
    from tickets.models import InboundMessage, Message, Ticket
    from tickets.services.inbound import mail_ingest

    assert settings.CELERY_TASK_ALWAYS_EAGER
    call_command("migrate", verbosity=0)
    load_services((ROOT / "examples" / "services.yaml").read_text(), source="services.yaml")
    contacts = "\n".join(
        f"    - {{email: {lang}@mailbench.example, name: Contact {lang}, language: {lang}}}"
        for lang in LANGUAGES
    )
    load_contract_file(CUSTOMER.format(contacts=contacts), source="mailbench.yaml")
    raws = messages(args.messages)
    mail_ingest(raw=raws[0])  # warm up: imports, the catalogue's first read

    load = os.getloadavg()[0]
    started = time.monotonic()
    for raw in raws[1:]:
        mail_ingest(raw=raw)
    seconds = time.monotonic() - started
    timed = len(raws) - 1
    outcomes = Counter(InboundMessage.objects.values_list("outcome", flat=True))
    print(f"mail intake benchmark, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs")
    print(f"  load average at the start: {load:.1f}")
    print(
        f"  {timed} messages in {seconds:.2f} s = {timed / seconds:.1f} messages/s by one "
        "process (read + store + scope check + automatic reply e-mailed to locmem)"
    )
    print(f"  outcomes: {dict(outcomes)}")
    print(
        f"  tickets {Ticket.objects.count()}, decided "
        f"{Ticket.objects.exclude(decided_at=None).count()}, automatic replies "
        f"{Message.objects.filter(kind=Message.Kind.AUTOMATIC).count()}"
    )


if __name__ == "__main__":
    main()
