"""Reads: a contract's month of uptime, from the desk's incidents.

The arithmetic is the engine's (``contracts.engine.uptime``); this module only
finds the incidents that touch a contract in a month and turns them into
``Outage`` values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from contracts.engine import terms
from contracts.engine.hours import zone as hours_zone
from contracts.engine.uptime import Outage, UptimeMonth, is_downtime, month_bounds, uptime_month
from contracts.models import Clause, Contract, Customer
from contracts.replies import format_money, format_percent
from contracts.selectors import uptime_terms
from tickets.models import Incident, UptimeCredit

# A degraded service still answers, slowly or in part: it is no downtime. Only
# outages, and maintenance that was not announced in time (or that the contract
# does not exclude), count against the uptime target.
DOWNTIME_KINDS = (Incident.Kind.OUTAGE, Incident.Kind.MAINTENANCE)


def incidents_affecting(
    contract: Contract, *, start: datetime, end: datetime
) -> QuerySet[Incident]:
    """Outages and maintenance between ``start`` and ``end`` that affect the
    contract's customer: named among the incident's customers, or, when the
    incident names none, one of its services is included in the contract."""
    included = Clause.objects.filter(contract=contract, coverage=terms.Coverage.INCLUDED).values(
        "service"
    )
    return (
        Incident.objects.filter(kind__in=DOWNTIME_KINDS, started_at__lt=end)
        .filter(Q(resolved_at=None) | Q(resolved_at__gt=start))
        .filter(Q(customers=contract.customer_id) | Q(customers=None, services__in=included))
        .distinct()
        .order_by("started_at", "pk")
    )


def outage_of(incident: Incident) -> Outage:
    """Maintenance counts as announced when the incident was opened: that is
    when its notice went out to the affected contacts."""
    return Outage(
        start=incident.started_at,
        end=incident.resolved_at,
        maintenance=incident.kind == Incident.Kind.MAINTENANCE,
        announced_at=incident.created_at,
    )


@dataclass(frozen=True)
class ContractUptime:
    """A contract's month: the figures, and the incidents that counted as downtime."""

    contract: Contract
    figures: UptimeMonth
    incidents: tuple[Incident, ...]


def contract_uptime(contract: Contract, month: date, now: datetime | None = None) -> UptimeMonth:
    """The contract's availability and credit for the calendar month of ``month``
    in the customer's time zone, counted until ``now`` (default: the present)."""
    return contract_uptime_detail(contract, month, now).figures


def contract_uptime_detail(
    contract: Contract, month: date, now: datetime | None = None
) -> ContractUptime:
    tz = contract.customer.timezone
    start, end = month_bounds(month, tz)
    promised = uptime_terms(contract)
    incidents = list(incidents_affecting(contract, start=start, end=end))
    figures = uptime_month(
        promised,
        [outage_of(i) for i in incidents],
        month=month,
        tz=tz,
        now=now or timezone.now(),
    )
    counted = tuple(i for i in incidents if is_downtime(promised, outage_of(i)))
    return ContractUptime(contract=contract, figures=figures, incidents=counted)


def contracts_in_month(month: date) -> QuerySet[Contract]:
    """Contracts valid on at least one day of the month, with an uptime promise."""
    return (
        Contract.objects.filter(valid_in_month(month), uptime_target__isnull=False)
        .select_related("customer")
        .prefetch_related("uptime_credits")
        .order_by("pk")
    )


def valid_in_month(month: date) -> Q:
    """Contracts valid on at least one day of the month."""
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return Q(valid_from__lt=following) & (Q(valid_until=None) | Q(valid_until__gte=first))


def month_has_ended(contract: Contract, month: date, now: datetime) -> bool:
    """The month is over in the customer's time zone."""
    return now >= month_bounds(month, contract.customer.timezone)[1]


def customer_uptime(
    customer: Customer, month: date, now: datetime | None = None
) -> list[tuple[ContractUptime, UptimeCredit | None]]:
    """Each of the customer's contracts valid in the month, promise or none, with
    its figures and its credit record, if one was made."""
    first = month.replace(day=1)
    contracts = list(
        customer.contracts.filter(valid_in_month(first))
        .select_related("customer")
        .prefetch_related("uptime_credits")
        .order_by("valid_from", "pk")
    )
    credits = {
        c.contract_id: c for c in UptimeCredit.objects.filter(contract__in=contracts, month=first)
    }
    return [(contract_uptime_detail(c, first, now), credits.get(c.pk)) for c in contracts]


@dataclass(frozen=True)
class UptimeLine:
    """One contract's month as the customer reads it on the status page."""

    contract: Contract
    figures: UptimeMonth
    month_over: bool
    credit: UptimeCredit | None  # the record, once the month's credit is computed

    @property
    def credit_state(self) -> str:
        """confirmed, checking (computed, a lead confirms it), so_far (the month
        runs and a credit is owed already), or none."""
        if self.credit is not None:
            return "confirmed" if self.credit.is_confirmed else "checking"
        if not self.month_over and self.figures.credit > 0:
            return "so_far"
        return "none"

    @property
    def availability_text(self) -> str:
        return format_percent(self.figures.availability)

    @property
    def target_text(self) -> str:
        return format_percent(self.figures.target) if self.figures.target is not None else ""

    @property
    def amount(self) -> str:
        amount = self.credit.amount if self.credit is not None else self.figures.credit
        return format_money(amount, self.figures.currency)


def status_page_uptime(customer: Customer, now: datetime | None = None) -> list[UptimeLine]:
    """Last month's and this month's availability of each contract that promises
    one, with the credit owed: what the portal's status page shows."""
    now = now or timezone.now()
    this_month = timezone.localtime(now, hours_zone(customer.timezone)).date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    lines = []
    for month in (last_month, this_month):
        for detail, credit in customer_uptime(customer, month, now):
            if detail.figures.target is None:
                continue
            lines.append(
                UptimeLine(
                    contract=detail.contract,
                    figures=detail.figures,
                    month_over=month_has_ended(detail.contract, month, now),
                    credit=credit,
                )
            )
    return lines
