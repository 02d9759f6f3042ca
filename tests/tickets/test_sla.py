"""SLA clocks with a frozen clock: support hours, holidays, daylight saving, pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.engine import hours, terms
from contracts.engine.terms import Duration
from tickets.sla import SlaTerms, due_times, sla_pause, sla_recompute, sla_resume, sla_start

HELSINKI = ZoneInfo("Europe/Helsinki")
OFFICE = terms.SupportHours("Europe/Helsinki", terms.parse_weekly({"mon-fri": "09:00-17:00"}), "FI")
TARGETS = {
    "urgent": terms.SlaTarget(Duration(30, "m"), Duration(4, "h")),
    "normal": terms.SlaTarget(Duration(8, "h"), Duration(3, "d")),
    "low": terms.SlaTarget(Duration(2, "d"), Duration(2, "w")),
}
SLA = SlaTerms(OFFICE, TARGETS)


def hki(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


def add(start: datetime, text: str, support_hours: terms.SupportHours = OFFICE) -> datetime:
    return hours.add_support_time(support_hours, start, terms.parse_duration(text))


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Friday 16:00 plus 8 support hours is Monday 16:00.
        (hki(2026, 11, 27, 16, 0), "8h", hki(2026, 11, 30, 16, 0)),
        (hki(2026, 11, 27, 16, 0), "1h", hki(2026, 11, 27, 17, 0)),
        (hki(2026, 11, 27, 16, 0), "61m", hki(2026, 11, 30, 9, 1)),
        # Arriving at night, the clock starts at the opening.
        (hki(2026, 11, 24, 3, 0), "30m", hki(2026, 11, 24, 9, 30)),
        # Support days: the same point of the working day, skipping the weekend.
        (hki(2026, 11, 27, 16, 0), "1d", hki(2026, 11, 30, 16, 0)),
        (hki(2026, 11, 27, 16, 0), "1w", hki(2026, 12, 4, 16, 0)),
        # Christmas Eve, Christmas Day and the weekend are skipped.
        (hki(2026, 12, 23, 16, 0), "2h", hki(2026, 12, 28, 10, 0)),
        # Finnish Independence Day 2027 is a Monday.
        (hki(2027, 12, 3, 16, 0), "2h", hki(2027, 12, 7, 10, 0)),
    ],
)
def test_due_times_count_only_support_hours(start, duration, due):
    assert add(start, duration) == due


def test_a_window_until_midnight_ends_at_24_00():
    late = terms.SupportHours("Europe/Helsinki", terms.parse_weekly({"mon-sun": "18:00-24:00"}))
    assert add(hki(2026, 11, 23, 23, 59), "1m", late) == hki(2026, 11, 24, 0, 0)
    assert add(hki(2026, 11, 23, 23, 59), "2m", late) == hki(2026, 11, 24, 18, 1)


@pytest.mark.parametrize(
    ("start", "duration", "due_utc"),
    [
        # Round the clock across the spring change (03:00 -> 04:00 on 29 March 2026):
        # four hours of real time, whatever the wall clock shows.
        (hki(2026, 3, 29, 1, 0), "4h", datetime(2026, 3, 29, 3, 0, tzinfo=UTC)),
        # ...and across the autumn change (04:00 -> 03:00 on 25 October 2026).
        (hki(2026, 10, 25, 1, 0), "4h", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
    ],
)
def test_round_the_clock_due_times_are_exact_across_daylight_saving(start, duration, due_utc):
    always = terms.SupportHours("Europe/Helsinki", terms.parse_weekly("24/7"))
    assert add(start, duration, always).astimezone(UTC) == due_utc


def test_office_hours_after_a_daylight_saving_change_keep_the_wall_clock():
    # Friday 16:00 EET (+2) plus 8 support hours is Monday 16:00 EEST (+3): 13:00 UTC.
    assert add(hki(2026, 3, 27, 16, 0), "8h").astimezone(UTC) == datetime(
        2026, 3, 30, 13, 0, tzinfo=UTC
    )
    # And in autumn, Monday 16:00 EET is 14:00 UTC.
    assert add(hki(2026, 10, 23, 16, 0), "8h").astimezone(UTC) == datetime(
        2026, 10, 26, 14, 0, tzinfo=UTC
    )


def ticket(priority: str = "normal") -> SimpleNamespace:
    return SimpleNamespace(
        priority=priority,
        sla_started_at=None,
        sla_paused_at=None,
        sla_paused_minutes=0,
        first_response_due=None,
        resolution_due=None,
    )


def test_a_pause_across_a_weekend_pushes_the_due_time_by_the_support_time_paused():
    t = ticket()
    sla_start(t, SLA, at=hki(2026, 11, 27, 9, 0))  # Friday 09:00
    assert t.first_response_due == hki(2026, 11, 27, 17, 0)
    sla_pause(t, at=hki(2026, 11, 27, 15, 0))  # two support hours before the due time
    sla_resume(t, SLA, at=hki(2026, 11, 30, 10, 0))  # Monday 10:00: 3 support hours paused
    assert t.sla_paused_minutes == 180
    assert t.first_response_due == hki(2026, 11, 30, 12, 0)


def test_a_priority_change_while_paused_keeps_the_paused_time():
    t = ticket()
    sla_start(t, SLA, at=hki(2026, 11, 23, 9, 0))
    sla_pause(t, at=hki(2026, 11, 23, 10, 0))
    sla_resume(t, SLA, at=hki(2026, 11, 23, 11, 0))  # one hour paused
    sla_pause(t, at=hki(2026, 11, 23, 12, 0))
    t.priority = "urgent"
    sla_recompute(t, SLA)
    # 09:00 + 30 minutes + the hour already paused; the pause still running counts on resume.
    assert t.first_response_due == hki(2026, 11, 23, 10, 30)
    assert t.sla_paused_at == hki(2026, 11, 23, 12, 0)
    sla_resume(t, SLA, at=hki(2026, 11, 23, 14, 0))
    assert t.first_response_due == hki(2026, 11, 23, 12, 30)


def test_a_missing_priority_target_falls_back_to_normal():
    first, _ = due_times(
        SlaTerms(OFFICE, {"normal": TARGETS["normal"]}), "high", hki(2026, 11, 23, 9, 0)
    )
    assert first == hki(2026, 11, 23, 17, 0)


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(
    start=moments,
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    duration=st.sampled_from(["1m", "30m", "2h", "8h", "1d", "3d", "1w"]),
)
def test_due_times_never_move_backwards_as_time_passes(start, later, duration):
    assert add(start + later, duration) >= add(start, duration)


@settings(max_examples=100, deadline=None)
@given(
    start=moments,
    pause=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)),
    length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=5)),
)
def test_a_pause_never_brings_a_due_time_forward(start, pause, length):
    t = ticket()
    sla_start(t, SLA, at=start)
    before = (t.first_response_due, t.resolution_due)
    sla_pause(t, at=start + pause)
    sla_resume(t, SLA, at=start + pause + length)
    assert t.first_response_due >= before[0]
    assert t.resolution_due >= before[1]
