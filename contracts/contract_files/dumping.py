"""Writing a customer back in the form that loadcontract reads, and the catalogue
in the form that loadservices reads: load, dump and load again is a fixed point."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from contracts.contract_files.contract_entry import NO_HOLIDAYS
from contracts.engine import hours, terms
from contracts.models import Clause, Customer, Service


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:.2f}")


_Dumper.add_representer(Decimal, _represent_decimal)


def _number(value: Decimal) -> int | float:
    """A percentage as it is usually written: 99.9, 10 — not 99.900 or 10.00."""
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral() else float(normal)


def dump_customer(customer: Customer) -> str:
    """The customer and all its contracts in the form that loadcontract reads."""
    head: dict[str, Any] = {"name": customer.name, "slug": customer.slug}
    if customer.country:
        head["country"] = customer.country
    head["timezone"] = customer.timezone
    head["language"] = customer.language
    if customer.account_manager and customer.account_manager.email:
        head["account_manager"] = customer.account_manager.email
    head["contacts"] = [
        {"email": c.user.email, "name": c.name, "role": c.role}
        | ({"language": c.language} if c.language else {})
        for c in customer.contacts.select_related("user").order_by("pk")
    ]
    contracts = []
    for contract in customer.contracts.order_by("valid_from", "pk"):
        item: dict[str, Any] = {
            "reference": contract.reference,
            "title": contract.title,
            "valid_from": contract.valid_from,
        }
        if contract.valid_until:
            item["valid_until"] = contract.valid_until
        item |= {
            "currency": contract.currency,
            "monthly_fee": contract.monthly_fee,
            "hourly_rate": contract.hourly_rate,
            "unlisted_services": contract.unlisted_services,
        }
        allowance: dict[str, object] = {
            key: value
            for key, value in [
                ("included_minutes", contract.included_minutes),
                ("included_tickets", contract.included_tickets),
                (
                    "rounding",
                    f"{contract.rounding_minutes}m" if contract.rounding_minutes else None,
                ),
            ]
            if value is not None
        }
        top_ups = [
            {"minutes": t.minutes, "purchased_on": t.purchased_on}
            | ({"price": t.price} if t.price else {})
            | ({"note": t.note} if t.note else {})
            for t in contract.top_ups.all()
        ]
        if top_ups:
            allowance["top_ups"] = top_ups
        if allowance:
            item["allowance"] = allowance
        support: dict[str, Any] = {"weekly": contract.support_hours}
        if contract.holiday_calendar:
            support["holidays"] = contract.holiday_calendar
        elif customer.country.upper() in hours.holiday_calendars():
            support["holidays"] = NO_HOLIDAYS
        if contract.support_timezone:
            support["timezone"] = contract.support_timezone
        item["support_hours"] = support
        targets = {t.priority: t for t in contract.sla_targets.all()}
        if targets:
            item["sla"] = {
                p: {
                    "first_response": targets[p].first_response,
                    "resolution": targets[p].resolution,
                }
                for p in terms.PRIORITIES
                if p in targets
            }
        if contract.uptime_target is not None:
            # The whole block, defaults too: the terms a credit is computed from.
            item["uptime"] = {
                "target": _number(contract.uptime_target),
                "maintenance_excluded": contract.maintenance_excluded,
                "maintenance_notice": contract.maintenance_notice,
            }
            credits = [
                {"below": _number(b.below), "credit_percent": _number(b.credit_percent)}
                for b in contract.uptime_credits.order_by("-below")
            ]
            if credits:
                item["uptime"]["credits"] = credits
        if contract.emergency_pricing:
            item["emergency"] = _price(
                contract.emergency_pricing, contract.emergency_price, contract.emergency_estimate
            )
        item["clauses"] = [_dump_clause(c) for c in contract.clauses.select_related("service")]
        contracts.append(item)
    return _yaml({"customer": head, "contracts": contracts})


def dump_catalogue() -> str:
    """The service catalogue, in catalogue order, in the form that loadservices
    reads; phrases, everyday words and always_covered are left out where there are none."""
    services = []
    for service in Service.objects.order_by("position", "code"):
        item: dict[str, Any] = {"code": service.code, "name": service.names}
        if service.phrases:
            item["phrases"] = service.phrases
        if service.everyday_words:
            item["everyday_words"] = service.everyday_words
        if service.always_covered:
            item["always_covered"] = True
        services.append(item)
    return _yaml({"services": services})


def _yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def _dump_clause(clause: Clause) -> dict[str, Any]:
    item: dict[str, Any] = {"service": clause.service.code, "coverage": clause.coverage}
    if clause.coverage == terms.Coverage.PAID:
        item["price"] = _price(clause.pricing, clause.price, clause.estimate)
    for key in ("max_per_month", "max_minutes_per_ticket"):
        if getattr(clause, key) is not None:
            item[key] = getattr(clause, key)
    if clause.round_the_clock:
        item["hours"] = terms.ROUND_THE_CLOCK
    if not clause.counts_against_allowance:
        item["counts_against_allowance"] = False
    item["text"] = _wording(clause.text)
    if clause.advice:
        item["advice"] = _wording(clause.advice)
    return item


def _price(pricing: str, amount: Decimal | None, estimate: str) -> dict[str, Any]:
    """A price as the file writes it: ``{hourly: 90.00, estimate: 2h}``."""
    return {pricing: amount} | ({"estimate": estimate} if estimate else {})


def _wording(wording: dict[str, str]) -> str | dict[str, str]:
    """A plain string when the only text is in the language its letters show (as
    the file reads it back), otherwise text per language in the desk's order."""
    if len(wording) == 1:
        [(language, text)] = wording.items()
        if terms.language_of_text(text) == language:
            return text
    return {code: wording[code] for code in terms.LANGUAGES if code in wording}
