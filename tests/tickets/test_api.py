"""The tickets API: intake, reading, the technicians' actions and offers."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from tests.helpers import api
from tickets.models import Message, Offer, Ticket

HELSINKI = ZoneInfo("Europe/Helsinki")
SARA = "sara@northwind.example"
AINO = "aino@northwind.example"
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI), tick=False):
        yield


def file(email: str = SARA, body: str = MAIL, **extra) -> dict:
    response = api(email).post("/api/v1/tickets/", {"subject": "Help", "body": body, **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_a_filed_ticket_comes_back_with_its_decision_and_reply(northwind):
    ticket = file()
    assert ticket["scope"]["verdict"] == "in_scope"
    assert ticket["scope"]["service"] == "hosting.email"
    assert ticket["scope"]["clause"]["text"].startswith("Setting up mailboxes")
    assert [m["kind"] for m in ticket["messages"]] == ["automatic"]
    again = api(SARA).get(f"/api/v1/tickets/{ticket['id']}/").json()
    assert again["scope"] == ticket["scope"]
    assert again["channel"] == "api"


def test_the_body_is_stored_exactly_as_written(northwind):
    body = "<script>alert('x')</script>\n  **bold** & [link](javascript:alert(1))"
    ticket = file(body=body)
    assert Ticket.objects.get(pk=ticket["id"]).body == body
    assert ticket["body"] == body


def test_a_paid_request_offers_a_price_that_the_customer_accepts(northwind):
    ticket = file(body=PLUGIN)
    assert ticket["scope"]["verdict"] == "paid_option"
    assert ticket["offer"]["amount"] == "60.00"
    assert ticket["status"] == "awaiting_decision"
    response = api(SARA).post(f"/api/v1/offers/{ticket['offer']['id']}/accept/")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    again = api(SARA).post(f"/api/v1/offers/{ticket['offer']['id']}/decline/")
    assert again.status_code == 400
    assert "already been answered" in again.json()["detail"]


def test_staff_cannot_answer_an_offer_for_the_customer(northwind, technician):
    ticket = file(body=PLUGIN)
    response = api(technician).post(f"/api/v1/offers/{ticket['offer']['id']}/accept/")
    assert response.status_code == 403
    assert Offer.objects.get().status == Offer.Status.PENDING


def test_a_picked_service_that_does_not_exist_is_refused(northwind):
    response = api(SARA).post(
        "/api/v1/tickets/", {"subject": "x", "body": "y", "service": "web.teleport"}
    )
    assert response.status_code == 400
    assert "web.teleport" in response.json()["detail"]


def test_a_user_who_is_no_contact_cannot_file(northwind, technician):
    response = api(technician).post("/api/v1/tickets/", {"subject": "x", "body": "y"})
    assert response.status_code == 403


def test_a_technician_assigns_replies_notes_and_logs_time(northwind, technician):
    ticket = file()
    base = f"/api/v1/tickets/{ticket['id']}"
    tech = api(technician)
    assert tech.post(f"{base}/assign/", {"assignee": "tech"}).status_code == 200
    assert tech.post(f"{base}/reply/", {"body": "Looking at it now."}).status_code == 200
    assert tech.post(f"{base}/note/", {"body": "Mail queue is stuck."}).status_code == 200
    response = tech.post(f"{base}/time/", {"minutes": 20, "note": "queue flushed"})
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket["id"]).assignee == technician
    kinds = [m["kind"] for m in tech.get(f"{base}/").json()["messages"]]
    assert kinds == ["automatic", "public", "internal"]
    # The customer never sees the internal note.
    customer_kinds = [m["kind"] for m in api(SARA).get(f"{base}/").json()["messages"]]
    assert customer_kinds == ["automatic", "public"]


def test_a_customer_cannot_use_the_technicians_actions(northwind):
    ticket = file()
    base = f"/api/v1/tickets/{ticket['id']}"
    for action, data in [
        ("assign", {"assignee": ""}),
        ("note", {"body": "x"}),
        ("status", {"status": "resolved"}),
        ("service", {"service": "hosting.dns"}),
        ("priority", {"priority": "urgent"}),
        ("time", {"minutes": 5}),
        ("override", {"verdict": "in_scope", "reason": "x"}),
    ]:
        assert api(SARA).post(f"{base}/{action}/", data).status_code == 403, action


def test_a_customer_replies_on_their_ticket(northwind):
    ticket = file()
    response = api(SARA).post(f"/api/v1/tickets/{ticket['id']}/reply/", {"body": "Any news?"})
    assert response.status_code == 200
    assert Message.objects.filter(ticket_id=ticket["id"], kind="public").count() == 1


def test_a_refused_action_answers_400_with_the_reason(northwind, technician):
    ticket = file(body=PLUGIN)
    response = api(technician).post(f"/api/v1/tickets/{ticket['id']}/time/", {"minutes": 30})
    assert response.status_code == 400
    assert "not answered the offer yet" in response.json()["detail"]


def test_changing_the_service_gives_a_new_decision(northwind, technician):
    ticket = file()
    response = api(technician).post(
        f"/api/v1/tickets/{ticket['id']}/service/", {"service": "web.cms_plugins"}
    )
    assert response.status_code == 200
    scope = response.json()["scope"]
    assert (scope["verdict"], scope["service"], scope["decided_by"]) == (
        "paid_option",
        "web.cms_plugins",
        "tech",
    )


def test_a_lead_overrides_with_a_reason_and_a_technician_cannot(northwind, lead, technician):
    ticket = file(body=PLUGIN)
    url = f"/api/v1/tickets/{ticket['id']}/override/"
    refused = api(technician).post(url, {"verdict": "in_scope", "reason": "goodwill"})
    # A role that may not override: 403, with the reason why.
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only a lead can override a verdict."}
    assert api(lead).post(url, {"verdict": "in_scope", "reason": ""}).status_code == 400
    response = api(lead).post(url, {"verdict": "in_scope", "reason": "Loyal customer."})
    assert response.status_code == 200
    scope = response.json()["scope"]
    assert scope["is_override"] and scope["decided_by"] == "lead"
    assert scope["override_reason"] == "Loyal customer."


def test_the_api_answers_with_a_token(northwind):
    out = io.StringIO()
    call_command("apitoken", SARA, stdout=out)
    token = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/tickets/").status_code == 200
    # The same token the second time.
    again = io.StringIO()
    call_command("apitoken", SARA.upper(), stdout=again)
    assert again.getvalue().strip() == token


def test_apitoken_names_an_unknown_address(db):
    with pytest.raises(CommandError, match=r"nobody@example\.com"):
        call_command("apitoken", "nobody@example.com")


def test_the_schema_describes_ticket_creation(db, admin_user):
    response = api(admin_user).get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"/api/v1/tickets/" in response.content
