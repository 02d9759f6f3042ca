"""One contract of a customer's file: validity, money, allowance, support hours,
SLA, uptime credits and clauses, read into plain values per model."""

from __future__ import annotations

import re
import zoneinfo
from decimal import Decimal
from typing import Any

from contracts.contract_files.reading import Reader, key_path
from contracts.engine import hours, terms, uptime

_CURRENCY = re.compile(r"^[A-Z]{3}$")

CONTRACT_KEYS = [
    "valid_until",
    "monthly_fee",
    "unlisted_services",
    "allowance",
    "support_hours",
    "sla",
    "uptime",
    "emergency",
    "clauses",
]
CLAUSE_KEYS = [
    "price",
    "max_per_month",
    "max_minutes_per_ticket",
    "hours",
    "counts_against_allowance",
    "advice",
]


def read_contract(
    reader: Reader,
    item: Any,
    path: str,
    customer_timezone: str,
    customer_country: str,
) -> dict | None:
    entry = reader.mapping(
        item,
        path,
        required=["reference", "title", "valid_from", "currency", "hourly_rate"],
        allowed=CONTRACT_KEYS,
    )
    if entry is None:
        return None
    valid_from = reader.day(entry.get("valid_from"), f"{path}.valid_from")
    valid_until = reader.day(entry.get("valid_until"), f"{path}.valid_until", required=False)
    if valid_from and valid_until and valid_until < valid_from:
        reader.problem(
            f"{path}.valid_until", "is before valid_from: a contract cannot end before it starts"
        )
    currency = reader.text(entry.get("currency"), f"{path}.currency")
    if currency and not _CURRENCY.match(currency):
        reader.problem(f"{path}.currency", f"{currency!r} is not a currency code like EUR")
    fields = {
        "reference": reader.text(entry.get("reference"), f"{path}.reference", max_length=64),
        "title": reader.text(entry.get("title"), f"{path}.title"),
        "valid_from": valid_from,
        "valid_until": valid_until,
        "currency": currency,
        "monthly_fee": reader.money(
            0 if entry.get("monthly_fee") is None else entry["monthly_fee"], f"{path}.monthly_fee"
        ),
        "hourly_rate": reader.money(entry.get("hourly_rate"), f"{path}.hourly_rate"),
        "unlisted_services": reader.choice(
            entry.get("unlisted_services"),
            f"{path}.unlisted_services",
            ["paid", "excluded"],
            default="excluded",
        ),
    }
    top_ups = _read_allowance(reader, entry.get("allowance"), f"{path}.allowance", fields)
    _read_support_hours(
        reader,
        entry.get("support_hours"),
        f"{path}.support_hours",
        fields,
        customer_timezone,
        customer_country,
    )
    sla = _read_sla(reader, entry.get("sla"), f"{path}.sla")
    credits = _read_uptime(reader, entry.get("uptime"), f"{path}.uptime", fields)
    _read_emergency(reader, entry.get("emergency"), f"{path}.emergency", fields)
    clauses = _read_clauses(reader, entry.get("clauses"), f"{path}.clauses")
    return {
        "fields": fields,
        "top_ups": top_ups,
        "sla": sla,
        "credits": credits,
        "clauses": clauses,
        "path": path,
    }


def _read_allowance(reader: Reader, value: Any, path: str, fields: dict) -> list[dict]:
    fields.update(included_minutes=None, included_tickets=None, rounding_minutes=None)
    if value is None:
        return []
    entry = reader.mapping(
        value, path, allowed=["included_minutes", "included_tickets", "rounding", "top_ups"]
    )
    if entry is None:
        return []
    fields["included_minutes"] = reader.number(
        entry.get("included_minutes"), f"{path}.included_minutes"
    )
    fields["included_tickets"] = reader.number(
        entry.get("included_tickets"), f"{path}.included_tickets"
    )
    rounding = reader.duration(entry.get("rounding"), f"{path}.rounding", required=False)
    if rounding:
        rounding_minutes = terms.parse_duration(rounding).minutes
        if rounding_minutes > 24 * 60:
            reader.problem(f"{path}.rounding", "must be at most a day")
        fields["rounding_minutes"] = rounding_minutes
    top_ups = []
    for i, item in enumerate(reader.items(entry.get("top_ups"), f"{path}.top_ups")):
        top = reader.mapping(
            item,
            f"{path}.top_ups[{i}]",
            required=["minutes", "purchased_on"],
            allowed=["price", "note"],
        )
        if top is None:
            continue
        minutes = reader.number(top.get("minutes"), f"{path}.top_ups[{i}].minutes", required=True)
        if minutes == 0:
            reader.problem(f"{path}.top_ups[{i}].minutes", "must be at least 1")
        top_ups.append(
            {
                "minutes": minutes,
                "purchased_on": reader.day(
                    top.get("purchased_on"), f"{path}.top_ups[{i}].purchased_on"
                ),
                "price": reader.money(
                    top.get("price"), f"{path}.top_ups[{i}].price", required=False
                )
                or Decimal("0.00"),
                "note": reader.text(top.get("note"), f"{path}.top_ups[{i}].note", required=False),
            }
        )
    return top_ups


