"""The pages people read most, at a million tickets: server time, queries, plans.

    .venv/bin/python benchmarks/pages.py [--tickets 1000000] [--customers 1000] [--runs 30]
                                         [--keep] [--reuse]

Creates a scratch PostgreSQL database (scopedesk_bench_pages, or BENCH_DATABASE_NAME,
on 127.0.0.1, or the server of BENCH_DATABASE_URL), loads the example catalogue,
``--customers`` customers with a contract and a contact each, ten technicians, and
``--tickets`` tickets over two years with PostgreSQL COPY: each with its decision,
the automatic reply and on average two more messages (replies, the customer's
answers, internal notes); 8 % of the tickets are unresolved. One customer (slug
``big-customer``) has 10,000 tickets, all filed by its one contact. Then ANALYZE,
and it times the server side (Django's test client in this process, no network) of

- the queue page: first page, by verdict, by customer, a text search (``q=``);
- GET /api/v1/tickets/ with the same four;
- one ticket's page in the queue;
- the portal's ticket list for the big customer's contact: first page and page 200,

printing p50 and p95 over ``--runs`` runs, the p50 of the CPU time Django spends
on a request in this process (which a busy machine inflates much less), the
number of queries each page runs and their time, and EXPLAIN (ANALYZE) of each
page's three slowest queries, with any sequential scan on the tickets, decisions
or messages tables marked ``<<< SEQ SCAN``.
The text search measures whatever ``q`` does in this checkout (the URL is all it
knows of it).

--tickets N   how many tickets (1,000,000 by default; 10,000 of them the big customer's)
--customers N how many customers (1,000)
--runs N      timed requests per page (30), after three to warm the caches
--plans       print the plans (on by default; --no-plans leaves them out)
--keep        keep the database afterwards, to measure it again with --reuse
--reuse       measure the kept database again without loading

The database is dropped at the end, even when the script fails (unless --keep).
Loading a million tickets takes about five minutes on two busy CPUs: COPY, with
the three tables' indexes dropped and the foreign keys unchecked while it runs
(as pg_restore does), then the indexes built once.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
NAME = os.environ.get("BENCH_DATABASE_NAME", "scopedesk_bench_pages")
BIG_TICKETS = 10_000
BIG_SLUG = "big-customer"
SEARCH_WORD = "printer"  # in one ticket's subject of a thousand
SEARCH_TRIGGER = "tickets_ticket_search"  # fills Ticket.search_vector (migration 0020)
BIG_TABLES = ("tickets_ticket", "tickets_scopedecision", "tickets_message")


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
    os.environ.pop("REDIS_URL", None)  # no tasks are run here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    # A throwaway key: with DEBUG off the desk starts only with one.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(ROOT))
    import helpdesk.wsgi  # noqa: F401 - sets Django up as the server does


class Copy:
    """COPY rows into a model's table: the columns given per row, then every
    other column at its default (worked out once, as Django would save it)."""

    def __init__(self, model, given: list[str]) -> None:
        from django.db import connection
        from django.db.models import GeneratedField

        self.table = model._meta.db_table
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and not isinstance(f, GeneratedField)
        ]
        self.given = given
        rest = [f for f in fields if f.attname not in given]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        self.columns = ["id", *given, *(f.column for f in rest)]

    def __call__(self, cursor, rows) -> None:
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row((*row, *self.defaults))
        # The ids were given: the sequence goes on after the last.
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{self.table}', 'id'), "
            f'(SELECT max(id) FROM "{self.table}"))'
        )


@contextlib.contextmanager
def bulk_loading(tables):
    """As a dump is restored: the tables' indexes dropped while COPY runs and built
    once at the end, and the foreign keys not checked row by row (the rows are
    made consistent here). Yields psycopg's own cursor."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        # The replica role skips the foreign keys' triggers, and every other one
        # too: the search vector's trigger (migration 0020) must still fire.
        cursor.execute(f"ALTER TABLE tickets_ticket ENABLE ALWAYS TRIGGER {SEARCH_TRIGGER}")
        try:
            yield cursor.cursor
        finally:
            cursor.execute(f"ALTER TABLE tickets_ticket ENABLE TRIGGER {SEARCH_TRIGGER}")
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _, definition in indexes:
                cursor.execute(definition)


