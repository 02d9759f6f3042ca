"""How fast an incident is told to every affected contact.

    .venv/bin/python benchmarks/incidents.py [--customers 1000] [--contacts 3] [--workers 2]

Needs PostgreSQL (trust auth, as in .ci/run) and redis-server. The script makes
its own world and removes it at the end, whatever happens:
1. a database of its own (scopedesk_bench_incidents), migrated and loaded with the
   service catalogue and --customers customers whose contract includes
   hosting.availability, each with --contacts contacts in the four languages;
2. a redis-server of its own on a free port (or --redis-url), as broker;
then, with no worker running, opens an incident on hosting.availability through
``incident_open`` in this process and prints its wall time (the notices written
and every task queued), then starts a prefork Celery worker and prints how fast
it e-mails them through --mail-backend (locmem by default: the desk's own cost;
point it at an SMTP sink to see a mail server's). It is not a timed test: on a
busy machine the figures drop.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import base64
import json
import os
import time
from datetime import datetime, timedelta

from benchmarks.intake import BIN, ROOT, Processes, bench_world, wait_until

DATABASE = "scopedesk_bench_incidents"
LANGUAGES = ["en", "ru", "fi", "lv"]

CUSTOMER = """
customer:
  name: Outage {n} Ltd
  slug: outage-{n}
  timezone: UTC
  language: en
  contacts:
{contacts}
contracts:
  - reference: OUTAGE-{n}
    title: Hosting
    valid_from: 2020-01-01
    currency: EUR
    hourly_rate: 90.00
    unlisted_services: excluded
    allowance: {{included_tickets: 10}}
    support_hours: {{weekly: "24/7"}}
    sla:
      normal: {{first_response: 8h, resolution: 3d}}
    clauses:
      - {{service: hosting.availability, coverage: included, text: Bringing servers back.}}
      - {{service: hosting.email, coverage: included, text: Mail delivery on our servers.}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--contacts", type=int, default=3, help="contacts per customer")
    parser.add_argument("--workers", type=int, default=2, help="Celery prefork processes")
    parser.add_argument(
        "--mail-backend",
        default="django.core.mail.backends.locmem.EmailBackend",
        help="the worker's EMAIL_BACKEND (an SMTP sink: also set EMAIL_HOST/EMAIL_PORT)",
    )
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server, no database"
    )
    parser.add_argument("--redis-url", help="a Redis to use instead of starting one")
    args = parser.parse_args()

    environment = {"EMAIL_BACKEND": args.mail_backend, "LOG_LEVEL": "WARNING"}
    with bench_world(
        postgres=args.postgres,
        database=DATABASE,
        redis_url=args.redis_url,
        prefix="scopedesk-incidents-",
        env=environment,
    ) as (processes, _env):
        run(args, processes)


def run(args, processes: Processes) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from contracts.contract_files import load_contract_file, load_services
    from contracts.models import Service
    from tickets.models import Delivery, IncidentNotice
    from tickets.services import incident_open

    call_command("migrate", verbosity=0)
    load_services((ROOT / "examples" / "services.yaml").read_text(), source="services.yaml")
    started = time.monotonic()
    for n in range(args.customers):
        contacts = "\n".join(
            f"    - {{email: c{k}@outage-{n}.example, name: Contact {k}, "
            f"language: {LANGUAGES[(n + k) % 4]}}}"
            for k in range(args.contacts)
        )
        load_contract_file(CUSTOMER.format(n=n, contacts=contacts), source=f"outage-{n}.yaml")
    setup = time.monotonic() - started
    owner = get_user_model().objects.create_superuser("oncall", "oncall@bench.example", "x")
    texts = {
        "en": "A power failure in our data centre took the servers down.",
        "ru": "Из-за сбоя питания в нашем дата-центре отключились серверы.",
        "fi": "Konesalimme sähkökatko kaatoi palvelimet.",
        "lv": "Elektrības pārtraukums mūsu datu centrā apturēja serverus.",
    }
    broker = redis.Redis.from_url(settings.REDIS_URL)
    assert not settings.CELERY_TASK_ALWAYS_EAGER

    load = os.getloadavg()[0]
    started = time.monotonic()
    incident = incident_open(
        by=owner,
        title="Servers down",
        services=[Service.objects.get(code="hosting.availability")],
        texts=texts,
        next_update_at=timezone.now() + timedelta(hours=1),
    )
    opening = time.monotonic() - started
    notices = IncidentNotice.objects.filter(update__incident=incident)
    expected = args.customers * args.contacts
    written = notices.count()
    queued = broker.llen("mail")  # tasks, each of a batch of notices
    in_tasks = sum(len(_task_args(raw)[0]) for raw in broker.lrange("mail", 0, -1))
    if written != expected or in_tasks != expected:
        sys.exit(
            f"{written} notices written, {in_tasks} queued ({queued} tasks); {expected} wanted"
        )

    processes.start(
        "worker",
        [
            *(str(BIN / "celery"), "-A", "helpdesk", "worker", "--pool=prefork"),
            *("-c", str(args.workers), "-Q", "mail", "--loglevel=WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
    )
    worker_started = time.monotonic()

    def all_sent() -> bool:
        failed = [line for line in processes.log("worker").splitlines() if "Retry in" in line]
        if failed:
            sys.exit("the worker's tasks fail:\n" + "\n".join(failed[:3]))
        return not notices.exclude(delivery=Delivery.SENT).exists()

    wait_until(all_sent, timeout=max(300, expected), what="every notice to be sent", every=0.2)
    drained = time.monotonic() - worker_started
    first, last = (
        notices.order_by(order).values_list("emailed_at", flat=True).first()
        for order in ("emailed_at", "-emailed_at")
    )
    sending = (last - first).total_seconds()
    print(f"incident benchmark, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs")
    print(f"  load average when the incident was opened: {load:.1f}")
    print(
        f"  {args.customers} customers x {args.contacts} contacts loaded in {setup:.1f} s "
        "(contract files, not measured below)"
    )
    print(
        f"  incident_open, worker stopped: {opening:.2f} s for {written} notices written "
        f"and queued in {queued} tasks ({'under' if opening < 5 else 'OVER'} the 5 s promised)"
    )
    print(
        f"  sent by prefork x {args.workers} through {args.mail_backend.rsplit('.', 2)[-2]}: "
        f"{expected} notices in {sending:.2f} s from the first to the last = "
        f"{expected / max(sending, 1e-6):,.0f} notices/s; all sent {drained:.2f} s after the "
        "worker was started (its start-up included)"
    )
    twice = notices.filter(delivery_attempts__gt=1).count()
    print(f"  notices tried more than once: {twice}")


def _task_args(raw: bytes) -> list:
    """The arguments of a queued Celery task message (protocol 2, JSON)."""
    message = json.loads(raw)
    args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
    return args


if __name__ == "__main__":
    main()
