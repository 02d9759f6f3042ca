"""Absurd input answers 400 with a JSON body, never a 500, and every error under
/api/ is JSON: the filters' ids, ids in a body, months, JSON nested too deep or
with numbers no float holds, and what Django itself answers (an unknown URL, a
request it cannot read, a crash). Elsewhere the kind HTML pages stay.

Integer overflow differs between SQLite (the driver refuses the number) and
PostgreSQL (the column type does), so these run on both in CI."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.helpers import api
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

MAX_ID = 2**63 - 1

# Every list filter that names a row by its id.
ID_FILTERS = [
    ("tickets", "messages", "ticket"),
    ("tickets", "offers", "ticket"),
    ("tickets", "attachments", "ticket"),
    ("tickets", "decisions", "ticket"),
    ("tickets", "time-entries", "ticket"),
    ("contracts", "top-ups", "contract"),
    ("contracts", "clauses", "contract"),
    ("contracts", "sla-targets", "contract"),
    ("contracts", "uptime-credits", "contract"),
]
ABSURD_IDS = [
    "1e30",
    "1e20",
    "-4.677676290897002e+86",
    str(10**23),
    str(MAX_ID + 1),
    "1.5",
    "0",
    "-1",
    "0x10",
    "NaN",
    "Infinity",
    "²",
]


def quiet(client: APIClient) -> APIClient:
    """A server error comes back as a response, as a caller would see it."""
    client.raise_request_exception = False
    return client


def assert_json_error(response, status: int, key: str = "detail") -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert key in body, body
    return body


@pytest.fixture
def sara(northwind):
    return quiet(api("sara@northwind.example"))


@pytest.fixture
def lead_api(northwind, lead):
    return quiet(api(lead))


@pytest.mark.parametrize("value", ABSURD_IDS)
@pytest.mark.parametrize(("app", "path", "name"), ID_FILTERS)
def test_an_id_filter_refuses_what_is_no_id_with_a_400_naming_it(
    sara, lead_api, app, path, name, value
):
    for client in (sara, lead_api):
        response = client.get(f"/api/v1/{path}/", {name: value})
        assert_json_error(response, 400, key=name)


@pytest.mark.parametrize(("app", "path", "name"), ID_FILTERS)
def test_an_id_filter_takes_the_largest_id_and_finds_nothing(lead_api, app, path, name):
    response = lead_api.get(f"/api/v1/{path}/", {name: str(MAX_ID)})
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "query",
    [
        {"q": "#" + str(10**23)},
        {"q": "²"},
        {"q": "#٣"},
        {"page": "1e30"},
    ],
)
def test_the_ticket_search_and_pages_take_any_text_without_a_server_error(sara, query):
    response = sara.get("/api/v1/tickets/", query)
    assert response.status_code in (200, 404), response.content[:300]
    assert response["Content-Type"].startswith("application/json")


def test_the_allowance_refuses_a_customer_that_is_no_slug_with_a_400(lead_api):
    # PostgreSQL refuses a NUL byte in text: found by Schemathesis.
    for customer in ("north\x00wind", "¶_"):
        response = lead_api.get("/api/v1/allowance/", {"customer": customer})
        assert_json_error(response, 400, key="customer")


def test_the_queue_page_takes_a_canned_reply_number_it_cannot_read(client, lead, sara):
    ticket = sara.post(
        "/api/v1/tickets/", {"subject": "Help", "body": "Mail is down."}, format="json"
    ).json()
    client.force_login(lead)
    for canned in ("²", str(10**23)):
        page = client.get(f"/queue/tickets/{ticket['id']}/", {"canned": canned})
        assert page.status_code == 200


@pytest.mark.parametrize("tickets", [[10**23], [MAX_ID + 1], [1.5], ["1e30"], [0], [-1]])
def test_bulk_assign_refuses_what_is_no_ticket_id_with_a_400(lead_api, tickets):
    response = lead_api.post(
        "/api/v1/tickets/bulk-assign/", {"tickets": tickets, "assignee": None}, format="json"
    )
    assert_json_error(response, 400, key="tickets")


def test_a_contract_part_refuses_a_contract_id_out_of_range_with_a_400(lead_api, northwind):
    for contract in (10**23, 1.5, "1e30"):
        response = lead_api.post(
            "/api/v1/top-ups/",
            {"contract": contract, "minutes": 60, "purchased_on": "2026-11-01"},
            format="json",
        )
        assert_json_error(response, 400, key="contract")


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "0000-12", "99999-01", "2026-13"])
def test_a_month_without_a_month_either_side_is_refused_with_a_400(lead_api, month):
    response = lead_api.get("/api/v1/time-entries/by-technician/", {"month": month})
    assert_json_error(response, 400)


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_the_time_page_shows_this_month_for_a_month_at_the_calendars_end(client, lead, month):
    client.force_login(lead)
    page = client.get("/queue/time/", {"month": month})
    assert page.status_code == 200


@pytest.mark.parametrize("depth", [5_000, 100])
def test_json_nested_too_deep_is_refused_with_a_400(lead_api, depth):
    body = '{"tickets": ' + "[" * depth + "1" + "]" * depth + ', "assignee": null}'
    response = lead_api.post("/api/v1/tickets/bulk-assign/", body, content_type="application/json")
    assert_json_error(response, 400)


def test_a_number_no_float_holds_is_refused_with_a_400(lead_api):
    response = lead_api.post(
        "/api/v1/top-ups/",
        '{"contract": 1e400, "minutes": 60, "purchased_on": "2026-11-01"}',
        content_type="application/json",
    )
    assert_json_error(response, 400)


def test_json_text_with_a_nul_character_is_refused_with_a_400(lead_api):
    # PostgreSQL stores no NUL in text or jsonb; the write would answer 500.
    response = lead_api.post(
        "/api/v1/services/",
        '{"code": "x.nul", "names": {"en": "Mail\\u0000"}, "phrases": {}}',
        content_type="application/json",
    )
    assert_json_error(response, 400)


def test_json_with_ordinary_nesting_is_still_read(lead_api, northwind):
    contract = northwind.contracts.get()
    response = lead_api.patch(
        f"/api/v1/contracts/{contract.pk}/",
        {"support_hours": {"mon-fri": "08:00-18:00", "sat": "10:00-14:00"}},
        format="json",
    )
    assert response.status_code == 200, response.content


# --- what Django itself answers ------------------------------------------------------


def test_an_unknown_api_url_answers_404_in_json(sara):
    body = assert_json_error(sara.get("/api/v1/no-such-thing/"), 404)
    assert body["detail"]


def test_an_unknown_page_still_answers_the_kind_html_page(client):
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
    assert b"We could not find that page" in page.content


def test_a_request_django_cannot_accept_answers_400_in_json_under_the_api(db):
    response = quiet(APIClient()).get("/api/v1/tickets/", HTTP_HOST="evil.example")
    assert_json_error(response, 400)


def test_a_crash_under_the_api_answers_500_in_json_and_elsewhere_the_page(
    northwind, monkeypatch, client
):
    def crash(*args, **kwargs):
        raise RuntimeError("a fault injected by the test")

    monkeypatch.setattr("tickets.api.views.tickets_visible_to", crash)
    body = assert_json_error(quiet(api("sara@northwind.example")).get("/api/v1/tickets/"), 500)
    assert "injected" not in body["detail"]

    monkeypatch.setattr("tickets.portal.views.tickets_visible_to", crash)
    client.raise_request_exception = False
    client.force_login(
        Ticket._meta.apps.get_model("auth", "User").objects.get(email="sara@northwind.example")
    )
    page = client.get("/portal/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert b"Something went wrong" in page.content
