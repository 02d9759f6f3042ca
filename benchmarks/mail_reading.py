"""How fast the desk reads raw e-mail: ``read_message`` over the corpus in tests/mail/.

    .venv/bin/python benchmarks/mail_reading.py [--rounds 50]

Pure reading (parse, charsets, HTML to text, quotes, attachments, auto and
bounce detection): no database, no storage. Prints messages per second and the
slowest message. The desk's intake aims at 20 messages a second overall, so
reading should cost a few milliseconds at most.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This folder holds queue.py: run as a script, it would shadow the standard library's queue.
if Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import time

from tickets.inbound.reading import read_message

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "mail"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    messages = [(p.name, p.read_bytes()) for p in sorted(CORPUS.glob("*.eml"))]
    for _, raw in messages:  # warm up: regexes compiled, codecs loaded
        read_message(raw)

    slowest: dict[str, float] = {}
    started = time.perf_counter()
    for _ in range(args.rounds):
        for name, raw in messages:
            t = time.perf_counter()
            read_message(raw)
            slowest[name] = max(slowest.get(name, 0.0), time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    count = args.rounds * len(messages)
    name, worst = max(slowest.items(), key=lambda item: item[1])
    print(f"{count} messages ({len(messages)} in the corpus x {args.rounds}) in {elapsed:.2f} s")
    print(f"{count / elapsed:.0f} messages/s, {1000 * elapsed / count:.2f} ms each on average")
    print(f"slowest: {name} at {1000 * worst:.2f} ms")


if __name__ == "__main__":
    main()
