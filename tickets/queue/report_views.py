"""The leads' reports page (``/queue/reports/?month=2026-11``): each section of
``tickets.reports`` as a chart with its figures in a table beside it, and each
as CSV (``&csv=<section>``). Only for those with ``tickets.view_reports``."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from contracts.engine import hours
from contracts.models import PRIORITY_LABELS, VERDICT_LABELS
from tickets import charts, reports
from tickets.queue.display import format_span
from tickets.queue.views import leads_only
from tickets.report_figures import REFRESH_SECONDS, month_report_kept, month_report_work_out
from tickets.selectors import month_start

NOT_CHECKED = gettext_lazy("Not checked yet")


def verdict_label(verdict: str) -> str:
    return str(VERDICT_LABELS.get(verdict, verdict or NOT_CHECKED))


@require_http_methods(["GET", "POST"])
@leads_only(
    "tickets.view_reports",
    # The reports read everyone's work and the desk's money.
    why=gettext_lazy(
        "The reports show everyone's work and the desk's income, so only leads read "
        "them. Ask a lead if you need a figure from them."
    ),
)
def report_page(request: HttpRequest) -> HttpResponse:
    this_month = month_start(None)
    try:
        first_day = month_start(request.GET.get("month"))
    except ValueError:
        first_day = this_month
    section = request.GET.get("csv")
    if section is not None:
        return csv_download(first_day, section)
    if request.method == "POST":
        # A lead wants the figures as they are this minute, not as last worked out.
        month_report_work_out(first_day=first_day, language=get_language())
        return redirect(f"{request.path}?month={first_day:%Y-%m}")
    kept = month_report_kept(first_day=first_day, language=get_language())
    report = kept.report
    ran_out = report.allowance.ran_out
    context = {
        "report": report,
        "worked_out_at": kept.worked_out_at,
        "refresh_minutes": REFRESH_SECONDS // 60,
        "month": first_day,
        "previous": (first_day - timedelta(days=1)).replace(day=1),
        "next": hours.first_of_next_month(first_day) if first_day < this_month else None,
        "charts": report_charts(report),
        "verdict_rows": verdict_rows(report.verdicts),
        "verdict_weeks": [
            {
                "label": _week_label(w),
                "monday": w.week,
                "counts": [w.counts[v] for v in report.verdicts.verdicts],
                "total": w.total,
            }
            for w in report.verdicts.weeks
        ],
        "offer_states": OFFER_STATES,
        "sla_rows": [
            {
                "sla": p,
                "label": PRIORITY_LABELS[p.priority],
                "first_median": _span(p.first_median),
                "resolution_median": _span(p.resolution_median),
            }
            for p in report.sla
        ],
        "allowance_lists": [
            _flagged(_("Ran out: offer a bigger plan or top-ups"), ran_out, "ran-out"),
            _flagged(
                _("Used under %(percent)d %%: candidates for a smaller plan")
                % {"percent": reports.LITTLE_USE_PERCENT},
                report.allowance.used_little,
                "little",
            ),
        ],
        "ratings": list(zip(range(1, 6), report.satisfaction.ratings, strict=True)),
        "little_use": reports.LITTLE_USE_PERCENT,
        "time_zone": report.month.start.tzinfo,
    }
    return render(request, "queue/reports.html", context)


# The page lists this many flagged customers of each kind; the CSV has them all.
FLAGGED_SHOWN = 20


def _flagged(title: str, customers: tuple, kind: str) -> dict:
    return {
        "title": title,
        "rows": customers[:FLAGGED_SHOWN],
        "more": max(0, len(customers) - FLAGGED_SHOWN),
        "kind": kind,
    }


def _span(value: timedelta | None) -> str:
    return "—" if value is None else format_span(round(value.total_seconds() / 60))


def verdict_rows(mix: reports.VerdictMix) -> list[dict]:
    return [{"key": v, "label": verdict_label(v), "total": mix.totals[v]} for v in mix.verdicts]


def _week_label(week: reports.WeekVerdicts) -> str:
    return _("Week %(number)d") % {"number": week.iso_week}


def report_charts(report: reports.MonthReport) -> dict:
    """The bars of each section's chart; the figures they draw are in its table."""
    mix = report.verdicts
    verdicts = charts.stacked_columns(
        [(_week_label(w), [w.counts[v] for v in mix.verdicts]) for w in mix.weeks],
        [(v or "unchecked", verdict_label(v)) for v in mix.verdicts],
    )
    offer_counts = report.offers.counts
    offers = charts.horizontal_bars(
        [
            (str(label), getattr(offer_counts, name), str(getattr(offer_counts, name)), name)
            for name, label in OFFER_STATES
        ]
    )
    limits = {
        c.currency: charts.horizontal_bars(
            [
                (_("Free work avoided"), c.avoided, f"{c.avoided} {c.currency}", "avoided"),
                (_("Goodwill given"), c.goodwill, f"{c.goodwill} {c.currency}", "goodwill"),
            ]
        )
        for c in report.free_work.by_currency
    }
    goodwill = charts.horizontal_bars(
        [
            (t.name or _("No assignee"), t.goodwill_minutes, str(t.goodwill_minutes), "goodwill")
            for t in report.free_work.technicians
        ]
    )
    offers_made = charts.horizontal_bars(
        [
            (t.name or _("No assignee"), t.offers_made, str(t.offers_made), "avoided")
            for t in report.free_work.technicians
        ]
    )
    allowance = charts.horizontal_bars(
        [(label, n, str(n), f"band-{i}") for i, (label, n) in enumerate(report.allowance.bands)]
    )
    sla = charts.stacked_columns(
        [(str(PRIORITY_LABELS[p.priority]), [p.first_met, p.first_missed]) for p in report.sla],
        [("met", _("First response in time")), ("missed", _("First response late"))],
    )
    ratings = charts.horizontal_bars(
        [
            (f"{score} ★", n, str(n), f"score-{score}")
            for score, n in zip(range(1, 6), report.satisfaction.ratings, strict=True)
        ]
    )
    return {
        "verdicts": verdicts,
        "offers": offers,
        "limits": limits,
        "goodwill": goodwill,
        "offers_made": offers_made,
        "allowance": allowance,
        "sla": sla,
        "ratings": ratings,
    }


