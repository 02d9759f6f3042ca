"""How fast the desk takes tickets in through the API and decides them.

    .venv/bin/python benchmarks/intake.py [--tickets 500] [--clients 16] [--workers 2]

Needs PostgreSQL (trust auth, as in .ci/run) and redis-server. The script makes
its own world and removes it at the end, whatever happens:
1. a database of its own (scopedesk_bench), migrated and loaded with the service
   catalogue and a few round-the-clock customers;
2. a redis-server of its own on a free port (or --redis-url), as broker and cache;
3. the web side (gunicorn if installed, as in docker/, else Django's threaded
   server) and a prefork Celery worker, both on that database and broker;
then files the tickets concurrently through POST /api/v1/tickets/ and prints how
many tickets a second were accepted and the p50/p95 time from filing a ticket
to its decision. It is not a timed test: on a busy machine the figures drop.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import json
import os
import re
import statistics
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

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
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--workers", type=int, default=2, help="Celery prefork processes")
    parser.add_argument("--customers", type=int, default=8)
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server, no database"
    )
    parser.add_argument("--redis-url", help="a Redis to use instead of starting one")
    args = parser.parse_args()

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

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_web(processes, port, workers=max(2, os.cpu_count() or 1))
    start_worker(processes, concurrency=args.workers)

    def worker_healthy() -> None:
        if failed := worker_failures(processes):
            sys.exit("the worker's tasks fail:\n" + "\n".join(failed[:3]))

    def all_decided(ids) -> bool:
        worker_healthy()
        return not Ticket.objects.filter(pk__in=ids, decided_at=None).exists()

    wait_for_web_and_worker(processes, base)

    def file(n: int) -> tuple[int, float, float, int | None]:
        subject, body = TEXTS[n % len(TEXTS)]
        request = urllib.request.Request(
            f"{base}/api/v1/tickets/",
            data=json.dumps({"subject": f"{subject} {n}", "body": body}).encode(),
            headers={
                "Authorization": f"Token {tokens[n % len(tokens)]}",
                "Content-Type": "application/json",
            },
        )
        sent = time.time()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, data = response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            status, data = exc.code, {}
        return status, sent, time.time(), data.get("id")

    # Warm up: the first request of each process builds what later ones reuse.
    warm = [file(n)[3] for n in range(len(tokens))]
    wait_until(lambda: all_decided(warm), timeout=120, what="the warm-up tickets' decisions")

    load = os.getloadavg()[0]
    started = time.time()
    with ThreadPoolExecutor(args.clients) as pool:
        filed = list(pool.map(file, range(args.tickets)))
    filing = time.time() - started
    refused = [status for status, *_ in filed if status != 201]
    if refused:
        sys.exit(f"{len(refused)} of {args.tickets} tickets refused: {sorted(set(refused))}")
    ids = [ticket_id for *_, ticket_id in filed]
    wait_until(
        lambda: all_decided(ids), timeout=max(120, args.tickets), what="every decision", every=0.2
    )
    drained = time.time() - started

    decided = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "decided_at"))
    to_decision = sorted(decided[i].timestamp() - sent for _, sent, _, i in filed)
    answers = sorted(done - sent for _, sent, done, _ in filed)
    verdicts = Counter(Ticket.objects.filter(pk__in=ids).values_list("verdict", flat=True))
    print(f"intake benchmark, {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} CPUs")
    print(f"  web: {server}; worker: prefork x {args.workers}; {args.clients} concurrent clients")
    print(f"  load average when filing began: {load:.1f} (other work on the machine slows it)")
    print(
        f"  accepted: {args.tickets} tickets in {filing:.2f} s = "
        f"{args.tickets / filing:,.1f} tickets/s "
        f"(HTTP answer p50 {_ms(answers, 50)}, p95 {_ms(answers, 95)})"
    )
    print(
        f"  filing to decision: p50 {_ms(to_decision, 50)}, p95 {_ms(to_decision, 95)}, "
        f"max {_ms(to_decision, 100)}; all decided {drained:.2f} s after the first was filed "
        f"= {args.tickets / drained:,.1f} decisions/s"
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


def _ms(sorted_seconds: list[float], percent: int) -> str:
    if percent >= 100:
        value = sorted_seconds[-1]
    else:
        value = statistics.quantiles(sorted_seconds, n=100, method="inclusive")[percent - 1]
    return f"{value * 1000:,.0f} ms"


if __name__ == "__main__":
    main()
