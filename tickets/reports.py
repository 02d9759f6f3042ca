"""The leads' monthly reports: what the contracts decided, what was offered and
earned, the free work the limits avoided against the goodwill given, allowance
use, the SLA, escalations and ratings.

Every section is a few aggregate queries whatever the month holds: the database
counts and sums, Python only shapes the handful of rows that come back (one per
week and verdict, currency, service, technician, customer or priority).

The month is the calendar month in the desk's time zone (``settings.TIME_ZONE``),
for every section but the allowance, which is counted in each customer's own
month as their meter and statement count it (``customers_with_allowance``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
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
from contracts.models import Service
from tickets.models import Escalation, Offer, Rating, ScopeDecision, Ticket, TimeEntry
from tickets.selectors import customers_with_allowance

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
    """Offers of paid work made in the month (renewals of ended contracts are
    another kind of sale and left out)."""
    return Offer.objects.filter(_created_in(month), kind=Offer.Kind.WORK)


def _status_counts() -> dict:
    made = {"made": Count("pk")}
    return made | {
        status: Count("pk", filter=Q(status=status))
        for status in ("pending", "accepted", "declined", "expired", "withdrawn")
    }


def _billable_minutes() -> Case:
    """The billable minutes logged for an offer's request: on its part of a mixed
    ticket, else on its ticket."""
    logged = TimeEntry.objects.filter(kind=TimeEntry.Kind.BILLABLE).order_by()
    on_ticket = logged.filter(ticket=OuterRef("ticket")).values("ticket")
    on_part = logged.filter(part=OuterRef("part")).values("part")
    total = Sum("counted_minutes")
    return Case(
        When(part__isnull=True, then=Subquery(on_ticket.annotate(n=total).values("n"))),
        default=Subquery(on_part.annotate(n=total).values("n")),
        output_field=IntegerField(),
    )


def offer_summary(month: ReportMonth, *, language: str = "en") -> OfferSummary:
    """Offers made in the month and what became of them, per currency and per
    service (named in ``language``). Revenue is what the accepted ones earn: a
    fixed price as it stands; an hourly price × the billable time logged for it,
    or × its estimate (else an hour) while no time is logged yet. Two queries and
    one for the service names."""
    accepted = Q(status=Offer.Status.ACCEPTED)
    hourly_accepted = accepted & Q(pricing=terms.Pricing.HOURLY)
    rows = (
        _offers_made(month)
        .annotate(billable=_billable_minutes())
        .values("currency")
        .annotate(
            **_status_counts(),
            fixed=Sum("amount", filter=accepted & Q(pricing=terms.Pricing.FIXED)),
            hourly_amount_minutes=Sum(
                F("amount")
                * Coalesce("billable", "estimate_minutes", Value(DEFAULT_ESTIMATE_MINUTES)),
                filter=hourly_accepted,
                output_field=DecimalField(),
            ),
            by_time=Count("pk", filter=hourly_accepted & Q(billable__gt=0)),
            hourly=Count("pk", filter=hourly_accepted),
        )
        .order_by("currency")
    )
    by_currency = tuple(
        CurrencyOffers(
            currency=row["currency"],
            counts=_counts(row),
            revenue=_money(row["fixed"]) + _per_hour(row["hourly_amount_minutes"]),
            hourly_by_time=row["by_time"],
            hourly_by_estimate=row["hourly"] - row["by_time"],
        )
        for row in rows
    )
    services = (
        _offers_made(month)
        .values(service=Coalesce("part__service", "decision__service"))
        .annotate(**_status_counts())
        .order_by()
    )
    service_rows = list(services)
    names = Service.objects.in_bulk([r["service"] for r in service_rows if r["service"]])
    by_service = sorted(
        (
            ServiceAcceptance(
                service=names[r["service"]].name(language) if r["service"] in names else "—",
                counts=_counts(r),
            )
            for r in service_rows
        ),
        key=lambda s: (-s.counts.made, s.service),
    )
    return OfferSummary(
        counts=_sum_counts(c.counts for c in by_currency),
        by_currency=by_currency,
        by_service=tuple(by_service),
    )


def _counts(row: dict) -> OfferCounts:
    return OfferCounts(**{name: row[name] for name in OfferCounts.__dataclass_fields__})


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


def free_work_avoided(month: ReportMonth) -> FreeWork:
    """What keeping to the contracts was worth in the month, beside what was given.

    Avoided: every paid offer made (a fixed price, or the hourly price × its
    estimate, else one hour), and every ticket of the month whose current verdict
    is out of scope (answered with advice, not done): the contract's hourly rate ×
    the clause's estimate, else one hour. Given: goodwill minutes worked in the
    month, at the hourly rate of the ticket's contract. Per technician: offers made
    on the tickets they are the assignee of, beside their goodwill minutes. Four
    queries."""
    offered = {
        row["currency"]: _money(row["fixed"]) + _per_hour(row["hourly"])
        for row in _offers_made(month)
        .values("currency")
        .annotate(
            fixed=Sum("amount", filter=Q(pricing=terms.Pricing.FIXED)),
            hourly=Sum(
                F("amount") * Coalesce("estimate_minutes", Value(DEFAULT_ESTIMATE_MINUTES)),
                filter=Q(pricing=terms.Pricing.HOURLY),
                output_field=DecimalField(),
            ),
        )
        .order_by()
    }
    # One row per contract currency, rate and clause estimate (a handful), valued here:
    # an estimate is a duration ("2h") that only the engine's parser reads.
    advice: dict[str, Decimal] = {}
    out_of_scope = 0
    for currency, rate, estimate, n in (
        ScopeDecision.objects.filter(
            _created_in(month, "ticket__"),
            is_current=True,
            verdict=terms.Verdict.OUT_OF_SCOPE,
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
    for tech, first, last, username, n in (
        _offers_made(month)
        .values_list(
            "ticket__assignee_id",
            "ticket__assignee__first_name",
            "ticket__assignee__last_name",
            "ticket__assignee__username",
        )
        .annotate(n=Count("pk"))
        .order_by()
    ):
        name = _name(first or "", last or "", username or "")
        person = people.setdefault(tech, {"name": name, "offers": 0, "minutes": 0, "value": {}})
        person["offers"] += n
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
        return tuple(c for c in self.customers if c.ran_out)

    @property
    def used_little(self) -> tuple[CustomerAllowanceUse, ...]:
        return tuple(c for c in self.customers if c.used_little)

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
    """Each customer's allowance in the month: tickets and minutes used against
    those included, counted in the customer's own month (the middle of the month
    falls in it everywhere). One query (``customers_with_allowance``)."""
    middle = datetime.combine(month.first_day.replace(day=15), time(12), tzinfo=month.start.tzinfo)
    rows = (
        customers_with_allowance(at=middle)
        .filter(contract_ref__isnull=False)  # type: ignore[misc]  # an annotation
        .filter(Q(tickets_included__isnull=False) | Q(minutes_included__isnull=False))
        .values_list(
            "name",
            "slug",
            "contract_ref",
            "tickets_used",
            "tickets_included",
            "minutes_used",
            "minutes_included",
        )
        .order_by("name")
    )
    return AllowanceUse(customers=tuple(CustomerAllowanceUse(*row) for row in rows))


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
    to the first response and to the resolution, on the wall clock. Three queries."""
    with_sla = Ticket.objects.filter(_created_in(month), sla_started_at__isnull=False)

    def met(done: str, due: str) -> Count:
        return Count("pk", filter=Q(**{f"{done}__isnull": False, f"{done}__lte": F(due)}))

    def missed(done: str, due: str) -> Count:
        late = Q(**{f"{done}__isnull": False, f"{done}__gt": F(due)})
        overdue = Q(**{f"{done}__isnull": True, f"{due}__lt": now})
        return Count("pk", filter=late | overdue)

    counts = {
        row["priority"]: row
        for row in with_sla.values("priority")
        .annotate(
            tickets=Count("pk"),
            first_met=met("first_responded_at", "first_response_due"),
            first_missed=missed("first_responded_at", "first_response_due"),
            resolution_met=met("resolved_at", "resolution_due"),
            resolution_missed=missed("resolved_at", "resolution_due"),
        )
        .order_by()
    }
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


def _medians(tickets: QuerySet[Ticket], done: str) -> dict[str, timedelta]:
    """The median of ``done`` − ``sla_started_at`` per priority, in one query on
    any database: the rows are numbered per priority in order of the duration,
    and only the middle one or two come back (SQLite has no ``percentile_cont``)."""
    took = ExpressionWrapper(F(done) - F("sla_started_at"), output_field=DurationField())
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
    return MonthReport(
        month=month,
        verdicts=verdict_mix_by_week(month),
        offers=offer_summary(month, language=language),
        free_work=free_work_avoided(month),
        allowance=allowance_use(month),
        sla=sla_by_priority(month, now=now),
        satisfaction=satisfaction(month),
    )
