"""Time entries and the allowance: the month an entry is charged to, the days
work can be logged for, and the notices a late entry does not send."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import translation

from contracts.models import TopUp
from tests.helpers import api
from tests.tickets.test_ticket_flow import (
    HELSINKI,
    MAIL,
    MONDAY_10,
    PLUGIN,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 23 November, 10:00
)
from tickets import services
from tickets.models import AllowanceNotice, TimeEntry
from tickets.selectors import allowance_usage

ALLOWANCE, BILLABLE = TimeEntry.Kind.ALLOWANCE, TimeEntry.Kind.BILLABLE
OCTOBER_20 = datetime(2026, 10, 20, 10, 0, tzinfo=HELSINKI)
LAST_MONTH = date(2026, 10, 21)


@pytest.fixture
def desk(northwind, volga, daugava):
    """Northwind (Helsinki) includes 120 minutes and 10 tickets a month."""
    return northwind


def log(ticket, technician, minutes: int, worked_on: date | None = None):
    entries = services.time_entry_log(
        ticket_id=ticket.pk, technician=technician, minutes=minutes, worked_on=worked_on
    )
    return [(e.kind, e.counted_minutes, e.topup_minutes) for e in entries]


def minutes_used(customer, at: datetime) -> int:
    return allowance_usage(customer=customer, at=at).minutes_used


# --- the month an entry is charged to ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_entry_for_last_month_is_charged_to_last_months_allowance(desk, technician):
    ticket = file(SARA, MAIL, at=OCTOBER_20)
    assert log(ticket, technician, 120) == [(ALLOWANCE, 120, 0)]  # November's, all of it
    # October's allowance is untouched, so late work done then is covered by it.
    assert log(ticket, technician, 30, worked_on=LAST_MONTH) == [(ALLOWANCE, 30, 0)]
    assert minutes_used(desk, MONDAY_10) == 120
    assert minutes_used(desk, OCTOBER_20) == 30


@pytest.mark.django_db(transaction=True)
def test_the_same_allowance_cannot_be_spent_twice_by_back_dating(desk, technician):
    ticket = file(SARA, MAIL, at=OCTOBER_20)
    assert log(ticket, technician, 120, worked_on=LAST_MONTH) == [(ALLOWANCE, 120, 0)]
    assert log(ticket, technician, 60, worked_on=LAST_MONTH) == [(BILLABLE, 60, 0)]
    assert minutes_used(desk, OCTOBER_20) == 120
    # This month's allowance is still whole.
    assert minutes_used(desk, MONDAY_10) == 0
    assert log(ticket, technician, 60) == [(ALLOWANCE, 60, 0)]


@pytest.mark.django_db(transaction=True)
def test_a_late_entry_draws_only_on_top_ups_bought_by_the_end_of_its_month(desk, technician):
    contract = desk.contracts.get()
    TopUp.objects.create(contract=contract, minutes=60, purchased_on=date(2026, 10, 5))
    TopUp.objects.create(contract=contract, minutes=600, purchased_on=date(2026, 11, 2))
    ticket = file(SARA, MAIL, at=OCTOBER_20)
    assert log(ticket, technician, 150, worked_on=LAST_MONTH) == [(ALLOWANCE, 150, 30)]
    assert log(ticket, technician, 60, worked_on=LAST_MONTH) == [
        (ALLOWANCE, 30, 30),
        (BILLABLE, 30, 0),
    ]
    # November's work may draw on November's block.
    assert log(ticket, technician, 150) == [(ALLOWANCE, 150, 30)]


@pytest.mark.django_db(transaction=True)
def test_on_the_first_the_month_and_the_day_are_the_customers(desk, technician, settings):
    settings.TIME_ZONE = "UTC"  # the desk's own day is still 30 November
    first_of_december = datetime(2026, 12, 1, 0, 30, tzinfo=HELSINKI)
    ticket = file(SARA, MAIL, at=MONDAY_10)
    log(ticket, technician, 120)  # November's allowance used up
    with time_machine.travel(first_of_december, tick=False):
        late_ticket = file(SARA, MAIL)
        with pytest.raises(services.TicketError, match="arrived on"):
            log(late_ticket, technician, 30, worked_on=date(2026, 11, 30))
        assert log(late_ticket, technician, 30) == [(ALLOWANCE, 30, 0)]
        assert log(late_ticket, technician, 30, worked_on=date(2026, 12, 1)) == [(ALLOWANCE, 30, 0)]
        assert late_ticket.time_entries.filter(worked_on=date(2026, 12, 1)).count() == 2
        assert minutes_used(desk, first_of_december) == 60
    assert minutes_used(desk, MONDAY_10) == 120


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite takes one writer at a time anyway",
)
@pytest.mark.django_db(transaction=True)
def test_two_late_entries_at_once_cannot_both_take_the_last_minutes(desk, technician):
    tickets = [file(SARA, MAIL, at=OCTOBER_20) for _ in range(2)]
    barrier = threading.Barrier(2, timeout=30)

    def log_together(ticket):
        try:
            barrier.wait()
            return log(ticket, technician, 100, worked_on=LAST_MONTH)
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(log_together, tickets))
    assert results == [
        [(ALLOWANCE, 20, 0), (BILLABLE, 80, 0)],
        [(ALLOWANCE, 100, 0)],
    ]
    assert minutes_used(desk, OCTOBER_20) == 120


# --- the days work can be logged for -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_day_the_ticket_arrived_and_today_are_accepted(desk, technician):
    ticket = file(SARA, MAIL, at=datetime(2026, 11, 19, 23, 50, tzinfo=HELSINKI))
    url = f"/api/v1/tickets/{ticket.pk}/time/"
    for day in ("2026-11-19", "2026-11-23"):
        response = api(technician).post(url, {"minutes": 15, "worked_on": day})
        assert response.status_code == 200, response.content
    assert sorted(ticket.time_entries.values_list("worked_on", flat=True)) == [
        date(2026, 11, 19),
        date(2026, 11, 23),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("day", ["0001-01-01", "2026-11-18"])
def test_a_day_before_the_ticket_arrived_is_refused_in_the_api(desk, technician, day):
    ticket = file(SARA, MAIL, at=datetime(2026, 11, 19, 0, 10, tzinfo=HELSINKI))
    response = api(technician).post(
        f"/api/v1/tickets/{ticket.pk}/time/", {"minutes": 15, "worked_on": day}
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"] == (
        "This ticket arrived on 19 November 2026, so work on it cannot be logged "
        "for an earlier day."
    )
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("day", ["0001-01-01", "2026-11-18"])
def test_a_day_before_the_ticket_arrived_is_refused_on_the_queue_page(
    desk, technician, client, day
):
    ticket = file(SARA, MAIL, at=datetime(2026, 11, 19, 0, 10, tzinfo=HELSINKI))
    client.force_login(technician)
    response = client.post(
        reverse("queue:time", args=[ticket.pk]),
        {"time-minutes": 15, "time-worked_on": day},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "This ticket arrived on 19 November 2026" in response.content.decode()
    assert not TimeEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_refusal_speaks_the_technicians_language(desk, technician):
    ticket = file(SARA, MAIL, at=datetime(2026, 11, 19, 0, 10, tzinfo=HELSINKI))
    with translation.override("fi"), pytest.raises(services.TicketError) as refused:
        log(ticket, technician, 15, worked_on=date(1, 1, 1))
    assert str(refused.value).startswith("Tämä tukipyyntö saapui 19.")


# --- notices speak of the running month only ---------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_late_entry_for_a_month_gone_by_sends_no_allowance_notice(desk, technician):
    ticket = file(SARA, MAIL, at=OCTOBER_20)
    mail.outbox.clear()
    log(ticket, technician, 120, worked_on=LAST_MONTH)
    assert minutes_used(desk, OCTOBER_20) == 120
    assert not AllowanceNotice.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_new_decision_on_last_months_ticket_sends_no_notice_of_last_month(desk, technician):
    for _ in range(7):
        file(SARA, MAIL, at=OCTOBER_20)
    plugin = file(SARA, PLUGIN, at=OCTOBER_20)
    assert not AllowanceNotice.objects.exists()  # 7 of 10 tickets: under 80 %
    mail.outbox.clear()
    services.ticket_change_service(ticket_id=plugin.pk, service="hosting.email", by=technician)
    assert plugin.decisions.get(is_current=True).counts_against_allowance  # 8 of 10
    assert allowance_usage(customer=desk, at=OCTOBER_20).tickets_used == 8
    assert not AllowanceNotice.objects.exists()
    assert [m.to for m in mail.outbox] == [[SARA]]  # the new answer, and no notice
