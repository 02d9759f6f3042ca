"""How fast the scope engine decides, and how fast `checkscope --jsonl` runs.

    .venv/bin/python benchmarks/scope_engine.py [--requests 10000] [--jsonl-requests 5000]

Loads the example catalogue and contracts into a scratch SQLite database, then
1. times the pure engine (`contracts.engine.scope.decide`) over 10,000 generated requests
   (target: 5,000 decisions/s);
2. times the pure engine over bodies of the form's largest size (20,000 characters)
   made of long runs of letters: one letter held down, random letters, a hex dump,
   words just under the longest word the matcher reads, and short random words, each
   new to the matcher (target: each under 250 ms);
3. runs `manage.py checkscope --jsonl` on 5,000 requests, start-up included
   (target: 500 decisions/s), and once on an empty file to show the start-up alone.
Prints the figures and whether they meet the targets; it is not a timed test. The
scratch directory is removed at the end.
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
import random
import resource
import secrets
import string
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FILLER = {
    "en": ["hello", "hi team", "please help", "thanks", "since this morning", "urgent", "our shop"],
    "ru": ["здравствуйте", "помогите пожалуйста", "спасибо", "с утра", "срочно", "наш магазин"],
    "fi": ["hei", "auttakaa", "kiitos", "aamusta asti", "kiireellinen", "verkkokauppamme"],
    "lv": ["labdien", "lūdzu palīdziet", "paldies", "kopš rīta", "steidzami", "mūsu veikals"],
}


def generate_requests(catalogue, customers, count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    entries = list(catalogue.entries.values())
    start = datetime(2026, 11, 2, tzinfo=UTC)
    requests = []
    for _ in range(count):
        customer = rng.choice(customers)
        contact = rng.choice(list(customer.contacts.values()))
        entry = rng.choice(entries)
        language = rng.choice(list(entry.phrases))
        words = [*rng.sample(FILLER[language], 2), rng.choice(entry.phrases[language])]
        rng.shuffle(words)
        requests.append(
            {
                "customer": customer.slug,
                "email": contact.email if rng.random() > 0.05 else "someone@else.example",
                "subject": rng.choice(entry.phrases[language]),
                "text": ", ".join(words) + ".",
                "service": entry.code if rng.random() < 0.3 else None,
                "priority": rng.choice(["urgent", "high", "normal", "low"]),
                "at": (start + timedelta(minutes=rng.randrange(60 * 24 * 28))).isoformat(),
            }
        )
    return requests


ENGINE_TARGET = 5_000  # decisions per second of the pure engine
LONG_BODY_TARGET = 0.25  # seconds for one body of the form's largest size
LONG_BODY = 20_000  # characters: the portal form's limit on a body


def long_bodies(seed: int = 5) -> dict[str, str]:
    """Bodies of the largest size without a sentence in them: what a customer pastes."""
    from contracts.engine.matching import LONGEST_WORD

    rng = random.Random(seed)

    def random_words(length: int) -> str:
        count = LONG_BODY // (length + 1)
        return " ".join(
            "".join(rng.choices(string.ascii_lowercase, k=length)) for _ in range(count)
        )

    return {
        "one letter held down": "A" * LONG_BODY,
        "random letters": "".join(rng.choices(string.ascii_letters, k=LONG_BODY)),
        "a hex dump": rng.randbytes(LONG_BODY // 2).hex(),
        f"words of {LONGEST_WORD} random letters": random_words(LONGEST_WORD),
        "words of 8 random letters": random_words(8),
    }


JSONL_TARGET = 500  # decisions per second of `checkscope --jsonl`, start-up included


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--jsonl-requests", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scopedesk-bench-") as scratch:
        try:
            run(Path(scratch), args.requests, args.jsonl_requests)
        finally:
            from django.db import connections

            connections.close_all()


def run(scratch: Path, engine_requests: int, jsonl_requests: int) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    # A throwaway key: with DEBUG off the desk starts only with one.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from contracts.contract_files import load_contract_file, load_services

    examples = ROOT / "examples"
    load_services((examples / "services.yaml").read_text(encoding="utf-8"), source="services")
    for path in sorted(examples.glob("contract-*.yaml")):
        load_contract_file(path.read_text(encoding="utf-8"), source=path.name)

    from contracts.engine.scope import ScopeRequest, Usage, decide
    from contracts.selectors import ScopePreview, customer_terms_by_slug

    preview = ScopePreview()
    catalogue = preview.catalogue
    customers = [customer_terms_by_slug(s) for s in ("northwind", "volga-media", "daugava")]
    requests = generate_requests(catalogue, customers, engine_requests)
    by_slug = {c.slug: c for c in customers}
    prepared = [
        (
            by_slug[r["customer"]],
            ScopeRequest(r["email"], r["text"], r["subject"], r["service"], r["priority"]),
            datetime.fromisoformat(r["at"]),
        )
        for r in requests
    ]
    usage = Usage(tickets_used=3, minutes_used=45)

    started, cpu = time.perf_counter(), time.process_time()
    verdicts: dict[str, int] = {}
    for customer, request, at in prepared:
        decision = decide(
            customer=customer, request=request, usage=usage, at=at, catalogue=catalogue
        )
        verdicts[decision.verdict] = verdicts.get(decision.verdict, 0) + 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    report("pure engine", len(prepared), elapsed, cpu, ENGINE_TARGET)
    print("  verdicts:", ", ".join(f"{v}={n}" for v, n in sorted(verdicts.items())))

    northwind = by_slug["northwind"]
    monday_10 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # inside its contract and hours
    for what, body in long_bodies().items():
        request = ScopeRequest(next(iter(northwind.contacts)), body, body[:200])
        started, cpu = time.perf_counter(), time.process_time()
        decide(customer=northwind, request=request, usage=usage, at=monday_10, catalogue=catalogue)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        verdict = "meets" if elapsed <= LONG_BODY_TARGET else "MISSES"
        print(
            f"a body of {len(body):,} characters, {what}: decided in {elapsed * 1000:.1f} ms "
            f"({verdict} the target of {LONG_BODY_TARGET * 1000:.0f} ms); CPU {cpu * 1000:.1f} ms"
        )

    lines = generate_requests(catalogue, customers, jsonl_requests, seed=11)
    jsonl = scratch / "requests.jsonl"
    jsonl.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n", encoding="utf-8"
    )
    empty = scratch / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    start_up, _, _ = checkscope(empty)
    elapsed, cpu, produced = checkscope(jsonl)
    if produced != len(lines):
        sys.exit(f"checkscope --jsonl printed {produced} decisions for {len(lines)} requests")
    report("checkscope --jsonl, start-up included", produced, elapsed, cpu, JSONL_TARGET)
    print(
        f"  start-up alone (an empty file): {start_up:.2f} s; deciding and printing: "
        f"{produced / max(elapsed - start_up, 1e-9):,.0f} decisions/s"
    )


def checkscope(jsonl: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds that `manage.py checkscope --jsonl` takes, and the
    decisions it prints."""
    started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [sys.executable, "manage.py", "checkscope", "--jsonl", str(jsonl)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)
    if result.returncode != 0:
        sys.exit(f"checkscope --jsonl failed:\n{result.stderr}")
    return elapsed, cpu, len(result.stdout.splitlines())


def report(what: str, count: int, elapsed: float, cpu: float, target: int) -> None:
    """The rate by the wall clock against the target, and by CPU time: on a busy
    machine the second says what the code can do."""
    rate = count / elapsed
    verdict = "meets" if rate >= target else "MISSES"
    print(
        f"{what}: {count:,} decisions in {elapsed:.2f} s = {rate:,.0f} decisions/s "
        f"({verdict} the target of {target:,}/s); "
        f"CPU {cpu:.2f} s = {count / max(cpu, 1e-9):,.0f} decisions/s"
    )


if __name__ == "__main__":
    main()
