"""A dry run of the scope check: the decision a ticket would get right now.

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

from contracts import terms
from contracts.replies import Reply
from contracts.scope import Decision, ScopeRequest, UnknownService, Usage
from contracts.selectors import ScopePreview


class Command(BaseCommand):
    help = "Print, as JSON, the scope decision that a ticket would get. Writes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--customer", help="customer slug")
        parser.add_argument("--email", help="the sender's e-mail address")
        parser.add_argument("--text", help="the ticket's text")
        parser.add_argument("--subject", default="")
        parser.add_argument("--service", help="service code picked by the requester")
        parser.add_argument("--priority", default="normal", choices=terms.PRIORITIES)
        parser.add_argument("--at", help="the moment, ISO-8601 (default: now)")
        parser.add_argument("--json", action="store_true", help="print JSON (the only format)")
        parser.add_argument("--jsonl", metavar="FILE", help="one JSON request per line; - is stdin")

    def handle(self, *args, **options):
        preview = ScopePreview()
        if options["jsonl"]:
            self._run_lines(preview, options["jsonl"])
            return
        missing = [f"--{k}" for k in ("customer", "email", "text") if not options[k]]
        if missing:
            raise CommandError(f"{', '.join(missing)} required (or --jsonl FILE)")
        try:
            result = self._decide(preview, options)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))

    def _run_lines(self, preview: ScopePreview, path: str) -> None:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8")  # noqa: SIM115
        with stream:
            for number, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    request = json.loads(line)
                    if not isinstance(request, dict):
                        raise ValueError("expected a JSON object")
                    result = self._decide(preview, request)
                except (ValueError, KeyError) as exc:
                    raise CommandError(f"{path}:{number}: {exc}") from None
                self.stdout.write(json.dumps(result, ensure_ascii=False))

    def _decide(self, preview: ScopePreview, values: dict) -> dict:
        for key in ("customer", "email", "text"):
            if not values.get(key):
                raise ValueError(f"{key!r} is required")
        priority = values.get("priority") or "normal"
        if priority not in terms.PRIORITIES:
            raise ValueError(f"priority {priority!r} is not one of {', '.join(terms.PRIORITIES)}")
        at = _parse_moment(values.get("at"))
        request = ScopeRequest(
            email=values["email"],
            text=values["text"],
            subject=values.get("subject") or "",
            service=values.get("service") or None,
            priority=priority,
        )
        try:
            decision, reply = preview.decide(
                customer_slug=values["customer"], request=request, at=at, usage=Usage()
            )
        except UnknownService as exc:
            raise ValueError(f"service {exc} is not in the catalogue") from None
        return decision_as_json(decision, reply)


def _parse_moment(value: str | None) -> datetime:
    if not value:
        return timezone.now()
    moment = parse_datetime(value)
    if moment is None:
        raise ValueError(f"--at {value!r} is not an ISO-8601 moment like 2026-11-23T09:30+02:00")
    if timezone.is_naive(moment):
        raise ValueError(f"--at {value!r} needs a UTC offset, like 2026-11-23T09:30+02:00")
    return moment


def decision_as_json(decision: Decision, reply: Reply) -> dict:
    clause, offer = decision.clause, decision.offer
    return {
        "verdict": decision.verdict.value,
        "reason": decision.reason,
        "customer": decision.customer.slug if decision.customer else None,
        "contract": decision.contract.reference if decision.contract else None,
        "service": decision.service,
        "clause": {
            "service": clause.service,
            "coverage": clause.coverage.value,
            "text": clause.text,
            "advice": clause.advice,
        }
        if clause
        else None,
        "candidates": list(decision.candidates),
        "starts_at": decision.starts_at.isoformat() if decision.starts_at else None,
        "reply": {"language": reply.language, "text": reply.text},
        "offer": {
            "amount": str(offer.amount),
            "currency": offer.currency,
            "pricing": offer.pricing.value,
            "estimate": str(offer.estimate) if offer.estimate else None,
            "estimated_total": str(offer.estimated_total),
        }
        if offer
        else None,
    }
