"""How fast the desk takes tickets in through the API and decides them.

    .venv/bin/python benchmarks/intake.py [--tickets 500] [--clients 16]     # a burst
    .venv/bin/python benchmarks/intake.py --rate 20 [--duration 60]         # a steady pace
    .venv/bin/python benchmarks/intake.py --profile 300                     # one request's cost
    (and in any mode: [--workers 2] [--web-workers 5] [--customers 8])

Needs PostgreSQL (trust auth, as in .ci/run) and redis-server. The script makes
its own world and removes it at the end, whatever happens:
1. a database of its own (scopedesk_bench), migrated and loaded with the service
   catalogue and a few round-the-clock customers;
2. a redis-server of its own on a free port (or --redis-url), as broker and cache;
3. the web side (gunicorn if installed, with ``--web-workers`` sync workers, by
   default 2 x CPUs + 1; else Django's threaded server) and a prefork Celery
   worker (``--workers`` processes), both on that database and broker.

A burst (the default) files ``--tickets`` tickets through POST /api/v1/tickets/
from ``--clients`` clients at once, each sending its next ticket when its last
is answered, and prints how many tickets a second were accepted, the HTTP
answer's p50/p95 and the p50/p95 time from filing a ticket to its decision.

``--rate`` files tickets at that steady pace for ``--duration`` seconds, open
loop: each ticket is sent at its own time by one of ``--clients`` threads (by
default enough that a slow answer never holds the next ticket back), and its
times count from when it was due, so a late send counts against the desk. It
prints the tickets a second accepted, the HTTP answer's p50/p95, and filing to
decision p50/p95 of the tickets decided within ``--settle`` seconds of the last
filing (and how many were).

``--profile N`` starts no server: it files N tickets in this process through
Django's test client (the same middleware, token, view and publish to Redis),
and prints each request's queries, Django's CPU time per request and the
functions that took it.

It is not a timed test: on a busy machine the figures drop.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import cProfile
import json
import os
import pstats
import re
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.world import (
    ROOT,
    Processes,
    bench_world,
    free_port,
    start_web,
    start_worker,
    wait_for_web_and_worker,
    wait_until,
    worker_failures,
)

DATABASE = "scopedesk_bench"

# What customers write, so that the decisions are of every common kind.
TEXTS = [
    ("Mail", "Emails to our mailbox info@ are not arriving since yesterday, please check."),
    ("Plugin", "Could you please install the WooCommerce plugin on our WordPress shop?"),
    ("SEO", "Please do search engine optimisation and link building for our shop."),
    ("DNS", "Please add a TXT record to the DNS of our domain for Google verification."),
    ("Hello", "Hello, something is not right, please call me back."),
]

CUSTOMER = """
customer:
  name: Bench {n} Ltd
  slug: bench-{n}
  timezone: UTC
  language: {language}
  contacts:
    - {{email: a@bench-{n}.example, name: Contact A, language: {language}}}
    - {{email: b@bench-{n}.example, name: Contact B}}
contracts:
  - reference: BENCH-{n}
    title: Bench plan
    valid_from: 2020-01-01
    currency: EUR
    hourly_rate: 90.00
    unlisted_services: paid
    allowance: {{included_tickets: 100000}}
    support_hours: {{weekly: "24/7"}}
    sla:
      normal: {{first_response: 8h, resolution: 3d}}
    clauses:
      - {{service: hosting.email, coverage: included, text: Mail delivery on our servers.}}
      - {{service: hosting.dns, coverage: included, text: DNS of the domains we host.}}
      - {{service: web.cms_plugins, coverage: paid, price: {{fixed: 60.00}}, text: Plugins.}}
      - {{service: marketing.seo, coverage: excluded, text: Search engine optimisation.}}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=500, help="a burst's tickets")
    parser.add_argument(
        "--clients",
        type=int,
        help="HTTP clients: a burst's at once (16), or a pace's threads (enough for 5 s of it)",
    )
    parser.add_argument("--rate", type=float, help="file at this steady pace, tickets a second")
    parser.add_argument("--duration", type=float, default=60, help="a pace's seconds")
    parser.add_argument(
        "--settle", type=float, default=30, help="seconds a pace's last decisions may take"
    )
    parser.add_argument("--profile", type=int, metavar="N", help="profile N requests in process")
    parser.add_argument("--workers", type=int, default=2, help="Celery prefork processes")
    parser.add_argument(
        "--web-workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn sync workers (the usual 2 x CPUs + 1)",
    )
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server, no database"
    )
    parser.add_argument("--redis-url", help="a Redis to use instead of starting one")
    args = parser.parse_args()
    if args.clients is None:
        args.clients = 16 if args.rate is None else max(16, int(args.rate * 5))

    environment = {
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "INFO",
        # The benchmark measures intake, not the per-user throttle.
        "API_THROTTLE_USER": "1000000/minute",
    }
    with bench_world(
        postgres=args.postgres,
        database=DATABASE,
        redis_url=args.redis_url,
        prefix="scopedesk-intake-",
        env=environment,
    ) as (processes, env):
        run(args, processes, env)


