"""Plain value types for what a contract promises, and parsers for their YAML forms.

These are what the scope engine reads: frozen dataclasses built from the
database (``contracts.selectors``) or from tests, never model instances.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Verdict(StrEnum):
    # Checked in this order; the first that applies wins.
    NOT_AUTHORIZED = "not_authorized"
    NO_CONTRACT = "no_contract"
    NEEDS_REVIEW = "needs_review"
    OUT_OF_SCOPE = "out_of_scope"
    PAID_OPTION = "paid_option"
    OVER_ALLOWANCE = "over_allowance"
    OUTSIDE_HOURS = "outside_hours"
    IN_SCOPE = "in_scope"


# The verdicts whose work the contract covers: they count against the month's
# allowance, and time on them is included (or goodwill, when a lead granted it).
COVERED_VERDICTS: frozenset[Verdict] = frozenset({Verdict.IN_SCOPE, Verdict.OUTSIDE_HOURS})
# The verdicts that leave the judgement to a technician: the queue's "needs
# review" lists their tickets until someone names the service.
REVIEW_VERDICTS: frozenset[Verdict] = frozenset({Verdict.NEEDS_REVIEW})


class Coverage(StrEnum):
    INCLUDED = "included"
    PAID = "paid"
    EXCLUDED = "excluded"


class Pricing(StrEnum):
    FIXED = "fixed"
    HOURLY = "hourly"


class Role(StrEnum):
    REQUESTER = "requester"
    MANAGER = "manager"


PRIORITIES = ("urgent", "high", "normal", "low")
LANGUAGES = ("en", "ru", "fi", "lv")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60


class TermsError(ValueError):
    """A value in a contract's terms that cannot be read."""


# --- durations ---------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")


@dataclass(frozen=True, slots=True)
class Duration:
    """A span of support time: minutes and hours are clock time inside support
    hours; days and weeks are support days (a day ends at the same time on the
    next day that has support hours)."""

    value: int
    unit: str  # m, h, d or w

    def __str__(self) -> str:
        return f"{self.value}{self.unit}"

    @property
    def minutes(self) -> int:
        """Length in clock minutes, counting a day as 24 hours."""
        return (
            self.value
            * {"m": 1, "h": 60, "d": MINUTES_PER_DAY, "w": 7 * MINUTES_PER_DAY}[self.unit]
        )


def parse_duration(text: str | int) -> Duration:
    if isinstance(text, int) and not isinstance(text, bool):
        if text <= 0:
            raise TermsError(f"{text!r} is not a duration; it must be more than 0")
        return Duration(text, "m")
    match = _DURATION.match(str(text))
    if not match or int(match.group(1)) <= 0:
        raise TermsError(f"{text!r} is not a duration; write it like 30m, 4h, 1d or 2w")
    return Duration(int(match.group(1)), match.group(2))


# --- support hours -----------------------------------------------------------

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
ROUND_THE_CLOCK = "24/7"

Window = tuple[int, int]  # minutes from midnight, start inclusive, end exclusive (end <= 1440)


