"""A month's availability and credit (contracts/engine/uptime.py), checked
against months worked out by hand for the example contracts, and by properties
that hold for any outages."""

from __future__ import annotations

import dataclasses
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.engine.uptime import (
    CreditBand,
    Outage,
    UptimeTerms,
    month_bounds,
    uptime_month,
)
from tests.conftest import example

LATER = datetime(2100, 1, 1, tzinfo=UTC)  # "now", well after every month below


def terms_of(file: str) -> tuple[UptimeTerms, str]:
    """The uptime terms of an example file's first contract, and its time zone."""
    data = yaml.safe_load(example(file))
    contract = data["contracts"][0]
    uptime = contract.get("uptime") or {}
    target = uptime.get("target")
    notice = uptime.get("maintenance_notice", "2d")
    return (
        UptimeTerms(
            target=None if target is None else Decimal(str(target)),
            bands=tuple(
                CreditBand(Decimal(str(b["below"])), Decimal(str(b["credit_percent"])))
                for b in uptime.get("credits", [])
            ),
            monthly_fee=Decimal(str(contract["monthly_fee"])),
            currency=contract["currency"],
            maintenance_excluded=uptime.get("maintenance_excluded", True),
            maintenance_notice=timedelta(days=int(notice.rstrip("d")))
            if notice.endswith("d")
            else timedelta(hours=int(notice.rstrip("h"))),
        ),
        data["customer"]["timezone"],
    )


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=zoneinfo.ZoneInfo(tz))  # type: ignore[misc]


def down(tz: str, start: tuple[int, ...], end: tuple[int, ...] | None, **kw) -> Outage:
    return Outage(local(tz, *start), None if end is None else local(tz, *end), **kw)


HEL, MSK, RIX = "Europe/Helsinki", "Europe/Moscow", "Europe/Riga"

