"""GET /api/v1/uptime/: a month's availability and credit per contract, for the
customer's own contacts and for staff, and for nobody else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from tests.helpers import api
from tests.tickets.test_uptime_credits import APRIL, IN_MAY, hel, incident
from tickets import services
from tickets.models import UptimeCredit

pytestmark = pytest.mark.django_db

AINO = "aino@northwind.example"  # Northwind's manager
MIKKO = "mikko@northwind.example"  # a requester
IVAN = "ivan@volga-media.example"


@pytest.fixture
def credit(northwind, lead) -> UptimeCredit:
    """April at Northwind: 75 minutes down in two overlapping incidents, 40 EUR."""
    incident(lead, hel(2026, 4, 7, 10, 0), hel(2026, 4, 7, 10, 40), customers=[northwind])
    incident(lead, hel(2026, 4, 7, 10, 30), hel(2026, 4, 7, 11, 15), title="Mail down")
    services.credits_compute_month(month=APRIL)
    return UptimeCredit.objects.get()


@pytest.fixture(autouse=True)
def _in_may():
    with time_machine.travel(IN_MAY, tick=False):
        yield


def test_a_contact_reads_their_customers_month(credit, volga):
    body = api(MIKKO).get("/api/v1/uptime/?month=2026-04").json()
    assert (body["customer"], body["month"]) == ("northwind", "2026-04-01")
    [row] = body["contracts"]
    assert row["contract"] == "HOST-2026-014"
    assert (row["minutes_in_month"], row["downtime_minutes"]) == (43200, 75)
    assert (row["availability"], row["target"], row["met"]) == ("99.826", "99.900", False)
    assert (row["credit_percent"], row["credit"], row["currency"]) == ("10.00", "40.00", "EUR")
    assert sorted(row["incidents"]) == ["Mail down", "Web servers down"]
    # Not confirmed yet: the customer sees the figures, not the record a lead may change.
    assert row["credit_record"] is None


def test_a_contact_sees_the_record_once_a_lead_confirmed_it(credit, lead):
    services.credit_confirm(credit_id=credit.pk, lead=lead)
    row = api(AINO).get("/api/v1/uptime/?month=2026-04").json()["contracts"][0]
    record = row["credit_record"]
    assert (record["id"], record["amount"], record["currency"]) == (credit.pk, "40.00", "EUR")
    assert record["confirmed_at"] is not None


def test_staff_name_the_customer_and_see_unconfirmed_records(credit, technician):
    tech = api(technician)
    assert tech.get("/api/v1/uptime/?month=2026-04").status_code == 400
    assert tech.get("/api/v1/uptime/?customer=nobody&month=2026-04").status_code == 404
    row = tech.get("/api/v1/uptime/?customer=northwind&month=2026-04").json()["contracts"][0]
    assert row["credit_record"]["computed_amount"] == "40.00"
    assert row["credit_record"]["confirmed_at"] is None


def test_a_contact_cannot_read_another_customers_uptime(credit, volga):
    response = api(IVAN).get("/api/v1/uptime/?customer=northwind&month=2026-04")
    assert response.status_code == 404
    own = api(IVAN).get("/api/v1/uptime/?customer=volga-media&month=2026-04")
    assert own.status_code == 200
    assert own.json()["customer"] == "volga-media"
    assert own.json()["contracts"][0]["credit_record"] is None


def test_someone_neither_staff_nor_contact_reads_nothing(credit, django_user_model):
    outsider = django_user_model.objects.create_user("eve", "eve@example.com", "x")
    assert api(outsider).get("/api/v1/uptime/?customer=northwind").status_code == 403


def test_without_a_month_it_is_this_month_so_far(northwind, lead):
    incident(lead, hel(2026, 5, 2, 10, 0), None, customers=[northwind])  # still going on
    row = api(AINO).get("/api/v1/uptime/").json()
    assert row["month"] == "2026-05-01"
    # From 10:00 Helsinki (07:00 UTC) on the 2nd until 09:00 UTC on the 3rd.
    assert row["contracts"][0]["downtime_minutes"] == 26 * 60


def test_a_contract_without_a_promise_shows_figures_and_no_credit(daugava, lead):
    incident(lead, datetime(2025, 3, 3, 9, 0, tzinfo=UTC), datetime(2025, 3, 3, 10, 0, tzinfo=UTC))
    row = api("janis@daugava.example").get("/api/v1/uptime/?month=2025-03").json()["contracts"][0]
    assert (row["target"], row["met"], row["credit"], row["downtime_minutes"]) == (
        None,
        True,
        "0.00",
        60,
    )


@pytest.mark.parametrize("month", ["2026-4", "April", "2026-13", "0000-01"])
def test_a_month_not_written_yyyy_mm_is_refused(northwind, month):
    assert api(AINO).get(f"/api/v1/uptime/?month={month}").status_code == 400


def test_a_month_outside_every_contract_lists_none(volga):
    # Volga's contract starts in March 2026; February has none.
    assert api(IVAN).get("/api/v1/uptime/?month=2026-02").json()["contracts"] == []
