"""The leads' reports (tickets/reports.py and /queue/reports/): hand-built
November 2026 at a desk in Helsinki, every figure of every section checked."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from contracts.models import Contract, Customer, Service
from tickets import reports
from tickets.models import Escalation, Offer, Rating, ScopeDecision, Ticket, TimeEntry
from tickets.selectors import allowance_usage

HEL = ZoneInfo("Europe/Helsinki")
NOVEMBER = date(2026, 11, 1)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=HEL)


def _set(model, pk: int, **fields) -> None:
    # created_at is auto_now_add: a report's month is set after the row exists.
    model.objects.filter(pk=pk).update(**fields)


def make_ticket(customer, created: datetime, *, verdict: str = "in_scope", **fields) -> Ticket:
    contract = Contract.objects.filter(customer=customer).first()
    ticket = Ticket.objects.create(
        customer=customer,
        contract=contract,
        requester=customer.contacts.first().user,
        subject="A request",
        body="Please help.",
        verdict=verdict,
        **fields,
    )
    _set(Ticket, ticket.pk, created_at=created)
    return ticket


def decide(ticket: Ticket, verdict: str, *, service: str | None = None, **fields):
    return ScopeDecision.objects.create(
        ticket=ticket,
        verdict=verdict,
        reason="clause",
        contract=ticket.contract,
        service=Service.objects.get(code=service) if service else None,
        **fields,
    )


def make_offer(
    customer,
    created: datetime,
    *,
    service: str,
    status: str,
    amount: str,
    pricing: str = "fixed",
    estimate: int | None = None,
    assignee=None,
) -> Offer:
    ticket = make_ticket(customer, at(15, month=10), verdict="paid_option", assignee=assignee)
    decision = decide(ticket, "paid_option", service=service)
    offer = Offer.objects.create(
        ticket=ticket,
        decision=decision,
        amount=Decimal(amount),
        currency=ticket.contract.currency,
        pricing=pricing,
        estimate_minutes=estimate,
        status=status,
        expires_at=created + timedelta(days=7),
    )
    _set(Offer, offer.pk, created_at=created)
    return offer


def log(ticket: Ticket, who, minutes: int, kind: str, day: date) -> TimeEntry:
    return TimeEntry.objects.create(
        ticket=ticket,
        technician=who,
        minutes=minutes,
        counted_minutes=minutes,
        kind=kind,
        worked_on=day,
    )


@pytest.fixture
def tiina(django_user_model):
    return django_user_model.objects.create_user(
        "tiina", "tiina@desk.example", first_name="Tiina", is_staff=True
    )


@pytest.fixture
def november(northwind, volga, daugava, technician, tiina, settings):
    """A month's work: tickets of every kind, offers, time, escalations and ratings,
    and a few rows just outside the month that must not count."""
    settings.TIME_ZONE = "Europe/Helsinki"
    nw, sara = northwind, northwind.contacts.first().user
    hour = timedelta(hours=1)
    t = {}
    t["unchecked"] = make_ticket(nw, at(1, 12), verdict="")  # a Sunday: ISO week 44
    t["t1"] = make_ticket(
        nw,
        at(2),
        sla_started_at=at(2),
        first_response_due=at(2) + 8 * hour,
        first_responded_at=at(2) + hour,
        resolution_due=at(5),
        resolved_at=at(6),
    )
    t["t2"] = make_ticket(nw, at(3), verdict="paid_option")
    t["t3"] = make_ticket(
        nw,
        at(10),
        verdict="out_of_scope",
        priority="high",
        sla_started_at=at(10),
        first_response_due=at(10) + 2 * hour,
        resolution_due=at(11),
    )
    decide(t["t3"], "out_of_scope", service="web.script_debugging")
    for n, took in enumerate((10, 20, 90)):
        t[f"u{n}"] = make_ticket(
            nw,
            at(12),
            priority="urgent",
            sla_started_at=at(12),
            first_response_due=at(12) + timedelta(minutes=30),
            first_responded_at=at(12) + timedelta(minutes=took),
            resolution_due=at(12, 14),
        )
    # The month's last minutes in Helsinki, and the next month's first ones.
    t["t4"] = make_ticket(
        nw,
        at(30, 23, 30),
        sla_started_at=at(30, 23, 30),
        first_response_due=at(30, 23, 30) + 8 * hour,
        first_responded_at=at(30, 23, 30) + 3 * hour,
        resolution_due=at(30, 23, 30) + timedelta(days=3),
        resolved_at=at(30, 23, 30) + timedelta(days=1),
    )
    decide(t["t1"], "in_scope", counts_against_allowance=True)
    decide(t["t4"], "in_scope", counts_against_allowance=True)
    t["t5"] = make_ticket(nw, datetime(2026, 12, 1, 0, 30, tzinfo=HEL))
    make_ticket(nw, datetime(2026, 10, 31, 23, 59, tzinfo=HEL))

    tech = technician
    make_offer(nw, at(4), service="hosting.ssl", status="accepted", amount="150", assignee=tech)
    hourly = make_offer(
        nw,
        at(5),
        service="web.cms_plugins",
        status="accepted",
        amount="90",
        pricing="hourly",
        estimate=120,
        assignee=tech,
    )
    log(hourly.ticket, tech, 45, "billable", date(2026, 12, 2))
    make_offer(
        nw,
        at(6),
        service="web.cms_plugins",
        status="accepted",
        amount="60",
        pricing="hourly",
        estimate=30,
        assignee=tech,
    )
    make_offer(nw, at(7), service="hosting.ssl", status="declined", amount="200", assignee=tech)
    make_offer(nw, at(8), service="web.cms_plugins", status="expired", amount="100", assignee=tiina)
    make_offer(nw, at(9), service="hosting.ssl", status="withdrawn", amount="50", assignee=tiina)
    make_offer(nw, at(11), service="hosting.ssl", status="pending", amount="80")
    make_offer(volga, at(12), service="hosting.backup_restore", status="accepted", amount="1000")
    make_offer(nw, at(20, month=10), service="hosting.ssl", status="accepted", amount="999")

    log(t["t1"], tech, 20, "goodwill", date(2026, 11, 5))
    log(t["t1"], tiina, 10, "goodwill", date(2026, 11, 30))
    log(t["t1"], tiina, 15, "goodwill", date(2026, 10, 31))
    log(t["t4"], tech, 120, "allowance", date(2026, 11, 12))

    handled = Escalation.objects.create(
        ticket=t["t1"], requested_by=sara, reason="Slow.", handled_by=tech, handled_at=at(6)
    )
    _set(Escalation, handled.pk, created_at=at(5))
    _set(
        Escalation,
        Escalation.objects.create(ticket=t["t3"], requested_by=sara, reason="?").pk,
        created_at=at(20),
    )
    for ticket, score, when in (
        (t["t1"], 5, at(7)),
        (t["t4"], 4, at(30, 23, 50)),
        (t["u0"], 1, at(13)),
        (t["t5"], 2, datetime(2026, 12, 1, 9, tzinfo=HEL)),
    ):
        _set(
            Rating,
            Rating.objects.create(ticket=ticket, score=score, rated_by=sara).pk,
            created_at=when,
        )
    return t


@pytest.fixture
def month(november):
    return reports.report_month(NOVEMBER)


@pytest.mark.django_db
def test_the_month_is_the_desks_calendar_month(month):
    assert month.start == datetime(2026, 11, 1, tzinfo=HEL)
    assert month.end == datetime(2026, 12, 1, tzinfo=HEL)
    assert month.last_day == date(2026, 11, 30)


@pytest.mark.django_db
def test_it_counts_each_weeks_verdicts_in_the_desks_time_zone(month):
    mix = reports.verdict_mix_by_week(month)
    assert mix.verdicts == ("in_scope", "paid_option", "out_of_scope", "")
    assert [(w.week, w.iso_week, w.counts) for w in mix.weeks] == [
        (date(2026, 10, 26), 44, {"in_scope": 0, "paid_option": 0, "out_of_scope": 0, "": 1}),
        (date(2026, 11, 2), 45, {"in_scope": 1, "paid_option": 1, "out_of_scope": 0, "": 0}),
        (date(2026, 11, 9), 46, {"in_scope": 3, "paid_option": 0, "out_of_scope": 1, "": 0}),
        # 23:30 on 30 November in Helsinki is still November; 00:30 on 1 December is not.
        (date(2026, 11, 30), 49, {"in_scope": 1, "paid_option": 0, "out_of_scope": 0, "": 0}),
    ]
    assert mix.totals == {"in_scope": 5, "paid_option": 1, "out_of_scope": 1, "": 1}
    assert mix.total == 8


@pytest.mark.django_db
def test_it_sums_offers_revenue_and_acceptance_per_currency_and_service(month):
    summary = reports.offer_summary(month)
    eur, rub = summary.by_currency
    assert eur.currency == "EUR"
    assert eur.counts == reports.OfferCounts(
        made=7, pending=1, accepted=3, declined=1, expired=1, withdrawn=1
    )
    # 150 fixed + 90/h × 45 min logged + 60/h × its 30-minute estimate (no time yet).
    assert eur.revenue == Decimal("247.50")
    assert (eur.hourly_by_time, eur.hourly_by_estimate) == (1, 1)
    assert (rub.currency, rub.counts.made, rub.revenue) == ("RUB", 1, Decimal("1000.00"))
    assert summary.counts.made == 8 and summary.counts.accepted == 4
    assert summary.rate == Decimal("66.7")  # 4 ÷ (4 accepted + 1 declined + 1 expired)
    rates = {
        s.service: (s.counts.made, s.counts.answered_or_expired, s.rate) for s in summary.by_service
    }
    assert rates == {
        "SSL certificates": (4, 2, Decimal("50.0")),  # withdrawn and pending are no answer
        "CMS plugins and themes": (3, 3, Decimal("66.7")),
        "Restore from backup": (1, 1, Decimal("100.0")),
    }
    assert reports.offer_summary(month, language="fi").by_service[0].service == "SSL-varmenteet"


@pytest.mark.django_db
def test_it_values_the_free_work_avoided_beside_the_goodwill_given(month, technician, tiina):
    free = reports.free_work_avoided(month)
    eur, rub = free.by_currency
    # Offers: 150 + 200 + 100 + 50 + 80 fixed, 90/h × 2 h and 60/h × 30 min estimated.
    assert eur.offered == Decimal("790.00")
    # The out-of-scope ticket: an excluded clause has no estimate, so one hour at 90/h.
    assert eur.declined_advice == Decimal("90.00")
    assert eur.avoided == Decimal("880.00")
    # 20 + 10 goodwill minutes in November at 90/h; October's 15 are not counted.
    assert eur.goodwill == Decimal("45.00")
    assert (rub.offered, rub.declined_advice, rub.goodwill) == (Decimal("1000.00"), 0, 0)
    assert free.out_of_scope == 1
    assert [
        (t.technician_id, t.offers_made, t.goodwill_minutes, t.goodwill) for t in free.technicians
    ] == [
        (technician.pk, 4, 20, {"EUR": Decimal("30.00")}),
        (tiina.pk, 2, 10, {"EUR": Decimal("15.00")}),
        (None, 2, 0, {}),  # offers on tickets nobody is assigned
    ]


@pytest.mark.django_db
def test_it_flags_customers_who_ran_out_and_those_who_used_little(month):
    use = reports.allowance_use(month)
    # Daugava's contract ended in 2025: no allowance to use.
    assert [
        (c.slug, c.tickets_used, c.tickets_included, c.minutes_used, c.minutes_included)
        for c in use.customers
    ] == [
        ("northwind", 2, 10, 120, 120),
        ("volga-media", 0, 3, 0, 30),
    ]
    northwind, volga = use.customers
    assert northwind.ran_out and not northwind.used_little and northwind.percent == 100
    assert volga.used_little and not volga.ran_out
    assert [c.slug for c in use.ran_out] == ["northwind"]
    assert [c.slug for c in use.used_little] == ["volga-media"]
    assert use.bands == (
        ("0–10 %", 1),
        ("10–50 %", 0),
        ("50–80 %", 0),
        ("80–100 %", 0),
        ("100 %", 1),
    )


@pytest.mark.django_db
def test_it_counts_the_allowance_as_the_customers_meter_does(month):
    # One rule for what an allowance has used: the report's grouped count agrees
    # with allowance_usage, customer by customer.
    for use in reports.allowance_use(month).customers:
        usage = allowance_usage(customer=Customer.objects.get(slug=use.slug), at=at(15))
        assert (use.tickets_used, use.minutes_used) == (usage.tickets_used, usage.minutes_used)


@pytest.mark.django_db
def test_it_counts_slas_met_and_missed_and_the_median_times_per_priority(month):
    rows = {p.priority: p for p in reports.sla_by_priority(month, now=timezone.now())}
    assert list(rows) == ["urgent", "high", "normal"]
    urgent, high, normal = rows["urgent"], rows["high"], rows["normal"]
    # 10 and 20 minutes in time, 90 late; no resolution and the deadline passed.
    assert (urgent.tickets, urgent.first_met, urgent.first_missed) == (3, 2, 1)
    assert (urgent.resolution_met, urgent.resolution_missed) == (0, 3)
    assert urgent.first_median == timedelta(minutes=20)  # the middle of three
    assert urgent.resolution_median is None
    assert (high.tickets, high.first_met, high.first_missed, high.resolution_missed) == (1, 0, 1, 1)
    assert high.first_median is None
    assert (normal.first_met, normal.first_missed) == (2, 0)
    assert (normal.resolution_met, normal.resolution_missed) == (1, 1)
    assert normal.first_median == timedelta(hours=2)  # between 1 h and 3 h
    assert normal.resolution_median == timedelta(days=2, hours=12)  # between 1 d and 4 d


@pytest.mark.django_db
def test_a_deadline_still_ahead_is_neither_met_nor_missed(month):
    rows = {p.priority: p for p in reports.sla_by_priority(month, now=at(10, 11))}
    high = rows["high"]  # its first response was due at 12:00, its resolution the next day
    assert (high.first_met, high.first_missed, high.resolution_met, high.resolution_missed) == (
        0,
        0,
        0,
        0,
    )


@pytest.mark.django_db
def test_it_counts_escalations_and_ratings(month):
    s = reports.satisfaction(month)
    assert (s.escalations, s.escalations_handled) == (2, 1)
    assert s.ratings == (1, 0, 0, 1, 1)  # December's 2 is not November's
    assert s.average == Decimal("3.33") and s.rated == 3


@pytest.mark.django_db
def test_an_empty_month_reports_nothing_without_failing(month):
    report = reports.month_report(first_day=date(2026, 6, 1), now=timezone.now())
    assert report.verdicts.weeks == () and report.offers.counts.made == 0
    assert report.offers.rate is None and report.sla == ()
    assert report.satisfaction.average is None


# --- the page ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_lead_reads_every_section_with_its_chart_and_table(november, lead, client):
    client.force_login(lead)
    response = client.get("/queue/reports/?month=2026-11")
    assert response.status_code == 200
    page = response.content.decode()
    for section in ("verdicts", "offers", "free-work", "allowance", "sla", "satisfaction"):
        assert f'id="{section}"' in page
        assert f"csv={section}" in page
    assert page.count('<svg class="chart" role="img" aria-labelledby=') >= 6
    assert "247.50" in page and "880.00" in page and "66.7 %" in page
    assert "Europe/Helsinki" in page
    assert "style=" not in page and "<script>" not in page
    assert 'href="/queue/reports/"' in page  # the nav link
    assert 'type="month"' in page and "?month=2026-10" in page and "?month=2026-12" in page


@pytest.mark.django_db
def test_chart_coordinates_stay_numbers_in_every_language(november, lead, client):
    client.force_login(lead)
    page = client.get("/queue/reports/?month=2026-11", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    # A Finnish decimal comma inside an SVG attribute would break the drawing.
    assert 'width="0,' not in page and not any(
        f'{attr}="{d},' in page for attr in ("x", "y", "width", "height") for d in range(10)
    )


@pytest.mark.django_db
def test_a_section_downloads_as_csv(november, lead, client):
    client.force_login(lead)
    response = client.get("/queue/reports/?month=2026-11&csv=offers")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="scopedesk-offers-2026-11.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:7] == [
        "Currency",
        "Made",
        "Accepted",
        "Declined",
        "Expired",
        "Withdrawn",
        "Still open",
    ]
    assert rows[1] == ["EUR", "7", "3", "1", "1", "1", "1", "60.0", "247.50", "1", "1"]
    assert rows[2] == ["RUB", "1", "1", "0", "0", "0", "0", "100.0", "1000.00", "0", "0"]
    verdicts = client.get("/queue/reports/?month=2026-11&csv=verdicts").content.decode()
    assert verdicts.splitlines()[1] == "2026-10-26,44,0,0,0,1"
    sla = list(
        csv.reader(
            io.StringIO(client.get("/queue/reports/?month=2026-11&csv=sla").content.decode())
        )
    )
    assert sla[1] == ["Urgent", "3", "2", "1", "0", "3", "20", ""]
    assert sla[3] == ["Normal", "2", "2", "0", "1", "1", "120", "3600"]
    assert client.get("/queue/reports/?month=2026-11&csv=nothing").status_code == 404


@pytest.mark.django_db
def test_a_technician_without_the_permission_is_refused(november, technician, client):
    client.force_login(technician)
    response = client.get("/queue/reports/?month=2026-11")
    assert response.status_code == 403
    assert "for leads" in response.content.decode()
    assert client.get("/queue/reports/?csv=offers").status_code == 403
    assert 'href="/queue/reports/"' not in client.get("/queue/").content.decode()


@pytest.mark.django_db
def test_customers_and_visitors_are_refused(november, client):
    assert client.get("/queue/reports/").status_code == 302  # to the login page
    client.force_login(november["t1"].requester)
    response = client.get("/queue/reports/?month=2026-11&csv=offers")
    assert response.status_code == 403
    assert "csv" not in response["Content-Type"]


@pytest.mark.django_db
def test_a_bad_month_shows_this_month(november, lead, client):
    client.force_login(lead)
    response = client.get("/queue/reports/?month=November")
    assert response.status_code == 200
    assert response.context["month"] == timezone.localdate().replace(day=1)


def _page_queries(client) -> int:
    """The queries of a page that works its figures out (none kept)."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/queue/reports/?month=2026-11").status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_page_takes_the_same_queries_however_much_the_month_holds(
    november, lead, client, northwind, volga, technician, django_assert_max_num_queries
):
    client.force_login(lead)
    few = _page_queries(client)
    for n in range(12):
        ticket = make_ticket(
            volga if n % 2 else northwind,
            at(3 + n),
            priority=["low", "high"][n % 2],
            sla_started_at=at(3 + n),
            first_response_due=at(3 + n, 12),
            first_responded_at=at(3 + n, 11),
            assignee=technician,
        )
        decide(ticket, "out_of_scope" if n % 3 else "in_scope", counts_against_allowance=True)
        make_offer(
            northwind,
            at(3 + n),
            service="web.cms_plugins",
            status="accepted",
            amount="75",
            pricing="hourly",
            estimate=60,
            assignee=technician,
        )
        log(ticket, technician, 5 + n, "goodwill", date(2026, 11, 3 + n))
        Rating.objects.create(ticket=ticket, score=1 + n % 5, rated_by=ticket.requester)
    with django_assert_max_num_queries(few):
        assert _page_queries(client) == few


