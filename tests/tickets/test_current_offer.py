"""A ticket's current offer is one thing, whoever looks: the API, the customer's
portal page and the technicians' queue page show the same offer (or none).

It is the offer of the current decision; when that decision made none, the
latest offer the customer accepted earlier (agreed work stays agreed); a
declined, lapsed or withdrawn offer of an earlier decision is history."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.helpers import api
from tests.tickets.test_portal.helpers import logged_in
from tests.tickets.test_queue import (
    MONDAY_10,
    PLUGIN,
    SARA,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
    user,
)
from tickets import services
from tickets.models import Offer, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(northwind, django_capture_on_commit_callbacks) -> Ticket:
    """Northwind asks for a plugin: a paid option with an offer awaiting an answer."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(requester=user(SARA), subject="Plugin", body=PLUGIN)
    ticket.refresh_from_db()
    assert ticket.verdict == "paid_option"
    return ticket


def offer_in_api(ticket: Ticket) -> int | None:
    found = api(SARA).get(f"/api/v1/tickets/{ticket.pk}/").json()["offer"]
    listed = next(t for t in api(SARA).get("/api/v1/tickets/").json()["results"])
    assert listed["id"] == ticket.pk and listed["offer"] == found
    return found["id"] if found else None


def offer_in_portal(ticket: Ticket) -> int | None:
    response = logged_in(user(SARA)).get(reverse("portal:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    shown = re.search(r'<div class="offer[^"]*" id="offer" data-offer="(\d+)"', response.text)
    return int(shown.group(1)) if shown else None


def offer_in_queue(ticket: Ticket, technician) -> int | None:
    response = logged_in(technician).get(reverse("queue:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    marked = r'<li class="offer current" data-offer="(\d+)" aria-current'
    current = re.findall(marked, response.text)
    assert len(current) <= 1, current
    return int(current[0]) if current else None


def shown_everywhere(ticket: Ticket, technician) -> tuple[int | None, int | None, int | None]:
    return offer_in_api(ticket), offer_in_portal(ticket), offer_in_queue(ticket, technician)


def test_the_pending_offer_of_the_decision_is_the_current_offer_everywhere(paid, technician):
    offer = paid.offers.get()
    assert shown_everywhere(paid, technician) == (offer.pk, offer.pk, offer.pk)


def test_a_declined_offer_is_no_current_offer_once_a_lead_grants_the_work(paid, lead, technician):
    # Before one rule, the API still showed the declined offer (the latest one),
    # while the portal and the queue's current offer showed none.
    offer = paid.offers.get()
    services.offer_answer(offer_id=offer.pk, accept=False, user=user(SARA))
    services.decision_override(
        ticket_id=paid.pk, lead=lead, verdict="in_scope", reason="Promised at the meeting."
    )
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.DECLINED
    assert shown_everywhere(paid, technician) == (None, None, None)


def test_an_accepted_offer_stays_current_after_a_decision_without_one(paid, technician):
    # Before one rule, the queue's current offer was only the current decision's,
    # so it showed none here, while the portal and the API showed the accepted one.
    offer = paid.offers.get()
    services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    services.ticket_change_service(ticket_id=paid.pk, service="hosting.performance", by=technician)
    paid.refresh_from_db()
    assert paid.verdict == "in_scope"
    assert shown_everywhere(paid, technician) == (offer.pk, offer.pk, offer.pk)


def test_an_accepted_offer_outranks_a_later_withdrawn_one(paid, technician):
    # Accepted, then another paid service (a new offer), then a covered one (that
    # offer withdrawn): the API showed the withdrawn offer, being the latest.
    accepted = paid.offers.get()
    services.offer_answer(offer_id=accepted.pk, accept=True, user=user(SARA))
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        services.ticket_change_service(
            ticket_id=paid.pk, service="web.script_debugging", by=technician
        )
        services.ticket_change_service(
            ticket_id=paid.pk, service="hosting.performance", by=technician
        )
    withdrawn = paid.offers.exclude(pk=accepted.pk).get()
    assert withdrawn.status == Offer.Status.WITHDRAWN
    assert shown_everywhere(paid, technician) == (accepted.pk, accepted.pk, accepted.pk)