# Worked by hand. Northwind: 99.9 % target, bands 10 % below 99.9, 25 % below 99,
# 50 % below 95, fee 400 EUR. Volga: 99.5 %, 10 % below 99.5, 30 % below 98,
# fee 3500 RUB, Moscow (no daylight saving). Daugava: no uptime promise.
CASES = [
    # April: 30 × 1440 = 43,200 minutes. 10:00–10:40 and 10:30–11:15 overlap:
    # 75 minutes once. (43,200 − 75) / 43,200 = 99.8263… → 99.826 < 99.9 → 10 %.
    pytest.param(
        "contract-northwind.yaml",
        date(2026, 4, 1),
        [
            down(HEL, (2026, 4, 7, 10, 0), (2026, 4, 7, 10, 40)),
            down(HEL, (2026, 4, 7, 10, 30), (2026, 4, 7, 11, 15)),
        ],
        (43200, 75, "99.826", "10", "40.00", "EUR"),
        id="northwind-two-overlapping-incidents",
    ),
    # 23:30 on 31 May to 00:45 on 1 June (Helsinki): May gets 30 minutes,
    # 44,610 / 44,640 = 99.9327… → 99.932, target met; June gets 45:
    # 43,155 / 43,200 = 99.8958… → 99.895 → 10 %.
    pytest.param(
        "contract-northwind.yaml",
        date(2026, 5, 1),
        [down(HEL, (2026, 5, 31, 23, 30), (2026, 6, 1, 0, 45))],
        (44640, 30, "99.932", "0", "0.00", "EUR"),
        id="northwind-month-end-incident-may-part",
    ),
    pytest.param(
        "contract-northwind.yaml",
        date(2026, 6, 1),
        [down(HEL, (2026, 5, 31, 23, 30), (2026, 6, 1, 0, 45))],
        (43200, 45, "99.895", "10", "40.00", "EUR"),
        id="northwind-month-end-incident-june-part",
    ),
    # October 2026 in Helsinki has 745 hours (clocks go back on the 25th):
    # 44,700 minutes. 10 hours down: 44,100 / 44,700 = 98.6577… → 98.657 → 25 %
    # (with 744 hours it would be 98.655).
    pytest.param(
        "contract-northwind.yaml",
        date(2026, 10, 1),
        [down(HEL, (2026, 10, 25, 1, 0), (2026, 10, 25, 10, 0))],
        (44700, 600, "98.657", "25", "100.00", "EUR"),
        id="northwind-dst-october-745-hours",
    ),
    # March 2026 in Helsinki has 743 hours: 44,580 minutes; a whole-day outage
    # on the 29th (the short day, 23 hours): 1,380 minutes.
    # 43,200 / 44,580 = 96.9044… → 96.904 < 99 → 25 %.
    pytest.param(
        "contract-northwind.yaml",
        date(2026, 3, 1),
        [down(HEL, (2026, 3, 29, 0, 0), (2026, 3, 30, 0, 0))],
        (44580, 1380, "96.904", "25", "100.00", "EUR"),
        id="northwind-dst-march-743-hours",
    ),
    # 61 seconds are 2 minutes (rounded up); 43,198 / 43,200 = 99.9953… → met.
    pytest.param(
        "contract-northwind.yaml",
        date(2026, 4, 1),
        [down(HEL, (2026, 4, 7, 10, 0, 0), (2026, 4, 7, 10, 1, 1))],
        (43200, 2, "99.995", "0", "0.00", "EUR"),
        id="northwind-seconds-round-up",
    ),
    # A whole month down: 0 %, the deepest band.
    pytest.param(
        "contract-northwind.yaml",
        date(2026, 4, 1),
        [down(HEL, (2026, 3, 20, 0, 0), (2026, 5, 2, 0, 0))],
        (43200, 43200, "0.000", "50", "200.00", "EUR"),
        id="northwind-whole-month",
    ),
    # Volga, March 2026 (31 days, 44,640 minutes). 5 hours:
    # 44,340 / 44,640 = 99.3279… → 99.327 < 99.5 → 10 % of 3500 = 350.00 RUB.
    pytest.param(
        "contract-volga.yaml",
        date(2026, 3, 1),
        [down(MSK, (2026, 3, 10, 2, 0), (2026, 3, 10, 7, 0))],
        (44640, 300, "99.327", "10", "350.00", "RUB"),
        id="volga-five-hours",
    ),
    # 1,000 minutes: 43,640 / 44,640 = 97.7598… → 97.759 < 98 → 30 % = 1050.00.
    pytest.param(
        "contract-volga.yaml",
        date(2026, 3, 1),
        [down(MSK, (2026, 3, 10, 0, 0), (2026, 3, 10, 16, 40))],
        (44640, 1000, "97.759", "30", "1050.00", "RUB"),
        id="volga-deeper-band",
    ),
    # Maintenance announced three days ahead is no downtime...
    pytest.param(
        "contract-volga.yaml",
        date(2026, 3, 1),
        [
            down(
                MSK,
                (2026, 3, 14, 1, 0),
                (2026, 3, 14, 5, 0),
                maintenance=True,
                announced_at=local(MSK, 2026, 3, 11, 1, 0),
            )
        ],
        (44640, 0, "100.000", "0", "0.00", "RUB"),
        id="volga-announced-maintenance",
    ),
    # ...announced the day before, it counts: 240 minutes,
    # 44,400 / 44,640 = 99.4623… → 99.462 → 10 %.
    pytest.param(
        "contract-volga.yaml",
        date(2026, 3, 1),
        [
            down(
                MSK,
                (2026, 3, 14, 1, 0),
                (2026, 3, 14, 5, 0),
                maintenance=True,
                announced_at=local(MSK, 2026, 3, 13, 1, 0),
            )
        ],
        (44640, 240, "99.462", "10", "350.00", "RUB"),
        id="volga-maintenance-announced-late",
    ),
    # Daugava's contract promises no uptime: downtime is measured, no credit.
    # March 2025 in Riga has 743 hours; 44,080 / 44,580 = 98.8784… → 98.878.
    pytest.param(
        "contract-daugava.yaml",
        date(2025, 3, 1),
        [down(RIX, (2025, 3, 3, 9, 0), (2025, 3, 3, 17, 20))],
        (44580, 500, "98.878", "0", "0.00", "EUR"),
        id="daugava-no-promise",
    ),
]


@pytest.mark.parametrize(("file", "month", "outages", "expected"), CASES)
def test_it_computes_the_month_worked_by_hand(file, month, outages, expected):
    terms, tz = terms_of(file)
    result = uptime_month(terms, outages, month=month, tz=tz, now=LATER)
    minutes, downtime, availability, percent, credit, currency = expected
    assert result.month == month
    assert result.minutes_in_month == minutes
    assert result.downtime_minutes == downtime
    assert result.availability == Decimal(availability)
    assert result.credit_percent == Decimal(percent)
    assert result.credit == Decimal(credit)
    assert result.currency == currency
    assert result.met == (result.target is None or Decimal(percent) == 0)


def test_it_reads_maintenance_terms_from_the_northwind_example():
    terms, _tz = terms_of("contract-northwind.yaml")
    assert terms.maintenance_excluded is True
    assert terms.maintenance_notice == timedelta(days=2)