OFFER_LABELS = {
    "made": gettext_lazy("Made"),
    "accepted": gettext_lazy("Accepted"),
    "declined": gettext_lazy("Declined"),
    "expired": gettext_lazy("Expired"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "pending": gettext_lazy("Still open"),
}
OFFER_STATES = tuple((name, OFFER_LABELS[name]) for name in reports.OFFER_STATES)


# --- CSV ------------------------------------------------------------------------


def _minutes(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 60:.0f}"


def _rate(value) -> str:
    return "" if value is None else str(value)


def verdicts_csv(month: reports.ReportMonth) -> Iterable[list]:
    mix = reports.verdict_mix_by_week(month)
    yield [_("Week starting"), _("ISO week"), *(verdict_label(v) for v in mix.verdicts)]
    for week in mix.weeks:
        yield [week.week.isoformat(), week.iso_week, *(week.counts[v] for v in mix.verdicts)]


def offers_csv(month: reports.ReportMonth) -> Iterable[list]:
    summary = reports.offer_summary(month, language=get_language())
    yield [
        _("Currency"),
        *(str(label) for _name, label in OFFER_STATES),
        _("Acceptance rate, %"),
        _("Revenue accepted"),
        _("Hourly offers valued by time logged"),
        _("Hourly offers valued by their estimate"),
    ]
    for row in summary.by_currency:
        yield [
            row.currency,
            *row.counts.in_order,
            _rate(reports.acceptance_rate(row.counts)),
            row.revenue,
            row.hourly_by_time,
            row.hourly_by_estimate,
        ]
    yield []
    yield [_("Service"), *(str(label) for _name, label in OFFER_STATES), _("Acceptance rate, %")]
    for service in summary.by_service:
        yield [
            service.service,
            *service.counts.in_order,
            _rate(service.rate),
        ]


def free_work_csv(month: reports.ReportMonth) -> Iterable[list]:
    free = reports.free_work_avoided(month)
    yield [
        _("Currency"),
        _("Paid offers made"),
        _("Out of scope, answered with advice"),
        _("Free work avoided"),
        _("Goodwill given"),
    ]
    for row in free.by_currency:
        yield [row.currency, row.offered, row.declined_advice, row.avoided, row.goodwill]
    yield []
    yield [_("Technician"), _("Offers made on their tickets"), _("Goodwill, min"), _("Goodwill")]
    for tech in free.technicians:
        value = "; ".join(f"{amount} {currency}" for currency, amount in tech.goodwill.items())
        yield [tech.name or _("No assignee"), tech.offers_made, tech.goodwill_minutes, value]


def allowance_csv(month: reports.ReportMonth) -> Iterable[list]:
    use = reports.allowance_use(month)
    yield [
        _("Customer"),
        _("Contract"),
        _("Tickets used"),
        _("Tickets included"),
        _("Minutes used"),
        _("Minutes included"),
        _("Ran out"),
        _("Used under 10 %"),
    ]
    for c in use.customers:
        yield [
            c.customer,
            c.contract,
            c.tickets_used,
            "" if c.tickets_included is None else c.tickets_included,
            c.minutes_used,
            "" if c.minutes_included is None else c.minutes_included,
            _("yes") if c.ran_out else "",
            _("yes") if c.used_little else "",
        ]


def sla_csv(month: reports.ReportMonth) -> Iterable[list]:
    yield [
        _("Priority"),
        _("Tickets"),
        _("First response in time"),
        _("First response late"),
        _("Resolved in time"),
        _("Resolved late"),
        _("Median first response, min"),
        _("Median resolution, min"),
    ]
    for p in reports.sla_by_priority(month, now=timezone.now()):
        yield [
            str(PRIORITY_LABELS[p.priority]),
            p.tickets,
            p.first_met,
            p.first_missed,
            p.resolution_met,
            p.resolution_missed,
            _minutes(p.first_median),
            _minutes(p.resolution_median),
        ]


def satisfaction_csv(month: reports.ReportMonth) -> Iterable[list]:
    s = reports.satisfaction(month)
    yield [_("Measure"), _("Count")]
    yield [_("Escalations"), s.escalations]
    yield [_("Escalations handled"), s.escalations_handled]
    for score, n in zip(range(1, 6), s.ratings, strict=True):
        yield [_("Rated %(score)d of 5") % {"score": score}, n]
    yield [_("Average rating"), "" if s.average is None else s.average]


CSV_SECTIONS: dict[str, Callable[[reports.ReportMonth], Iterable[list]]] = {
    "verdicts": verdicts_csv,
    "offers": offers_csv,
    "free-work": free_work_csv,
    "allowance": allowance_csv,
    "sla": sla_csv,
    "satisfaction": satisfaction_csv,
}


def csv_download(first_day, section: str) -> HttpResponse:
    if section not in CSV_SECTIONS:
        return HttpResponse(_("No such report section."), status=404, content_type="text/plain")
    month = reports.report_month(first_day)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"scopedesk-{section}-{first_day:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    with reports.report_queries():
        writer.writerows(CSV_SECTIONS[section](month))
    return response
