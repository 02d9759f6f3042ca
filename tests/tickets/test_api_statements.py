"""GET /api/v1/statements/: staff read any customer's month, a contact their own
customer's, a requester only their own tickets' lines; money as strings."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.models import Customer
from tests.helpers import api
from tests.tickets.test_statement_pages import AINO, IVAN, MIKKO, a_month_of_work
from tests.tickets.test_ticket_flow import (
    SARA,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 23 November, 10:00
)
from tickets import services

URL = "/api/v1/statements/"
NOVEMBER = {"customer": "northwind", "month": "2026-11"}


@pytest.fixture
def month(northwind, volga, daugava, lead, technician):
    return a_month_of_work(lead, technician)


def subjects(body: dict) -> list[str]:
    return [line["subject"] for line in body["lines"]]


@pytest.mark.django_db(transaction=True)
def test_staff_read_any_customers_statement(month, technician):
    response = api(technician).get(URL, NOVEMBER)
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "NORTHWIND-2026-11"
    assert (body["month"], body["currency"], body["contract"]) == (
        "2026-11",
        "EUR",
        "HOST-2026-014",
    )
    assert body["closed"] is False and body["closed_at"] is None
    assert body["totals"] == [{"currency": "EUR", "amount": "165.00"}]
    assert body["credits_pending"] == 0
    assert body["allowance"]["included_minutes"] == 120
    overage = next(line for line in body["lines"] if line["kind"] == "overage")
    assert overage == {
        "kind": "overage",
        "ticket": month["covered"].pk,
        "subject": "Mail is not arriving",
        "service": "hosting.email",
        "minutes": 30,
        "rate": "90.00",
        "amount": "45.00",
        "currency": "EUR",
        "pricing": "",
        "worth": None,
        "corrects": "",
        "of_kind": "",
    }
    paid = [line for line in body["lines"] if line["kind"] == "paid_work"]
    assert {(line["pricing"], line["amount"], line["rate"]) for line in paid} == {
        ("fixed", "60.00", None)
    }
    volga = api(technician).get(URL, {"customer": "volga-media", "month": "2026-11"}).json()
    assert subjects(volga) == ["Volga's private plugin"]


@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_the_whole_of_their_own_customers_month(month):
    mine = api(AINO).get(URL, {"month": "2026-11"}).json()
    assert sorted(subjects(mine)) == [
        "A plugin on the house",
        "Mail is not arriving",
        "Mikko's own plugin",
        "Sara's shop plugin",
    ]
    assert mine["for_requester"] is False
    assert api(AINO).get(URL, NOVEMBER).json() == mine


@pytest.mark.django_db(transaction=True)
def test_another_customers_statement_is_as_if_it_did_not_exist(month):
    other = api(IVAN).get(URL, NOVEMBER)
    unknown = api(IVAN).get(URL, {"customer": "nobody", "month": "2026-11"})
    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()


@pytest.mark.django_db(transaction=True)
def test_a_requester_reads_only_their_own_lines(month):
    body = api(SARA).get(URL, {"month": "2026-11"}).json()
    assert "Mikko's own plugin" not in subjects(body)
    assert body["for_requester"] is True
    assert body["allowance"] is None and body["credits_pending"] is None
    assert body["totals"] == [{"currency": "EUR", "amount": "105.00"}]
    mikkos = api(MIKKO).get(URL, {"month": "2026-11"}).json()
    assert subjects(mikkos) == ["Mikko's own plugin"]


@pytest.mark.django_db(transaction=True)
def test_a_bad_month_is_refused_with_a_clear_message(month, lead):
    for month_asked in ("November", "2026-13", "2026-1"):
        response = api(lead).get(URL, {"customer": "northwind", "month": month_asked})
        assert response.status_code == 400, month_asked
        assert "YYYY-MM" in response.json()["detail"]
    missing = api(lead).get(URL, {"customer": "northwind"})
    assert missing.status_code == 400 and "month" in missing.json()["detail"]
    nameless = api(lead).get(URL, {"month": "2026-11"})
    assert nameless.status_code == 400 and "?customer=slug" in nameless.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_hidden_goodwill_is_left_out_for_the_customer_only(month, lead):
    northwind = Customer.objects.get(slug="northwind")
    services.statement_goodwill_show(customer=northwind, month=date(2026, 11, 1), show=False)
    assert "A plugin on the house" not in subjects(api(AINO).get(URL, {"month": "2026-11"}).json())
    staff = api(lead).get(URL, NOVEMBER).json()
    assert "A plugin on the house" in subjects(staff) and staff["show_goodwill"] is False


@pytest.mark.django_db
def test_the_schema_documents_the_statement(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/statements/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"customer", "month"}
    line = schema["components"]["schemas"]["StatementLine"]["properties"]
    assert line["amount"]["type"] == "string"
