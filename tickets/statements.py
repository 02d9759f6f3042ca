"""A customer's monthly statement: what the month's support cost beyond the
contract's fee, and what it gave, in the contract's currency.

Every figure is worked out here from the month's records (the customer's
calendar month, as the allowance counts it) and kept as plain values, so a
closed month is frozen by storing those values (``Statement.content``) and
rendering them again, never by computing them anew. Changes made later to a
closed month's work are not lost: they go to the next open month's statement
as adjustments, each saying which month it corrects.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from contracts.engine import terms
from contracts.engine.terms import time_price
from contracts.models import Contract, Customer, TopUp
from tickets.models import Offer, Statement, Ticket, TimeEntry, UptimeCredit
from tickets.selectors import allowance_month, allowance_usage, valid_contract
from tickets.uptime import valid_in_month

# The kinds of line, in the order a statement lists them.
PAID_WORK = "paid_work"  # an accepted offer: its fixed price, or its hours at its rate
OVERAGE = "overage"  # covered work past the allowance, at the contract's hourly rate
TOP_UP = "top_up"  # a prepaid block of minutes bought this month
CREDIT = "credit"  # an uptime credit owed (a negative amount)
GOODWILL = "goodwill"  # work a lead granted at no charge: a courtesy line, 0.00
ADJUSTMENT = "adjustment"  # a change to a closed month's line
SECTIONS = (PAID_WORK, OVERAGE, TOP_UP, CREDIT, GOODWILL, ADJUSTMENT)
# How far back closed months are compared with their records for adjustments.
ADJUSTMENT_MONTHS = 12
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Line:
    kind: str
    key: str  # what the line is about, stable across recomputing: "offer:12", "time:34:-"
    amount: Decimal  # signed: a credit is negative
    currency: str
    ticket_id: int | None = None
    subject: str = ""
    service: str = ""  # the service's code: its name is shown in the reader's language
    requester_id: int | None = None
    minutes: int | None = None
    rate: Decimal | None = None  # per hour, for lines billed by time
    pricing: str = ""  # fixed or hourly, for paid work
    worth: Decimal | None = None  # goodwill's value at the hourly rate
    corrects: str = ""  # an adjustment's month, "2026-11"
    of_kind: str = ""  # an adjustment's: the kind of line it corrects


@dataclass(frozen=True)
class Allowance:
    included_minutes: int | None  # None: no limit
    used_minutes: int
    included_tickets: int | None
    used_tickets: int
    topup_bought_minutes: int
    topup_drawn_minutes: int
    topup_left_minutes: int


@dataclass(frozen=True)
class Total:
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class MonthStatement:
    number: str
    customer_id: int
    customer_name: str
    month: date
    time_zone: str
    contract_reference: str
    currency: str
    allowance: Allowance
    lines: tuple[Line, ...]
    credits_pending: int  # credits computed but not yet confirmed by a lead
    show_goodwill: bool
    closed_at: datetime | None = None
    closed_by: str = ""
    for_requester: bool = field(default=False)  # cut to one requester's tickets

    def section(self, kind: str) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == kind)

    @property
    def totals(self) -> tuple[Total, ...]:
        """The sum of the charges per currency (one, unless contracts differ)."""
        sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            sums[line.currency] += line.amount
        if not sums:
            sums[self.currency] = ZERO
        return tuple(Total(currency, amount) for currency, amount in sorted(sums.items()))

    @property
    def goodwill_minutes(self) -> int:
        return sum(line.minutes or 0 for line in self.section(GOODWILL))

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


def statement_number(customer: Customer, month: date) -> str:
    return f"{customer.slug.upper()}-{month:%Y-%m}"


def month_is_over(customer: Customer, month: date, now: datetime) -> bool:
    return now >= allowance_month(customer, month).end


def customer_statement(
    customer: Customer,
    month: date,
    *,
    requester_id: int | None = None,
    hidden_goodwill: bool = False,
) -> MonthStatement:
    """The customer's statement for ``month`` (any day of it): as frozen when a lead
    closed it, else as the records say now. With ``requester_id``, only the lines
    of that requester's tickets (what a requester may read). With
    ``hidden_goodwill``, the goodwill a lead hid from the customer stays (what
    staff read: ``show_goodwill`` says whether the customer does)."""
    first = month.replace(day=1)
    record = Statement.objects.filter(customer=customer, month=first).first()
    if record is not None and record.is_closed:
        statement = statement_from_content(record.content)
        statement = replace(
            statement,
            closed_at=record.closed_at,
            closed_by=_name(record.closed_by),
        )
    else:
        show_goodwill = record.show_goodwill if record is not None else True
        statement = statement_computed(customer, first, show_goodwill=show_goodwill)
    if requester_id is not None:
        statement = replace(
            statement,
            lines=tuple(line for line in statement.lines if line.requester_id == requester_id),
            for_requester=True,
        )
    if not statement.show_goodwill and not hidden_goodwill:
        statement = replace(
            statement,
            lines=tuple(
                line for line in statement.lines if GOODWILL not in (line.kind, line.of_kind)
            ),
        )
    return statement


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def statement_computed(customer: Customer, first: date, *, show_goodwill: bool) -> MonthStatement:
    """The month as the records say now, with the adjustments to closed months
    that fall to it."""
    month = allowance_month(customer, first)
    contract = _month_contract(customer, first, month.end.date())
    usage = allowance_usage(customer=customer, at=month.start)
    lines = month_lines(customer, first) + adjustment_lines(customer, first)
    drawn = TimeEntry.objects.filter(
        ticket__customer=customer,
        worked_on__gte=first,
        worked_on__lt=month.end.date(),
    ).aggregate(n=Sum("topup_minutes", default=0))["n"]
    bought = TopUp.objects.filter(
        contract__customer=customer, purchased_on__gte=first, purchased_on__lt=month.end.date()
    ).aggregate(n=Sum("minutes", default=0))["n"]
    credits_pending = UptimeCredit.objects.filter(
        contract__customer=customer, month=first, confirmed_at=None
    ).count()
    return MonthStatement(
        number=statement_number(customer, first),
        customer_id=customer.pk,
        customer_name=customer.name,
        month=first,
        time_zone=customer.timezone,
        contract_reference=contract.reference if contract else "",
        currency=contract.currency if contract else (lines[0].currency if lines else ""),
        allowance=Allowance(
            included_minutes=contract.included_minutes if contract else 0,
            used_minutes=usage.minutes_used,
            included_tickets=contract.included_tickets if contract else 0,
            used_tickets=usage.tickets_used,
            topup_bought_minutes=bought,
            topup_drawn_minutes=drawn,
            topup_left_minutes=usage.topup_minutes_left,
        ),
        lines=tuple(lines),
        credits_pending=credits_pending,
        show_goodwill=show_goodwill,
    )


def _month_contract(customer: Customer, first: date, following: date) -> Contract | None:
    """The contract of the month's last day, else the last one valid in it."""
    last_day = following.toordinal() - 1
    contract = valid_contract(customer, date.fromordinal(last_day))
    if contract is not None:
        return contract
    return (
        customer.contracts.filter(valid_in_month(first))
        .order_by(*terms.CONTRACT_PRECEDENCE)
        .first()
    )


