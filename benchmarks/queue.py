"""How fast the queue page and the tickets API answer on a big desk.

    .venv/bin/python benchmarks/queue.py [--customers 1000] [--tickets 200000] [--runs 40]
                                         [--keep] [--reuse]

Creates a scratch PostgreSQL database (scopedesk_bench_queue, or BENCH_DATABASE_NAME,
on 127.0.0.1, or the server of BENCH_DATABASE_URL), loads the example catalogue,
1,000 customers with a contract and a contact each and 200,000 tickets over 90 days
with their decisions (8 % of them unresolved, as on a desk that has worked for
years), and the offers, time, ratings and escalations the leads' reports read,
then times the server side of
- the technicians' queue page (first page; filtered by verdict; by customer);
- GET /api/v1/tickets/ (first page; filtered by verdict; by customer);
- the leads' reports page for the month with the most tickets, as it reads the
  figures kept for it (tickets/report_figures.py),
through Django's test client in this process (no network), and prints p50/p95,
and how long working out that month's figures takes (what the refresh task and a
lead's "Work them out now" do). Drops the database at the end. Prints figures;
it is not a timed test.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import os
import random
import secrets
import statistics
import subprocess
import time
from datetime import date, timedelta

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
NAME = os.environ.get("BENCH_DATABASE_NAME", "scopedesk_bench_queue")


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


def load(customers: int, tickets: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.db.models import F, OuterRef, Subquery
    from django.utils import timezone

    from contracts.contract_files import load_services
    from contracts.models import Clause, Contact, Contract, Customer, Service, SlaTarget
    from contracts.roles import LEADS, TECHNICIANS
    from tickets.models import (
        Escalation,
        Message,
        Offer,
        Rating,
        ScopeDecision,
        Status,
        Ticket,
    )

    rng = random.Random(42)
    load_services((ROOT / "examples" / "services.yaml").read_text(), source="services.yaml")
    services = list(Service.objects.all())
    users = get_user_model()
    staff = [
        users.objects.create_user(f"tech{n}", f"tech{n}@bench.example", "x", is_staff=True)
        for n in range(10)
    ]
    Group.objects.get(name=TECHNICIANS).user_set.add(*staff)
    lead = users.objects.create_user("lead0", "lead0@bench.example", "x", is_staff=True)
    Group.objects.get(name=LEADS).user_set.add(lead)

    with transaction.atomic():
        people = users.objects.bulk_create(
            users(username=f"c{n}@bench.example", email=f"c{n}@bench.example")
            for n in range(customers)
        )
        firms = Customer.objects.bulk_create(
            Customer(name=f"Customer {n:04}", slug=f"customer-{n:04}", timezone="Europe/Helsinki")
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
                valid_from="2026-01-01",
                hourly_rate=90,
                included_tickets=10,
                included_minutes=120,
                support_hours={"mon-fri": "08:00-18:00"},
                holiday_calendar="FI",
            )
            for n, firm in enumerate(firms)
        )
        Clause.objects.bulk_create(
            Clause(
                contract=contract,
                service=service,
                coverage=rng.choice(["included", "excluded"]),
                # Wordings hold every language, as the contract editor saves them.
                text={"en": f"{service.code} under this contract."},
                position=i,
            )
            for contract in contracts
            for i, service in enumerate(services)
        )
        SlaTarget.objects.bulk_create(
            SlaTarget(contract=c, priority=p, first_response="8h", resolution="3d")
            for c in contracts
            for p in ("urgent", "high", "normal", "low")
        )

    now = timezone.now()
    verdicts = ["in_scope", "in_scope", "in_scope", "outside_hours", "paid_option",
                "over_allowance", "needs_review", "out_of_scope"]  # fmt: skip
    # As on a desk that has worked for years: most tickets are resolved or closed,
    # a few thousand are open.
    statuses, weights = zip(
        (Status.CLOSED, 62), (Status.RESOLVED, 30), (Status.OPEN, 4),
        (Status.AWAITING_DECISION, 2), (Status.WAITING_ON_CUSTOMER, 1.5), (Status.NEW, 0.5),
        strict=True,
    )  # fmt: skip
    people_by_customer = {firm.pk: person for firm, person in zip(firms, people, strict=True)}
    batch = 5000
    for start in range(0, tickets, batch):
        with transaction.atomic():
            rows = []
            for _ in range(min(batch, tickets - start)):
                n = rng.randrange(customers)
                created = now - timedelta(minutes=rng.randrange(60 * 24 * 90))
                rows.append(
                    Ticket(
                        customer=firms[n],
                        contract=contracts[n],
                        requester=people[n],
                        subject=f"Request about {rng.choice(services).code}",
                        body="Something needs looking at. " * 5,
                        service=rng.choice(services),
                        priority=rng.choice(["urgent", "high", "normal", "normal", "low"]),
                        status=rng.choices(statuses, weights)[0],
                        verdict=rng.choice(verdicts),
                        assignee=rng.choice([None, *staff]),
                        channel="portal",
                        decided_at=created,
                        sla_started_at=created,
                        first_response_due=created + timedelta(hours=rng.randrange(1, 48)),
                        resolution_due=created + timedelta(hours=rng.randrange(24, 200)),
                    )
                )
            for row in rows:
                # First responses and resolutions, for the reports' SLA section.
                if row.status in (Status.RESOLVED, Status.CLOSED) or rng.random() < 0.5:
                    row.first_responded_at = row.decided_at + timedelta(
                        minutes=rng.randrange(5, 16 * 60)
                    )
                if row.status in (Status.RESOLVED, Status.CLOSED):
                    row.resolved_at = row.decided_at + timedelta(
                        minutes=rng.randrange(60, 6 * 24 * 60)
                    )
            made = Ticket.objects.bulk_create(rows)
            decisions = ScopeDecision.objects.bulk_create(
                ScopeDecision(
                    ticket=t,
                    verdict=t.verdict,
                    reason="clause",
                    contract=t.contract,
                    service=t.service,
                    clause_snapshot={"text": {"en": "Covered."}},
                    counts_against_allowance=t.verdict in ("in_scope", "outside_hours"),
                )
                for t in made
            )
            Message.objects.bulk_create(
                Message(ticket=t, kind="automatic", body="Thank you for your message.", decision=d)
                for t, d in zip(made, decisions, strict=True)
            )
            reported(rng, made, decisions, staff, people_by_customer)
        print(f"  {start + len(rows):>7,} tickets", end="\r", flush=True)
    print()
    # auto_now_add stamped every row with the moment of loading: spread them over the
    # 90 days as the tickets' own arrival (kept in decided_at), so a month holds a month.
    Ticket.objects.update(created_at=F("decided_at"))
    arrived = Ticket.objects.filter(pk=OuterRef("ticket_id")).values("created_at")[:1]
    for model, later in ((Offer, timedelta()), (Rating, timedelta(days=2)),
                         (Escalation, timedelta(hours=5))):  # fmt: skip
        model.objects.update(created_at=Subquery(arrived) + later)
    from django.db import connection

    with connection.cursor() as cursor:
        # The updates above left every ticket twice on disk; a live table is not.
        cursor.execute(
            "VACUUM FULL tickets_ticket, tickets_offer, tickets_rating, tickets_escalation"
        )
        # What autovacuum does on a live database: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE")


def reported(rng, tickets, decisions, staff, people_by_customer) -> None:
    """What the leads' reports read, for a batch of tickets: an offer on each paid
    option, time on every third ticket, a rating on a fifth of the resolved ones,
    an escalation on 1 %."""
    from tickets.models import Escalation, Offer, Rating, TimeEntry

    offers, entries, ratings, escalations = [], [], [], []
    for ticket, decision in zip(tickets, decisions, strict=True):
        created = ticket.decided_at
        requester = people_by_customer[ticket.customer_id]
        if ticket.verdict == "paid_option":
            hourly = rng.random() < 0.4
            offers.append(
                Offer(
                    ticket=ticket,
                    decision=decision,
                    amount=90 if hourly else rng.choice([60, 150, 400]),
                    currency="EUR",
                    pricing="hourly" if hourly else "fixed",
                    estimate_minutes=rng.choice([None, 60, 120]) if hourly else None,
                    status=rng.choices(
                        ["accepted", "declined", "expired", "withdrawn", "pending"],
                        [45, 25, 20, 5, 5],
                    )[0],
                    expires_at=created + timedelta(days=7),
                )
            )
        if ticket.resolved_at and rng.random() < 0.2:
            ratings.append(
                Rating(ticket=ticket, score=rng.choice([1, 3, 4, 5, 5]), rated_by=requester)
            )
        if rng.random() < 1 / 3:
            kind = {"paid_option": "billable", "in_scope": "allowance"}.get(
                ticket.verdict, rng.choice(["included", "goodwill"])
            )
            minutes = rng.choice([15, 30, 45, 60, 90])
            entries.append(
                TimeEntry(
                    ticket=ticket,
                    technician=rng.choice(staff),
                    minutes=minutes,
                    counted_minutes=minutes,
                    kind=kind,
                    worked_on=created.date(),
                )
            )
        if rng.random() < 0.01:
            handled = rng.random() < 0.5
            escalations.append(
                Escalation(
                    ticket=ticket,
                    requested_by=requester,
                    reason="Please call me.",
                    handled_by=rng.choice(staff) if handled else None,
                    handled_at=created + timedelta(hours=6) if handled else None,
                )
            )
    Offer.objects.bulk_create(offers)
    TimeEntry.objects.bulk_create(entries)
    Rating.objects.bulk_create(ratings)
    Escalation.objects.bulk_create(escalations)


def busiest_month() -> str:
    from django.conf import settings
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from contracts.engine import hours
    from tickets.models import Ticket

    months = (
        Ticket.objects.annotate(
            month=TruncMonth("created_at", tzinfo=hours.zone(settings.TIME_ZONE))
        )
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    return f"{months[0]['month']:%Y-%m}"


def timed(client, url: str, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def measure(runs: int) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.test import APIClient

    tech = get_user_model().objects.get(username="tech0")
    page = Client()
    page.force_login(tech)
    leads = Client()
    leads.force_login(get_user_model().objects.get(username="lead0"))
    month = busiest_month()
    api = APIClient()
    api.force_authenticate(tech)
    cases = [
        ("queue page, first page", page, "/queue/"),
        ("queue page, verdict=paid_option", page, "/queue/?verdict=paid_option"),
        ("queue page, one customer", page, "/queue/?customer=customer-0421"),
        ("GET /api/v1/tickets/, first page", api, "/api/v1/tickets/"),
        ("GET /api/v1/tickets/?verdict=paid_option", api, "/api/v1/tickets/?verdict=paid_option"),
        ("GET /api/v1/tickets/?customer=…", api, "/api/v1/tickets/?customer=customer-0421"),
        (f"reports page, {month} (kept figures)", leads, f"/queue/reports/?month={month}"),
    ]
    print(f"{'request':<44} {'p50 ms':>8} {'p95 ms':>8}")
    for label, client, url in cases:
        timed(client, url, 3)  # warm the caches
        p50, p95 = timed(client, url, runs)
        print(f"{label:<44} {p50:>8.1f} {p95:>8.1f}")
    # What the refresh task (and a lead's "Work them out now") takes for that month.
    from tickets.report_figures import month_report_work_out

    times = []
    for _ in range(max(5, runs // 4)):
        began = time.perf_counter()
        month_report_work_out(first_day=date.fromisoformat(f"{month}-01"), language="en")
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    label = f"reports, {month} worked out (the task)"
    print(f"{label:<44} {statistics.median(times):>8.1f} {times[int(len(times) * 0.95) - 1]:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    options = parser.parse_args()
    if not options.reuse:
        psql(f"DROP DATABASE IF EXISTS {NAME}")
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
            print(f"loaded {options.customers:,} customers and {options.tickets:,} tickets "
                  f"in {time.perf_counter() - began:.0f} s")  # fmt: skip
        measure(options.runs)
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            psql(f"DROP DATABASE IF EXISTS {NAME}")


if __name__ == "__main__":
    main()