def vocabulary(rng: random.Random, size: int = 5000) -> tuple[list[str], list[float]]:
    """Made-up words with the long tail of real text (Zipf: the n-th word is used
    1/n as often as the first), and their cumulative weights. With a handful of
    repeated words the search's statistics judged any word not among them common,
    and a rare word's search walked the queue's order; real subjects and bodies
    have thousands of rare words, and so does this text."""
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ru",
        "sa",
        "ti",
        "vo",
        "pe",
        "da",
        "gu",
        "ha",
        "je",
        "zo",
        "bi",
        "fy",
    ]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    words.discard(SEARCH_WORD)
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered, list(itertools.accumulate(1 / n for n in range(1, len(ordered) + 1)))


def load(customers: int, tickets: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    from contracts.contract_files import load_services
    from contracts.models import Contact, Contract, Customer, Service, SlaTarget
    from contracts.roles import TECHNICIANS
    from tickets.models import Message, ScopeDecision, Status, Ticket

    rng = random.Random(42)
    load_services((ROOT / "examples" / "services.yaml").read_text(), source="services.yaml")
    services = list(Service.objects.all())
    users = get_user_model()
    staff = [
        users.objects.create_user(f"tech{n}", f"tech{n}@bench.example", "x", is_staff=True)
        for n in range(10)
    ]
    Group.objects.get(name=TECHNICIANS).user_set.add(*staff)
    with transaction.atomic():
        people = users.objects.bulk_create(
            users(username=f"c{n}@bench.example", email=f"c{n}@bench.example")
            for n in range(customers)
        )
        firms = Customer.objects.bulk_create(
            Customer(
                name="Big Customer" if n == 0 else f"Customer {n:04}",
                slug=BIG_SLUG if n == 0 else f"customer-{n:04}",
                timezone="Europe/Helsinki",
            )
            for n in range(customers)
        )
        Contact.objects.bulk_create(
            Contact(customer=firm, user=person, name=f"Contact {n}")
            for n, (firm, person) in enumerate(zip(firms, people, strict=True))
        )
        contracts = Contract.objects.bulk_create(
            Contract(
                customer=firm,
                reference=f"REF-{n:04}",
                title="Managed hosting",
                valid_from="2024-01-01",
                hourly_rate=90,
                included_tickets=10,
                included_minutes=120,
                support_hours={"mon-fri": "08:00-18:00"},
                holiday_calendar="FI",
            )
            for n, firm in enumerate(firms)
        )
        SlaTarget.objects.bulk_create(
            SlaTarget(contract=c, priority=p, first_response="8h", resolution="3d")
            for c in contracts
            for p in ("urgent", "high", "normal", "low")
        )

    now = timezone.now()
    verdicts = ["in_scope", "in_scope", "in_scope", "outside_hours", "paid_option",
                "over_allowance", "needs_review", "out_of_scope"]  # fmt: skip
    statuses, weights = zip(
        (Status.CLOSED, 62), (Status.RESOLVED, 30), (Status.OPEN, 4),
        (Status.AWAITING_DECISION, 2), (Status.WAITING_ON_CUSTOMER, 1.5), (Status.NEW, 0.5),
        strict=True,
    )  # fmt: skip
    resolved = {Status.RESOLVED, Status.CLOSED}
    ticket_copy = Copy(
        Ticket,
        ["customer_id", "contract_id", "requester_id", "subject", "body", "service_id",
         "priority", "status", "verdict", "assignee_id", "channel", "created_at", "updated_at",
         "decided_at", "sla_started_at", "first_response_due", "resolution_due",
         "first_responded_at", "resolved_at", "message_id"],
    )  # fmt: skip
    decision_copy = Copy(
        ScopeDecision,
        ["ticket_id", "verdict", "reason", "contract_id", "service_id", "clause_snapshot",
         "counts_against_allowance", "created_at"],
    )  # fmt: skip
    message_copy = Copy(
        Message,
        ["ticket_id", "kind", "author_id", "body", "decision_id", "message_id", "delivery",
         "created_at"],
    )  # fmt: skip
    snapshot = Jsonb({"text": {"en": "Covered by the contract."}})
    staff_ids = [None, *(s.pk for s in staff)]
    service_ids = [s.pk for s in services]
    codes = [s.code for s in services]
    two_years = 60 * 24 * 730
    words, weights_of_words = vocabulary(rng)

    def said(k: int) -> str:
        return " ".join(rng.choices(words, cum_weights=weights_of_words, k=k))

    # Closed after the last COPY (and, on a failure, with the dropped database).
    stack = contextlib.ExitStack()
    cursor = stack.enter_context(bulk_loading(BIG_TABLES))
    ticket_rows, decision_rows, message_rows = [], [], []
    message_id = 0
    for pk in range(1, tickets + 1):
        n = 0 if pk % (tickets // BIG_TICKETS) == 0 else rng.randrange(1, customers)
        created = now - timedelta(minutes=rng.randrange(two_years))
        status = rng.choices(statuses, weights)[0]
        verdict = rng.choice(verdicts)
        service = rng.randrange(len(service_ids))
        answered = status in resolved or rng.random() < 0.5
        first_response = created + timedelta(minutes=rng.randrange(5, 960)) if answered else None
        done = created + timedelta(minutes=rng.randrange(60, 8640)) if status in resolved else None
        rare = f"{SEARCH_WORD} " if pk % 1000 == 7 else ""
        ticket_rows.append(
            (pk, firms[n].pk, contracts[n].pk, people[n].pk,
             f"Request about {rare}{codes[service]}: {said(3)} #{pk}",
             f"Something needs looking at: {said(14)}.",
             service_ids[service], rng.choice(["urgent", "high", "normal", "normal", "low"]),
             status, verdict, rng.choice(staff_ids), "portal", created, done or created, created,
             created, created + timedelta(hours=rng.randrange(1, 48)),
             created + timedelta(hours=rng.randrange(24, 200)), first_response, done,
             f"<t{pk}@bench.example>")
        )  # fmt: skip
        decision_rows.append(
            (pk, pk, verdict, "clause", contracts[n].pk, service_ids[service], snapshot,
             verdict in ("in_scope", "outside_hours"), created)
        )  # fmt: skip
        message_id += 1
        message_rows.append(
            (message_id, pk, "automatic", None, "Thank you for your message.", pk,
             f"<m{message_id}@bench.example>", "sent", created)
        )  # fmt: skip
        # On average two more: replies, the customer's answers and internal notes.
        for later in range(rng.choice([0, 1, 2, 2, 3, 4])):
            message_id += 1
            kind, author = rng.choice(
                [("public", rng.choice(staff_ids[1:])), ("public", people[n].pk),
                 ("internal", rng.choice(staff_ids[1:]))]
            )  # fmt: skip
            message_rows.append(
                (message_id, pk, kind, author, "Let us look at this together. " * 3, None,
                 f"<m{message_id}@bench.example>", "sent" if author != people[n].pk else "none",
                 created + timedelta(hours=later + 1))
            )  # fmt: skip
        if len(ticket_rows) == 50_000 or pk == tickets:
            with transaction.atomic():
                ticket_copy(cursor, ticket_rows)
                decision_copy(cursor, decision_rows)
                message_copy(cursor, message_rows)
            ticket_rows, decision_rows, message_rows = [], [], []
            print(f"  {pk:>9,} tickets", end="\r", flush=True)
    print("\n  indexes built again")
    stack.close()
    with connection.cursor() as cursor:
        # What autovacuum does on a live database: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")


def timed(client, url: str, runs: int) -> tuple[float, float, float]:
    """p50 and p95 of the time a request takes, and the p50 of the CPU time this
    process (Django, not PostgreSQL) spends on it: on a busy machine the first
    two grow with the load, the last much less."""
    times, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return statistics.median(times), p95, statistics.median(cpu)


def plans(queries: list[dict], slowest: int = 3) -> list[str]:
    """EXPLAIN ANALYZE of the slowest ``slowest`` of the queries a page ran."""
    from django.db import connection

    lines = []
    chosen = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:slowest]
    with connection.cursor() as cursor:
        for query in chosen:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}")
            lines.append(f"    -- {float(query['time']) * 1000:.1f} ms: {sql[:150]}…")
            for (line,) in cursor.fetchall():
                seq = any(f"Seq Scan on {t}" in line for t in BIG_TABLES)
                lines.append(f"      {line}{'   <<< SEQ SCAN' if seq else ''}")
    return lines


