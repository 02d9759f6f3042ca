"""Reads shared by the pages, the API and the services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts.engine import hours, terms
from contracts.engine.scope import Usage
from contracts.models import Clause, Contract, Customer, TopUp
from helpdesk.compiled import CompiledQuery
from tickets.filters import sla_breached
from tickets.models import (
    Attachment,
    DecisionPart,
    Incident,
    Message,
    Offer,
    ScopeDecision,
    Ticket,
    TimeEntry,
)


@dataclass(frozen=True, slots=True)
class Month:
    first_day: date
    start: datetime  # aware, the first moment of the month in the customer's time zone
    end: datetime


def customer_day(customer: Customer, at: datetime) -> date:
    """The calendar day of the moment ``at`` in the customer's time zone."""
    return at.astimezone(hours.zone(customer.timezone)).date()


def _month(day: date, tz: ZoneInfo) -> Month:
    first = day.replace(day=1)
    following = hours.first_of_next_month(first)
    return Month(
        first_day=first,
        start=datetime.combine(first, time(), tzinfo=tz),
        end=datetime.combine(following, time(), tzinfo=tz),
    )


def allowance_month(customer: Customer, day: date) -> Month:
    """The allowance month that a day of the customer's calendar falls in: a time
    entry is charged to the month of its ``worked_on``."""
    return _month(day, hours.zone(customer.timezone))


def calendar_month(customer: Customer, at: datetime) -> Month:
    """The calendar month of ``at`` in the customer's time zone."""
    return allowance_month(customer, customer_day(customer, at))


# What costs allowance, defined once: a ticket that reports one of our incidents
# costs the customer neither a ticket nor the minutes worked on it (we pay for
# our own failures), and one whose on-call offer they accepted is paid for at
# that offer's price instead (it is billed, never drawn twice). The counts here
# read it through ``charged_to_allowance``, the kind of time logged
# (services/time.py) and the decision's own flag (services/decisions.py)
# through ``charges_allowance``.
_ON_CALL_ACCEPTED = Q(kind=Offer.Kind.EMERGENCY, status=Offer.Status.ACCEPTED)


def charges_allowance(ticket: Ticket) -> bool:
    return ticket.incident_id is None and not on_call_accepted(ticket)


def on_call_accepted(ticket: Ticket) -> bool:
    """Whether the customer accepted paid on-call work on the ticket: it is billed
    at that price, and its clock runs round the clock (``sla_terms_for_ticket``).
    A ticket not yet decided has no offers, so the scope check asks nothing."""
    return ticket.decided_at is not None and ticket.offers.filter(_ON_CALL_ACCEPTED).exists()


def charged_to_allowance(ticket: str = "ticket") -> Q:
    """``charges_allowance`` for rows that reach their ticket through ``ticket``."""
    on_call = Offer.objects.filter(_ON_CALL_ACCEPTED).values("ticket_id")
    return Q(**{f"{ticket}__incident": None}) & ~Q(**{f"{ticket}__in": on_call})


def _covered_by_service(*, customer: int, start: datetime, end: datetime, excluding: int):
    """Per service, the month's covered decisions and those that count."""
    return (
        ScopeDecision.objects.filter(
            charged_to_allowance(),
            ticket__customer=customer,
            is_current=True,
            verdict__in=terms.COVERED_VERDICTS,
            ticket__created_at__gte=start,
            ticket__created_at__lt=end,
        )
        .exclude(ticket_id=excluding)
        .order_by()
        .values_list("service__code")
        .annotate(n=Count("pk"), counted=Count("pk", filter=Q(counts_against_allowance=True)))
        .values_list("service__code", "n", "counted")
    )


