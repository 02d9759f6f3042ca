"""A mixed ticket ("mail is down, and please install plugin X") from intake to
work: one reply answering each part, an offer for the paid part, the SLA of the
covered part, and time judged by the part it was for."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.helpers import api
from tests.tickets.test_portal.helpers import portal
from tests.tickets.test_ticket_flow import HELSINKI, MONDAY_10, SARA, file
from tickets import services
from tickets.models import DecisionPart, Message, Offer, Status, TimeEntry
from tickets.services.base import TicketError

MIXED_EN = (
    "Hi, our e-mail is not working since the morning, nobody gets anything. "
    "And also, could you install the Yoast plugin on the blog? Thanks, Sara"
)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


@pytest.mark.django_db(transaction=True)
def test_a_mixed_ticket_is_decided_in_parts_and_follows_its_covered_part(desk):
    ticket = file(SARA, MIXED_EN)
    assert (ticket.verdict, ticket.service.code, ticket.status) == (
        "in_scope",
        "hosting.email",
        Status.OPEN,
    )
    # The covered part's clock: 8 support hours from Monday 10:00.
    assert ticket.first_response_due == datetime(2026, 11, 23, 18, 0, tzinfo=HELSINKI)
    decision = ticket.decisions.get()
    parts = list(decision.parts.select_related("service"))
    assert [(p.service.code, p.verdict) for p in parts] == [
        ("hosting.email", "in_scope"),
        ("web.cms_plugins", "paid_option"),
    ]
    assert parts[0].clause_snapshot["coverage"] == "included"
    assert parts[1].clause_snapshot["price"] == "60.00"
    offer = ticket.offers.get()
    assert (offer.part, offer.decision, offer.amount, offer.status) == (
        parts[1],
        decision,
        Decimal("60.00"),
        Offer.Status.PENDING,
    )
    reply = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    assert reply.decision == decision
    email_part, plugin_part = reply.body.split("\n\n")[2:4]
    assert email_part.startswith("Email on our servers: we are on it now.")
    assert "within 8 working hours" in email_part
    assert plugin_part.startswith("CMS plugins and themes: this is not part of")
    assert "60.00 EUR" in plugin_part and "nothing is charged unless you accept" in plugin_part
    # The e-mail carries the paid part's answer links, named by its service.
    (sent,) = mail.outbox
    assert "CMS plugins and themes:\nAccept the offer: " in sent.body


@pytest.mark.django_db(transaction=True)
def test_time_on_the_covered_part_counts_and_on_the_unanswered_paid_part_is_refused(
    desk, technician
):
    ticket = file(SARA, MIXED_EN)
    email_part, plugin_part = ticket.decisions.get().parts.all()
    (entry,) = services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=20)
    assert (entry.kind, entry.part) == (TimeEntry.Kind.ALLOWANCE, email_part)
    with pytest.raises(TicketError, match="not answered the offer"):
        services.time_entry_log(
            ticket_id=ticket.pk, technician=technician, minutes=30, part_id=plugin_part.pk
        )
    services.offer_answer(offer_id=plugin_part.offer.pk, accept=True)
    (paid,) = services.time_entry_log(
        ticket_id=ticket.pk, technician=technician, minutes=30, part_id=plugin_part.pk
    )
    assert (paid.kind, paid.part) == (TimeEntry.Kind.BILLABLE, plugin_part)


@pytest.mark.django_db(transaction=True)
def test_time_cannot_name_a_part_of_another_ticket(desk, technician):
    ticket = file(SARA, MIXED_EN)
    other = file(SARA, MIXED_EN)
    foreign = DecisionPart.objects.filter(decision__ticket=other).first()
    with pytest.raises(TicketError, match="not a part"):
        services.time_entry_log(
            ticket_id=ticket.pk, technician=technician, minutes=5, part_id=foreign.pk
        )


@pytest.mark.django_db(transaction=True)
def test_accepting_the_paid_part_keeps_the_covered_parts_clock(desk):
    ticket = file(SARA, MIXED_EN)
    due, started = ticket.first_response_due, ticket.sla_started_at
    offer = ticket.offers.get()
    with time_machine.travel(MONDAY_10.replace(hour=12), tick=False):
        services.offer_answer(offer_id=offer.pk, accept=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_due, ticket.sla_started_at) == (
        Status.OPEN,
        due,
        started,
    )
    note = ticket.messages.filter(kind=Message.Kind.AUTOMATIC).last()
    assert "accepting the offer for CMS plugins and themes" in note.body


@pytest.mark.django_db(transaction=True)
def test_declining_the_paid_part_leaves_the_covered_part_open(desk):
    ticket = file(SARA, MIXED_EN)
    services.offer_answer(offer_id=ticket.offers.get().pk, accept=False)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == (Status.OPEN, None)
    note = ticket.messages.filter(kind=Message.Kind.AUTOMATIC).last()
    assert "we will leave CMS plugins and themes aside" in note.body


@pytest.mark.django_db(transaction=True)
def test_a_new_decision_with_the_same_parts_keeps_the_offer(desk, technician):
    ticket = file(SARA, MIXED_EN)
    offer = ticket.offers.get()
    services.ticket_change_priority(ticket_id=ticket.pk, priority="high", by=technician)
    decision = ticket.decisions.get(is_current=True)
    offer.refresh_from_db()
    assert (offer.decision, offer.part, offer.status) == (
        decision,
        decision.parts.get(position=2),
        Offer.Status.PENDING,
    )
    assert ticket.messages.filter(kind=Message.Kind.AUTOMATIC).count() == 1


# --- the queue and the API ---------------------------------------------------------

QUEUE_HTMX = {"HX-Request": "true"}


@pytest.mark.django_db(transaction=True)
def test_the_queue_shows_the_parts_and_logs_time_under_the_part_chosen(desk, client, technician):
    ticket = file(SARA, MIXED_EN)
    email_part, plugin_part = ticket.decisions.get().parts.all()
    client.force_login(technician)
    html = client.get(reverse("queue:ticket", args=[ticket.pk])).content.decode()
    assert "Parts of the request" in html
    assert f'data-part="{email_part.pk}"' in html and f'data-part="{plugin_part.pk}"' in html
    assert f'<option value="{plugin_part.pk}">2. web.cms_plugins' in html
    url = reverse("queue:time", args=[ticket.pk])
    refused = client.post(
        url, {"time-minutes": 30, "time-part": plugin_part.pk}, headers=QUEUE_HTMX
    )
    assert refused.status_code == 409
    assert "not answered the offer" in refused.content.decode()
    logged = client.post(url, {"time-minutes": 15, "time-part": email_part.pk}, headers=QUEUE_HTMX)
    assert logged.status_code == 200
    assert TimeEntry.objects.get().part == email_part


@pytest.mark.django_db(transaction=True)
def test_the_api_logs_time_for_a_part_and_refuses_another_tickets_part(desk, technician):
    ticket = file(SARA, MIXED_EN)
    other = file(SARA, MIXED_EN)
    email_part, plugin_part = ticket.decisions.get().parts.all()
    foreign = other.decisions.get().parts.first()
    client = api(technician)
    url = f"/api/v1/tickets/{ticket.pk}/time/"
    unanswered = client.post(url, {"minutes": 10, "part": plugin_part.pk})
    assert unanswered.status_code == 400
    assert "not answered the offer" in unanswered.json()["detail"]
    not_ours = client.post(url, {"minutes": 10, "part": foreign.pk})
    assert not_ours.status_code == 400 and "not a part" in not_ours.json()["detail"]
    assert "part" in client.post(url, {"minutes": 10, "part": "x"}).json()
    assert client.post(url, {"minutes": 10, "part": email_part.pk}).status_code == 200
    assert list(TimeEntry.objects.values_list("part", "kind")) == [
        (email_part.pk, TimeEntry.Kind.ALLOWANCE)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_mixed_ticket_page_costs_the_queries_of_a_single_one(desk, technician):
    single = file(SARA, "Our e-mail is not working since the morning, nobody gets anything.")
    mixed = file(SARA, MIXED_EN)

    def queries(client, url) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    staff = Client()
    staff.force_login(technician)
    sara = portal(SARA)
    for client, name in ((staff, "queue:ticket"), (sara, "portal:ticket")):
        one = queries(client, reverse(name, args=[single.pk]))
        assert queries(client, reverse(name, args=[mixed.pk])) == one
