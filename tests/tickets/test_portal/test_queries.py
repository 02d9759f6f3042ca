"""Every portal page runs the same number of SQL queries however many tickets,
messages and files there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.tickets.test_portal.helpers import (
    AINO,
    MAIL,
    MIKKO,
    PLUGIN,
    SARA,
    SCRIPT,
    portal,
    upload,
    user,
)
from tickets import services
from tickets.attachments import attachment_add
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

BODIES = [
    MAIL,
    PLUGIN,
    SCRIPT,
    "Can you improve our search ranking with SEO and link building?",
    "Our last invoice shows two monthly fees, could you check?",
]
LISTS = {
    "mine": (SARA, reverse("portal:tickets")),
    "open": (SARA, reverse("portal:tickets") + "?state=open"),
    "waiting for you": (SARA, reverse("portal:tickets") + "?state=yours"),
    "resolved": (SARA, reverse("portal:tickets") + "?state=done"),
    "page 2": (SARA, reverse("portal:tickets") + "?page=2"),
    "the organisation's": (AINO, reverse("portal:tickets") + "?whose=all"),
    "the organisation's resolved": (AINO, reverse("portal:tickets") + "?whose=all&state=done"),
    "new ticket": (SARA, reverse("portal:new")),
    "coverage": (AINO, reverse("portal:coverage")),
}


def queries(email: str, url: str) -> int:
    client = portal(email)
    client.get(url)  # caches warm, as on a running server
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def add_tickets(capture, technician, count: int) -> list[Ticket]:
    """Tickets of every verdict, some with replies from both sides and resolved."""
    first = Ticket.objects.count()
    tickets = []
    with capture(execute=True):
        for n in range(first, first + count):
            ticket = services.ticket_create(
                requester=user(MIKKO if n % 4 == 3 else SARA),
                subject=f"Ticket {n}",
                body=BODIES[n % len(BODIES)],
            )
            tickets.append(ticket)
    for ticket in tickets[::3]:
        services.message_post(ticket_id=ticket.pk, author=technician, body="Hello, done now.")
        services.message_post(ticket_id=ticket.pk, author=ticket.requester, body="Thanks!")
        ticket.refresh_from_db()
        if ticket.status == "open":
            services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    return tickets


def test_every_list_runs_the_same_queries_for_5_and_for_50_tickets(
    northwind, technician, django_capture_on_commit_callbacks
):
    add_tickets(django_capture_on_commit_callbacks, technician, 5)
    few = {name: queries(*where) for name, where in LISTS.items()}
    add_tickets(django_capture_on_commit_callbacks, technician, 45)
    assert Ticket.objects.count() == 50
    many = {name: queries(*where) for name, where in LISTS.items()}
    assert many == few
    assert max(few.values()) <= 25, few


def test_the_ticket_page_is_bounded_however_long_the_conversation(
    northwind, technician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_create(requester=user(SARA), subject="Long", body=PLUGIN)
    url = reverse("portal:ticket", args=[ticket.pk])

    def talk(rounds: int) -> None:
        for n in range(rounds):
            reply = services.message_post(ticket_id=ticket.pk, author=user(SARA), body=f"Q{n}")
            attachment_add(
                ticket_id=ticket.pk,
                uploaded_by=user(SARA),
                upload=upload(f"{n}.png"),
                message=reply,
            )
            services.message_post(ticket_id=ticket.pk, author=technician, body=f"A{n}")
            services.message_post(
                ticket_id=ticket.pk, author=technician, body=f"note {n}", internal=True
            )

    talk(1)
    few = queries(SARA, url)
    talk(10)
    assert queries(SARA, url) == few
    assert queries(AINO, url) == few
    assert few <= 25, few