def test_an_outage_still_going_on_counts_until_now():
    terms, tz = terms_of("contract-northwind.yaml")
    outage = down(HEL, (2026, 4, 7, 10, 0), None)
    now = local(HEL, 2026, 4, 7, 12, 30)
    assert (
        uptime_month(terms, [outage], month=date(2026, 4, 1), tz=tz, now=now).downtime_minutes
        == 150
    )


def test_nothing_after_now_counts():
    terms, tz = terms_of("contract-northwind.yaml")
    outage = down(HEL, (2026, 4, 7, 10, 0), (2026, 4, 7, 14, 0))
    now = local(HEL, 2026, 4, 7, 11, 0)
    assert (
        uptime_month(terms, [outage], month=date(2026, 4, 1), tz=tz, now=now).downtime_minutes == 60
    )


def test_maintenance_counts_when_the_contract_does_not_exclude_it():
    terms, tz = terms_of("contract-volga.yaml")
    terms = dataclasses.replace(terms, maintenance_excluded=False)
    outage = down(
        MSK,
        (2026, 3, 14, 1, 0),
        (2026, 3, 14, 5, 0),
        maintenance=True,
        announced_at=local(MSK, 2026, 2, 1, 0, 0),
    )
    result = uptime_month(terms, [outage], month=date(2026, 3, 1), tz=tz, now=LATER)
    assert result.downtime_minutes == 240


def test_maintenance_announced_exactly_the_notice_before_is_excluded():
    terms, tz = terms_of("contract-volga.yaml")
    start = local(MSK, 2026, 3, 14, 1, 0)
    on_time = Outage(start, start + timedelta(hours=1), True, start - timedelta(days=2))
    late = Outage(
        start, start + timedelta(hours=1), True, start - timedelta(days=2) + timedelta(seconds=1)
    )
    never = Outage(start, start + timedelta(hours=1), True, None)
    month = date(2026, 3, 1)
    assert uptime_month(terms, [on_time], month=month, tz=tz, now=LATER).downtime_minutes == 0
    assert uptime_month(terms, [late], month=month, tz=tz, now=LATER).downtime_minutes == 60
    assert uptime_month(terms, [never], month=month, tz=tz, now=LATER).downtime_minutes == 60


def test_the_band_edge_is_strictly_under():
    # 99.9 exactly is no breach of "below 99.9": 10,000 minutes' month with 10 down.
    terms = UptimeTerms(
        Decimal("99.9"), (CreditBand(Decimal("99.9"), Decimal("10")),), Decimal("400"), "EUR"
    )
    # 43,200-minute April: 43.2 minutes down is 99.9 % exactly; 43 is above, 44 under.
    tz = "UTC"
    start = datetime(2026, 4, 1, tzinfo=UTC)
    met = uptime_month(
        terms,
        [Outage(start, start + timedelta(minutes=43))],
        month=date(2026, 4, 1),
        tz=tz,
        now=LATER,
    )
    missed = uptime_month(
        terms,
        [Outage(start, start + timedelta(minutes=44))],
        month=date(2026, 4, 1),
        tz=tz,
        now=LATER,
    )
    assert (met.availability, met.credit, met.met) == (Decimal("99.900"), Decimal("0.00"), True)
    assert (missed.availability, missed.credit, missed.met) == (
        Decimal("99.898"),
        Decimal("40.00"),
        False,
    )


def test_the_credit_rounds_half_up_to_the_cent():
    terms = UptimeTerms(
        Decimal("99"), (CreditBand(Decimal("99"), Decimal("12.5")),), Decimal("0.20"), "EUR"
    )
    start = datetime(2026, 4, 1, tzinfo=UTC)
    result = uptime_month(
        terms,
        [Outage(start, start + timedelta(days=1))],
        month=date(2026, 4, 1),
        tz="UTC",
        now=LATER,
    )
    assert result.credit == Decimal("0.03")  # 0.025 → 0.03


def test_a_naive_moment_is_refused():
    terms, tz = terms_of("contract-volga.yaml")
    with pytest.raises(ValueError, match="no time zone"):
        uptime_month(
            terms,
            [Outage(datetime(2026, 3, 1, 10), None)],
            month=date(2026, 3, 1),
            tz=tz,
            now=LATER,
        )


# --- properties ----------------------------------------------------------------

ZONES = st.sampled_from(
    ["UTC", HEL, MSK, RIX, "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]
)
MONTHS = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 1)).map(
    lambda d: d.replace(day=1)
)
BANDS = (
    CreditBand(Decimal("99.9"), Decimal("10")),
    CreditBand(Decimal("99"), Decimal("25")),
    CreditBand(Decimal("95"), Decimal("50")),
)
TERMS = UptimeTerms(Decimal("99.9"), BANDS, Decimal("400.00"), "EUR")


