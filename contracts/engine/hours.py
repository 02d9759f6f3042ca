"""Support hours: is the desk open at a moment, and when does it open next.

Pure functions over ``terms.SupportHours``. Windows are wall-clock times in the
contract's time zone, so they stay put across daylight-saving changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from contracts.engine.terms import Duration, SupportHours, Window

# How far ahead to look for an opening; beyond a year the hours are empty.
_SEARCH_DAYS = 400


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@lru_cache(maxsize=1)
def holiday_calendars() -> frozenset[str]:
    """The country codes whose public holidays we know."""
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=512)
def public_holidays(calendar: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(calendar, years=year).keys())


def is_holiday(hours: SupportHours, day: date) -> bool:
    return bool(hours.holiday_calendar) and day in public_holidays(hours.holiday_calendar, day.year)


def windows_on(hours: SupportHours, day: date) -> tuple[Window, ...]:
    """The support windows of a local calendar day (none on a public holiday)."""
    if is_holiday(hours, day):
        return ()
    return hours.weekly[day.weekday()]


def local_moment(hours: SupportHours, day: date, minute: int) -> datetime:
    """The aware moment of a wall-clock minute on a local day; 1440 is the next midnight."""
    if minute >= 24 * 60:
        day, minute = day + timedelta(days=1), minute - 24 * 60
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone(hours.timezone))


def is_open(hours: SupportHours, at: datetime) -> bool:
    local = at.astimezone(zone(hours.timezone))
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in windows_on(hours, local.date()))


def next_opening(hours: SupportHours, at: datetime) -> datetime | None:
    """``at`` itself when the desk is open, else the start of the next window
    (in the contract's time zone); None when the hours have no window at all."""
    local = at.astimezone(zone(hours.timezone))
    minute = local.hour * 60 + local.minute
    today = local.date()
    for offset in range(_SEARCH_DAYS):
        day = today + timedelta(days=offset)
        for start, end in windows_on(hours, day):
            if offset == 0 and end <= minute:
                continue
            if offset == 0 and start <= minute:
                return local
            return local_moment(hours, day, start)
    return None


def support_days_per_week(hours: SupportHours) -> int:
    return sum(1 for day in hours.weekly if day) or 7


def add_support_time(hours: SupportHours, start: datetime, duration: Duration) -> datetime:
    """The moment ``duration`` of support time after ``start``.

    Minutes and hours are counted inside the support windows. A day is a support
    day: the same point of the working day on the next day with support hours;
    a week is as many support days as the hours have in a week. Time spent outside
    the windows — nights, weekends, public holidays — does not count.
    """
    if duration.unit in ("m", "h"):
        return _add_support_minutes(hours, start, duration.minutes)
    days = duration.value * (support_days_per_week(hours) if duration.unit == "w" else 1)
    return _add_support_days(hours, start, days)


def _intervals(hours: SupportHours, day: date) -> list[tuple[datetime, datetime]]:
    """The day's windows as real moments in UTC, so that time is counted as it
    passes: a night of a daylight-saving change is an hour shorter or longer."""
    return [
        (
            local_moment(hours, day, start).astimezone(UTC),
            local_moment(hours, day, end).astimezone(UTC),
        )
        for start, end in windows_on(hours, day)
    ]


def _add_support_minutes(hours: SupportHours, start: datetime, minutes: float) -> datetime:
    now = start.astimezone(UTC)
    left = timedelta(minutes=minutes)
    day = start.astimezone(zone(hours.timezone)).date()
    for _ in range(_SEARCH_DAYS * 4):
        for window_start, window_end in _intervals(hours, day):
            if window_end <= now:
                continue
            begin = max(now, window_start)
            if begin + left <= window_end:
                return (begin + left).astimezone(zone(hours.timezone))
            left -= window_end - begin
        day += timedelta(days=1)
    raise ValueError("the support hours have no window to count time in")


def _add_support_days(hours: SupportHours, start: datetime, days: int) -> datetime:
    opening = next_opening(hours, start)
    if opening is None:
        raise ValueError("the support hours have no window to count time in")
    local = opening.astimezone(zone(hours.timezone))
    elapsed = support_minutes_between(hours, local_moment(hours, local.date(), 0), local)
    day = local.date()
    for _ in range(days):
        day += timedelta(days=1)
        while not windows_on(hours, day):
            day += timedelta(days=1)
    # The same amount of the day's support time gone, on the later support day.
    return _add_support_minutes(hours, local_moment(hours, day, 0), int(elapsed))


def support_minutes_between(hours: SupportHours, start: datetime, end: datetime) -> float:
    """Support time, in minutes, from ``start`` to ``end`` (0 when end is earlier)."""
    if end <= start:
        return 0.0
    tz = zone(hours.timezone)
    total = timedelta(0)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last:
        for window_start, window_end in _intervals(hours, day):
            overlap = min(end, window_end) - max(start, window_start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 60
