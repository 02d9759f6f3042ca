"""The leads' monthly reports: what the contracts decided, what was offered and
earned, the free work the limits avoided against the goodwill given, allowance
use, the SLA, escalations and ratings.

Every section is a few aggregate queries whatever the month holds: the database
counts and sums, Python only shapes the handful of rows that come back (one per
week and verdict, currency, service, technician, customer or priority).

The month is the calendar month in the desk's time zone (``settings.TIME_ZONE``),
for every section but the allowance, which is counted in each customer's own
month as their meter and statement count it (``allowance_usage``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DateField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber, TruncWeek

from contracts.engine import hours, terms
from contracts.models import Contract, Customer, Service
from tickets.models import Escalation, Offer, Rating, ScopeDecision, Ticket, TimeEntry
from tickets.selectors import charged_to_allowance

CENT = Decimal("0.01")
# The order the verdict mix lists verdicts in: covered work first, then what was
# not covered, then what a person still had to judge; "" is a ticket not checked yet.
VERDICT_ORDER = (
    terms.Verdict.IN_SCOPE,
    terms.Verdict.OUTSIDE_HOURS,
    terms.Verdict.PAID_OPTION,
    terms.Verdict.OUT_OF_SCOPE,
    terms.Verdict.OVER_ALLOWANCE,
    terms.Verdict.NEEDS_REVIEW,
    terms.Verdict.NO_CONTRACT,
    terms.Verdict.NOT_AUTHORIZED,
    "",
)
# A request valued for "free work avoided" that names no effort is one hour's work.
DEFAULT_ESTIMATE_MINUTES = 60
# Below this share of either included measure a customer may do with a smaller plan.
LITTLE_USE_PERCENT = 10


@dataclass(frozen=True, slots=True)
class ReportMonth:
    first_day: date
    start: datetime  # aware, midnight of the first day in the desk's time zone
    end: datetime

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


def report_month(first_day: date) -> ReportMonth:
    tz = hours.zone(settings.TIME_ZONE)
    first = first_day.replace(day=1)
    return ReportMonth(
        first_day=first,
        start=datetime.combine(first, time(), tzinfo=tz),
        end=datetime.combine(hours.first_of_next_month(first), time(), tzinfo=tz),
    )


def _created_in(month: ReportMonth, prefix: str = "") -> Q:
    return Q(**{f"{prefix}created_at__gte": month.start, f"{prefix}created_at__lt": month.end})


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _per_hour(amount_minutes) -> Decimal:
    """A sum of price × minutes, as money: SQLite keeps whole prices as integers,
    so the division by 60 happens here, in decimals, not in the database."""
    return _money(Decimal(str(amount_minutes or 0)) / 60)


# --- 1. the verdict mix ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekVerdicts:
    week: date  # its Monday (ISO week), possibly in the month before
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def iso_week(self) -> int:
        return self.week.isocalendar().week


@dataclass(frozen=True, slots=True)
class VerdictMix:
    verdicts: tuple[str, ...]  # the verdicts that occur, in VERDICT_ORDER
    weeks: tuple[WeekVerdicts, ...]

    @property
    def totals(self) -> dict[str, int]:
        return {v: sum(w.counts.get(v, 0) for w in self.weeks) for v in self.verdicts}

    @property
    def total(self) -> int:
        return sum(w.total for w in self.weeks)


def verdict_mix_by_week(month: ReportMonth) -> VerdictMix:
    """Tickets that arrived in the month, by their current verdict
    (``Ticket.verdict``, which follows the current decision) and ISO week. One query."""
    tz = hours.zone(settings.TIME_ZONE)
    rows = (
        Ticket.objects.filter(_created_in(month))
        .annotate(week=TruncWeek("created_at", tzinfo=tz, output_field=DateField()))
        .values_list("week", "verdict")
        .annotate(n=Count("pk"))
        .order_by()
    )
    weeks: dict[date, dict[str, int]] = {}
    for week, verdict, n in rows:
        weeks.setdefault(week, {})[verdict] = n
    present = {v for counts in weeks.values() for v in counts}
    order = tuple(str(v) for v in VERDICT_ORDER if v in present)
    order += tuple(sorted(present - set(order)))  # a verdict added since, last
    return VerdictMix(
        verdicts=order,
        weeks=tuple(
            WeekVerdicts(week=w, counts={v: weeks[w].get(v, 0) for v in order})
            for w in sorted(weeks)
        ),
    )


# --- 2. offers ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferCounts:
    made: int = 0
    pending: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    withdrawn: int = 0

    @property
    def answered_or_expired(self) -> int:
        return self.accepted + self.declined + self.expired

    @property
    def in_order(self) -> tuple[int, ...]:
        """The counts in the order of ``OFFER_STATES``, as tables list them."""
        return tuple(getattr(self, name) for name in OFFER_STATES)


OFFER_STATES = ("made", "accepted", "declined", "expired", "withdrawn", "pending")


def acceptance_rate(counts: OfferCounts) -> Decimal | None:
    """Accepted ÷ (accepted + declined + expired), in per cent; none while no
    offer was answered or lapsed. Withdrawn and pending offers are no answer."""
    if not counts.answered_or_expired:
        return None
    return (Decimal(100) * counts.accepted / counts.answered_or_expired).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class CurrencyOffers:
    currency: str
    counts: OfferCounts
    revenue: Decimal  # accepted: fixed prices, hourly ones by time logged or estimate
    hourly_by_time: int  # accepted hourly offers valued by the billable time logged
    hourly_by_estimate: int  # ... and by their estimate, no time being logged yet


@dataclass(frozen=True, slots=True)
class ServiceAcceptance:
    service: str
    counts: OfferCounts

    @property
    def rate(self) -> Decimal | None:
        return acceptance_rate(self.counts)


@dataclass(frozen=True, slots=True)
class OfferSummary:
    counts: OfferCounts
    by_currency: tuple[CurrencyOffers, ...]
    by_service: tuple[ServiceAcceptance, ...]

    @property
    def rate(self) -> Decimal | None:
        return acceptance_rate(self.counts)


def _offers_made(month: ReportMonth) -> QuerySet[Offer]:
    """Offers of paid work (on-call work too) made in the month (renewals of
    ended contracts are another kind of sale and left out)."""
    return Offer.objects.filter(_created_in(month), kind__in=Offer.BILLED_KINDS)


def _billable_minutes() -> Case:
    """The billable minutes logged for an accepted hourly offer's request: on its
    part of a mixed ticket, else on its ticket."""
    logged = TimeEntry.objects.filter(kind=TimeEntry.Kind.BILLABLE).order_by()
    on_ticket = logged.filter(ticket=OuterRef("ticket")).values("ticket")
    on_part = logged.filter(part=OuterRef("part")).values("part")
    total = Sum("counted_minutes")
    # Looked up only where revenue needs it: accepted offers at an hourly price.
    hourly_accepted = Q(status=Offer.Status.ACCEPTED, pricing=terms.Pricing.HOURLY)
    return Case(
        When(
            hourly_accepted & Q(part__isnull=True),
            then=Subquery(on_ticket.annotate(n=total).values("n")),
        ),
        When(hourly_accepted, then=Subquery(on_part.annotate(n=total).values("n"))),
        default=None,
        output_field=IntegerField(),
    )


@dataclass(frozen=True, slots=True)
class OfferGroup:
    """The month's offers of one currency, service, assignee, status and pricing:
    the sums both the offers and the free-work sections are made of."""

    currency: str
    service_id: int | None
    assignee_id: int | None
    assignee_name: str
    status: str
    pricing: str
    count: int
    amount: Decimal  # the prices added up
    amount_estimate_minutes: Decimal  # Σ price × (estimate, else an hour)
    amount_billed_minutes: Decimal  # Σ price × (billable time logged, else as above)
    by_time: int  # how many have billable time logged


def offer_groups(month: ReportMonth) -> tuple[OfferGroup, ...]:
    """The work offers made in the month, summed per currency, service, assignee,
    status and pricing in one query: a few hundred rows whatever the month holds
    (services × technicians × statuses), which the sections fold."""
    fallback = Value(DEFAULT_ESTIMATE_MINUTES)
    rows = (
        _offers_made(month)
        .annotate(billable=_billable_minutes())
        .values_list(
            "currency",
            Coalesce("part__service", "decision__service"),
            "ticket__assignee_id",
            "ticket__assignee__first_name",
            "ticket__assignee__last_name",
            "ticket__assignee__username",
            "status",
            "pricing",
        )
        .annotate(
            n=Count("pk"),
            amount_sum=Sum("amount"),
            by_estimate=Sum(
                F("amount") * Coalesce("estimate_minutes", fallback),
                output_field=DecimalField(),
            ),
            by_billed=Sum(
                F("amount") * Coalesce("billable", "estimate_minutes", fallback),
                output_field=DecimalField(),
            ),
            by_time=Count("pk", filter=Q(billable__gt=0)),
        )
        .order_by()
    )
    return tuple(
        OfferGroup(
            currency=currency,
            service_id=service,
            assignee_id=assignee,
            assignee_name=_name(first or "", last or "", username or ""),
            status=status,
            pricing=pricing,
            count=n,
            amount=Decimal(str(amount or 0)),
            amount_estimate_minutes=Decimal(str(by_estimate or 0)),
            amount_billed_minutes=Decimal(str(by_billed or 0)),
            by_time=by_time,
        )
        for (
            currency,
            service,
            assignee,
            first,
            last,
            username,
            status,
            pricing,
            n,
            amount,
            by_estimate,
            by_billed,
            by_time,
        ) in rows
    )


def offer_summary(
    month: ReportMonth, *, language: str = "en", groups: tuple[OfferGroup, ...] | None = None
) -> OfferSummary:
    """Offers made in the month and what became of them, per currency and per
    service (named in ``language``). Revenue is what the accepted ones earn: a
    fixed price as it stands; an hourly price × the billable time logged for it,
    or × its estimate (else an hour) while no time is logged yet. ``groups``:
    ``offer_groups(month)`` when the caller has it already; then one query, for
    the service names."""
    groups = offer_groups(month) if groups is None else groups
    currencies: dict[str, list[OfferGroup]] = {}
    services: dict[int | None, list[OfferGroup]] = {}
    for group in groups:
        currencies.setdefault(group.currency, []).append(group)
        services.setdefault(group.service_id, []).append(group)
    by_currency = []
    for currency, some in sorted(currencies.items()):
        accepted = [g for g in some if g.status == Offer.Status.ACCEPTED]
        hourly = [g for g in accepted if g.pricing == terms.Pricing.HOURLY]
        fixed = sum((g.amount for g in accepted if g.pricing == terms.Pricing.FIXED), Decimal(0))
        billed = sum((g.amount_billed_minutes for g in hourly), Decimal(0))
        by_time = sum(g.by_time for g in hourly)
        by_currency.append(
            CurrencyOffers(
                currency=currency,
                counts=_group_counts(some),
                revenue=_money(fixed) + _per_hour(billed),
                hourly_by_time=by_time,
                hourly_by_estimate=sum(g.count for g in hourly) - by_time,
            )
        )
    names = Service.objects.in_bulk([pk for pk in services if pk is not None])
    by_service = sorted(
        (
            ServiceAcceptance(
                service=names[pk].name(language) if pk in names else "—",
                counts=_group_counts(some),
            )
            for pk, some in services.items()
        ),
        key=lambda s: (-s.counts.made, s.service),
    )
    return OfferSummary(
        counts=_sum_counts(c.counts for c in by_currency),
        by_currency=tuple(by_currency),
        by_service=tuple(by_service),
    )


def _group_counts(groups: list[OfferGroup]) -> OfferCounts:
    made = {name: 0 for name in OfferCounts.__dataclass_fields__}
    for group in groups:
        made["made"] += group.count
        made[group.status] += group.count
    return OfferCounts(**made)


def _sum_counts(counts) -> OfferCounts:
    counts = list(counts)
    return OfferCounts(
        **{name: sum(getattr(c, name) for c in counts) for name in OfferCounts.__dataclass_fields__}
    )


# --- 3. free work avoided and goodwill given ------------------------------------


@dataclass(frozen=True, slots=True)
class CurrencyLimits:
    """In one currency: the value of the requests the contract did not cover and
    that were not done for free, beside the goodwill given."""

    currency: str
    offered: Decimal  # paid offers made
    declined_advice: Decimal  # out-of-scope requests answered with advice
    goodwill: Decimal

    @property
    def avoided(self) -> Decimal:
        return self.offered + self.declined_advice


@dataclass(frozen=True, slots=True)
class TechnicianLimits:
    technician_id: int | None  # None: tickets with no assignee
    name: str
    offers_made: int  # on the tickets they are the assignee of
    goodwill_minutes: int
    goodwill: dict[str, Decimal] = field(default_factory=dict)  # value per currency


@dataclass(frozen=True, slots=True)
class FreeWork:
    by_currency: tuple[CurrencyLimits, ...]
    technicians: tuple[TechnicianLimits, ...]
    out_of_scope: int  # requests valued as answered with advice


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def free_work_avoided(
    month: ReportMonth, *, groups: tuple[OfferGroup, ...] | None = None
) -> FreeWork:
    """What keeping to the contracts was worth in the month, beside what was given.

    Avoided: every paid offer made (a fixed price, or the hourly price × its
    estimate, else one hour), and every ticket of the month whose current verdict
    is out of scope (answered with advice, not done): the contract's hourly rate ×
    the clause's estimate, else one hour. Given: goodwill minutes worked in the
    month, at the hourly rate of the ticket's contract. Per technician: offers made
    on the tickets they are the assignee of, beside their goodwill minutes. Three
    queries (two with ``groups``, ``offer_groups(month)``, given)."""
    groups = offer_groups(month) if groups is None else groups
    offered: dict[str, Decimal] = {}
    for group in groups:
        value = (
            _per_hour(group.amount_estimate_minutes)
            if group.pricing == terms.Pricing.HOURLY
            else _money(group.amount)
        )
        offered[group.currency] = offered.get(group.currency, Decimal(0)) + value
    # One row per contract currency, rate and clause estimate (a handful), valued here:
    # an estimate is a duration ("2h") that only the engine's parser reads.
    advice: dict[str, Decimal] = {}
    out_of_scope = 0
    for currency, rate, estimate, n in (
        ScopeDecision.objects.filter(
            _created_in(month, "ticket__"),
            # Ticket.verdict is the current decision's: the month's tickets come off
            # the ticket index, joined to their one current decision.
            ticket__verdict=terms.Verdict.OUT_OF_SCOPE,
            is_current=True,
            contract__isnull=False,
        )
        .values_list("contract__currency", "contract__hourly_rate", "clause__estimate")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        minutes = _estimate_minutes(estimate)
        advice[currency] = advice.get(currency, Decimal(0)) + _money(
            Decimal(rate) * minutes * n / 60
        )
        out_of_scope += n
    goodwill_rows = list(
        TimeEntry.objects.filter(
            kind=TimeEntry.Kind.GOODWILL,
            worked_on__gte=month.first_day,
            worked_on__lt=month.end.date(),
        )
        .values_list(
            "technician_id",
            "technician__first_name",
            "technician__last_name",
            "technician__username",
            "ticket__contract__currency",
        )
        .annotate(
            minutes=Sum("counted_minutes"),
            rate_minutes=Sum(
                F("counted_minutes") * F("ticket__contract__hourly_rate"),
                output_field=DecimalField(),
            ),
        )
        .order_by()
    )
    goodwill: dict[str, Decimal] = {}
    people: dict[int | None, dict] = {}
    for tech, first, last, username, currency, minutes, rate_minutes in goodwill_rows:
        value = _per_hour(rate_minutes)
        currency = currency or "—"  # goodwill on a ticket with no contract has no rate
        goodwill[currency] = goodwill.get(currency, Decimal(0)) + value
        person = people.setdefault(
            tech, {"name": _name(first, last, username), "offers": 0, "minutes": 0, "value": {}}
        )
        person["minutes"] += minutes
        person["value"][currency] = person["value"].get(currency, Decimal(0)) + value
    for group in groups:
        person = people.setdefault(
            group.assignee_id,
            {"name": group.assignee_name, "offers": 0, "minutes": 0, "value": {}},
        )
        person["offers"] += group.count
    currencies = sorted(set(offered) | set(advice) | set(goodwill))
    return FreeWork(
        by_currency=tuple(
            CurrencyLimits(
                currency=c,
                offered=offered.get(c, Decimal(0)).quantize(CENT),
                declined_advice=advice.get(c, Decimal(0)).quantize(CENT),
                goodwill=goodwill.get(c, Decimal(0)).quantize(CENT),
            )
            for c in currencies
        ),
        technicians=tuple(
            sorted(
                (
                    TechnicianLimits(
                        technician_id=tech,
                        name=p["name"],
                        offers_made=p["offers"],
                        goodwill_minutes=p["minutes"],
                        goodwill=dict(sorted(p["value"].items())),
                    )
                    for tech, p in people.items()
                ),
                # The unassigned row last, people by name.
                key=lambda t: (t.technician_id is None, t.name.lower()),
            )
        ),
        out_of_scope=out_of_scope,
    )


def _estimate_minutes(estimate: str | None) -> int:
    if not estimate:
        return DEFAULT_ESTIMATE_MINUTES
    try:
        return terms.parse_duration(estimate).minutes
    except terms.TermsError:
        return DEFAULT_ESTIMATE_MINUTES


# --- 4. allowance use -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomerAllowanceUse:
    customer: str
    slug: str
    contract: str
    tickets_used: int
    tickets_included: int | None  # None: no limit
    minutes_used: int
    minutes_included: int | None

    @staticmethod
    def _percent(used: int, included: int | None) -> int | None:
        if not included:
            return None
        return round(used * 100 / included)

    @property
    def tickets_percent(self) -> int | None:
        return self._percent(self.tickets_used, self.tickets_included)

    @property
    def minutes_percent(self) -> int | None:
        return self._percent(self.minutes_used, self.minutes_included)

    @property
    def percent(self) -> int | None:
        """The larger share used of the measures that have a limit."""
        shares = [p for p in (self.tickets_percent, self.minutes_percent) if p is not None]
        return max(shares) if shares else None

    @property
    def ran_out(self) -> bool:
        """All of a measure used: a customer to offer a bigger plan or top-ups."""
        return any(
            included is not None and used >= included
            for used, included in (
                (self.tickets_used, self.tickets_included),
                (self.minutes_used, self.minutes_included),
            )
        )

    @property
    def used_little(self) -> bool:
        """Under 10 % of every limited measure: a candidate for a smaller plan."""
        percent = self.percent
        return percent is not None and not self.ran_out and percent < LITTLE_USE_PERCENT


# The bands of the allowance chart: (upper bound in per cent, exclusive), "ran out" apart.
ALLOWANCE_BANDS = (10, 50, 80, 100)


@dataclass(frozen=True, slots=True)
class AllowanceUse:
    customers: tuple[CustomerAllowanceUse, ...]  # those with a valid contract and a limit

    @property
    def ran_out(self) -> tuple[CustomerAllowanceUse, ...]:
        """Those who used all of a measure, the most used first."""
        return tuple(
            sorted(
                (c for c in self.customers if c.ran_out),
                key=lambda c: (-(c.percent or 0), c.customer),
            )
        )

    @property
    def used_little(self) -> tuple[CustomerAllowanceUse, ...]:
        """Those who used under 10 %, the least used first."""
        return tuple(
            sorted(
                (c for c in self.customers if c.used_little),
                key=lambda c: (c.percent or 0, c.customer),
            )
        )

    @property
    def bands(self) -> tuple[tuple[str, int], ...]:
        """How many customers used how much: under 10 %, 10–50 %, 50–80 %,
        80–100 % and all of a measure."""
        counts = [0] * (len(ALLOWANCE_BANDS) + 1)
        for c in self.customers:
            if c.ran_out:
                counts[-1] += 1
                continue
            # A share that rounds to 100 % without being all of it stays below.
            percent = c.percent or 0
            band = next((i for i, top in enumerate(ALLOWANCE_BANDS) if percent < top), 3)
            counts[band] += 1
        labels = ["0–10 %", "10–50 %", "50–80 %", "80–100 %", "100 %"]
        return tuple(zip(labels, counts, strict=True))


def allowance_use(month: ReportMonth) -> AllowanceUse:
    """Each customer's allowance in the month, counted as ``allowance_usage``
    counts it, in the customer's own calendar month: included tickets used (the
    current decision covered and counted, by the day they arrived) and allowance
    minutes (by the day worked, less those drawn from top-ups), against what the
    contract valid in the middle of the month includes. Customers without a
    valid contract or with no limit are left out.

    Four grouped queries for every customer at once: ``customers_with_allowance``
    answers the same with a subquery per customer, which is fine for a page of the
    admin but takes far too long for a thousand customers on a big desk."""
    next_first = hours.first_of_next_month(month.first_day)
    zones = Customer.objects.values_list("timezone", flat=True).distinct().order_by()
    in_own_month = Q()
    for name in zones:
        tz = hours.zone(name)
        in_own_month |= Q(
            ticket__customer__timezone=name,
            ticket__created_at__gte=datetime.combine(month.first_day, time(), tzinfo=tz),
            ticket__created_at__lt=datetime.combine(next_first, time(), tzinfo=tz),
        )
    tickets_used = dict(
        ScopeDecision.objects.filter(
            in_own_month,
            charged_to_allowance(),
            is_current=True,
            verdict__in=terms.COVERED_VERDICTS,
            counts_against_allowance=True,
        )
        .values_list("ticket__customer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    minutes_used = dict(
        TimeEntry.objects.filter(
            charged_to_allowance(),
            kind=TimeEntry.Kind.ALLOWANCE,
            worked_on__gte=month.first_day,
            worked_on__lt=next_first,
        )
        .values_list("ticket__customer")
        .annotate(n=Sum(F("counted_minutes") - F("topup_minutes")))
        .order_by()
    )
    middle = month.first_day.replace(day=15)
    contracts: dict[int, tuple] = {}
    for row in (
        Contract.objects.valid_on(middle)
        .filter(Q(included_tickets__isnull=False) | Q(included_minutes__isnull=False))
        .order_by("customer__name", "customer_id", *terms.CONTRACT_PRECEDENCE)
        .values_list(
            "customer_id",
            "customer__name",
            "customer__slug",
            "reference",
            "included_tickets",
            "included_minutes",
        )
    ):
        contracts.setdefault(row[0], row)  # the contract that holds first
    return AllowanceUse(
        customers=tuple(
            CustomerAllowanceUse(
                customer=name,
                slug=slug,
                contract=reference,
                tickets_used=tickets_used.get(customer_id, 0),
                tickets_included=included_tickets,
                minutes_used=minutes_used.get(customer_id, 0) or 0,
                minutes_included=included_minutes,
            )
            for customer_id, name, slug, reference, included_tickets, included_minutes in (
                contracts.values()
            )
        )
    )


# --- 5. the SLA -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrioritySla:
    priority: str
    tickets: int
    first_met: int
    first_missed: int
    resolution_met: int
    resolution_missed: int
    first_median: timedelta | None
    resolution_median: timedelta | None


def sla_by_priority(month: ReportMonth, *, now: datetime) -> tuple[PrioritySla, ...]:
    """Tickets of the month with an SLA, per priority: first responses and
    resolutions in time or late (a deadline passed with none yet is late already;
    one still running is neither), and the median time from the SLA clock's start
    to the first response and to the resolution, on the wall clock. One query on
    PostgreSQL, three elsewhere (see ``_medians``)."""
    with_sla = Ticket.objects.filter(_created_in(month), sla_started_at__isnull=False)

    def met(done: str, due: str) -> Count:
        return Count("pk", filter=Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)}))

    def missed(done: str, due: str) -> Count:
        late = Q(**{f"{done}__isnull": False, f"{done}__gt": F(due)})
        overdue = Q(**{f"{done}__isnull": True, f"{due}__lt": now})
        return Count("pk", filter=late | overdue)

    medians_inline = connection.vendor == "postgresql"
    figures: dict[str, Aggregate] = {
        "tickets": Count("pk"),
        "first_met": met("first_responded_at", "first_response_due"),
        "first_missed": missed("first_responded_at", "first_response_due"),
        "resolution_met": met("resolved_at", "resolution_due"),
        "resolution_missed": missed("resolved_at", "resolution_due"),
    }
    if medians_inline:
        figures["first_median"] = Median(_took("first_responded_at"))
        figures["resolution_median"] = Median(_took("resolved_at"))
    counts = {
        row["priority"]: row for row in with_sla.values("priority").annotate(**figures).order_by()
    }
    if medians_inline:
        first = {p: row["first_median"] for p, row in counts.items()}
        resolution = {p: row["resolution_median"] for p, row in counts.items()}
    else:
        first = _medians(with_sla, "first_responded_at")
        resolution = _medians(with_sla, "resolved_at")
    return tuple(
        PrioritySla(
            priority=p,
            tickets=counts[p]["tickets"],
            first_met=counts[p]["first_met"],
            first_missed=counts[p]["first_missed"],
            resolution_met=counts[p]["resolution_met"],
            resolution_missed=counts[p]["resolution_missed"],
            first_median=first.get(p),
            resolution_median=resolution.get(p),
        )
        for p in terms.PRIORITIES
        if p in counts
    )


def _took(done: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(done) - F("sla_started_at"), output_field=DurationField())


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``: the middle value of a group, or the
    mean of the two middle ones; nulls are left out."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _medians(tickets: QuerySet[Ticket], done: str) -> dict[str, timedelta]:
    """The median of ``done`` − ``sla_started_at`` per priority where there is
    no ``percentile_cont`` (SQLite, the embedded desk and the tests), in one
    query: the rows are numbered per priority in order of the duration, and only
    the middle one or two come back. It gives what ``Median`` gives; PostgreSQL
    uses that, which sorts each group in memory instead of the month on disk."""
    took = _took(done)
    middle = (
        tickets.filter(**{f"{done}__isnull": False})
        .annotate(
            took=took,
            place=Window(RowNumber(), partition_by=F("priority"), order_by=[took.asc(), "pk"]),
            count=Window(Count("pk"), partition_by=F("priority")),
        )
        .filter(place__gte=(F("count") + 1) / 2, place__lte=F("count") / 2 + 1)
        .values_list("priority", "took")
        .order_by()
    )
    found: dict[str, list[timedelta]] = {}
    for priority, took_ in middle:
        found.setdefault(priority, []).append(took_)
    return {p: sum(pair, timedelta()) / len(pair) for p, pair in found.items()}


# --- 6. escalations and ratings -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Satisfaction:
    escalations: int
    escalations_handled: int
    ratings: tuple[int, ...]  # how many gave 1, 2, 3, 4 and 5
    average: Decimal | None

    @property
    def rated(self) -> int:
        return sum(self.ratings)


def satisfaction(month: ReportMonth) -> Satisfaction:
    """Escalations asked for in the month and how many are handled; ratings given
    in the month, per score, and their average. Two queries."""
    escalated = Escalation.objects.filter(_created_in(month)).aggregate(
        n=Count("pk"), handled=Count("pk", filter=Q(handled_at__isnull=False))
    )
    rated = Rating.objects.filter(_created_in(month)).aggregate(
        average=Avg("score"), **{f"s{n}": Count("pk", filter=Q(score=n)) for n in range(1, 6)}
    )
    average = rated["average"]
    return Satisfaction(
        escalations=escalated["n"],
        escalations_handled=escalated["handled"],
        ratings=tuple(rated[f"s{n}"] for n in range(1, 6)),
        average=None if average is None else Decimal(str(average)).quantize(Decimal("0.01")),
    )


# --- the whole month ------------------------------------------------------------


@contextmanager
def report_queries() -> Iterator[None]:
    """Where the report's queries run. PostgreSQL compiles a query to machine
    code (JIT) once its estimated cost is high, as the month's sums with a
    correlated subquery per offer are; compiling takes longer (over 100 ms) than
    these aggregates run, so it is off for the report's transaction. SQLite needs
    nothing, and a transaction there would take the write lock (IMMEDIATE)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


@dataclass(frozen=True, slots=True)
class MonthReport:
    month: ReportMonth
    verdicts: VerdictMix
    offers: OfferSummary
    free_work: FreeWork
    allowance: AllowanceUse
    sla: tuple[PrioritySla, ...]
    satisfaction: Satisfaction


def month_report(*, first_day: date, now: datetime, language: str = "en") -> MonthReport:
    """Every section of the month's report: a fixed number of queries."""
    month = report_month(first_day)
    with report_queries():
        offers = offer_groups(month)
        return MonthReport(
            month=month,
            verdicts=verdict_mix_by_week(month),
            offers=offer_summary(month, language=language, groups=offers),
            free_work=free_work_avoided(month, groups=offers),
            allowance=allowance_use(month),
            sla=sla_by_priority(month, now=now),
            satisfaction=satisfaction(month),
        )
