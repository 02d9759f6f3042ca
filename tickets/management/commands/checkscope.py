"""A dry run of the scope check: the decision a ticket would get right now,
with this month's usage of the customer counted as the real check counts it.

Writes nothing. With ``--jsonl FILE`` it reads one request per line and prints
one decision per line, in order, in one process.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contracts.engine import terms
from contracts.engine.scope import Decision, PriceQuote, ScopeRequest, UnknownService
from contracts.engine.terms import ClauseTerms
from contracts.replies import Reply
from contracts.selectors import ScopePreview
from tickets.selectors import usage_reader

REQUIRED = ("customer", "email", "text")
OPTIONAL = ("subject", "service", "priority", "at")
# Decisions read from a file are written in blocks: with PYTHONUNBUFFERED (as in
# most containers) every write is a system call, and one per line costs more
# than deciding.
LINES_PER_WRITE = 500


class Command(BaseCommand):
    help = "Print, as JSON, the scope decision that a ticket would get. Writes nothing."
    # A read-only preview; `manage.py check` is the place for system checks, and
    # skipping them keeps start-up short for scripts that call this per request.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--customer", help="customer slug")
        parser.add_argument("--email", help="the sender's e-mail address")
        parser.add_argument("--text", help="the ticket's text")
        parser.add_argument("--subject", help="the ticket's subject")
        parser.add_argument("--service", help="service code picked by the requester")
        parser.add_argument(
            "--priority", choices=terms.PRIORITIES, help="the ticket's priority (default: normal)"
        )
        parser.add_argument("--at", help="the moment, ISO-8601 with a UTC offset (default: now)")
        parser.add_argument("--json", action="store_true", help="print JSON (the only format)")
        parser.add_argument(
            "--jsonl",
            metavar="FILE",
            help="read one JSON request per line (keys as the options above); - is stdin",
        )

    def handle(self, *args, **options):
        if options["jsonl"]:
            given = [f"--{k}" for k in (*REQUIRED, *OPTIONAL) if options[k] is not None]
            if given:
                raise CommandError(
                    f"--jsonl reads every request from its file; leave out {', '.join(given)}"
                )
            self._run_lines(ScopePreview(usage_reader()), options["jsonl"])
            return
        missing = [f"--{k}" for k in REQUIRED if not options[k]]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise CommandError(f"{', '.join(missing)} {verb} required (or give --jsonl FILE)")
        values = {k: options[k] for k in (*REQUIRED, *OPTIONAL)}
        try:
            result = _decide(ScopePreview(usage_reader()), values, option_prefix="--")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _run_lines(self, preview: ScopePreview, path: str) -> None:
        if path == "-":
            # Answer each line at once: a program may write a request and wait.
            stream, lines_per_write = sys.stdin, 1
        else:
            try:
                stream = open(path, encoding="utf-8-sig")  # noqa: SIM115
            except OSError as exc:
                raise CommandError(f"{path}: {exc.strerror}") from None
            lines_per_write = LINES_PER_WRITE
        written: list[str] = []
        try:
            with stream:
                for number, line in enumerate(stream, start=1):
                    if not line.strip():
                        continue
                    try:
                        result = _decide(preview, _request_from_line(line), option_prefix="")
                    except ValueError as exc:
                        raise CommandError(f"{path}:{number}: {exc}") from None
                    written.append(json.dumps(result, ensure_ascii=False))
                    if len(written) >= lines_per_write:
                        self.stdout.write("\n".join(written))
                        written.clear()
        except UnicodeDecodeError:
            raise CommandError(f"{path}: is not UTF-8 text") from None
        finally:
            # The decisions before a bad line are printed before the error.
            if written:
                self.stdout.write("\n".join(written))


def _request_from_line(line: str) -> dict:
    try:
        values = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(values, dict):
        raise ValueError('expected a JSON object like {"customer": ..., "email": ...}')
    known = (*REQUIRED, *OPTIONAL)
    for key in values:
        if key not in known:
            raise ValueError(f"unknown key {key!r}; expected one of {', '.join(sorted(known))}")
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{key!r} must be text, found {json.dumps(value)}")
    return values


def _decide(preview: ScopePreview, values: dict, *, option_prefix: str) -> dict:
    for key in REQUIRED:
        if not values.get(key):
            raise ValueError(f"{key!r} is required")
    priority = values.get("priority") or "normal"
    if priority not in terms.PRIORITIES:
        raise ValueError(f"priority {priority!r} is not one of {', '.join(terms.PRIORITIES)}")
    at = _parse_moment(values.get("at"), name=f"{option_prefix}at")
    request = ScopeRequest(
        email=values["email"],
        text=values["text"],
        subject=values.get("subject") or "",
        service=values.get("service") or None,
        priority=priority,
    )
    try:
        decision, reply = preview.decide(customer_slug=values["customer"], request=request, at=at)
    except UnknownService as exc:
        raise ValueError(f"service {str(exc)!r} is not in the catalogue") from None
    return decision_as_json(decision, reply)


def _parse_moment(value: str | None, *, name: str) -> datetime:
    if not value:
        return timezone.now()
    try:
        moment = parse_datetime(value)
    except ValueError:  # well formed but impossible, like 2026-02-30
        moment = None
    if moment is None:
        raise ValueError(f"{name} {value!r} is not an ISO-8601 moment like 2026-11-23T09:30+02:00")
    if timezone.is_naive(moment):
        raise ValueError(f"{name} {value!r} needs a UTC offset, like 2026-11-23T09:30+02:00")
    return moment


def decision_as_json(decision: Decision, reply: Reply) -> dict:
    customer_language = decision.customer.language if decision.customer else "en"
    return {
        "verdict": decision.verdict.value,
        "reason": decision.reason,
        "customer": decision.customer.slug if decision.customer else None,
        "contract": decision.contract.reference if decision.contract else None,
        "service": decision.service,
        "clause": _clause_json(decision.clause, reply.language, customer_language),
        "candidates": list(decision.candidates),
        "starts_at": decision.starts_at.isoformat() if decision.starts_at else None,
        "reply": {"language": reply.language, "text": reply.text},
        "offer": _offer_json(decision.offer),
        # A mixed request: each part on its own; the fields above follow the most urgent.
        "parts": [
            {
                "text": part.text,
                "service": part.service,
                "verdict": part.verdict.value,
                "reason": part.reason,
                "contract": part.contract.reference,
                "clause": _clause_json(part.clause, reply.language, customer_language),
                "starts_at": part.starts_at.isoformat() if part.starts_at else None,
                "offer": _offer_json(part.offer),
            }
            for part in decision.parts
        ],
    }


def _clause_json(clause: ClauseTerms | None, language: str, customer_language: str) -> dict | None:
    if clause is None:
        return None
    return {
        "service": clause.service,
        "coverage": clause.coverage.value,
        # In the reply's language, by the rule the reply quotes it.
        "text": terms.clause_text(clause, language, customer_language)[0],
        "advice": terms.clause_advice(clause, language, customer_language)[0],
    }


def _offer_json(offer: PriceQuote | None) -> dict | None:
    if offer is None:
        return None
    return {
        "kind": offer.kind,
        "amount": str(offer.amount),
        "currency": offer.currency,
        "pricing": offer.pricing.value,
        "term_months": offer.term_months,
        "estimate": str(offer.estimate) if offer.estimate else None,
        "estimated_total": str(offer.estimated_total),
    }
