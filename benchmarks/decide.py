"""How long one scope check takes, database work included.

    .venv/bin/python benchmarks/decide.py [--customers 200] [--tickets 2000] [--profile]

Creates a scratch PostgreSQL database (scopedesk_bench_decide on 127.0.0.1, or
the server of BENCH_DATABASE_URL), loads the example catalogue and contracts and
``--customers`` more customers like Northwind, files ``--tickets`` tickets in
four languages without deciding them, then runs the `check_scope` task on each,
in this process, as a worker process runs it: the e-mails it queues go to Redis
(BENCH_REDIS_URL, else redis://127.0.0.1:6379/9, emptied at the end), not out. Prints
p50/p95 per task, the queries per task and the decisions a second one process
makes; ``--profile`` adds the functions that took the time. Drops the database
at the end. Prints figures; it is not a timed test.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import subprocess
import time

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
NAME = "scopedesk_bench_decide"
# A scratch Redis database for the e-mails the tasks queue: emptied at the end.
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
TEXTS = [
    ("en", "Emails to our mailbox info@ are not arriving since yesterday, please check."),
    ("en", "Could you please install the WooCommerce plugin on our WordPress shop?"),
    ("ru", "Здравствуйте! Почта на наш ящик не приходит со вчерашнего дня."),
    ("fi", "Sähköpostit eivät tule perille info@-osoitteeseen, voitteko tarkistaa?"),
    ("lv", "Labdien, mūsu vietne nedarbojas kopš rīta. Lūdzu, palīdziet!"),
    ("en", "Our competitors are above us on Google. Can you do some SEO for our shop?"),
    ("en", "Hello, something is not right, please call me back."),
]


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
    os.environ["REDIS_URL"] = REDIS
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["LOG_LEVEL"] = "WARNING"
    # The staff notices a decision sends at once (allowance thresholds) stay in memory.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(customers: int, tickets: int) -> list[int]:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from contracts.contract_files import load_contract_file, load_services
    from contracts.models import Contact, Customer
    from tickets.models import Ticket

    examples = ROOT / "examples"
    load_services((examples / "services.yaml").read_text(), source="services.yaml")
    northwind = (examples / "contract-northwind.yaml").read_text()
    for path in sorted(examples.glob("contract-*.yaml")):
        load_contract_file(path.read_text(), source=path.name)
    for n in range(customers):
        # Northwind's contract for a firm of its own, its contacts' addresses its own.
        text = northwind.replace("slug: northwind", f"slug: firm-{n:04}").replace(
            "@northwind.example", f"@firm-{n:04}.example"
        )
        text = text.replace("reference: HOST-2026-014", f"reference: FIRM-{n:04}")
        load_contract_file(text, source=f"firm-{n:04}.yaml")
    contacts = list(Contact.objects.select_related("user", "customer"))
    users = get_user_model()
    with transaction.atomic():
        rows = Ticket.objects.bulk_create(
            Ticket(
                customer=contact.customer,
                requester=contact.user,
                subject="Help",
                body=TEXTS[i % len(TEXTS)][1],
                language=TEXTS[i % len(TEXTS)][0],
            )
            for i, contact in zip(
                range(tickets), (contacts[i % len(contacts)] for i in range(tickets)), strict=True
            )
        )
    assert users.objects.count() and Customer.objects.count() == customers + 3
    return [row.pk for row in rows]


def measure(ids: list[int], profile: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets.tasks import check_scope

    profiler = cProfile.Profile() if profile else None
    times, queries = [], []
    started = time.perf_counter()
    for ticket_id in ids:
        with CaptureQueriesContext(connection) as captured:
            if profiler:
                profiler.enable()
            begin = time.perf_counter()
            check_scope(ticket_id)
            times.append(time.perf_counter() - begin)
            if profiler:
                profiler.disable()
        queries.append(len(captured))
    took = time.perf_counter() - started
    times.sort()
    print(f"check_scope, {len(ids)} tickets, one process, PostgreSQL and Redis:")
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(f"  p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"  queries per task: median {statistics.median(queries):.0f}, max {max(queries)}")
    print(f"  {len(ids) / took:.0f} decisions a second")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(str(ROOT), 30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    options = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {NAME}")
    psql(f"CREATE DATABASE {NAME}")
    try:
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        ids = load(options.customers, options.tickets)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
        measure(ids, options.profile)
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {NAME}")
        import redis

        redis.Redis.from_url(REDIS).flushdb()


if __name__ == "__main__":
    main()