def _minutes(*, customer: int, first_day: date, end_day: date):
    """The month's minutes from the allowance, and every minute ever drawn from
    top-ups (which ``topup_minutes_left`` needs): no row if none was logged."""
    return (
        TimeEntry.objects.filter(ticket__customer=customer)
        .order_by()
        .values_list("ticket__customer")
        .annotate(
            used=Coalesce(
                Sum(
                    F("counted_minutes") - F("topup_minutes"),
                    filter=charged_to_allowance()
                    & Q(
                        kind=TimeEntry.Kind.ALLOWANCE,
                        worked_on__gte=first_day,
                        worked_on__lt=end_day,
                    ),
                ),
                0,
            ),
            drawn=Coalesce(Sum("topup_minutes"), 0),
        )
        .values_list("used", "drawn")
    )


# Every scope check counts the month's usage: compiled once per process.
_COVERED_BY_SERVICE = CompiledQuery(
    _covered_by_service, customer=int, start=datetime, end=datetime, excluding=int
)
_MINUTES = CompiledQuery(_minutes, customer=int, first_day=date, end_day=date)


def allowance_usage(
    *,
    customer: Customer,
    at: datetime,
    excluding_ticket: int | None = None,
    top_ups: Iterable[TopUp] | None = None,
) -> Usage:
    """What the customer has used of the month of ``at``: included tickets (by the
    day they arrived) and minutes (by the day they were worked), the count per
    service, and the prepaid top-up minutes left for that month. ``top_ups``: the
    customer's, when the caller holds them already (the terms snapshot)."""
    month = calendar_month(customer, at)
    tickets_used, service_counts = 0, {}
    for code, n, counted in _COVERED_BY_SERVICE.rows(
        customer=customer.pk,
        start=month.start,
        end=month.end,
        excluding=excluding_ticket or 0,  # no ticket has the id 0
    ):
        tickets_used += counted
        if code is not None:
            service_counts[code] = n
    used, drawn = next(
        iter(
            _MINUTES.rows(customer=customer.pk, first_day=month.first_day, end_day=month.end.date())
        ),
        (0, 0),
    )
    return Usage(
        minutes_used=used,
        tickets_used=tickets_used,
        topup_minutes_left=max(
            0,
            topups_bought(customer=customer, before=month.end.date(), top_ups=top_ups) - drawn,
        ),
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
    contract = valid_contract(customer, customer_day(customer, at))
    usage = allowance_usage(customer=customer, at=at)
    return AllowanceSummary(
        month=month,
        contract=contract,
        tickets=Meter(contract.included_tickets if contract else 0, usage.tickets_used),
        minutes=Meter(contract.included_minutes if contract else 0, usage.minutes_used),
        topup_minutes_left=usage.topup_minutes_left,
    )


def topup_minutes_left(*, customer: Customer, before: date) -> int:
    """Prepaid minutes left for work done before ``before``: blocks bought by then,
    less every minute drawn from blocks so far (oldest blocks first), so a late
    entry never draws on a block bought after its month."""
    bought = topups_bought(customer=customer, before=before)
    drawn = TimeEntry.objects.filter(ticket__customer=customer).aggregate(
        n=Coalesce(Sum("topup_minutes"), 0)
    )["n"]
    return max(0, bought - drawn)


def topups_bought(
    *, customer: Customer, before: date, top_ups: Iterable[TopUp] | None = None
) -> int:
    """Prepaid minutes bought before the day ``before`` (counted from ``top_ups``,
    the customer's, when given)."""
    if top_ups is not None:
        return sum(top_up.minutes for top_up in top_ups if top_up.purchased_on < before)
    return TopUp.objects.filter(contract__customer=customer, purchased_on__lt=before).aggregate(
        n=Coalesce(Sum("minutes"), 0)
    )["n"]


def valid_contract(customer: Customer, day: date) -> Contract | None:
    return Contract.objects.filter(customer=customer).valid_on(day).first()


# A service's recognition words: JSON decoded for every row that joins its
# service, and shown by no list or ticket page (the queue's rows, the tickets API).
SERVICE_WORDS = ("service__phrases", "service__everyday_words")


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


def messages_visible_to(user, ticket: Ticket | None = None) -> QuerySet[Message]:
    """The messages on the tickets the user sees (or on ``ticket``, one of them);
    internal notes for staff only."""
    if ticket is None:
        messages = Message.objects.filter(ticket__in=tickets_visible_to(user))
    else:
        messages = ticket.messages.all()
    messages = messages.select_related("author")
    return messages if user.is_staff else messages.exclude(kind=Message.Kind.INTERNAL)


def _offers_current_first() -> QuerySet[Offer]:
    """The offers that may be their ticket's current one, that one first."""
    return Offer.objects.filter(
        Q(decision__is_current=True) | Q(status=Offer.Status.ACCEPTED)
    ).order_by(
        Case(When(decision__is_current=True, then=Value(0)), default=Value(1)),
        "-created_at",
        "-pk",
    )


def decision_parts_prefetch() -> Prefetch:
    """For decisions: their parts (a mixed request's), each with its service and
    offer, in the order the customer asked; one query for any number of decisions."""
    return Prefetch(
        "parts",
        queryset=DecisionPart.objects.select_related("service", "offer").order_by("position"),
    )


_CURRENT_OFFER = "offers_current_first"
WITHDRAWN_OFFERS = "withdrawn_offers"


def withdrawn_offers_prefetch() -> Prefetch:
    """For decisions: the offers of the decision each superseded that were
    withdrawn (by it, as a rule), on ``supersedes.withdrawn_offers``; one query."""
    return Prefetch(
        "supersedes__offers",
        queryset=Offer.objects.filter(status=Offer.Status.WITHDRAWN).order_by("pk"),
        to_attr=WITHDRAWN_OFFERS,
    )


def current_offer_prefetch() -> Prefetch:
    """For a list of tickets: with this prefetched, ``ticket_current_offer`` reads
    no query per ticket."""
    return Prefetch("offers", queryset=_offers_current_first(), to_attr=_CURRENT_OFFER)


def ticket_current_offer(ticket: Ticket) -> Offer | None:
    """The ticket's offer as the API, the portal and the queue all show it: the
    offer of the current decision; when that decision made none, the latest one
    the customer accepted (agreed work stays agreed, and may have been billed).
    A declined, lapsed or withdrawn offer of an earlier decision is history."""
    offers = getattr(ticket, _CURRENT_OFFER, None)
    if offers is None:
        return _offers_current_first().filter(ticket=ticket).first()
    return offers[0] if offers else None


# --- the customer portal -------------------------------------------------------


def portal_tickets(user) -> QuerySet[Ticket]:
    """The tickets a contact sees in the portal, each with what its row shows:
    the service, the requester, whether an offer awaits an answer and when the
    customer last saw something happen. A fixed number of queries however many
    tickets there are."""
    from django.db.models import Exists, OuterRef, Subquery

    pending = Offer.objects.filter(ticket=OuterRef("pk"), status=Offer.Status.PENDING)
    # Internal notes are activity the customer never sees.
    last_message = (
        Message.objects.filter(ticket=OuterRef("pk"))
        .exclude(kind=Message.Kind.INTERNAL)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        tickets_visible_to(user)
        .select_related("service", "requester__contact")
        .annotate(
            has_pending_offer=Exists(pending),
            last_activity_at=Subquery(last_message),
        )
        .order_by("-created_at", "-pk")
    )


def conversation_prefetches(user) -> list[Prefetch]:
    """For tickets from ``tickets_visible_to(user)``: their messages and files as
    the user may read them (internal notes, and the files on them, for staff
    only). The tickets are the user's to see already, so the prefetches do not
    ask again, as ``messages_visible_to`` and ``attachments_visible_to`` do: that
    was a subquery in each, found nothing more, and cost every ticket request."""
    messages = Message.objects.select_related("author")
    files = Attachment.objects.all()
    if not user.is_staff:
        messages = messages.exclude(kind=Message.Kind.INTERNAL)
        files = files.exclude(message__kind=Message.Kind.INTERNAL)
    return [Prefetch("messages", queryset=messages), Prefetch("attachments", queryset=files)]


def attachments_visible_to(user) -> QuerySet:
    """Files on the tickets the user sees; a customer never gets one that was
    added to an internal note."""
    files = Attachment.objects.filter(ticket__in=tickets_visible_to(user))
    return files if user.is_staff else files.exclude(message__kind=Message.Kind.INTERNAL)


@dataclass(frozen=True, slots=True)
class ContractCoverage:
    """What the customer's contracts say about every catalogue service today."""

    contract: terms.ContractTerms | None  # the latest contract valid today
    latest: terms.ContractTerms | None  # the latest contract at all, valid or not
    lines: tuple  # of contracts.coverage.CoverageLine, in catalogue order
    unlisted: frozenset[str]  # services that no valid contract names


def contract_coverage(*, customer: Customer, language: str, at: datetime) -> ContractCoverage:
    """Each service as the scope engine would judge it today: under the latest
    valid contract that names it, else under the latest valid contract's policy
    for services that no clause names."""
    from contracts.coverage import coverage_lines
    from contracts.selectors import current_catalogue, customer_terms_by_slug

    found = customer_terms_by_slug(customer.slug)
    contracts = found.contracts if found else ()
    latest = max(contracts, key=lambda c: c.precedence) if contracts else None
    day = customer_day(customer, at)
    valid = found.contracts_on(day) if found else ()
    if not valid:
        return ContractCoverage(None, latest, (), frozenset())
    catalogue = current_catalogue()
    by_contract = {
        c.reference: {
            line.service: line for line in coverage_lines(c, catalogue, language, customer.language)
        }
        for c in valid
    }
    lines = []
    for code in catalogue.entries:
        lines.append(by_contract[terms.contract_for(valid, code).reference][code])
    unlisted = frozenset(
        code for code in catalogue.entries if not any(code in c.clauses for c in valid)
    )
    return ContractCoverage(terms.contract_for(valid, None), latest, tuple(lines), unlisted)


def usage_reader() -> Callable[[str, datetime], Usage]:
    """A reader of customers' monthly usage for scope previews (checkscope, the
    editor's try box): each customer and month is counted once."""
    customers: dict[str, Customer] = {}
    counted: dict[tuple[str, date], Usage] = {}

    def usage_for(slug: str, at: datetime) -> Usage:
        if slug not in customers:
            customers[slug] = Customer.objects.get(slug=slug)
        customer = customers[slug]
        key = (slug, calendar_month(customer, at).first_day)
        if key not in counted:
            counted[key] = allowance_usage(customer=customer, at=at)
        return counted[key]

    return usage_for


def customers_with_allowance(*, at: datetime) -> QuerySet[Customer]:
    """Every customer with this month's allowance as annotations (``contract_ref``,
    ``tickets_included``, ``tickets_used``, ``minutes_included``, ``minutes_used``,
    ``topup_bought``, ``topup_drawn``): one query for the whole list. "This month"
    is the month of ``at`` in each customer's own time zone, counted as
    ``allowance_usage`` counts it (minutes by the day worked, blocks bought by the
    month's end)."""
    zones = Customer.objects.values_list("timezone", flat=True).distinct()
    starts, ends, firsts, nexts, todays = [], [], [], [], []
    for name in zones:
        tz = hours.zone(name)
        local = at.astimezone(tz).date()
        month = _month(local, tz)
        starts.append(When(timezone=name, then=Value(month.start)))
        ends.append(When(timezone=name, then=Value(month.end)))
        firsts.append(When(timezone=name, then=Value(month.first_day)))
        nexts.append(When(timezone=name, then=Value(month.end.date())))
        todays.append(When(timezone=name, then=Value(local)))
    valid = Contract.objects.filter(customer=OuterRef("pk")).valid_on(OuterRef("today"))
    tickets_used = (
        ScopeDecision.objects.filter(
            charged_to_allowance(),
            ticket__customer=OuterRef("pk"),
            is_current=True,
            verdict__in=terms.COVERED_VERDICTS,
            counts_against_allowance=True,
            ticket__created_at__gte=OuterRef("month_start"),
            ticket__created_at__lt=OuterRef("month_end"),
        )
        .values("ticket__customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    minutes_used = (
        TimeEntry.objects.filter(
            charged_to_allowance(),
            ticket__customer=OuterRef("pk"),
            kind=TimeEntry.Kind.ALLOWANCE,
            worked_on__gte=OuterRef("month_first"),
            worked_on__lt=OuterRef("month_next"),
        )
        .values("ticket__customer")
        .annotate(n=Sum(F("counted_minutes") - F("topup_minutes")))
        .values("n")
    )
    bought = (
        TopUp.objects.filter(
            contract__customer=OuterRef("pk"), purchased_on__lt=OuterRef("month_next")
        )
        .values("contract__customer")
        .annotate(n=Sum("minutes"))
        .values("n")
    )
    drawn = (
        TimeEntry.objects.filter(ticket__customer=OuterRef("pk"))
        .values("ticket__customer")
        .annotate(n=Sum("topup_minutes"))
        .values("n")
    )
    return Customer.objects.annotate(
        month_start=Case(*starts, output_field=DateTimeField()),
        month_end=Case(*ends, output_field=DateTimeField()),
        month_first=Case(*firsts, output_field=DateField()),
        month_next=Case(*nexts, output_field=DateField()),
        today=Case(*todays, output_field=DateField()),
    ).annotate(
        contract_ref=Subquery(valid.values("reference")[:1]),
        tickets_included=Subquery(valid.values("included_tickets")[:1]),
        minutes_included=Subquery(valid.values("included_minutes")[:1]),
        tickets_used=Coalesce(Subquery(tickets_used), 0),
        minutes_used=Coalesce(Subquery(minutes_used), 0),
        topup_bought=Coalesce(Subquery(bought), 0),
        topup_drawn=Coalesce(Subquery(drawn), 0),
    )


@dataclass(frozen=True, slots=True)
class TechnicianTime:
    """One technician's logged minutes in a month, by what they were counted as."""

    technician_id: int
    name: str
    covered: int  # included work, whether or not counted against an allowance
    billable: int
    goodwill: int

    @property
    def total(self) -> int:
        return self.covered + self.billable + self.goodwill


def month_start(value: str | None) -> date:
    """The first day of the month named ``YYYY-MM``, or of this month if none is
    named; ValueError for anything else, and for the calendar's first and last
    months: a month's report reaches into the months either side of it."""
    if not value:
        return timezone.localdate().replace(day=1)
    first_day = datetime.strptime(value, "%Y-%m").date()
    if not date.min < first_day < date.max.replace(day=1):
        raise ValueError(f"{value}: no month before or after it")
    return first_day


def sees_everyones_time(user) -> bool:
    """Leads (and admins) read every technician's minutes; others their own."""
    return user.has_perm("tickets.override_decision")


def time_entries_visible_to(user) -> QuerySet[TimeEntry]:
    """Time logged on the tickets the user may see. A member of staff who does not
    see everyone's time (the report's rule) reads only their own entries and notes;
    a contact reads every entry on their tickets (without notes or logins: the
    API's serializer leaves those out), so the allowance meter can be checked."""
    entries = TimeEntry.objects.filter(ticket__in=tickets_visible_to(user))
    if user.is_staff and not sees_everyones_time(user):
        entries = entries.filter(technician=user)
    return entries


def time_by_technician(*, first_day: date, user) -> list[TechnicianTime]:
    """Minutes worked in the month that starts on ``first_day``, per technician:
    everyone's for a lead, one's own for anyone else. One query."""
    entries = TimeEntry.objects.filter(
        worked_on__gte=first_day, worked_on__lt=hours.first_of_next_month(first_day)
    )
    if not sees_everyones_time(user):
        entries = entries.filter(technician=user)

    def minutes(*kinds: str) -> Coalesce:
        return Coalesce(Sum("counted_minutes", filter=Q(kind__in=kinds)), 0)

    rows = (
        entries.values(
            "technician_id",
            "technician__username",
            "technician__first_name",
            "technician__last_name",
        )
        .annotate(
            covered=minutes(TimeEntry.Kind.ALLOWANCE, TimeEntry.Kind.INCLUDED),
            billable=minutes(TimeEntry.Kind.BILLABLE),
            goodwill=minutes(TimeEntry.Kind.GOODWILL),
        )
        .order_by("technician__username")
    )
    return [
        TechnicianTime(
            technician_id=row["technician_id"],
            name=f"{row['technician__first_name']} {row['technician__last_name']}".strip()
            or row["technician__username"],
            covered=row["covered"],
            billable=row["billable"],
            goodwill=row["goodwill"],
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Work the desk has not done yet, for the operators' metrics."""

    undecided: int  # tickets whose scope check has not run
    oldest_undecided_at: datetime | None
    emails_waiting: int  # replies and automatic replies not e-mailed yet
    emails_failed: int  # e-mails refused for good: staff must reach the customer otherwise
    sla_overdue: int  # open tickets past an SLA deadline, as the queue's filter counts them


def desk_backlog(*, now: datetime) -> Backlog:
    undecided = Ticket.objects.filter(decided_at=None).aggregate(
        count=Count("pk"), oldest=Min("created_at")
    )
    return Backlog(
        undecided=undecided["count"],
        oldest_undecided_at=undecided["oldest"],
        emails_waiting=Message.objects.filter(
            delivery__in=[Message.Delivery.PENDING, Message.Delivery.SENDING]
        ).count(),
        emails_failed=Message.objects.filter(delivery=Message.Delivery.FAILED).count(),
        sla_overdue=Ticket.objects.filter(sla_breached(now)).count(),
    )


def incidents_visible_to(user) -> QuerySet[Incident]:
    """Staff see every incident; a contact those that affect their customer."""
    incidents = Incident.objects.prefetch_related("services", "updates")
    if user.is_staff:
        return incidents
    contact = getattr(user, "contact", None)
    if contact is None:
        return incidents.none()
    return incidents.filter(pk__in=incidents_affecting(contact.customer).values("pk"))


def incidents_affecting(customer: Customer) -> QuerySet[Incident]:
    """The incidents that affect a customer: chosen for it, or chosen for nobody
    and on a service its valid contract includes (the rule ``incident_customers``
    reads the other way round). The queue's link picker, the portal and the
    API read it."""
    included = Clause.objects.filter(
        contract__in=Contract.objects.filter(customer=customer).valid_on(
            customer_day(customer, timezone.now())
        ),
        coverage=terms.Coverage.INCLUDED,
    ).values("service")
    everyone = ~Exists(Incident.customers.through.objects.filter(incident=OuterRef("pk")))
    return Incident.objects.filter(
        Q(customers=customer) | (everyone & Q(services__in=included))
    ).distinct()


def incidents_open_for(*, customer: Customer, service: str) -> QuerySet[Incident]:
    """The open incidents that affect the customer (``incidents_affecting``) and
    name ``service`` among their affected services; the latest started first."""
    return Incident.objects.filter(
        pk__in=incidents_affecting(customer).values("pk"),
        resolved_at=None,
        services__code=service,
    ).order_by("-started_at", "-pk")


def incident_customers(incident: Incident) -> QuerySet[Customer]:
    """Who an incident affects: the customers chosen for it, or else every
    customer with a valid contract that includes one of its services (the rule
    ``incidents_affecting`` reads the other way round)."""
    chosen = incident.customers.all()
    if chosen.exists():
        return chosen
    today = timezone.localdate()
    return Customer.objects.filter(
        contracts__in=Contract.objects.valid_on(today),
        contracts__clauses__service__in=incident.services.all(),
        contracts__clauses__coverage=terms.Coverage.INCLUDED,
    ).distinct()
