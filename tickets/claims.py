"""Reads for the answer to a compensation claim: the customer's incidents of this
month and the last, the measured downtime and availability, and the credit.

``credit_claim_facts`` is the one place the claim's reply takes its figures from.
Its month arithmetic comes from ``contract_uptime``; until the uptime selector
of the incidents work lands, a minimal stand-in below computes the same figures
(outages only; see its docstring), and the merge swaps that one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from contracts.engine.terms import Coverage
from contracts.models import Contract
from tickets.models import Incident, Ticket, UptimeCredit
from tickets.selectors import allowance_month, customer_day

# Incidents that take a service away; a degraded service is slow, not down.
DOWN_KINDS = (Incident.Kind.OUTAGE, Incident.Kind.MAINTENANCE)


@dataclass(frozen=True, slots=True)
class IncidentFact:
    title: str
    started_at: datetime
    minutes: int  # how long it lasted, or has lasted so far
    ongoing: bool


@dataclass(frozen=True, slots=True)
class UptimeMonth:
    """Stand-in with the fields of ``contracts.engine.uptime.UptimeMonth``."""

    month: date  # its first day
    minutes_in_month: int
    downtime_minutes: int
    availability: Decimal  # percent, three decimals, cut
    target: Decimal | None
    credit_percent: Decimal
    credit: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class ClaimMonth:
    uptime: UptimeMonth
    complete: bool  # the month is over; else the figures are so far
    owed: Decimal | None  # the credit a lead confirmed for the month, if any yet


@dataclass(frozen=True, slots=True)
class CreditClaimFacts:
    contract: str  # its reference
    timezone: str  # the customer's, for the times the reply names
    incidents: tuple[IncidentFact, ...]  # of the two months, oldest first
    months: tuple[ClaimMonth, ...]  # last month, then this one
    has_promise: bool  # the contract promises an uptime target


def credit_claim_facts(ticket: Ticket, *, now: datetime | None = None) -> CreditClaimFacts | None:
    """What the answer to the ticket's compensation claim says, under the ticket's
    contract; None for a ticket without one."""
    contract = ticket.contract
    if contract is None:
        return None
    now = now or timezone.now()
    customer = ticket.customer
    this_month = allowance_month(customer, customer_day(customer, now))
    last_month = allowance_month(customer, this_month.first_day - timedelta(days=1))
    owed = dict(
        UptimeCredit.objects.filter(
            contract=contract, month__in=[last_month.first_day, this_month.first_day]
        ).values_list("month", "amount")
    )
    months = tuple(
        ClaimMonth(
            uptime=contract_uptime(contract, month.first_day, now=now),
            complete=month.end <= now,
            owed=owed.get(month.first_day),
        )
        for month in (last_month, this_month)
    )
    incidents = tuple(
        IncidentFact(
            title=incident.title,
            started_at=incident.started_at,
            minutes=_minutes_up(incident.started_at, incident.resolved_at or now),
            ongoing=incident.resolved_at is None,
        )
        for incident in incidents_of(contract, start=last_month.start, end=now)
    )
    return CreditClaimFacts(
        contract=contract.reference,
        timezone=customer.timezone,
        incidents=incidents,
        months=months,
        has_promise=contract.uptime_target is not None,
    )


def incidents_of(contract: Contract, *, start: datetime, end: datetime):
    """The incidents that took down a service of the contract's customer between
    the two moments: those naming the customer, and those naming no customer that
    affect a service the contract includes."""
    included = contract.clauses.filter(coverage=Coverage.INCLUDED).values("service")
    return (
        Incident.objects.filter(kind__in=DOWN_KINDS, started_at__lt=end)
        .filter(Q(resolved_at=None) | Q(resolved_at__gt=start))
        .filter(
            Q(customers=contract.customer) | Q(customers=None, services__in=included),
        )
        .distinct()
        .order_by("started_at", "pk")
    )


def contract_uptime(contract: Contract, month: date, now: datetime | None = None) -> UptimeMonth:
    """Stand-in for the uptime selector: the month's downtime is the union of the
    contract's outages (maintenance is not counted here), clipped to the month and
    to ``now`` and rounded up to whole minutes; availability is cut to three
    decimals; the credit is the share of the monthly fee of the lowest band the
    availability is under."""
    now = now or timezone.now()
    span = allowance_month(contract.customer, month)
    # In UTC: two moments of one zone subtract as wall-clock times, which would
    # lose the hour a daylight-saving change adds to the month.
    start, end = span.start.astimezone(UTC), span.end.astimezone(UTC)
    stop = min(end, now)
    outages = incidents_of(contract, start=start, end=stop).filter(kind=Incident.Kind.OUTAGE)
    down = timedelta()
    reached = start
    for incident in outages:
        begin = max(incident.started_at, reached)
        finish = min(incident.resolved_at or stop, stop)
        if finish > begin:
            down += finish - begin
            reached = finish
    minutes = int((end - start) / timedelta(minutes=1))
    down_minutes = min(minutes, -(-down // timedelta(minutes=1)))
    availability = Decimal((minutes - down_minutes) * 100_000 // minutes).scaleb(-3)
    target = contract.uptime_target
    percent = Decimal(0)
    if target is not None:
        under = [b for b in contract.uptime_credits.all() if availability < b.below]
        percent = min(under, key=lambda b: b.below).credit_percent if under else Decimal(0)
    credit = (contract.monthly_fee * percent / 100).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return UptimeMonth(
        month=span.first_day,
        minutes_in_month=minutes,
        downtime_minutes=down_minutes,
        availability=availability,
        target=target,
        credit_percent=percent,
        credit=credit,
        currency=contract.currency,
    )


def _minutes_up(start: datetime, end: datetime) -> int:
    """Whole minutes, rounded up: 61 seconds of downtime are 2 minutes."""
    return max(0, -(-(end - start) // timedelta(minutes=1)))
