"""The reports' figures, kept a few minutes as reporting tools keep them.

A month's report aggregates every ticket, offer and time entry of the month:
about half a second at 200,000 tickets on PostgreSQL. So the page reads the
figures the ``refresh_reports`` task works out every ``REFRESH_SECONDS`` for
this month and the last (in each language of the desk), says how old they are,
and a lead can have them worked out again at once. A month nobody has opened
for a while is worked out when it is opened. The figures live in the cache
(Redis, shared by every web process); without Redis, in each process's memory.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from tickets.reports import MonthReport, month_report

log = logging.getLogger(__name__)

REFRESH_SECONDS = 600
# Kept twice as long as the task takes to refresh them, so that a page never
# waits while the task runs; without the task (the embedded set-up) a page
# works them out again once they are this old.
KEEP_SECONDS = 2 * REFRESH_SECONDS
# Part of the key: figures kept by an older version of the report are not read.
LAYOUT = 1


@dataclass(frozen=True)
class KeptReport:
    report: MonthReport
    worked_out_at: datetime


def _key(first_day: date, language: str) -> str:
    return f"reports:{LAYOUT}:{first_day:%Y-%m}:{language}"


def month_report_kept(*, first_day: date, language: str) -> KeptReport:
    """The month's figures as last worked out, or worked out now if none are kept."""
    try:
        kept = cache.get(_key(first_day, language))
    except Exception:  # a cache that is down or holds what no longer reads
        log.warning("The kept report for %s could not be read", first_day, exc_info=True)
        kept = None
    if isinstance(kept, KeptReport):
        return kept
    return month_report_work_out(first_day=first_day, language=language)


def month_report_work_out(*, first_day: date, language: str) -> KeptReport:
    """Work the month's figures out now, and keep them."""
    now = timezone.now()
    kept = KeptReport(month_report(first_day=first_day, now=now, language=language), now)
    try:
        cache.set(_key(first_day, language), kept, KEEP_SECONDS)
    except Exception:
        log.warning("The report for %s could not be kept", first_day, exc_info=True)
    return kept


def reports_refresh(*, now: datetime | None = None) -> int:
    """This month's and last month's figures, in every language of the desk (for
    the periodic task); how many were worked out."""
    today = timezone.localdate(now or timezone.now())
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    done = 0
    for first_day in (this_month, last_month):
        for language, _name in settings.LANGUAGES:
            month_report_work_out(first_day=first_day, language=language)
            done += 1
    return done