@st.composite
def outages_in(draw, month: date, tz: str, n: int = 4) -> list[Outage]:
    """Outages in and around the month, to the second; some still going on."""
    start, end = month_bounds(month, tz)
    span = int((end - start).total_seconds())
    found = []
    for _ in range(draw(st.integers(0, n))):
        a = draw(st.integers(-3 * 86400, span + 3 * 86400))
        length = draw(st.integers(0, span // 2))
        ongoing = draw(st.booleans()) and draw(st.booleans())
        found.append(
            Outage(
                start + timedelta(seconds=a),
                None if ongoing else start + timedelta(seconds=a + length),
            )
        )
    return found


@st.composite
def month_and_outages(draw):
    month, tz = draw(MONTHS), draw(ZONES)
    start, end = month_bounds(month, tz)
    now = start + timedelta(
        seconds=draw(st.integers(0, int((end - start).total_seconds()) + 86400))
    )
    return month, tz, now, draw(outages_in(month, tz))


@settings(max_examples=200, deadline=None)
@given(month_and_outages())
def test_availability_stays_between_0_and_100(case):
    month, tz, now, outages = case
    result = uptime_month(TERMS, outages, month=month, tz=tz, now=now)
    assert Decimal(0) <= result.availability <= Decimal(100)
    assert 0 <= result.downtime_minutes <= result.minutes_in_month
    assert result.credit >= 0


@settings(max_examples=200, deadline=None)
@given(month_and_outages(), st.data())
def test_more_downtime_never_lowers_the_credit(case, data):
    month, tz, now, outages = case
    more = outages + data.draw(outages_in(month, tz, n=2))
    before = uptime_month(TERMS, outages, month=month, tz=tz, now=now)
    after = uptime_month(TERMS, more, month=month, tz=tz, now=now)
    assert after.downtime_minutes >= before.downtime_minutes
    assert after.availability <= before.availability
    assert after.credit_percent >= before.credit_percent
    assert after.credit >= before.credit


@settings(max_examples=200, deadline=None)
@given(month_and_outages(), st.data())
def test_splitting_an_outage_changes_nothing(case, data):
    month, tz, now, outages = case
    start, end = month_bounds(month, tz)
    a = data.draw(st.integers(-86400, int((end - start).total_seconds())))
    b = data.draw(st.integers(a, a + 5 * 86400))
    cut = data.draw(st.integers(a, b))
    whole = Outage(start + timedelta(seconds=a), start + timedelta(seconds=b))
    pieces = [
        Outage(start + timedelta(seconds=a), start + timedelta(seconds=cut)),
        Outage(start + timedelta(seconds=cut), start + timedelta(seconds=b)),
    ]
    assert uptime_month(TERMS, [*outages, whole], month=month, tz=tz, now=now) == uptime_month(
        TERMS, [*outages, *pieces], month=month, tz=tz, now=now
    )


@settings(max_examples=200, deadline=None)
@given(MONTHS, ZONES, st.integers(1, 40 * 86400), st.integers(-86400, 86400))
def test_an_outage_across_a_month_boundary_is_shared_between_the_months(month, tz, length, offset):
    start, end = month_bounds(month, tz)
    following = end.astimezone(zoneinfo.ZoneInfo(tz)).date()
    assert following.day == 1
    assert month_bounds(following, tz)[0] == end  # months meet, no gap or overlap
    begin = end + timedelta(seconds=offset) - timedelta(seconds=length // 2)
    outage = Outage(begin, begin + timedelta(seconds=length))
    first = uptime_month(TERMS, [outage], month=month, tz=tz, now=LATER)
    second = uptime_month(TERMS, [outage], month=following, tz=tz, now=LATER)
    # Each month rounds its own share up: together at most a minute over the whole.
    inside = min(outage.end, month_bounds(following, tz)[1]) - max(outage.start, start)
    whole = -(-inside // timedelta(minutes=1))
    assert whole <= first.downtime_minutes + second.downtime_minutes <= whole + 1


@settings(max_examples=100, deadline=None)
@given(MONTHS, ZONES)
def test_a_month_is_between_28_days_less_an_hour_and_31_days_and_an_hour(month, tz):
    start, end = month_bounds(month, tz)
    assert 28 * 1440 - 60 <= (end - start) / timedelta(minutes=1) <= 31 * 1440 + 60
    assert start.astimezone(zoneinfo.ZoneInfo(tz)).date() == month