def run(args, processes: Processes, env: dict[str, str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from contracts.contract_files import load_contract_file, load_services
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    load_services((ROOT / "examples" / "services.yaml").read_text(), source="services.yaml")
    languages = ["en", "ru", "fi", "lv"]
    for n in range(args.customers):
        text = CUSTOMER.format(n=n, language=languages[n % 4])
        load_contract_file(text, source=f"bench-{n}.yaml")
    tokens = [
        Token.objects.get_or_create(user=user)[0].key
        for user in get_user_model().objects.filter(email__endswith=".example")
    ]
    if args.profile:
        profile(args.profile, tokens)
        return

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_web(processes, port, workers=args.web_workers)
    start_worker(processes, concurrency=args.workers)

    def worker_healthy() -> None:
        if failed := worker_failures(processes):
            sys.exit("the worker's tasks fail:\n" + "\n".join(failed[:3]))

    def undecided(ids) -> int:
        worker_healthy()
        return Ticket.objects.filter(pk__in=ids, decided_at=None).count()

    wait_for_web_and_worker(processes, base)

    def file(n: int, due: float | None = None) -> tuple[int, float, float, int | None]:
        """File ticket ``n``: its status, when it was due (sent, in a burst), when
        it was answered, its id."""
        subject, body = TEXTS[n % len(TEXTS)]
        request = urllib.request.Request(
            f"{base}/api/v1/tickets/",
            data=json.dumps({"subject": f"{subject} {n}", "body": body}).encode(),
            headers={
                "Authorization": f"Token {tokens[n % len(tokens)]}",
                "Content-Type": "application/json",
            },
        )
        sent = time.time() if due is None else due
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, data = response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            status, data = exc.code, {}
        return status, sent, time.time(), data.get("id")

    # Warm up: the first request of each process builds what later ones reuse.
    with ThreadPoolExecutor(args.web_workers) as pool:
        warm = [filed[3] for filed in pool.map(file, range(4 * len(tokens)))]
    wait_until(lambda: not undecided(warm), timeout=120, what="the warm-up tickets' decisions")

    load = os.getloadavg()[0]
    cpu = _cpu_seconds(processes)
    client_cpu = time.process_time()
    started = time.time()
    if args.rate is None:
        count = args.tickets
        with ThreadPoolExecutor(args.clients) as pool:
            filed = list(pool.map(file, range(count)))
        how = f"a burst from {args.clients} clients at once"
    else:
        count = round(args.rate * args.duration)
        filed = _paced(file, count, args.rate, args.clients)
        how = f"{args.rate:g} tickets/s for {args.duration:g} s, open loop, {args.clients} threads"
    filing = max(done for _, _, done, _ in filed) - started
    refused = [status for status, *_ in filed if status != 201]
    if refused:
        sys.exit(f"{len(refused)} of {count} tickets refused: {sorted(set(refused))}")
    ids = [ticket_id for *_, ticket_id in filed]
    settle = max(120, count) if args.rate is None else args.settle
    deadline = time.time() + settle
    while undecided(ids) and time.time() < deadline:
        time.sleep(0.2)
    drained = time.time() - started
    cpu = {name: used - cpu.get(name, 0) for name, used in _cpu_seconds(processes).items()}
    cpu["client (this script)"] = time.process_time() - client_cpu

    decided = dict(
        Ticket.objects.filter(pk__in=ids, decided_at__isnull=False).values_list("pk", "decided_at")
    )
    to_decision = sorted(decided[i].timestamp() - sent for _, sent, _, i in filed if i in decided)
    answers = sorted(done - sent for _, sent, done, _ in filed)
    verdicts = Counter(Ticket.objects.filter(pk__in=ids).values_list("verdict", flat=True))
    print(f"intake benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")
    print(f"  web: {server}; worker: prefork x {args.workers}; {how}")
    print(f"  load average when filing began: {load:.1f} (other work on the machine slows it)")
    print(
        f"  accepted: {count} tickets in {filing:.2f} s = {count / filing:,.1f} tickets/s; "
        f"HTTP answer p50 {_ms(answers, 50)}, p95 {_ms(answers, 95)}, max {_ms(answers, 100)}"
    )
    if to_decision:
        print(
            f"  filing to decision: p50 {_ms(to_decision, 50)}, p95 {_ms(to_decision, 95)}, "
            f"max {_ms(to_decision, 100)}; {len(decided)} of {count} decided "
            f"{drained:.2f} s after the first was filed"
            + (f" = {count / drained:,.1f} decisions/s" if len(decided) == count else "")
        )
    else:
        print(f"  filing to decision: none of {count} decided within {settle:g} s")
    if cpu:
        print(
            "  CPU seconds while filing and deciding: "
            + ", ".join(f"{name} {used:.1f}" for name, used in sorted(cpu.items()))
            + f" (of {(os.cpu_count() or 1) * drained:.0f} on {os.cpu_count()} CPUs)"
        )
    runs = sorted(
        float(re.search(r"succeeded in ([0-9.]+)s", line).group(1))
        for line in processes.log("worker").splitlines()
        if "check_scope[" in line and "succeeded in" in line
    )
    print(
        f"  one check_scope task in the worker: p50 {_ms(runs, 50)}, p95 {_ms(runs, 95)} "
        f"({len(runs)} tasks, warm-up included)"
    )
    print("  verdicts:", ", ".join(f"{v}={n}" for v, n in sorted(verdicts.items())))


def _paced(file, count: int, rate: float, threads: int) -> list:
    """File ``count`` tickets, the n-th due n / ``rate`` seconds after the start,
    each sent by a thread of its own from the pool: a slow answer holds up one
    thread, not the pace (unless every thread waits, which the lag shows)."""
    start = time.time() + 0.1
    futures = []
    lag = 0.0
    with ThreadPoolExecutor(threads) as pool:
        for n in range(count):
            due = start + n / rate
            if (wait := due - time.time()) > 0:
                time.sleep(wait)
            futures.append(pool.submit(_timed_send, file, n, due))
        results = [future.result() for future in futures]
    lag = max(late for late, _ in results)
    if lag > 0.05:
        print(f"  (a ticket was sent {lag * 1000:,.0f} ms after it was due: more --clients)")
    return [filed for _, filed in results]


def _timed_send(file, n: int, due: float):
    return time.time() - due, file(n, due)


def _cpu_seconds(processes: Processes) -> dict[str, float]:
    """The CPU seconds (user and system) the web side and the worker have used,
    with their children, from /proc (Linux); empty elsewhere."""
    used: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for name, process in processes.named.items():
        for pid in [process.pid, *_descendants(process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[name] = used.get(name, 0) + (int(fields[11]) + int(fields[12])) / tick
    return used


def _descendants(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(c) for child in children for c in [child, *_descendants(int(child))]]


def profile(count: int, tokens: list[str]) -> None:
    """File ``count`` tickets through Django's test client in this process: the
    queries of one request, Django's CPU time per request and where it goes."""
    from django.db import connection
    from rest_framework.test import APIClient

    clients = [APIClient(HTTP_AUTHORIZATION=f"Token {token}") for token in tokens]

    def file(n: int) -> None:
        subject, body = TEXTS[n % len(TEXTS)]
        response = clients[n % len(clients)].post(
            "/api/v1/tickets/", {"subject": f"{subject} {n}", "body": body}, format="json"
        )
        assert response.status_code == 201, response.content

    for n in range(2 * len(clients)):  # warm up every client's user and the imports
        file(n)
    queries: list[tuple[float, str]] = []

    def note(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(note):
        file(0)
    walls, cpus = [], []
    for n in range(count):
        wall, cpu = time.perf_counter(), time.process_time()
        file(n)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    # CPU time, not wall: the database's and Redis's answers are not this process's work.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for n in range(count):
        file(n)
    profiler.disable()
    print(
        f"intake profile, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, in process"
    )
    print(f"  load average: {os.getloadavg()[0]:.1f} (other work on the machine slows it)")
    print(f"  one filing request: {len(queries)} queries")
    for took, sql in queries:
        print(f"    {took * 1000:5.1f} ms  {sql[:150]}")
    walls.sort()
    cpus.sort()
    print(
        f"  {count} requests: wall p50 {_ms(walls, 50)}, p95 {_ms(walls, 95)}; "
        f"Django's CPU p50 {_ms(cpus, 50)}, p95 {_ms(cpus, 95)}, mean "
        f"{statistics.mean(cpus) * 1000:.1f} ms"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def _ms(sorted_seconds: list[float], percent: int) -> str:
    if percent >= 100 or len(sorted_seconds) == 1:
        value = sorted_seconds[-1]
    else:
        value = statistics.quantiles(sorted_seconds, n=100, method="inclusive")[percent - 1]
    return f"{value * 1000:,.0f} ms"


if __name__ == "__main__":
    main()
