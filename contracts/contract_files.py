"""The YAML forms of the catalogue and of a customer's contracts.

Loading is all-or-nothing: the whole file is read and checked first, every
problem is collected with its key path, and only a clean file is applied, in one
transaction. Applying writes only what changed, so loading the same file twice
writes nothing (and leaves no history), and an edited file updates in place with
its history. ``dump_customer`` writes the same form back: load, dump and load
again is a fixed point. The form is described in docs/contract-format.md.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction

from contracts.engine import hours, terms
from contracts.models import (
    Clause,
    Contact,
    Contract,
    Customer,
    Service,
    SlaTarget,
    TopUp,
    UptimeCredit,
    service_code_validator,
)


class ContractFileError(Exception):
    """A file that cannot be loaded; ``problems`` are (key path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(
            f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
            for path, message in self.problems
        )


@dataclass
class LoadResult:
    counts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    )
    customer: Customer | None = None

    def count(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] += n

    @property
    def changed(self) -> bool:
        return any(self.counts[k] for k in ("created", "updated", "removed"))

    def summary(self) -> str:
        return ", ".join(f"{n} {outcome}" for outcome, n in self.counts.items())


# --- reading and checking ----------------------------------------------------

_MISSING = object()
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class Reader:
    """Reads values at key paths and collects what is wrong with them."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, path: str, message: str) -> None:
        # A required key that is missing is noticed both by its mapping and by the
        # reader of its value; say it once.
        if (path, message) not in self.problems:
            self.problems.append((path, message))

    def mapping(
        self, value: Any, path: str, *, required: Iterable[str] = (), allowed: Iterable[str] = ()
    ) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping of keys, found {_kind(value)}")
            return None
        required, allowed = set(required), set(allowed) | set(required)
        for key in value:
            if key not in allowed:
                self.problem(_join(path, key), f"unknown key; expected one of {_list(allowed)}")
        for key in sorted(required - set(value)):
            self.problem(_join(path, key), "is required")
        return value

    def items(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"expected a list, found {_kind(value)}")
            return []
        return value

    def text(self, value: Any, path: str, *, required: bool = True, max_length: int = 200) -> str:
        if value is None or value is _MISSING:
            if required:
                self.problem(path, "is required")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(path, f"expected text, found {_kind(value)}")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(path, "must not be empty")
        if max_length and len(text) > max_length:
            self.problem(path, f"is longer than {max_length} characters")
        return text

    def number(
        self, value: Any, path: str, *, required: bool = False, maximum: int | None = None
    ) -> int | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(path, f"expected a whole number of 0 or more, found {value!r}")
            return None
        if maximum is not None and value > maximum:
            self.problem(path, f"must be at most {maximum}")
            return None
        return value

    def money(self, value: Any, path: str, *, required: bool = True) -> Decimal | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, f"expected an amount of money like 90.00, found {value!r}")
            return None
        if amount < 0 or not amount.is_finite():
            self.problem(path, f"must not be negative, found {value}")
            return None
        return amount.quantize(Decimal("0.01"))

    def percent(self, value: Any, path: str, *, places: int = 3) -> Decimal | None:
        if value is None or isinstance(value, bool):
            return self.money(value, path)
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, f"expected a percentage like 99.95, found {value!r}")
            return None
        if not amount.is_finite() or not 0 <= amount <= 100:
            self.problem(path, f"must be between 0 and 100, found {value}")
            return None
        return amount.quantize(Decimal(1).scaleb(-places))

    def day(self, value: Any, path: str, *, required: bool = True) -> date | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                self.problem(path, f"{value!r} is not a date: there is no such day")
            else:
                self.problem(path, f"expected a date like 2026-01-31, found {value!r}")
            return None

    def choice(self, value: Any, path: str, choices: Iterable[str], *, default: str) -> str:
        if value is None:
            return default
        choices = list(choices)
        if value not in choices:
            self.problem(path, f"{value!r} is not one of {_list(choices)}")
            return default
        return value

    def duration(self, value: Any, path: str, *, required: bool = True) -> str:
        if value is None:
            if required:
                self.problem(path, "is required")
            return ""
        try:
            return str(terms.parse_duration(value))
        except terms.TermsError as exc:
            self.problem(path, str(exc))
            return ""

    def flag(self, value: Any, path: str, *, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, found {value!r}")
            return default
        return value


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _list(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but a value that it cannot construct is a YAML error
    with its line, not a bare ValueError (and a 500 in the admin's import)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # `!!int abc`, `!!bool maybe`, a time of 25:00 and the like.
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r} as {tag}", node.start_mark
            ) from exc


def _timestamp_or_text(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date that does not exist, like 2026-02-30, stays text: the reader then
    names its key path (``expected a date like 2026-01-31, found '2026-02-30'``)."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _parse(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: builds no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        # An unclosed bracket is found only at the end; name where it was opened too.
        opened = getattr(exc, "context_mark", None)
        if opened is not None and getattr(exc, "context", None):
            problem += f"; {exc.context} at line {opened.line + 1}, column {opened.column + 1}"
        raise ContractFileError("", [("", f"{where}not valid YAML ({problem})")]) from None


# --- the catalogue -----------------------------------------------------------


def load_services(text: str, *, source: str, user=None) -> LoadResult:
    """Create or update the services of a catalogue file, matched by code."""
    try:
        data = _parse(text)
    except ContractFileError as exc:
        raise ContractFileError(source, exc.problems) from None
    reader = Reader()
    root = reader.mapping(data, "", required=["services"])
    services = []
    seen: set[str] = set()
    for i, item in enumerate(reader.items(root.get("services") if root else None, "services")):
        path = f"services[{i}]"
        entry = reader.mapping(item, path, required=["code", "name"], allowed=["phrases"])
        if entry is None:
            continue
        code = reader.text(entry.get("code"), f"{path}.code", max_length=64)
        try:
            service_code_validator(code)
        except ValidationError:
            reader.problem(f"{path}.code", f"{code!r}: use lower-case words joined by dots")
        if code in seen:
            reader.problem(f"{path}.code", f"{code!r} is given twice")
        seen.add(code)
        names = _per_language(reader, entry.get("name"), f"{path}.name", str)
        if names is not None and "en" not in names:
            reader.problem(f"{path}.name.en", "is required")
        phrases = _per_language(reader, entry.get("phrases") or {}, f"{path}.phrases", list)
        services.append({"code": code, "names": names, "phrases": phrases, "position": i})
    if reader.problems:
        raise ContractFileError(source, reader.problems)

    result = LoadResult()
    with transaction.atomic():
        existing = {s.code: s for s in Service.objects.all()}
        for values in services:
            code = values.pop("code")
            outcome = _save_if_changed(
                existing.get(code) or Service(code=code),
                values,
                reason=f"loadservices {source}",
                user=user,
            )
            result.count(outcome)
    return result


def _per_language(reader: Reader, value: Any, path: str, kind: type) -> dict | None:
    entries = reader.mapping(value, path, allowed=terms.LANGUAGES)
    if entries is None:
        return None
    clean = {}
    for language, item in entries.items():
        if kind is list:
            items = reader.items(item, _join(path, language))
            if not all(isinstance(p, str) and p.strip() for p in items):
                reader.problem(_join(path, language), "expected a list of phrases")
            clean[language] = [str(p).strip() for p in items]
        else:
            clean[language] = reader.text(item, _join(path, language))
    return clean


# --- a customer's contract file ----------------------------------------------

CUSTOMER_KEYS = ["country", "timezone", "language", "account_manager", "contacts"]
CONTRACT_KEYS = [
    "valid_until",
    "monthly_fee",
    "unlisted_services",
    "allowance",
    "support_hours",
    "sla",
    "uptime",
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


@dataclass
class _Plan:
    """A checked file: plain values per model, ready to apply."""

    customer: dict
    contacts: list[dict]
    account_manager: str | None
    contracts: list[dict]


def load_contract_file(text: str, *, source: str, user=None) -> LoadResult:
    """Create or update one customer, its contacts and its contracts from a file."""
    try:
        data = _parse(text)
    except ContractFileError as exc:
        raise ContractFileError(source, exc.problems) from None
    reader = Reader()
    plan = _read_customer_file(reader, data)
    with transaction.atomic():
        if plan is not None:
            _check_against_database(reader, plan)
        if reader.problems:
            raise ContractFileError(source, reader.problems)
        assert plan is not None
        return _apply(plan, reason=f"loadcontract {source}", user=user)


def _read_customer_file(reader: Reader, data: Any) -> _Plan | None:
    root = reader.mapping(data, "", required=["customer", "contracts"])
    if root is None:
        return None
    customer = (
        reader.mapping(
            root["customer"], "customer", required=["name", "slug"], allowed=CUSTOMER_KEYS
        )
        if "customer" in root
        else None
    )
    if customer is None:
        return None
    slug = reader.text(customer.get("slug"), "customer.slug", max_length=64)
    if slug and not re.fullmatch(r"[-a-zA-Z0-9_]+", slug):
        reader.problem("customer.slug", "use letters, digits, hyphens and underscores")
    timezone = reader.text(customer.get("timezone") or "UTC", "customer.timezone", max_length=64)
    if timezone not in zoneinfo.available_timezones():
        reader.problem("customer.timezone", f"{timezone!r} is not a time zone like Europe/Riga")
    language = reader.choice(
        customer.get("language"), "customer.language", terms.LANGUAGES, default="en"
    )
    country = reader.text(customer.get("country"), "customer.country", required=False)
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        reader.problem("customer.country", f"{country!r} is not a two-letter code like FI")
    elif country and country not in hours.holiday_calendars():
        # The country picks the public holidays of contracts that name none.
        reader.problem(
            "customer.country",
            f"{country!r} is no country whose public holidays we know; "
            "use a code like FI, or leave country out",
        )
    contacts = _read_contacts(reader, customer.get("contacts"))
    manager = customer.get("account_manager")
    plan = _Plan(
        customer={
            "name": reader.text(customer.get("name"), "customer.name"),
            "slug": slug,
            "country": country,
            "timezone": timezone,
            "language": language,
        },
        contacts=contacts,
        account_manager=reader.text(manager, "customer.account_manager", required=False) or None,
        contracts=[],
    )
    references: set[str] = set()
    for i, item in enumerate(reader.items(root.get("contracts"), "contracts")):
        contract = _read_contract(reader, item, f"contracts[{i}]", timezone, country)
        if contract is None:
            continue
        if contract["fields"]["reference"] in references:
            reader.problem(f"contracts[{i}].reference", "is given twice")
        references.add(contract["fields"]["reference"])
        plan.contracts.append(contract)
    return plan


def _read_contacts(reader: Reader, value: Any) -> list[dict]:
    contacts, seen = [], set()
    for i, item in enumerate(reader.items(value, "customer.contacts")):
        path = f"customer.contacts[{i}]"
        entry = reader.mapping(item, path, required=["email", "name"], allowed=["role", "language"])
        if entry is None:
            continue
        email = reader.text(entry.get("email"), f"{path}.email", max_length=254).lower()
        try:
            validate_email(email)
        except ValidationError:
            reader.problem(f"{path}.email", f"{email!r} is not an e-mail address")
        if email in seen:
            reader.problem(f"{path}.email", f"{email} is given twice")
        seen.add(email)
        contacts.append(
            {
                "email": email,
                "name": reader.text(entry.get("name"), f"{path}.name"),
                "role": reader.choice(
                    entry.get("role"),
                    f"{path}.role",
                    [r.value for r in terms.Role],
                    default=terms.Role.REQUESTER.value,
                ),
                "language": reader.choice(
                    entry.get("language"), f"{path}.language", terms.LANGUAGES, default=""
                ),
            }
        )
    return contacts


def _read_contract(
    reader: Reader, item: Any, path: str, customer_timezone: str, customer_country: str
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
        minutes = terms.parse_duration(rounding).minutes
        if minutes > 24 * 60:
            reader.problem(f"{path}.rounding", "must be at most a day")
        fields["rounding_minutes"] = minutes
    top_ups = []
    for i, item in enumerate(reader.items(entry.get("top_ups"), f"{path}.top_ups")):
        top = reader.mapping(
            item, f"{path}.top_ups[{i}]", required=["minutes", "purchased_on"], allowed=["note"]
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
            item, _join(path, priority), required=["first_response", "resolution"]
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
    fields["uptime_target"] = None
    if value is None:
        return []
    entry = reader.mapping(value, path, required=["target"], allowed=["credits"])
    if entry is None:
        return []
    fields["uptime_target"] = reader.percent(entry.get("target"), f"{path}.target")
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
                "text": reader.text(entry.get("text"), f"{here}.text", max_length=0),
                "advice": reader.text(
                    entry.get("advice"), f"{here}.advice", required=False, max_length=0
                ),
                "position": i,
            }
        )
    return clauses


def _read_price(
    reader: Reader, value: Any, path: str, coverage: str
) -> tuple[str, Decimal | None, str]:
    example = "like {fixed: 60.00} or {hourly: 90.00, estimate: 2h}"
    if coverage != terms.Coverage.PAID:
        if value is not None:
            reader.problem(path, f"only a paid clause has a price; this one is {coverage}")
        return "", None, ""
    if value is None:
        reader.problem(path, f"a paid clause needs a price, {example}")
        return "", None, ""
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


def _check_against_database(reader: Reader, plan: _Plan) -> None:
    """What the file cannot say wrong on its own: unknown services, people who
    belong to another customer, contracts of another customer."""
    known = set(Service.objects.values_list("code", flat=True))
    for contract in plan.contracts:
        for clause in contract["clauses"]:
            if clause["service"] and clause["service"] not in known:
                reader.problem(
                    f"{contract['path']}.clauses[{clause['position']}].service",
                    f"{clause['service']!r} is not in the service catalogue",
                )
        owner = (
            Contract.objects.filter(reference=contract["fields"]["reference"])
            .exclude(customer__slug=plan.customer["slug"])
            .values_list("customer__slug", flat=True)
            .first()
        )
        if owner:
            reader.problem(f"{contract['path']}.reference", f"belongs to customer {owner!r}")
    elsewhere = dict(
        Contact.objects.filter(user__username__in=[c["email"] for c in plan.contacts])
        .exclude(customer__slug=plan.customer["slug"])
        .values_list("user__username", "customer__slug")
    )
    for i, contact in enumerate(plan.contacts):
        if contact["email"] in elsewhere:
            reader.problem(
                f"customer.contacts[{i}].email",
                f"{contact['email']} is already a contact of {elsewhere[contact['email']]!r}",
            )
    if plan.account_manager:
        users = get_user_model().objects.filter(email__iexact=plan.account_manager, is_staff=True)
        if users.count() != 1:
            reader.problem("customer.account_manager", f"{plan.account_manager} is no staff user")


# --- applying a checked file -------------------------------------------------


def _save_if_changed(instance: models.Model, values: dict, *, reason: str, user=None) -> str:
    """Set the values and save only if something differs: no write, no history."""
    created = instance.pk is None
    if not created and all(getattr(instance, k) == v for k, v in values.items()):
        return "unchanged"
    for key, value in values.items():
        setattr(instance, key, value)
    instance._change_reason = reason
    if user is not None:
        instance._history_user = user
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    return "created" if created else "updated"


def _sync_children(
    result: LoadResult,
    existing: Iterable[models.Model],
    wanted: list[dict],
    *,
    key: Callable[[Any], Any],
    make: Callable[[dict], models.Model],
    reason: str,
    user,
) -> None:
    """Update children matched by key, create new ones, delete the rest."""
    by_key = {key(child): child for child in existing}
    for values in wanted:
        child = by_key.pop(key(values), None) or make(values)
        result.count(_save_if_changed(child, values, reason=reason, user=user))
    for child in by_key.values():
        child._change_reason = reason
        child.delete()
        result.count("removed")


def _apply(plan: _Plan, *, reason: str, user=None) -> LoadResult:
    result = LoadResult()
    customer = Customer.objects.filter(slug=plan.customer["slug"]).first() or Customer()
    values = dict(plan.customer)
    if plan.account_manager:
        values["account_manager"] = get_user_model().objects.get(
            email__iexact=plan.account_manager, is_staff=True
        )
    result.count(_save_if_changed(customer, values, reason=reason, user=user))
    result.customer = customer

    users = get_user_model().objects
    people = {}
    for contact in plan.contacts:
        person = users.filter(username=contact["email"]).first()
        if person is None:
            person = users.create_user(username=contact["email"], email=contact["email"])
            person.set_unusable_password()
            person.save()
        people[contact["email"]] = person
    _sync_children(
        result,
        customer.contacts.select_related("user"),
        [
            {
                "user": people[c["email"]],
                "name": c["name"],
                "role": c["role"],
                "language": c["language"],
            }
            for c in plan.contacts
        ],
        key=lambda c: c.user.username if isinstance(c, Contact) else c["user"].username,
        make=lambda v: Contact(customer=customer),
        reason=reason,
        user=user,
    )

    services = {s.code: s for s in Service.objects.all()}
    for item in plan.contracts:
        contract = (
            Contract.objects.filter(reference=item["fields"]["reference"]).first() or Contract()
        )
        result.count(
            _save_if_changed(
                contract, {**item["fields"], "customer": customer}, reason=reason, user=user
            )
        )
        _sync_children(
            result,
            contract.clauses.select_related("service"),
            [{**c, "service": services[c["service"]]} for c in item["clauses"]],
            key=lambda c: c.service.code if isinstance(c, Clause) else c["service"].code,
            make=lambda v, contract=contract: Clause(contract=contract),
            reason=reason,
            user=user,
        )
        _sync_children(
            result,
            contract.sla_targets.all(),
            item["sla"],
            key=lambda t: t.priority if isinstance(t, SlaTarget) else t["priority"],
            make=lambda v, contract=contract: SlaTarget(contract=contract),
            reason=reason,
            user=user,
        )
        _sync_children(
            result,
            contract.uptime_credits.all(),
            item["credits"],
            key=lambda b: b.below if isinstance(b, UptimeCredit) else b["below"],
            make=lambda v, contract=contract: UptimeCredit(contract=contract),
            reason=reason,
            user=user,
        )
        _sync_children(
            result,
            contract.top_ups.all(),
            item["top_ups"],
            key=lambda t: (
                (t.purchased_on, t.minutes, t.note)
                if isinstance(t, TopUp)
                else (t["purchased_on"], t["minutes"], t["note"])
            ),
            make=lambda v, contract=contract: TopUp(contract=contract),
            reason=reason,
            user=user,
        )
    return result


# --- writing the form back ---------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:.2f}")


_Dumper.add_representer(Decimal, _represent_decimal)


def _number(value: Decimal) -> Decimal | int:
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
        allowance = {
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
            item["uptime"] = {"target": _number(contract.uptime_target)}
            credits = [
                {"below": _number(b.below), "credit_percent": _number(b.credit_percent)}
                for b in contract.uptime_credits.order_by("-below")
            ]
            if credits:
                item["uptime"]["credits"] = credits
        item["clauses"] = [_dump_clause(c) for c in contract.clauses.select_related("service")]
        contracts.append(item)
    return yaml.dump(
        {"customer": head, "contracts": contracts},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def _dump_clause(clause: Clause) -> dict[str, Any]:
    item: dict[str, Any] = {"service": clause.service.code, "coverage": clause.coverage}
    if clause.coverage == terms.Coverage.PAID:
        item["price"] = {clause.pricing: clause.price} | (
            {"estimate": clause.estimate} if clause.estimate else {}
        )
    for key in ("max_per_month", "max_minutes_per_ticket"):
        if getattr(clause, key) is not None:
            item[key] = getattr(clause, key)
    if clause.round_the_clock:
        item["hours"] = terms.ROUND_THE_CLOCK
    if not clause.counts_against_allowance:
        item["counts_against_allowance"] = False
    item["text"] = clause.text
    if clause.advice:
        item["advice"] = clause.advice
    return item