def month_lines(customer: Customer, first: date) -> list[Line]:
    """The month's own lines, without adjustments: a fixed number of queries."""
    month = allowance_month(customer, first)
    following = month.end.date()
    return sorted(
        _time_lines(customer, first, following, _month_contract(customer, first, following))
        + _fixed_offer_lines(customer, month.start, month.end)
        + _top_up_lines(customer, first, following)
        + _credit_lines(customer, first),
        key=lambda line: (SECTIONS.index(line.kind), line.ticket_id or 0, line.key),
    )


def _time_lines(
    customer: Customer, first: date, following: date, fallback: Contract | None
) -> list[Line]:
    """Billable time priced by the offer the customer accepted (hourly), or at
    the contract's hourly rate when no offer priced it (covered work past the
    allowance); time under a fixed price adds nothing. Goodwill time is a
    courtesy line at no charge, with what it was worth."""
    entries = list(
        TimeEntry.objects.filter(
            ticket__customer=customer,
            worked_on__gte=first,
            worked_on__lt=following,
            kind__in=[TimeEntry.Kind.BILLABLE, TimeEntry.Kind.GOODWILL],
        )
        .values("ticket_id", "part_id", "kind")
        .annotate(minutes=Sum("counted_minutes"))
        .order_by("ticket_id", "part_id", "kind")
    )
    tickets = Ticket.objects.select_related("contract", "service").in_bulk(
        {e["ticket_id"] for e in entries}
    )
    accepted = _accepted_offers(tickets.values())
    lines = []
    for entry in entries:
        ticket = tickets[entry["ticket_id"]]
        # A ticket that came with no valid contract is priced by the month's.
        contract = ticket.contract or fallback
        rate = contract.hourly_rate if contract else ZERO
        currency = contract.currency if contract else ""
        common = {
            "key": f"time:{ticket.pk}:{entry['part_id'] or '-'}",
            "currency": currency,
            "ticket_id": ticket.pk,
            "subject": ticket.subject,
            "service": ticket.service.code if ticket.service else "",
            "requester_id": ticket.requester_id,
            "minutes": entry["minutes"],
        }
        if entry["kind"] == TimeEntry.Kind.GOODWILL:
            lines.append(
                Line(
                    kind=GOODWILL,
                    amount=ZERO,
                    worth=time_price(entry["minutes"], rate),
                    **common | {"key": f"goodwill:{ticket.pk}:{entry['part_id'] or '-'}"},
                )
            )
            continue
        offer = accepted.get((ticket.pk, entry["part_id"]))
        if offer is not None and offer.pricing == terms.Pricing.FIXED:
            continue  # the fixed price is its own line, in the month it was accepted
        if offer is not None and offer.decision.verdict != terms.Verdict.OVER_ALLOWANCE:
            lines.append(
                Line(
                    kind=PAID_WORK,
                    amount=time_price(entry["minutes"], offer.amount),
                    rate=offer.amount,
                    pricing=terms.Pricing.HOURLY,
                    **common | {"currency": offer.currency},
                )
            )
            continue
        if offer is not None:
            rate, common["currency"] = offer.amount, offer.currency
        lines.append(
            Line(kind=OVERAGE, amount=time_price(entry["minutes"], rate), rate=rate, **common)
        )
    return lines