NO_HOLIDAYS = "none"


def _read_support_hours(
    reader: Reader,
    value: Any,
    path: str,
    fields: dict,
    customer_timezone: str,
    customer_country: str,
) -> None:
    fields.update(support_hours=terms.ROUND_THE_CLOCK, holiday_calendar="", support_timezone="")
    if value is None:
        reader.problem(path, 'is required, e.g. {weekly: {mon-fri: "08:00-18:00"}, holidays: FI}')
        return
    entry = reader.mapping(value, path, required=["weekly"], allowed=["holidays", "timezone"])
    if entry is None:
        return
    weekly = entry.get("weekly")
    try:
        terms.parse_weekly(weekly)
        fields["support_hours"] = weekly
    except terms.TermsError as exc:
        reader.problem(f"{path}.weekly", str(exc))
    # Without a word on holidays, the customer's country's public holidays apply;
    # `holidays: none` says there are none.
    default = customer_country if customer_country.upper() in hours.holiday_calendars() else ""
    calendar = reader.text(entry.get("holidays", default), f"{path}.holidays", required=False)
    if calendar.lower() == NO_HOLIDAYS:
        calendar = ""
    if calendar and calendar.upper() not in hours.holiday_calendars():
        reader.problem(
            f"{path}.holidays",
            f"{calendar!r} is no public-holiday calendar we know; use a country code like FI",
        )
    fields["holiday_calendar"] = calendar.upper()
    timezone = reader.text(entry.get("timezone"), f"{path}.timezone", required=False)
    if timezone and timezone not in zoneinfo.available_timezones():
        reader.problem(f"{path}.timezone", f"{timezone!r} is not a time zone like Europe/Riga")
    fields["support_timezone"] = "" if timezone == customer_timezone else timezone


def _read_sla(reader: Reader, value: Any, path: str) -> list[dict]:
    if value is None:
        return []
    entry = reader.mapping(value, path, allowed=terms.PRIORITIES)
    if entry is None:
        return []
    targets = []
    for priority, item in entry.items():
        target = reader.mapping(
            item, key_path(path, priority), required=["first_response", "resolution"]
        )
        if target is None or priority not in terms.PRIORITIES:
            continue
        targets.append(
            {
                "priority": priority,
                "first_response": reader.duration(
                    target.get("first_response"), f"{path}.{priority}.first_response"
                ),
                "resolution": reader.duration(
                    target.get("resolution"), f"{path}.{priority}.resolution"
                ),
            }
        )
    return targets


def _read_uptime(reader: Reader, value: Any, path: str, fields: dict) -> list[dict]:
    fields.update(
        uptime_target=None, maintenance_excluded=True, maintenance_notice=uptime.MAINTENANCE_NOTICE
    )
    if value is None:
        return []
    entry = reader.mapping(
        value,
        path,
        required=["target"],
        allowed=["credits", "maintenance_excluded", "maintenance_notice"],
    )
    if entry is None:
        return []
    fields["uptime_target"] = reader.percent(entry.get("target"), f"{path}.target")
    fields["maintenance_excluded"] = reader.flag(
        entry.get("maintenance_excluded"), f"{path}.maintenance_excluded", default=True
    )
    if entry.get("maintenance_notice") is not None:
        # Clock time: "2d" is 48 hours, whatever the support hours say.
        fields["maintenance_notice"] = (
            reader.duration(entry["maintenance_notice"], f"{path}.maintenance_notice")
            or uptime.MAINTENANCE_NOTICE
        )
    credits, levels = [], set()
    for i, item in enumerate(reader.items(entry.get("credits"), f"{path}.credits")):
        band = reader.mapping(item, f"{path}.credits[{i}]", required=["below", "credit_percent"])
        if band is None:
            continue
        below = reader.percent(band.get("below"), f"{path}.credits[{i}].below")
        if below in levels:
            reader.problem(f"{path}.credits[{i}].below", f"{below} is given twice")
        levels.add(below)
        credits.append(
            {
                "below": below,
                "credit_percent": reader.percent(
                    band.get("credit_percent"), f"{path}.credits[{i}].credit_percent", places=2
                ),
            }
        )
    return credits


