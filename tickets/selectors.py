"""Reads shared by the pages, the API and the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from contracts import hours, terms
from contracts.models import Contract, Customer, TopUp
from contracts.scope import Usage
from tickets.models import Message, ScopeDecision, Ticket, TimeEntry

COVERED_VERDICTS = ("in_scope", "outside_hours")


@dataclass(frozen=True, slots=True)
class Month:
    first_day: date
    start: datetime  # aware, the first moment of the month in the customer's time zone
    end: datetime


def calendar_month(customer: Customer, at: datetime) -> Month:
    """The calendar month of ``at`` in the customer's time zone."""
    tz = hours.zone(customer.timezone)
    first = at.astimezone(tz).date().replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Month(
        first_day=first,
        start=datetime.combine(first, datetime.min.time(), tzinfo=tz),
        end=datetime.combine(following, datetime.min.time(), tzinfo=tz),
    )


def allowance_usage(
    *, customer: Customer, at: datetime, excluding_ticket: int | None = None
) -> Usage:
    """What the customer has used of the month of ``at``: included tickets and
    minutes, the count per service, and the prepaid top-up minutes still left."""
    month = calendar_month(customer, at)
    covered = ScopeDecision.objects.filter(
        ticket__customer=customer,
        is_current=True,
        verdict__in=COVERED_VERDICTS,
        ticket__created_at__gte=month.start,
        ticket__created_at__lt=month.end,
    )
    if excluding_ticket is not None:
        covered = covered.exclude(ticket_id=excluding_ticket)
    tickets_used = covered.filter(counts_against_allowance=True).count()
    service_counts = dict(
        covered.exclude(service=None)
        .values_list("service__code")
        .annotate(n=Count("pk"))
        .values_list("service__code", "n")
    )
    minutes_used = TimeEntry.objects.filter(
        ticket__customer=customer,
        kind=TimeEntry.Kind.ALLOWANCE,
        worked_on__gte=month.first_day,
        worked_on__lt=month.end.date(),
    ).aggregate(n=Coalesce(Sum(F("counted_minutes") - F("topup_minutes")), 0))["n"]
    return Usage(
        minutes_used=minutes_used,
        tickets_used=tickets_used,
        topup_minutes_left=topup_minutes_left(customer=customer),
        service_counts=service_counts,
    )


@dataclass(frozen=True, slots=True)
class Meter:
    """One measure of the month's allowance, as a meter shows it."""

    included: int | None  # None: no limit
    used: int

    @property
    def left(self) -> int | None:
        return None if self.included is None else max(0, self.included - self.used)

    @property
    def percent(self) -> int | None:
        if not self.included:
            return None
        return min(100, round(self.used * 100 / self.included))


@dataclass(frozen=True, slots=True)
class AllowanceSummary:
    month: Month
    contract: Contract | None
    tickets: Meter
    minutes: Meter
    topup_minutes_left: int


def allowance_summary(*, customer: Customer, at: datetime) -> AllowanceSummary:
    """This month's allowance of the customer: included, used and left."""
    month = calendar_month(customer, at)
    contract = valid_contract(customer, at.astimezone(hours.zone(customer.timezone)).date())
    usage = allowance_usage(customer=customer, at=at)
    return AllowanceSummary(
        month=month,
        contract=contract,
        tickets=Meter(contract.included_tickets if contract else 0, usage.tickets_used),
        minutes=Meter(contract.included_minutes if contract else 0, usage.minutes_used),
        topup_minutes_left=usage.topup_minutes_left,
    )


def topup_minutes_left(*, customer: Customer) -> int:
    bought = TopUp.objects.filter(contract__customer=customer).aggregate(
        n=Coalesce(Sum("minutes"), 0)
    )["n"]
    drawn = TimeEntry.objects.filter(ticket__customer=customer).aggregate(
        n=Coalesce(Sum("topup_minutes"), 0)
    )["n"]
    return max(0, bought - drawn)


def valid_contract(customer: Customer, day: date) -> Contract | None:
    return (
        Contract.objects.filter(customer=customer, valid_from__lte=day)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
        .order_by("-valid_from")
        .first()
    )


def tickets_visible_to(user) -> QuerySet[Ticket]:
    """Staff see every ticket; a manager contact their organisation's; a requester
    their own; anyone else none."""
    tickets = Ticket.objects.all()
    if not user.is_authenticated:
        return tickets.none()
    if user.is_staff:
        return tickets
    contact = getattr(user, "contact", None)
    if contact is None:
        return tickets.none()
    if contact.role == terms.Role.MANAGER:
        return tickets.filter(customer_id=contact.customer_id)
    return tickets.filter(customer_id=contact.customer_id, requester=user)


def messages_visible_to(user, ticket: Ticket) -> QuerySet[Message]:
    """A ticket's messages; internal notes for staff only."""
    messages = ticket.messages.select_related("author")
    return messages if user.is_staff else messages.exclude(kind=Message.Kind.INTERNAL)
