"""The monthly statement as people read it: the portal's page, the queue's and
the CSV file all show a ``MonthStatement`` (``tickets/statements.py``) through
these, so the words, the money and the hours are the same on every face.

Nothing is computed here: the figures are the statement's, only said in the
reader's language (money with ``format_money``, minutes as hours and minutes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.http import HttpResponse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.engine import hours, terms
from contracts.models import Service
from contracts.replies import format_money, format_percent
from tickets.selectors import month_start
from tickets.statements import (
    ADJUSTMENT,
    CREDIT,
    GOODWILL,
    OVERAGE,
    PAID_WORK,
    SECTIONS,
    TOP_UP,
    Line,
    MonthStatement,
)

# What each kind of line is, in the customer's words (the queue reads the same).
SECTION_TITLES: dict[str, Promise] = {
    PAID_WORK: gettext_lazy("Work you asked for and accepted"),
    OVERAGE: gettext_lazy("Work past your monthly allowance"),
    TOP_UP: gettext_lazy("Prepaid hours you bought"),
    CREDIT: gettext_lazy("Uptime credit"),
    GOODWILL: gettext_lazy("Given at no charge, as a courtesy"),
    ADJUSTMENT: gettext_lazy("Corrections to earlier months"),
}
SECTION_NOTES: dict[str, Promise] = {
    PAID_WORK: gettext_lazy("Paid work on the offers you accepted."),
    OVERAGE: gettext_lazy(
        "Work your contract covers, done after this month's included time was used up, "
        "at your contract's hourly rate."
    ),
    TOP_UP: gettext_lazy("Blocks of support time bought in advance."),
    CREDIT: gettext_lazy("What we owe you when the service was down longer than promised."),
    GOODWILL: gettext_lazy("Work we did for you without charging for it."),
    ADJUSTMENT: gettext_lazy(
        "Changes to months already closed. Each line says which month it corrects."
    ),
}
CSV_COLUMNS = (
    "kind",
    "ticket",
    "subject",
    "service",
    "minutes",
    "rate",
    "amount",
    "currency",
    "corrects",
)


@dataclass(frozen=True)
class Row:
    line: Line
    service_name: str
    minutes: str  # "1 h 30 min", or "" when the line has none
    rate: str  # "90.00 EUR per hour", "Fixed price", or ""
    amount: str
    worth: str  # goodwill's value
    corrects: str  # an adjustment's: "Corrects November 2026: Work past …"
    detail: str  # what a line with no ticket is: a top-up's note, a credit's availability


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    note: str
    rows: tuple[Row, ...]
    total: str


@dataclass(frozen=True)
class StatementPage:
    """What a statement page shows: the statement, its sections in reading order
    and its totals, worded for the reader."""

    statement: MonthStatement
    sections: tuple[Section, ...]
    totals: tuple[str, ...]
    credit_state: str  # "none", "pending" or "owed", for the uptime credit's sentence
    allowance: dict[str, str]


def format_minutes(minutes: int) -> str:
    """“1 h 30 min”, “2 h”, “45 min”; a correction may take minutes away: “−15 min”."""
    sign, minutes = ("−", -minutes) if minutes < 0 else ("", minutes)
    whole_hours, rest = divmod(minutes, 60)
    if whole_hours and rest:
        text = _("%(hours)d h %(minutes)d min") % {"hours": whole_hours, "minutes": rest}
    elif whole_hours:
        text = _("%(hours)d h") % {"hours": whole_hours}
    else:
        text = _("%(minutes)d min") % {"minutes": rest}
    return sign + text


def month_name(month: date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def statement_month(value: str | None, *, latest: date) -> date:
    """The month a page asks for (``?month=2026-11``): this month when none is named
    or the name is no month, and never one after ``latest``."""
    try:
        first = month_start(value)
    except ValueError:
        return latest
    return min(first, latest)


def neighbour_months(first: date, *, latest: date) -> tuple[date, date | None]:
    """The months before and after, for the chips; none after ``latest``."""
    previous = (first - timedelta(days=1)).replace(day=1)
    return previous, hours.first_of_next_month(first) if first < latest else None


def statement_page(statement: MonthStatement, *, language: str) -> StatementPage:
    """The statement worded for its reader: one query, for the services' names."""
    codes = {line.service for line in statement.lines if line.service}
    names = {
        service.code: service.name(language) for service in Service.objects.filter(code__in=codes)
    }
    sections = []
    for kind in SECTIONS:
        lines = statement.section(kind)
        if not lines:
            continue
        currency = lines[0].currency
        total = sum((line.amount for line in lines), Decimal("0.00"))
        sections.append(
            Section(
                kind=kind,
                title=str(SECTION_TITLES[kind]),
                note=str(SECTION_NOTES[kind]),
                rows=tuple(_row(line, names) for line in lines),
                total=format_money(total, currency)
                if all(line.currency == currency for line in lines)
                else "",
            )
        )
    credit_state = (
        "owed" if statement.section(CREDIT) else "pending" if statement.credits_pending else "none"
    )
    return StatementPage(
        statement=statement,
        sections=tuple(sections),
        totals=tuple(format_money(total.amount, total.currency) for total in statement.totals),
        credit_state=credit_state,
        allowance=_allowance(statement),
    )


