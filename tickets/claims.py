"""Reads for the answer to a compensation claim: the customer's incidents of this
month and the last, the measured downtime and availability, and the credit.

``credit_claim_facts`` is the one place the claim's reply takes its figures from;
they are the uptime selector's (``tickets.uptime``), the same the month-end
credit is computed from, so the answer never disagrees with the credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from contracts.engine.uptime import UptimeMonth
from tickets.models import Ticket, UptimeCredit
from tickets.selectors import allowance_month, customer_day
from tickets.uptime import contract_uptime, incidents_affecting


@dataclass(frozen=True, slots=True)
class IncidentFact:
    title: str
    started_at: datetime
    minutes: int  # how long it lasted, or has lasted so far
    ongoing: bool


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
        for incident in incidents_affecting(contract, start=last_month.start, end=now)
    )
    return CreditClaimFacts(
        contract=contract.reference,
        timezone=customer.timezone,
        incidents=incidents,
        months=months,
        has_promise=contract.uptime_target is not None,
    )


def _minutes_up(start: datetime, end: datetime) -> int:
    """Whole minutes, rounded up: 61 seconds of downtime are 2 minutes."""
    return max(0, -(-(end - start) // timedelta(minutes=1)))