def _parse_windows(text: str) -> tuple[Window, ...]:
    windows = []
    for part in str(text).split(","):
        match = _WINDOW.match(part)
        if not match:
            raise TermsError(f"{part.strip()!r} is not a time window; write it like 08:00-18:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or end > MINUTES_PER_DAY or end <= start:
            raise TermsError(f"{part.strip()!r} is not a time window from earlier to later")
        windows.append((start, end))
    windows.sort()
    for (_, end), (start, _) in itertools.pairwise(windows):
        if start < end:
            raise TermsError(f"{text!r} has overlapping time windows")
    return tuple(windows)


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for part in str(text).lower().split(","):
        part = part.strip()
        if "-" in part:
            first, last = (p.strip() for p in part.split("-", 1))
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise TermsError(f"{part!r} is not a range of days; write it like mon-fri")
            a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
            if b < a:
                raise TermsError(f"{part!r} runs backwards; write it like mon-fri")
            days.extend(range(a, b + 1))
        elif part in WEEKDAYS:
            days.append(WEEKDAYS.index(part))
        else:
            raise TermsError(f"{part!r} is not a day; use mon, tue, wed, thu, fri, sat, sun")
    return days


def parse_weekly(spec: object) -> tuple[tuple[Window, ...], ...]:
    """Read ``{mon-fri: "08:00-18:00", sat: "10:00-14:00"}`` or ``"24/7"`` into
    seven tuples of windows, Monday first. Anything else (it comes from a file)
    is a TermsError."""
    if isinstance(spec, str):
        if spec.strip() == ROUND_THE_CLOCK:
            return tuple(((0, MINUTES_PER_DAY),) for _ in WEEKDAYS)
        raise TermsError(f"{spec!r}: write support hours as 24/7 or as days: windows")
    if not isinstance(spec, Mapping) or not spec:
        raise TermsError(
            "write support hours as 24/7 or as days: windows, like mon-fri: 08:00-18:00"
        )
    week: list[tuple[Window, ...] | None] = [None] * 7
    for days, windows in spec.items():
        parsed = _parse_windows(windows)
        for day in _parse_days(days):
            if week[day] is not None:
                raise TermsError(f"{WEEKDAYS[day]} is given twice")
            week[day] = parsed
    return tuple(day or () for day in week)


# --- the terms the engine reads ----------------------------------------------


def is_within(day: date, valid_from: date, valid_until: date | None) -> bool:
    """Whether a contract running from ``valid_from`` through ``valid_until`` (both
    days included; None: open-ended) is valid on ``day``."""
    return valid_from <= day and (valid_until is None or day <= valid_until)


@dataclass(frozen=True, slots=True)
class Price:
    pricing: Pricing
    amount: Decimal
    estimate: Duration | None = None

    @property
    def estimated_total(self) -> Decimal:
        """What the customer should expect to pay: the fixed price, or the hourly
        price times the estimate (just the hourly price when there is none)."""
        if self.pricing is Pricing.HOURLY and self.estimate is not None:
            return (self.amount * self.estimate.minutes / 60).quantize(Decimal("0.01"))
        return self.amount


CENT = Decimal("0.01")


def time_price(minutes: int, rate_per_hour: Decimal) -> Decimal:
    """The price of ``minutes`` of work at an hourly rate, to the cent, half up:
    the statement's rule for every line billed by time."""
    return (rate_per_hour * minutes / 60).quantize(CENT, rounding=ROUND_HALF_UP)


# --- wording per language ----------------------------------------------------

# What a customer reads, written per language: {"en": "...", "fi": "..."}. A
# clause's text and advice are kept so, in the file, the database and its
# decisions' snapshots alike.
Wording = Mapping[str, str]


_LATVIAN_LETTERS = frozenset("āēīūčģķļņšžĀĒĪŪČĢĶĻŅŠŽ")
_FINNISH_LETTERS = frozenset("äöåÄÖÅ")


def language_of_text(text: str) -> str:
    """The language a plain text's letters show: Cyrillic is Russian, Latvian
    letters (ā, š, ņ…) Latvian, ä and ö Finnish; anything else is read as
    English. A file that means otherwise says so with the mapping form."""
    letters = set(text)
    if any("\u0400" <= c <= "\u04ff" for c in letters):
        return "ru"
    if letters & _LATVIAN_LETTERS:
        return "lv"
    if letters & _FINNISH_LETTERS:
        return "fi"
    return "en"


def as_wording(value: str | Wording | None) -> dict[str, str]:
    """A wording from its plain form too: a plain string (a contract file's plain
    ``text``, a decision stored before clauses had languages) is the text in the
    language its letters show (``language_of_text``)."""
    if not value:
        return {}
    if isinstance(value, str):
        return {language_of_text(value): value}
    return dict(value)


def wording_problems(value: object) -> list[tuple[str, str]]:
    """What is wrong with a wording, as (language key or "", problem): only the
    desk's languages, each with text that is not blank."""
    if not isinstance(value, Mapping):
        return [("", "expected text per language, like {en: ..., fi: ...}")]
    problems = []
    for language, text in value.items():
        if language not in LANGUAGES:
            problems.append(
                (
                    str(language),
                    f"{language!r} is no language of the desk; use {', '.join(LANGUAGES)}",
                )
            )
        elif not isinstance(text, str) or not text.strip():
            problems.append((language, "expected text, and not blank"))
    return problems


def missing_languages(*wordings: Wording) -> tuple[str, ...]:
    """The desk's languages that some non-empty wording of these lacks: the gaps a
    lead should fill. An absent wording (no advice) is no gap."""
    return tuple(
        language
        for language in LANGUAGES
        if any(wording and not wording.get(language) for wording in wordings)
    )


def text_in(wording: Wording, *languages: str) -> tuple[str, str]:
    """The text in the first of ``languages`` that it is written in, else in
    English, else in whichever language it has (in ``LANGUAGES`` order); with
    the language used, so a reply can say that it quotes another language.
    ("", "") when it has no text at all."""
    for language in (*languages, "en", *LANGUAGES):
        text = wording.get(language)
        if text:
            return text, language
    return "", ""


@dataclass(frozen=True, slots=True)
class ClauseTerms:
    service: str
    coverage: Coverage
    text: Wording = field(default_factory=dict)
    advice: Wording = field(default_factory=dict)
    price: Price | None = None
    max_per_month: int | None = None
    max_minutes_per_ticket: int | None = None
    round_the_clock: bool = False
    counts_against_allowance: bool = True


@dataclass(frozen=True, slots=True)
class SlaTarget:
    first_response: Duration
    resolution: Duration


@dataclass(frozen=True, slots=True)
class SupportHours:
    timezone: str
    weekly: tuple[tuple[Window, ...], ...]
    holiday_calendar: str = ""  # ISO country code for the `holidays` package; "" for none

    @property
    def round_the_clock(self) -> bool:
        return not self.holiday_calendar and all(
            day == ((0, MINUTES_PER_DAY),) for day in self.weekly
        )


@dataclass(frozen=True, slots=True)
class ContractTerms:
    reference: str
    title: str
    valid_from: date
    valid_until: date | None
    currency: str
    hourly_rate: Decimal
    unlisted_services: Coverage  # PAID or EXCLUDED
    included_minutes: int | None  # None: no limit
    included_tickets: int | None
    support_hours: SupportHours
    clauses: Mapping[str, ClauseTerms] = field(default_factory=dict)
    sla: Mapping[str, SlaTarget] = field(default_factory=dict)
    monthly_fee: Decimal = Decimal(0)  # 0: no fee (a renewal is then not offered)
    # Paid on-call work outside support hours, offered to urgent requests; None: none.
    emergency: Price | None = None

    def is_valid_on(self, day: date) -> bool:
        """From ``valid_from`` through ``valid_until``, both days included; blank
        ``valid_until`` is open-ended. ``Contract.objects.valid_on`` is the same rule."""
        return is_within(day, self.valid_from, self.valid_until)

    @property
    def term_months(self) -> int | None:
        """The contract's length in whole months (1 January to 31 December: 12),
        at least one; None when it is open-ended."""
        if self.valid_until is None:
            return None
        return months_between(self.valid_from, self.valid_until)

    @property
    def precedence(self) -> tuple[date, str]:
        """Of contracts valid on the same day, the greatest wins: the newest
        ``valid_from``, and of two starting the same day the later reference
        (``CONTRACT_PRECEDENCE`` orders the database the same way)."""
        return (self.valid_from, self.reference)

    def clause_for(self, service: str) -> ClauseTerms:
        """The clause naming the service, or the unlisted-services policy as one."""
        clause = self.clauses.get(service)
        if clause is not None:
            return clause
        if self.unlisted_services is Coverage.PAID:
            return ClauseTerms(
                service=service,
                coverage=Coverage.PAID,
                price=Price(Pricing.HOURLY, self.hourly_rate),
            )
        return ClauseTerms(service=service, coverage=Coverage.EXCLUDED)


@dataclass(frozen=True, slots=True)
class ContactTerms:
    email: str
    name: str
    role: Role
    language: str


@dataclass(frozen=True, slots=True)
class CustomerTerms:
    slug: str
    name: str
    language: str
    timezone: str
    contacts: Mapping[str, ContactTerms]  # by lower-cased e-mail address
    contracts: tuple[ContractTerms, ...] = ()

    def contact(self, email: str) -> ContactTerms | None:
        return self.contacts.get(email.strip().lower())

    def contracts_on(self, day: date) -> tuple[ContractTerms, ...]:
        return tuple(c for c in self.contracts if c.is_valid_on(day))

    def contract_on(self, day: date, service: str | None = None) -> ContractTerms | None:
        """The contract that holds on the day (the customer's local day), for the
        service if one is given; None when no contract is valid then."""
        valid = self.contracts_on(day)
        return contract_for(valid, service) if valid else None


def wording_in(
    value: str | Wording | None, language: str, customer_language: str = "en"
) -> tuple[str, str]:
    """The words for a reader of ``language``: in that language, else the
    customer's, else English, else any; with the language they are in. A plain
    string (a decision stored before clauses had languages) is read by its letters."""
    return text_in(as_wording(value), language, customer_language)


def clause_text(
    clause: ClauseTerms, language: str, customer_language: str = "en"
) -> tuple[str, str]:
    """The clause's text for a reader of ``language``, by ``wording_in``'s rule."""
    return wording_in(clause.text, language, customer_language)


def clause_advice(
    clause: ClauseTerms, language: str, customer_language: str = "en"
) -> tuple[str, str]:
    """The clause's advice by the same rule as its text."""
    return wording_in(clause.advice, language, customer_language)


def always_covered_clause(service: str) -> ClauseTerms:
    """The clause every contract has for an always-covered service."""
    return ClauseTerms(service=service, coverage=Coverage.INCLUDED, counts_against_allowance=False)


# The database's order for ``ContractTerms.precedence``, the winner first.
CONTRACT_PRECEDENCE = ("-valid_from", "-reference")


def contract_for(valid: Sequence[ContractTerms], service: str | None) -> ContractTerms:
    """Of contracts valid on one day, the one that wins for the service: the
    first by precedence among those naming it, else the first of all."""
    naming = [c for c in valid if service is not None and service in c.clauses]
    return max(naming or valid, key=lambda c: c.precedence)


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    code: str
    names: Mapping[str, str]
    phrases: Mapping[str, tuple[str, ...]]
    # Single everyday words customers use for the service ("inbox", "почта"), by
    # language: weaker hints than the phrases, read only where the catalogue has them.
    everyday_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # A request about our service rather than for work (a complaint, a claim for
    # downtime compensation): covered under every contract, whatever its clauses
    # say, never counted against the allowance, and recognised before the service
    # the text is about.
    always_covered: bool = False

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.code


def months_between(first: date, last: date) -> int:
    """Whole months from ``first`` through ``last`` (both days included), at least one:
    2025-01-01 … 2025-12-31 is 12, 2025-03-15 … 2025-09-14 is 6."""
    end = last + timedelta(days=1)
    months = (end.year - first.year) * 12 + end.month - first.month
    if end.day < first.day:
        months -= 1
    return max(months, 1)