def _row(line: Line, names: dict[str, str]) -> Row:
    rate = ""
    if line.pricing == terms.Pricing.FIXED:
        rate = _("Fixed price")
    elif line.rate is not None:
        rate = _("%(money)s per hour") % {"money": format_money(line.rate, line.currency)}
    corrects = ""
    if line.corrects:
        corrects = _("Corrects %(month)s: %(kind)s") % {
            "month": month_name(_month_of(line.corrects)),
            "kind": SECTION_TITLES.get(line.of_kind, line.of_kind),
        }
    return Row(
        line=line,
        service_name=names.get(line.service, line.service),
        minutes=format_minutes(line.minutes) if line.minutes is not None else "",
        rate=rate,
        amount=format_money(line.amount, line.currency),
        worth=format_money(line.worth, line.currency) if line.worth is not None else "",
        corrects=corrects,
        detail=_detail(line),
    )


def _detail(line: Line) -> str:
    kind = line.of_kind or line.kind
    if kind == CREDIT:
        try:
            availability = format_percent(Decimal(line.subject))
        except (InvalidOperation, ValueError):
            return line.subject
        return _("Availability %(percent)s%%") % {"percent": availability}
    if kind == TOP_UP:
        return line.subject or _("Prepaid support time")
    return ""


def _month_of(corrects: str) -> date:
    return datetime.strptime(corrects, "%Y-%m").date()


def _allowance(statement: MonthStatement) -> dict[str, str]:
    allowance = statement.allowance
    unlimited = _("no limit")
    return {
        "minutes_used": format_minutes(allowance.used_minutes),
        "minutes_included": unlimited
        if allowance.included_minutes is None
        else format_minutes(allowance.included_minutes),
        "tickets_used": str(allowance.used_tickets),
        "tickets_included": unlimited
        if allowance.included_tickets is None
        else str(allowance.included_tickets),
        "topup_bought": format_minutes(allowance.topup_bought_minutes),
        "topup_drawn": format_minutes(allowance.topup_drawn_minutes),
        "topup_left": format_minutes(allowance.topup_left_minutes),
    }


# --- the CSV file ------------------------------------------------------------------


def statement_csv(statement: MonthStatement) -> HttpResponse:
    """One row per line, then a total row per currency: plain values (codes, minutes,
    decimals with a dot) for a spreadsheet, in every language the same."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{statement.number}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for line in statement.lines:
        writer.writerow(
            [
                line.kind,
                line.ticket_id or "",
                _cell(line.subject),
                line.service,
                "" if line.minutes is None else line.minutes,
                "" if line.rate is None else f"{line.rate:.2f}",
                f"{line.amount:.2f}",
                line.currency,
                line.corrects,
            ]
        )
    for total in statement.totals:
        writer.writerow(["total", "", "", "", "", "", f"{total.amount:.2f}", total.currency, ""])
    return response


def _cell(text: str) -> str:
    """A customer's own text never starts a formula in the spreadsheet it is opened in."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