def measure(runs: int, show_plans: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from tickets.models import Ticket

    users = get_user_model()
    tech = users.objects.get(username="tech0")
    staff = Client()
    staff.force_login(tech)
    api = APIClient()
    api.force_authenticate(tech)
    big = Ticket.objects.filter(customer__slug=BIG_SLUG).order_by("-created_at").first()
    assert big is not None
    contact = Client()
    contact.force_login(big.requester)
    other = "customer-0421"
    cases = [
        ("queue, first page", staff, "/queue/"),
        ("queue, verdict=paid_option", staff, "/queue/?verdict=paid_option"),
        (f"queue, customer={other}", staff, f"/queue/?customer={other}"),
        (f"queue, q={SEARCH_WORD}", staff, f"/queue/?q={SEARCH_WORD}"),
        ("API tickets, first page", api, "/api/v1/tickets/"),
        ("API tickets, verdict=paid_option", api, "/api/v1/tickets/?verdict=paid_option"),
        (f"API tickets, customer={other}", api, f"/api/v1/tickets/?customer={other}"),
        (f"API tickets, q={SEARCH_WORD}", api, f"/api/v1/tickets/?q={SEARCH_WORD}"),
        ("queue, one ticket's page", staff, f"/queue/tickets/{big.pk}/"),
        ("portal list, 10k tickets, page 1", contact, "/portal/"),
        ("portal list, 10k tickets, page 200", contact, "/portal/?page=200"),
    ]
    results, explained = [], []
    for label, client, url in cases:
        timed(client, url, 3)  # warm the caches
        p50, p95, cpu = timed(client, url, runs)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        sql = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        results.append((label, p50, p95, cpu, len(captured.captured_queries), sql))
        print(f"  {label:<40} {p50:>8.1f} {p95:>8.1f}", flush=True)
        if show_plans:
            explained.append((label, url, plans(captured.captured_queries)))
    print(f"\n{'page':<40} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8} {'sql ms':>8}")
    for label, p50, p95, cpu, count, sql in results:
        mark = "  > 50 ms" if p95 > 50 else ""
        print(f"{label:<40} {p50:>8.1f} {p95:>8.1f} {cpu:>8.1f} {count:>8} {sql:>8.1f}{mark}")
    seq = [label for label, _, lines in explained if any("SEQ SCAN" in x for x in lines)]
    for label, url, lines in explained:
        print(f"\n== {label}  ({url})")
        print("\n".join(lines))
    if show_plans:
        print("\nsequential scans on the big tables:", ", ".join(seq) if seq else "none")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--plans", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    options = parser.parse_args()
    if options.tickets < 2 * BIG_TICKETS:
        sys.exit(f"--tickets: at least {2 * BIG_TICKETS:,}")
    if not options.reuse:
        psql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        psql(f"CREATE DATABASE {NAME}")
    try:
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        # As in production: pages refer to the collected, hashed static files.
        call_command("collectstatic", "--noinput", verbosity=0)
        if not options.reuse:
            began = time.perf_counter()
            load(options.customers, options.tickets)
            print(
                f"loaded {options.customers:,} customers and {options.tickets:,} tickets "
                f"in {time.perf_counter() - began:.0f} s"
            )
        from tickets.models import Ticket

        unsearchable = Ticket.objects.filter(search_vector=None).count()
        if unsearchable:
            raise SystemExit(
                f"{unsearchable:,} tickets have no search vector: the search would miss them"
            )
        measure(options.runs, options.plans)
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            psql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
