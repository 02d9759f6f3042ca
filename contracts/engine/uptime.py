"""A month's availability and the uptime credit a contract owes for it.

Plain values in, plain values out: the outages (from incidents), the contract's
uptime terms, the month and the moment of asking. The rounding, all in the
customer's favour:

- The month is the calendar month in the customer's time zone, so a month with
  a daylight-saving change has an hour more or less (October in Helsinki has
  745 hours, March 743).
- Outages are clipped to the month and to ``now`` (one still going on counts
  until ``now``); overlapping outages count once (the union of their times).
- The union is summed exactly (to the microsecond), then rounded **up** to a
  whole minute: 61 seconds of downtime are 2 minutes. Rounding comes last, so
  splitting an outage in two never changes a month's total.
- Availability is ``(minutes − downtime) / minutes × 100``, cut (not rounded)
  to three decimals: 99.8999… is 99.899, never 99.900.
- The credit band is the one with the lowest ``below`` that the availability is
  strictly under; the credit is that share of the monthly fee, rounded half up
  to the cent. No target, no credit.
- Announced maintenance is no downtime when the contract excludes it and it was
  announced at least ``maintenance_notice`` before it began; otherwise it counts.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from contracts.engine import terms
from contracts.engine.terms import CENT

ONE_MINUTE = timedelta(minutes=1)
# As the contract file writes it. A notice is clock time: a day is 24 hours, not a
# support day as in the SLA targets.
MAINTENANCE_NOTICE = "2d"


def parse_notice(text: str) -> timedelta:
    """A maintenance notice (``2d``, ``48h``, ``90m``, ``1w``) as clock time."""
    return timedelta(minutes=terms.parse_duration(text).minutes)


@dataclass(frozen=True, slots=True)
class Outage:
    """A span when a service was down. ``end`` None: still going on."""

    start: datetime
    end: datetime | None
    maintenance: bool = False
    # When the maintenance was announced to the customer (None: never).
    announced_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CreditBand:
    """Availability under ``below`` earns ``credit_percent`` of the monthly fee."""

    below: Decimal
    credit_percent: Decimal


@dataclass(frozen=True, slots=True)
class UptimeTerms:
    target: Decimal | None
    bands: tuple[CreditBand, ...]
    monthly_fee: Decimal
    currency: str
    maintenance_excluded: bool = True
    maintenance_notice: timedelta = timedelta(days=2)  # parse_notice(MAINTENANCE_NOTICE)


@dataclass(frozen=True, slots=True)
class UptimeMonth:
    month: date  # its first day
    minutes_in_month: int
    downtime_minutes: int
    availability: Decimal  # percent, three decimals, cut
    target: Decimal | None
    credit_percent: Decimal
    credit: Decimal  # in currency, two decimals
    currency: str

    @property
    def met(self) -> bool:
        """The promise was kept (or there was none)."""
        return self.target is None or self.availability >= self.target


def month_bounds(month: date, tz: str) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's first, in UTC."""
    zone = zoneinfo.ZoneInfo(tz)
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    # Midnight exists on every day in every zone we serve; where a zone skips
    # midnight itself, fold=0 gives the moment just after the gap.
    start = datetime.combine(first, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(following, time(), tzinfo=zone).astimezone(UTC)
    return start, end


def is_downtime(terms: UptimeTerms, outage: Outage) -> bool:
    """Maintenance counts unless the contract excludes it and it was announced in
    time; every other outage counts."""
    if not outage.maintenance or not terms.maintenance_excluded:
        return True
    if outage.announced_at is None:
        return True
    return _aware(outage.announced_at) > _aware(outage.start) - terms.maintenance_notice


def downtime(
    outages: Iterable[Outage], *, start: datetime, end: datetime, now: datetime
) -> timedelta:
    """The union of the outages' times within [start, min(end, now)), exactly."""
    stop = min(_aware(end), _aware(now))
    begin = _aware(start)
    spans = sorted(
        (max(_aware(o.start), begin), min(_aware(o.end) if o.end else stop, stop)) for o in outages
    )
    total = timedelta()
    current_start: datetime | None = None
    current_end = begin
    for span_start, span_end in spans:
        if span_end <= span_start:
            continue
        if current_start is None or span_start > current_end:
            if current_start is not None:
                total += current_end - current_start
            current_start, current_end = span_start, span_end
        else:
            current_end = max(current_end, span_end)
    if current_start is not None:
        total += current_end - current_start
    return total


def credit_percent_for(bands: Iterable[CreditBand], availability: Decimal) -> Decimal:
    """The band with the lowest ``below`` that the availability is strictly under."""
    under = [band for band in bands if availability < band.below]
    if not under:
        return Decimal(0)
    return min(under, key=lambda band: band.below).credit_percent


def uptime_month(
    terms: UptimeTerms, outages: Iterable[Outage], *, month: date, tz: str, now: datetime
) -> UptimeMonth:
    start, end = month_bounds(month, tz)
    # Whole minutes: every zone's offset today is whole minutes; a historical
    # one with seconds loses them here, and downtime is capped to match.
    minutes = int((end - start) // ONE_MINUTE)
    down = downtime([o for o in outages if is_downtime(terms, o)], start=start, end=end, now=now)
    down_minutes = min(minutes, -(-down // ONE_MINUTE))  # rounded up
    # Integer arithmetic, floor: exact, so availability is never rounded up.
    thousandths = (minutes - down_minutes) * 100_000 // minutes
    availability = Decimal(thousandths).scaleb(-3)
    # No promise, no credit, whatever bands are left over.
    no_promise = terms.target is None
    percent = Decimal(0) if no_promise else credit_percent_for(terms.bands, availability)
    credit = (terms.monthly_fee * percent).scaleb(-2).quantize(CENT, rounding=ROUND_HALF_UP)
    return UptimeMonth(
        month=month.replace(day=1),
        minutes_in_month=minutes,
        downtime_minutes=down_minutes,
        availability=availability,
        target=terms.target,
        credit_percent=percent,
        credit=credit,
        currency=terms.currency,
    )


def _aware(moment: datetime) -> datetime:
    """In UTC; a naive moment is a caller's mistake, not something to guess at."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")
    return moment.astimezone(UTC)
