"""The desk under load as its people load it, driven by Locust (benchmarks/locustfile.py).

    .venv/bin/python benchmarks/load.py [--users 40] [--spawn-rate 2] [--run-time 5m]
                                        [--web-workers 5] [--customers 200] [--tickets 5000]

Needs the bench extra (``pip install -e '.[bench]'``: locust, gunicorn), PostgreSQL
(trust auth, as in .ci/run) and redis-server. Builds the world of intake.py
(benchmarks/world.py: a database of its own, scopedesk_bench_load; a redis-server
of its own; gunicorn with 2 × CPUs + 1 sync workers; one prefork worker, -c 2),
loads it with queue.py's loader (customers with a contract, a few thousand tickets
over 90 days with their decisions, offers, time and ratings), gives each customer
three contacts with a password and an API token, and ten technicians and two
leads a password; works out the leads' reports as the periodic task does; then
runs Locust headless against 127.0.0.1 for --run-time with --users simulated
people (contacts, technicians, leads: see the locustfile) and prints, per kind of
request, requests, failures, p50 and p95, and the requests a second of the whole
run. Exits non-zero if any request failed. Kills everything and drops the
database at the end, whatever happens. It is not a timed test: on a busy machine
the figures drop.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import csv
import json
import os
import random
import subprocess
import tempfile
import time
from datetime import UTC, datetime

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.world import (
    BIN,
    ROOT,
    Processes,
    bench_world,
    free_port,
    start_web,
    start_worker,
    wait_for_web_and_worker,
    worker_failures,
)

DATABASE = "scopedesk_bench_load"
PASSWORD = "bench-load-password"
CONTACTS_PER_CUSTOMER = 3
# What the page kinds are held to; printed beside each kind's p95.
P95_LIMIT_MS = 300
# The locustfile's name for the login form's POST, which hashes the password.
LOGIN = "login: post"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=40, help="simulated people at once")
    parser.add_argument("--spawn-rate", type=float, default=2, help="people started a second")
    parser.add_argument("--run-time", default="5m", help="as Locust takes it: 30s, 5m")
    parser.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server, no database"
    )
    args = parser.parse_args()
    if not (BIN / "locust").exists() or not (BIN / "gunicorn").exists():
        sys.exit("locust and gunicorn are not installed: pip install -e '.[bench]'")

    environment = {
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    with bench_world(
        postgres=args.postgres,
        database=DATABASE,
        redis_url=None,
        prefix="scopedesk-load-",
        env=environment,
    ) as (processes, env):
        sys.exit(run(args, processes, env))


def run(args, processes: Processes, env: dict[str, str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    # As in production: pages refer to the collected, hashed static files.
    call_command("collectstatic", "--noinput", verbosity=0)
    began = time.perf_counter()
    people = load(args.customers, args.tickets)
    print(
        f"loaded {args.customers} customers, {len(people['contacts'])} contacts and "
        f"{args.tickets:,} tickets in {time.perf_counter() - began:.0f} s"
    )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_web(processes, port, workers=args.web_workers)
    start_worker(processes, concurrency=2)
    wait_for_web_and_worker(processes, base)

    scratch = Path(tempfile.mkdtemp(prefix="scopedesk-locust-"))
    (scratch / "people.json").write_text(json.dumps(people))
    load_average = os.getloadavg()[0]
    locust = subprocess.run(
        [
            *(str(BIN / "locust"), "-f", str(ROOT / "benchmarks" / "locustfile.py")),
            *("--headless", "--users", str(args.users), "--spawn-rate", str(args.spawn_rate)),
            *("--run-time", args.run_time, "--host", base, "--csv", str(scratch / "run")),
            *("--only-summary", "--stop-timeout", "10", "--loglevel", "WARNING"),
        ],
        cwd=ROOT,
        env={**os.environ, "SCOPEDESK_LOAD_PEOPLE": str(scratch / "people.json")},
        capture_output=True,
        text=True,
    )
    if not (scratch / "run_stats.csv").exists():
        print(locust.stdout[-3000:], locust.stderr[-3000:], sep="\n")
        return 2

    print(f"load test, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")
    print(f"  web: {server}; worker: prefork x 2; Locust on the same machine")
    print(f"  {args.users} people (started {args.spawn_rate}/s), {args.run_time}")
    print(f"  load average when the run began: {load_average:.1f}")
    failed = report(scratch)
    if failures := worker_failures(processes):
        print("the worker's tasks failed:", *failures[:3], sep="\n  ")
        failed = True
    return 1 if failed else 0


def report(scratch: Path) -> bool:
    """Print each kind of request's figures and the whole run's rate; whether any failed."""
    with open(scratch / "run_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"  {'request':<34} {'requests':>9} {'failures':>9} {'p50 ms':>7} {'p95 ms':>7}")
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = row
            continue
        over = ""
        if float(row["95%"]) >= P95_LIMIT_MS:
            over = "  over 300 ms"
            if row["Name"] == LOGIN:
                over += " (each hashes a password, slow on purpose)"
        print(
            f"  {row['Name']:<34} {row['Request Count']:>9} {row['Failure Count']:>9} "
            f"{row['50%']:>7} {row['95%']:>7}{over}"
        )
    assert total is not None
    print(
        f"  all: {total['Request Count']} requests, {total['Failure Count']} failed, "
        f"{float(total['Requests/s']):.1f} requests/s, p50 {total['50%']} ms, "
        f"p95 {total['95%']} ms"
    )
    with open(scratch / "run_failures.csv", newline="") as f:
        failures = list(csv.DictReader(f))
    for row in failures[:10]:
        print(f"  failed {row['Occurrences']}×: {row['Method']} {row['Name']}: {row['Error']}")
    return int(total["Failure Count"]) > 0


def load(customers: int, tickets: int) -> dict[str, list[dict[str, str]]]:
    """queue.py's desk, with three contacts a customer who can log in and file over
    the API, and staff who can log in; who they are, for the locustfile."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from benchmarks import queue as desk
    from contracts.models import Contact, Customer
    from contracts.roles import LEADS
    from tickets.models import Ticket
    from tickets.report_figures import reports_refresh

    desk.load(customers, tickets)
    users = get_user_model()
    firms = list(Customer.objects.order_by("pk"))
    # queue.py gave each customer one contact, c<n>@bench.example; two more each.
    more = users.objects.bulk_create(
        users(username=f"c{n}{extra}@bench.example", email=f"c{n}{extra}@bench.example")
        for n in range(customers)
        for extra in "bc"
    )
    Contact.objects.bulk_create(
        Contact(customer=firms[i // 2], user=person, name=f"Contact {person.username}")
        for i, person in enumerate(more)
    )
    lead = users.objects.create_user("lead1", "lead1@bench.example", is_staff=True)
    Group.objects.get(name=LEADS).user_set.add(lead)
    # One hash for everyone: hashing is made slow on purpose (half a second here).
    users.objects.update(password=make_password(PASSWORD))
    Token.objects.bulk_create(
        Token(user=contact.user, key=Token.generate_key())
        for contact in Contact.objects.select_related("user")
    )
    # The tickets spread over each customer's contacts, so each has some of their own.
    contacts = {}
    for contact in Contact.objects.order_by("pk"):
        contacts.setdefault(contact.customer_id, []).append(contact.user_id)
    rng = random.Random(7)
    rows = list(Ticket.objects.only("pk", "customer_id"))
    for row in rows:
        row.requester_id = rng.choice(contacts[row.customer_id])
    Ticket.objects.bulk_update(rows, ["requester_id"], batch_size=2000)
    # What the periodic task keeps for the leads' page.
    reports_refresh()

    tokens = dict(Token.objects.values_list("user_id", "key"))
    staff = users.objects.filter(is_staff=True)
    return {
        "contacts": [
            {"email": u.email, "password": PASSWORD, "token": tokens[u.pk]}
            for u in users.objects.filter(contact__isnull=False)
        ],
        "technicians": [
            {"username": u.username, "password": PASSWORD}
            for u in staff.filter(username__startswith="tech")
        ],
        "leads": [
            {"username": u.username, "password": PASSWORD}
            for u in staff.filter(username__startswith="lead")
        ],
    }


if __name__ == "__main__":
    main()
