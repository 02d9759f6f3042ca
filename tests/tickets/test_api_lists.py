"""The tickets API beyond intake: the queue's filters and ordering, the parts of a
ticket as lists of their own, this month's allowance, and the customer's voice."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.helpers import api
from tickets.models import Message, Ticket

HELSINKI = ZoneInfo("Europe/Helsinki")
SARA = "sara@northwind.example"
MIKKO = "mikko@northwind.example"
AINO = "aino@northwind.example"
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI), tick=False):
        yield


@pytest.fixture
def file(django_capture_on_commit_callbacks):
    """File through the API; the scope check runs on commit, as in production."""

    def file(email: str = SARA, body: str = MAIL, **extra) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            response = api(email).post(
                "/api/v1/tickets/", {"subject": "Help", "body": body, **extra}, format="json"
            )
        assert response.status_code == 201, response.content
        # Read again: the decision was stored after the response was written.
        return api(email).get(f"/api/v1/tickets/{response.json()['id']}/").json()

    return file


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_list_shows_each_ticket_with_its_verdict_but_not_the_conversation(northwind, file):
    filed = file()
    (row,) = api(SARA).get("/api/v1/tickets/").json()["results"]
    assert row["id"] == filed["id"]
    assert row["scope"]["verdict"] == "in_scope"
    assert row["requester"] == SARA
    assert "messages" not in row
    assert "attachments" not in row


def test_staff_filter_the_list_as_the_queue_does(northwind, volga, file, technician):
    covered = file()
    paid = file(body=PLUGIN)
    olgas = file("olga@volga-media.example", body=MAIL)
    tech = api(technician)
    assert ids(tech.get("/api/v1/tickets/?verdict=paid_option")) == [paid["id"]]
    assert set(ids(tech.get("/api/v1/tickets/?customer=northwind"))) == {
        covered["id"],
        paid["id"],
    }
    assert ids(tech.get("/api/v1/tickets/?status=awaiting_decision")) == [paid["id"]]
    assert ids(tech.get(f"/api/v1/tickets/?q=%23{olgas['id']}")) == [olgas["id"]]
    assert ids(tech.get("/api/v1/tickets/?q=WooCommerce")) == [paid["id"]]
    api(technician).post(f"/api/v1/tickets/{covered['id']}/assign/", {"assignee": "tech"})
    assert ids(tech.get("/api/v1/tickets/?assignee=me")) == [covered["id"]]
    assert ids(tech.get("/api/v1/tickets/?assignee=none&customer=northwind")) == [paid["id"]]
    # SLA order: the urgent covered ticket's deadline comes first.
    urgent = file(body=MAIL, priority="urgent")
    by_deadline = ids(
        tech.get("/api/v1/tickets/?ordering=sla_due&verdict=in_scope&customer=northwind")
    )
    assert by_deadline == [urgent["id"], covered["id"]]
    assert ids(
        tech.get("/api/v1/tickets/?ordering=-sla_due&verdict=in_scope&customer=northwind")
    ) == [
        covered["id"],
        urgent["id"],
    ]


def test_an_unknown_filter_value_is_refused_with_its_name(northwind, technician):
    response = api(technician).get("/api/v1/tickets/?status=lost")
    assert response.status_code == 400
    assert "status" in response.json()


def test_messages_decisions_and_time_entries_are_lists_of_their_own(northwind, file, technician):
    ticket = file()
    base = f"/api/v1/tickets/{ticket['id']}"
    tech = api(technician)
    assert tech.post(f"{base}/reply/", {"body": "Looking now."}).status_code == 200
    assert tech.post(f"{base}/note/", {"body": "Queue stuck."}).status_code == 200
    assert tech.post(f"{base}/time/", {"minutes": 20, "note": "flushed"}).status_code == 200
    assert tech.post(f"{base}/service/", {"service": "hosting.dns"}).status_code == 200

    messages = api(SARA).get(f"/api/v1/messages/?ticket={ticket['id']}").json()["results"]
    assert {m["kind"] for m in messages} == {"automatic", "public"}
    assert {m["kind"] for m in tech.get("/api/v1/messages/?kind=internal").json()["results"]} == {
        "internal"
    }

    decisions = api(SARA).get(f"/api/v1/decisions/?ticket={ticket['id']}").json()["results"]
    assert [(d["service"], d["is_current"]) for d in decisions] == [
        ("hosting.dns", True),
        ("hosting.email", False),
    ]
    assert ids(api(SARA).get("/api/v1/decisions/?is_current=true")) == [decisions[0]["id"]]

    (entry,) = api(AINO).get("/api/v1/time-entries/").json()["results"]
    assert (entry["minutes"], entry["kind"], entry["ticket"]) == (20, "allowance", ticket["id"])
    assert ids(tech.get("/api/v1/time-entries/?technician=tech")) == [entry["id"]]
    assert ids(tech.get("/api/v1/time-entries/?kind=billable")) == []
    assert ids(tech.get("/api/v1/time-entries/?worked_on_after=2026-11-24")) == []


def test_offers_are_listed_by_status(northwind, file):
    paid = file(body=PLUGIN)
    assert ids(api(SARA).get("/api/v1/offers/?status=pending")) == [paid["offer"]["id"]]
    assert ids(api(SARA).get("/api/v1/offers/?status=accepted")) == []


def test_a_contact_reads_this_months_allowance(northwind, file, technician):
    ticket = file()
    api(technician).post(f"/api/v1/tickets/{ticket['id']}/time/", {"minutes": 30})
    allowance = api(MIKKO).get("/api/v1/allowance/").json()
    assert allowance["customer"] == "northwind"
    assert allowance["month"] == "2026-11-01"
    assert allowance["contract"] == "HOST-2026-014"
    assert allowance["tickets"] == {"included": 10, "used": 1, "left": 9, "percent": 10}
    assert allowance["minutes"] == {"included": 120, "used": 30, "left": 90, "percent": 25}


def test_staff_name_the_customer_whose_allowance_they_read(northwind, technician):
    tech = api(technician)
    assert tech.get("/api/v1/allowance/").status_code == 400
    assert tech.get("/api/v1/allowance/?customer=nobody").status_code == 404
    assert tech.get("/api/v1/allowance/?customer=northwind").json()["minutes"]["used"] == 0


def test_the_customer_asks_for_a_manager_once(northwind, file):
    ticket = file()
    url = f"/api/v1/tickets/{ticket['id']}/escalate/"
    assert api(SARA).post(url, {"reason": "Nobody answers."}).status_code == 200
    again = api(AINO).post(url, {"reason": "Still nobody."})
    assert again.status_code == 400
    assert "already been asked" in again.json()["detail"]
    # The note for the technicians stays theirs.
    kinds = [
        m["kind"] for m in api(SARA).get(f"/api/v1/tickets/{ticket['id']}/").json()["messages"]
    ]
    assert "internal" not in kinds
    assert Message.objects.filter(ticket_id=ticket["id"], kind="internal").count() == 1


def test_the_customer_rates_a_resolved_ticket(northwind, file, technician):
    ticket = file()
    url = f"/api/v1/tickets/{ticket['id']}/rate/"
    early = api(SARA).post(url, {"score": 5})
    assert early.status_code == 400
    assert "once the ticket is resolved" in early.json()["detail"]
    api(technician).post(f"/api/v1/tickets/{ticket['id']}/status/", {"status": "resolved"})
    assert api(SARA).post(url, {"score": 9}).status_code == 400
    rated = api(SARA).post(url, {"score": 5, "comment": "Fast!"})
    assert rated.status_code == 200
    assert rated.json()["rating"]["score"] == 5
    assert Ticket.objects.get(pk=ticket["id"]).rating.comment == "Fast!"
