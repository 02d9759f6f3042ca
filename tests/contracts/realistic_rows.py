"""A row of the realistic table (test_realistic_requests.py), the verdicts and the
senders, in a module of their own so that the table's parts in other files
(realistic_fi_lv.py) can build rows without importing the test module."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.engine.terms import Verdict

IN = Verdict.IN_SCOPE
PAID = Verdict.PAID_OPTION
OUT = Verdict.OUT_OF_SCOPE
REVIEW = Verdict.NEEDS_REVIEW

SARA = "sara@northwind.example"  # writes in English
AINO = "aino@northwind.example"  # writes in Finnish
MIKKO = "mikko@northwind.example"  # writes in Finnish
IVAN = "ivan@volga-media.example"
OLGA = "olga@volga-media.example"
JANIS = "janis@daugava.example"


@dataclass(frozen=True)
class Row:
    language: str
    sender: str
    subject: str
    text: str
    verdict: Verdict
    service: str | None = None  # the service judged; None when a technician must choose
    picked: str | None = None  # the service the requester picked in the form, if any
    # The weak kind a row tests, if any: "negation", "picked", "short", "quoted",
    # "technical", "translit" or "mixed_language".
    kind: str = ""
