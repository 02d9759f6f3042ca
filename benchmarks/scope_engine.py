"""How fast the scope engine decides, and how fast `checkscope --jsonl` runs.

    .venv/bin/python benchmarks/scope_engine.py [--requests 10000]

Loads the example catalogue and contracts into a scratch SQLite database, then
1. times the pure engine (`contracts.scope.decide`) over generated requests;
2. runs `manage.py checkscope --jsonl` on 5,000 requests, start-up included.
Prints the figures; it is not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--jsonl-requests", type=int, default=5_000)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="scopedesk-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demodata", stdout=open(os.devnull, "w"))  # noqa: SIM115

    from contracts.scope import ScopeRequest, Usage, decide
    from contracts.selectors import ScopePreview, customer_terms_by_slug

    preview = ScopePreview()
    catalogue = preview.catalogue
    customers = [customer_terms_by_slug(s) for s in ("northwind", "volga-media", "daugava")]
    requests = generate_requests(catalogue, customers, args.requests)
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

    started = time.perf_counter()
    verdicts: dict[str, int] = {}
    for customer, request, at in prepared:
        decision = decide(
            customer=customer, request=request, usage=usage, at=at, catalogue=catalogue
        )
        verdicts[decision.verdict] = verdicts.get(decision.verdict, 0) + 1
    elapsed = time.perf_counter() - started
    print(
        f"pure engine: {len(prepared)} decisions in {elapsed:.2f} s "
        f"= {len(prepared) / elapsed:,.0f} decisions/s"
    )
    print("  verdicts:", ", ".join(f"{v}={n}" for v, n in sorted(verdicts.items())))

    lines = generate_requests(catalogue, customers, args.jsonl_requests, seed=11)
    jsonl = Path(scratch) / "requests.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines) + "\n")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "checkscope", "--jsonl", str(jsonl)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    produced = len(result.stdout.splitlines())
    print(
        f"checkscope --jsonl: {produced} decisions in {elapsed:.2f} s, start-up included "
        f"= {produced / elapsed:,.0f} decisions/s"
    )


if __name__ == "__main__":
    main()