def _read_clauses(reader: Reader, value: Any, path: str) -> list[dict]:
    clauses, services = [], set()
    for i, item in enumerate(reader.items(value, path)):
        here = f"{path}[{i}]"
        entry = reader.mapping(
            item, here, required=["service", "coverage", "text"], allowed=CLAUSE_KEYS
        )
        if entry is None:
            continue
        service = reader.text(entry.get("service"), f"{here}.service", max_length=64)
        if service in services:
            reader.problem(
                f"{here}.service", f"{service} has a clause already; one clause per service"
            )
        services.add(service)
        coverage = reader.choice(
            entry.get("coverage"), f"{here}.coverage", [c.value for c in terms.Coverage], default=""
        )
        pricing, price, estimate = _read_price(
            reader, entry.get("price"), f"{here}.price", coverage
        )
        clause_hours = entry.get("hours")
        if clause_hours is not None and clause_hours != terms.ROUND_THE_CLOCK:
            reader.problem(f"{here}.hours", f"{clause_hours!r}: the only value is 24/7")
        clauses.append(
            {
                "service": service,
                "coverage": coverage,
                "pricing": pricing,
                "price": price,
                "estimate": estimate,
                "max_per_month": reader.number(
                    entry.get("max_per_month"), f"{here}.max_per_month", maximum=32767
                ),
                "max_minutes_per_ticket": reader.number(
                    entry.get("max_minutes_per_ticket"), f"{here}.max_minutes_per_ticket"
                ),
                "round_the_clock": clause_hours == terms.ROUND_THE_CLOCK,
                "counts_against_allowance": reader.flag(
                    entry.get("counts_against_allowance"),
                    f"{here}.counts_against_allowance",
                    default=True,
                ),
                "text": read_wording(reader, entry.get("text"), f"{here}.text"),
                "advice": read_wording(
                    reader, entry.get("advice"), f"{here}.advice", required=False
                ),
                "position": i,
            }
        )
    return clauses


def read_wording(reader: Reader, value: Any, path: str, *, required: bool = True) -> dict[str, str]:
    """Text per language: a mapping like ``{en: ..., fi: ...}``, or a plain string,
    the text in the language its letters show (``terms.language_of_text``)."""
    if not isinstance(value, dict):
        return terms.as_wording(reader.text(value, path, required=required, max_length=0))
    wording = {}
    for key, item in value.items():
        if key not in terms.LANGUAGES:
            reader.problem(
                key_path(path, key),
                f"unknown language; expected one of {', '.join(terms.LANGUAGES)}",
            )
            continue
        wording[key] = reader.text(item, key_path(path, key), max_length=0)
    if required and not value:
        reader.problem(path, "must not be empty: give the text in at least one language")
    return wording


def _read_emergency(reader: Reader, value: Any, path: str, fields: dict) -> None:
    """The paid on-call work outside support hours that urgent requests are
    offered, priced as a paid clause is; no key, no such offer."""
    fields.update(emergency_pricing="", emergency_price=None, emergency_estimate="")
    if value is None:
        return
    pricing, price, estimate = _read_price_entry(reader, value, path)
    fields.update(emergency_pricing=pricing, emergency_price=price, emergency_estimate=estimate)


_PRICE_EXAMPLE = "like {fixed: 60.00} or {hourly: 90.00, estimate: 2h}"


def _read_price(
    reader: Reader, value: Any, path: str, coverage: str
) -> tuple[str, Decimal | None, str]:
    if coverage != terms.Coverage.PAID:
        if value is not None:
            reader.problem(path, f"only a paid clause has a price; this one is {coverage}")
        return "", None, ""
    if value is None:
        reader.problem(path, f"a paid clause needs a price, {_PRICE_EXAMPLE}")
        return "", None, ""
    return _read_price_entry(reader, value, path)


def _read_price_entry(reader: Reader, value: Any, path: str) -> tuple[str, Decimal | None, str]:
    """A price as a file writes it: ``{fixed: 60.00}`` or ``{hourly: 90.00, estimate: 2h}``."""
    example = _PRICE_EXAMPLE
    entry = reader.mapping(value, path, allowed=["fixed", "hourly", "estimate"])
    if entry is None:
        return "", None, ""
    kinds = [k for k in ("fixed", "hourly") if k in entry]
    if len(kinds) != 1:
        reader.problem(path, f"give exactly one of fixed or hourly, {example}")
        return "", None, ""
    pricing = kinds[0]
    amount = reader.money(entry[pricing], f"{path}.{pricing}")
    estimate = reader.duration(entry.get("estimate"), f"{path}.estimate", required=False)
    if estimate and terms.parse_duration(estimate).unit not in ("m", "h"):
        # An estimate is working time; a "day" of it would be priced as 24 hours.
        reader.problem(f"{path}.estimate", f"{estimate!r}: write an estimate in minutes or hours")
    return pricing, amount, estimate