# --- the kept figures ----------------------------------------------------------------


def accepted_offers_on_page(client) -> str:
    page = client.get("/queue/reports/?month=2026-11").content.decode()
    return page.split('id="offers"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_the_page_reads_the_kept_figures_until_a_lead_has_them_worked_out_again(
    november, lead, northwind, client, django_assert_max_num_queries
):
    client.force_login(lead)
    page = client.get("/queue/reports/?month=2026-11").content.decode()
    assert "Figures as worked out on" in page and "Work them out now" in page
    before = accepted_offers_on_page(client)
    make_offer(northwind, at(20), service="web.cms_plugins", status="accepted", amount="500")
    with django_assert_max_num_queries(8):  # the session and the user, not the month's rows
        assert accepted_offers_on_page(client) == before
    response = client.post("/queue/reports/?month=2026-11")
    assert response.status_code == 302 and response["Location"].endswith("?month=2026-11")
    after = accepted_offers_on_page(client)
    assert after != before and "747.50" in after  # 247.50 + 500.00


@pytest.mark.django_db
def test_the_task_works_out_this_and_last_month_in_every_language(november, lead, client):
    from django.conf import settings

    from tickets.report_figures import _key, reports_refresh

    assert reports_refresh(now=at(20, month=12)) == 2 * len(settings.LANGUAGES)
    for language, _name in settings.LANGUAGES:
        assert cache.get(_key(date(2026, 12, 1), language)) is not None
        assert cache.get(_key(NOVEMBER, language)) is not None
    assert cache.get(_key(date(2026, 10, 1), "en")) is None


@pytest.mark.django_db
def test_a_technician_cannot_have_the_figures_worked_out(november, technician, client):
    client.force_login(technician)
    assert client.post("/queue/reports/?month=2026-11").status_code == 403