def _accepted_offers(tickets: Iterable[Ticket]) -> dict[tuple[int, int | None], Offer]:
    """The accepted offer for each ticket (and each part of a mixed ticket)."""
    offers = (
        Offer.objects.filter(
            ticket__in=list(tickets),
            status=Offer.Status.ACCEPTED,
            kind__in=Offer.BILLED_KINDS,
        )
        .select_related("decision")
        .order_by("answered_at", "pk")
    )
    return {(offer.ticket_id, offer.part_id): offer for offer in offers}


def _fixed_offer_lines(customer: Customer, start: datetime, end: datetime) -> list[Line]:
    """Fixed prices, in the month the customer accepted them."""
    offers = Offer.objects.filter(
        ticket__customer=customer,
        kind__in=Offer.BILLED_KINDS,
        status=Offer.Status.ACCEPTED,
        pricing=terms.Pricing.FIXED,
        answered_at__gte=start,
        answered_at__lt=end,
    ).select_related("ticket__service", "decision")
    return [
        Line(
            kind=OVERAGE if offer.decision.verdict == terms.Verdict.OVER_ALLOWANCE else PAID_WORK,
            key=f"offer:{offer.pk}",
            amount=offer.amount,
            currency=offer.currency,
            ticket_id=offer.ticket_id,
            subject=offer.ticket.subject,
            service=offer.ticket.service.code if offer.ticket.service else "",
            requester_id=offer.ticket.requester_id,
            pricing=terms.Pricing.FIXED,
        )
        for offer in offers
    ]


def _top_up_lines(customer: Customer, first: date, following: date) -> list[Line]:
    top_ups = TopUp.objects.filter(
        contract__customer=customer,
        purchased_on__gte=first,
        purchased_on__lt=following,
        price__gt=0,
    ).select_related("contract")
    return [
        Line(
            kind=TOP_UP,
            key=f"top_up:{top_up.pk}",
            amount=top_up.price,
            currency=top_up.contract.currency,
            minutes=top_up.minutes,
            subject=top_up.note,
        )
        for top_up in top_ups
    ]


