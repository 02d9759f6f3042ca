"""How long one scope check takes, database work included.

    .venv/bin/python benchmarks/decide.py [--customers 200] [--tickets 2000] [--profile]
                                          [--processes 2]

Creates a scratch PostgreSQL database (scopedesk_bench_decide on 127.0.0.1, or
the server of BENCH_DATABASE_URL), loads the example catalogue and contracts and
``--customers`` more customers like Northwind, files ``--tickets`` tickets in
four languages without deciding them, then runs the `check_scope` task on each,
in this process, as a worker process runs it: the e-mails it queues go to Redis
(BENCH_REDIS_URL, else redis://127.0.0.1:6379/9, emptied at the end), not out. Prints
p50/p95 per task, the queries per task and the decisions a second one process
makes; ``--profile`` adds the functions that took the time. ``--processes N``
then files as many tickets again and decides them in N processes at once (forked,
as a prefork worker's children are): the decisions a second they make together.
Drops the database at the end. Prints figures; it is not a timed test.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import cProfile
import multiprocessing
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


def load(customers: int) -> None:
    from contracts.contract_files import load_contract_file, load_services
    from contracts.models import Customer

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
    assert Customer.objects.count() == customers + 3


def file_tickets(tickets: int) -> list[int]:
    """Tickets from every contact in turn, not yet decided."""
    from django.db import transaction

    from contracts.models import Contact
    from tickets.models import Ticket

    contacts = list(Contact.objects.select_related("user", "customer"))
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
    return [row.pk for row in rows]


def measure(ids: list[int], profile: bool) -> None:
    from django.db import connection

    from tickets.tasks import check_scope

    profiler = cProfile.Profile() if profile else None
    times, queries = [], []
    count = [0]

    def counted(execute, sql, params, many, context):
        # A counter, not Django's query log: the log's own cost would be timed too.
        count[0] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counted):
        for ticket_id in ids:
            count[0] = 0
            if profiler:
                profiler.enable()
            begin = time.perf_counter()
            check_scope(ticket_id)
            times.append(time.perf_counter() - begin)
            if profiler:
                profiler.disable()
            queries.append(count[0])
    took = time.perf_counter() - started
    times.sort()
    print(f"check_scope, {len(ids)} tickets, one process, PostgreSQL and Redis:")
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(f"  p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"  queries per task: median {statistics.median(queries):.0f}, max {max(queries)}")
    print(f"  {len(ids) / took:.0f} decisions a second")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(str(ROOT), 30)


def _decide_each(ids: list[int]) -> list[float]:
    from tickets.tasks import check_scope

    times = []
    for ticket_id in ids:
        begin = time.perf_counter()
        check_scope(ticket_id)
        times.append(time.perf_counter() - begin)
    return times


def measure_in_processes(ids: list[int], processes: int) -> None:
    from django.db import connections

    connections.close_all()  # each child opens its own, as a worker's do
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        times = sorted(
            t
            for part in pool.map(_decide_each, [ids[n::processes] for n in range(processes)])
            for t in part
        )
    took = time.perf_counter() - started
    p50, p95 = statistics.median(times), times[int(len(times) * 0.95)]
    print(f"check_scope, {len(ids)} tickets, {processes} processes at once:")
    print(f"  p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    print(f"  {len(ids) / took:.0f} decisions a second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--processes", type=int, default=0, help="then decide in N processes")
    options = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {NAME}")
    psql(f"CREATE DATABASE {NAME}")
    try:
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        load(options.customers)
        ids = file_tickets(options.tickets)
        print(f"loaded in {time.perf_counter() - started:.0f} s")
        measure(ids, options.profile)
        if options.processes:
            measure_in_processes(file_tickets(options.tickets), options.processes)
    finally:
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {NAME}")
        import redis

        redis.Redis.from_url(REDIS).flushdb()


if __name__ == "__main__":
    main()
