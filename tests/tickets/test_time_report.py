"""Goodwill and other minutes per technician (queue page and API), bulk
assignment and canned replies through the API, and the day work is logged on."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import api
from tests.tickets.test_ticket_flow import (
    MAIL,
    MONDAY_10,
    PLUGIN,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
    user,
)
from tickets import services
from tickets.models import CannedReply, Ticket, TimeEntry

IVAN = "ivan@volga-media.example"


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


@pytest.fixture
def worked(desk, lead, technician, django_user_model):
    """Covered time, paid time and goodwill by two technicians."""
    other = django_user_model.objects.create_user(
        "tiina", "tiina@desk.example", first_name="Tiina", is_staff=True
    )
    covered = file(SARA, MAIL)
    services.time_entry_log(ticket_id=covered.pk, technician=technician, minutes=30)
    paid = file(SARA, PLUGIN)
    services.offer_answer(offer_id=paid.offers.get().pk, accept=True)
    services.time_entry_log(ticket_id=paid.pk, technician=other, minutes=45)
    granted = file(SARA, PLUGIN)
    services.decision_override(
        ticket_id=granted.pk, lead=lead, verdict="in_scope", reason="Our mistake."
    )
    services.time_entry_log(ticket_id=granted.pk, technician=technician, minutes=20)
    services.time_entry_log(ticket_id=granted.pk, technician=other, minutes=10)
    return technician, other


@pytest.mark.django_db(transaction=True)
def test_a_lead_reads_everyones_goodwill_for_the_month(worked, lead):
    rows = api(lead).get("/api/v1/time-entries/by-technician/?month=2026-11").json()
    assert rows == [
        {"technician": "tech", "covered": 30, "billable": 0, "goodwill": 20, "total": 50},
        {"technician": "Tiina", "covered": 0, "billable": 45, "goodwill": 10, "total": 55},
    ]
    assert api(lead).get("/api/v1/time-entries/by-technician/?month=2026-10").json() == []


@pytest.mark.django_db(transaction=True)
def test_a_technician_reads_only_their_own_minutes(worked):
    technician, _ = worked
    rows = api(technician).get("/api/v1/time-entries/by-technician/").json()
    assert [row["technician"] for row in rows] == ["tech"]


@pytest.mark.django_db(transaction=True)
def test_contacts_cannot_read_the_time_report_and_a_bad_month_is_refused(worked, lead):
    assert api(SARA).get("/api/v1/time-entries/by-technician/").status_code == 403
    response = api(lead).get("/api/v1/time-entries/by-technician/?month=November")
    assert response.status_code == 400 and "YYYY-MM" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_the_time_page_shows_goodwill_per_technician_in_a_fixed_number_of_queries(
    worked, lead, client, django_user_model
):
    client.force_login(lead)
    page = client.get("/queue/time/?month=2026-11")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Tiina" in html and ">45<" in html and ">30<" in html  # 20 + 10 goodwill
    with CaptureQueriesContext(connection) as few:
        client.get("/queue/time/?month=2026-11")
    ticket = Ticket.objects.filter(verdict="in_scope", decisions__is_override=True).first()
    for i in range(5):
        extra = django_user_model.objects.create_user(f"t{i}", f"t{i}@desk.example", is_staff=True)
        TimeEntry.objects.create(
            ticket=ticket,
            technician=extra,
            minutes=5,
            counted_minutes=5,
            kind="goodwill",
            worked_on=date(2026, 11, 23),
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/queue/time/?month=2026-11")
    assert len(many) == len(few)


@pytest.mark.django_db(transaction=True)
def test_the_time_page_is_for_staff_only(worked, client):
    client.force_login(user(SARA))
    assert client.get("/queue/time/").status_code == 403


# --- the list of time entries follows the report's rule --------------------------


def _entries(who) -> list[dict]:
    return api(who).get("/api/v1/time-entries/").json()["results"]


@pytest.mark.django_db(transaction=True)
def test_a_technician_lists_only_their_own_time_entries_and_notes(worked):
    technician, other = worked
    ticket = Ticket.objects.filter(verdict="in_scope").exclude(decisions__is_override=True).get()
    services.time_entry_log(
        ticket_id=ticket.pk, technician=other, minutes=5, note="Tiina's working note"
    )
    mine = _entries(technician)
    assert {row["technician"] for row in mine} == {"tech"} and len(mine) == 2
    assert "Tiina's working note" not in str(mine)
    theirs = TimeEntry.objects.filter(technician=other).first()
    assert api(technician).get(f"/api/v1/time-entries/{theirs.pk}/").status_code == 404
    assert {row["technician"] for row in _entries(other)} == {"tiina"}


@pytest.mark.django_db(transaction=True)
def test_a_lead_lists_everyones_time_entries(worked, lead):
    assert len(_entries(lead)) == TimeEntry.objects.count() == 4
    assert {row["technician"] for row in _entries(lead)} == {"tech", "tiina"}


@pytest.mark.django_db(transaction=True)
def test_contacts_still_list_all_the_time_on_their_own_tickets_only(worked, volga):
    rows = _entries(SARA)
    assert len(rows) == 4  # both technicians' work on her tickets, as before
    assert not {"technician", "note"} & set(rows[0])
    assert _entries(IVAN) == []  # another customer's contact: nothing of Northwind


# --- bulk assignment and canned replies through the API ---------------------------


@pytest.mark.django_db(transaction=True)
def test_staff_assign_several_tickets_at_once(desk, technician, lead):
    tickets = [file(SARA, MAIL).pk for _ in range(3)]
    response = api(lead).post(
        "/api/v1/tickets/bulk-assign/", {"tickets": tickets, "assignee": "tech"}, format="json"
    )
    assert response.json() == {"assigned": 3}
    assert set(Ticket.objects.values_list("assignee__username", flat=True)) == {"tech"}
    response = api(lead).post(
        "/api/v1/tickets/bulk-assign/", {"tickets": tickets, "assignee": None}, format="json"
    )
    assert response.json() == {"assigned": 3}
    assert set(Ticket.objects.values_list("assignee", flat=True)) == {None}


@pytest.mark.django_db(transaction=True)
def test_bulk_assignment_is_all_or_nothing_and_not_for_contacts(desk, technician, lead):
    ticket = file(SARA, MAIL).pk
    response = api(lead).post(
        "/api/v1/tickets/bulk-assign/",
        {"tickets": [ticket, ticket + 1000], "assignee": "tech"},
        format="json",
    )
    assert response.status_code == 404 and str(ticket + 1000) in response.json()["detail"]
    response = api(lead).post(
        "/api/v1/tickets/bulk-assign/", {"tickets": [ticket], "assignee": SARA}, format="json"
    )
    assert response.status_code == 400  # a contact is not staff
    response = api(SARA).post(
        "/api/v1/tickets/bulk-assign/", {"tickets": [ticket], "assignee": None}, format="json"
    )
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket).assignee is None


@pytest.mark.django_db
def test_canned_replies_are_read_by_staff_only(technician):
    CannedReply.objects.create(title="Thanks", language="en", body="Thank you!")
    CannedReply.objects.create(title="Kiitos", language="fi", body="Kiitos!")
    rows = api(technician).get("/api/v1/canned-replies/?language=fi").json()["results"]
    assert [row["title"] for row in rows] == ["Kiitos"]
    assert api(technician).post("/api/v1/canned-replies/", {}).status_code == 405


@pytest.mark.django_db
def test_contacts_read_no_canned_replies(northwind):
    assert api(SARA).get("/api/v1/canned-replies/").status_code == 403


# --- the day work was done -------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_time_logged_through_the_api_keeps_its_day_but_not_a_day_to_come(desk, technician):
    ticket = file(SARA, MAIL, at=MONDAY_10 - timedelta(days=4))  # Thursday the 19th
    url = f"/api/v1/tickets/{ticket.pk}/time/"
    response = api(technician).post(url, {"minutes": 15, "worked_on": "2026-11-20"})
    assert response.status_code == 200, response.content
    assert ticket.time_entries.get().worked_on == date(2026, 11, 20)
    later = (MONDAY_10 + timedelta(days=3)).date().isoformat()
    response = api(technician).post(url, {"minutes": 15, "worked_on": later})
    assert response.status_code == 400 and "still to come" in response.json()["detail"]
    assert ticket.time_entries.count() == 1