def _credit_lines(customer: Customer, first: date) -> list[Line]:
    """Uptime credits a lead has confirmed; one still being checked is counted
    in ``credits_pending`` instead, so no figure is promised before it is sure."""
    credits = UptimeCredit.objects.filter(
        contract__customer=customer, month=first, amount__gt=0
    ).exclude(confirmed_at=None)
    return [
        Line(
            kind=CREDIT,
            key=f"credit:{credit.pk}",
            amount=-credit.amount,
            currency=credit.currency,
            minutes=credit.downtime_minutes,
            subject=f"{credit.availability}",
        )
        for credit in credits
    ]


def adjustment_lines(customer: Customer, first: date) -> list[Line]:
    """The changes to closed months that fall to this month: to the closed months
    just before it (an open month before them takes the changes first), each
    month's records now less its frozen lines and the adjustments already
    carried into the closed months after it."""
    closed = {
        record.month: record
        for record in Statement.objects.filter(
            customer=customer, month__lt=first, closed_at__isnull=False
        ).order_by("-month")[:ADJUSTMENT_MONTHS]
    }
    run = []  # the closed months just before this one, latest first
    month = _previous_month(first)
    while month in closed:
        run.append(closed[month])
        month = _previous_month(month)
    lines = []
    for position, record in enumerate(run):
        corrects = f"{record.month:%Y-%m}"
        frozen = statement_from_content(record.content)
        before = {line.key: line for line in frozen.lines if line.kind != ADJUSTMENT}
        carried: dict[str, tuple[Decimal, int]] = {}
        for later in run[:position]:  # closed after it, before this month
            for line in statement_from_content(later.content).section(ADJUSTMENT):
                if line.corrects == corrects:
                    amount, minutes = carried.get(line.key, (ZERO, 0))
                    carried[line.key] = (amount + line.amount, minutes + (line.minutes or 0))
        now = {line.key: line for line in month_lines(customer, record.month)}
        for key in sorted(before.keys() | now.keys()):
            old, new = before.get(key), now.get(key)
            done_amount, done_minutes = carried.get(key, (ZERO, 0))
            amount = _amount(new) - _amount(old) - done_amount
            minutes = _minutes(new) - _minutes(old) - done_minutes
            if amount == 0 and minutes == 0:
                continue
            model = new or old
            assert model is not None
            lines.append(
                replace(
                    model,
                    kind=ADJUSTMENT,
                    of_kind=model.kind,
                    amount=amount,
                    minutes=minutes,
                    corrects=corrects,
                    worth=None,
                )
            )
    return lines


def _amount(line: Line | None) -> Decimal:
    return line.amount if line is not None else ZERO


def _minutes(line: Line | None) -> int:
    return (line.minutes or 0) if line is not None else 0


def _previous_month(first: date) -> date:
    return date.fromordinal(first.toordinal() - 1).replace(day=1)


# --- frozen form -------------------------------------------------------------------


def statement_content(statement: MonthStatement) -> dict:
    """The statement as JSON: money as strings, days in ISO form."""
    data = asdict(statement)
    data.pop("closed_at"), data.pop("closed_by"), data.pop("for_requester")
    data["month"] = statement.month.isoformat()
    for line in data["lines"]:
        for name in ("amount", "rate", "worth"):
            if line[name] is not None:
                line[name] = str(line[name])
    return data


def statement_from_content(content: Any) -> MonthStatement:
    def money(value: str | None) -> Decimal | None:
        return Decimal(value) if value is not None else None

    lines = tuple(
        Line(
            **line
            | {
                "amount": Decimal(line["amount"]),
                "rate": money(line["rate"]),
                "worth": money(line["worth"]),
            }
        )
        for line in content["lines"]
    )
    return MonthStatement(
        **content
        | {
            "month": date.fromisoformat(content["month"]),
            "allowance": Allowance(**content["allowance"]),
            "lines": lines,
        }
    )
