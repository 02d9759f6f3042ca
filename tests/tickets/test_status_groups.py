"""The status groups (the desk's turn, the customer's turn, done, unresolved) are
defined once on ``Status``, and the queue, the portal and the SLA watch read them
alike: what is "open" on the queue is "open" in the portal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.tickets.test_ticket_flow import (
    MAIL,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 23 November, 10:00
)
from tickets.filters import sla_breached
from tickets.models import Status, Ticket
from tickets.portal.views import STATES
from tickets.queue.selectors import VIEWS, queue_counts
from tickets.services.notices import sla_watch


def test_each_status_is_the_desks_turn_the_customers_turn_or_done():
    groups = (Status.OUR_TURN, Status.CUSTOMERS_TURN, Status.DONE)
    assert sorted(s for group in groups for s in group) == sorted(Status)
    assert set(Status.UNRESOLVED) == set(Status) - set(Status.DONE)


@pytest.fixture
def one_ticket_per_status(northwind, volga, daugava) -> dict[Status, Ticket]:
    tickets = {}
    for status in Status:
        ticket = file(SARA, MAIL)
        Ticket.objects.filter(pk=ticket.pk).update(
            status=status, first_response_due=timezone.now() - timedelta(minutes=1)
        )
        tickets[status] = ticket
    return tickets


def statuses(queryset) -> set[Status]:
    return {Status(s) for s in queryset.values_list("status", flat=True)}


@pytest.mark.django_db
def test_the_queue_and_the_portal_count_the_same_tickets_as_open(one_ticket_per_status, lead):
    assert queue_counts(user=lead)["open"] == len(Status.UNRESOLVED)
    assert statuses(Ticket.objects.filter(STATES["open"])) == set(Status.UNRESOLVED)
    assert statuses(Ticket.objects.filter(STATES["yours"])) == set(Status.CUSTOMERS_TURN)
    assert statuses(Ticket.objects.filter(STATES["done"])) == set(Status.DONE)


@pytest.mark.django_db
def test_the_sla_filter_and_the_sla_watch_see_the_same_running_clocks(one_ticket_per_status):
    now = timezone.now()
    assert statuses(Ticket.objects.filter(sla_breached(now))) == set(Status.OUR_TURN)

    assert sla_watch(now=now) == len(Status.OUR_TURN)
    assert statuses(Ticket.objects.exclude(sla_breached_at=None)) == set(Status.OUR_TURN)


@pytest.mark.django_db
def test_needs_review_lists_the_reviewable_statuses_of_the_review_verdicts(
    one_ticket_per_status, lead
):
    Ticket.objects.update(verdict="needs_review")
    assert queue_counts(user=lead)["review"] == len(Status.REVIEWABLE)
    Ticket.objects.update(verdict="in_scope")
    assert queue_counts(user=lead)["review"] == 0
    assert VIEWS["review"].params["verdict"] == ["needs_review"]
    assert Status.AWAITING_DECISION not in Status.REVIEWABLE
    assert set(Status.REVIEWABLE) < set(Status.UNRESOLVED)
