"""The ticket page of the queue: what a technician sees and the actions taken
from it, in place with htmx or as plain form posts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Customer
from tests.tickets.test_queue import (
    MAIL,
    MONDAY_10,
    PLUGIN,
    SARA,
    XSS,
    assert_nothing_runs,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
    user,
)
from tickets import services
from tickets.models import (
    Attachment,
    CannedReply,
    Message,
    Offer,
    ScopeDecision,
    Status,
    Ticket,
    TimeEntry,
)
from tickets.queue.display import format_span

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def file(django_capture_on_commit_callbacks):
    """File a ticket as a contact would; it is decided when the filing commits."""

    def filing(email: str = SARA, body: str = MAIL, subject: str = "Help", **kwargs) -> Ticket:
        with django_capture_on_commit_callbacks(execute=True):
            ticket = services.ticket_create(
                requester=user(email), subject=subject, body=body, **kwargs
            )
        ticket.refresh_from_db()
        return ticket

    return filing


@pytest.fixture
def covered(northwind, file) -> Ticket:
    """Northwind's mail problem: in scope, its SLA clock running."""
    return file(subject="Mail is not arriving")


@pytest.fixture
def offered(northwind, file) -> Ticket:
    """A plugin install: paid, waiting on the customer's answer to the offer."""
    return file(body=PLUGIN, subject="Install WooCommerce")


def page(client, ticket: Ticket):
    response = client.get(reverse("queue:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def act(client, ticket: Ticket, action: str, data: dict, *, htmx: bool = True):
    headers = HTMX if htmx else {}
    return client.post(reverse(f"queue:{action}", args=[ticket.pk]), data, headers=headers)


# --- what the page shows ----------------------------------------------------------


def test_it_shows_the_decision_with_its_clause_and_who_decided(client, covered, technician):
    client.force_login(technician)
    html = page(client, covered)
    assert '<span class="badge large in_scope">In scope</span>' in html
    assert "Setting up mailboxes" in html  # the clause's wording
    assert "the scope engine" in html
    assert "HOST-2026-014" in html
    # Normal priority: the first response is due at 18:00, eight hours on.
    assert "First response: 8 h left" in html


def test_it_shows_the_conversation_with_internal_notes_marked(client, covered, technician):
    services.message_post(ticket_id=covered.pk, author=technician, body="On it.")
    services.message_post(
        ticket_id=covered.pk, author=technician, body="Mail queue stuck on mx2", internal=True
    )
    client.force_login(technician)
    html = page(client, covered)
    assert MAIL in html
    assert "On it." in html
    assert '<li class="internal"' in html and "Mail queue stuck on mx2" in html
    assert '<li class="automatic"' in html


def test_it_shows_the_offer_and_its_status(client, offered, technician):
    client.force_login(technician)
    html = page(client, offered)
    assert "60.00 EUR" in html or "60,00 EUR" in html
    assert '<span class="badge offer-pending">Pending</span>' in html
    assert "Work on it only after they accept." in html


def test_it_shows_this_months_allowance_as_meters(client, covered, technician):
    services.time_entry_log(ticket_id=covered.pk, technician=technician, minutes=100)
    client.force_login(technician)
    html = page(client, covered)
    assert "Allowance in November 2026" in html
    assert "1 of 10 used · 9 left" in html
    assert "100 of 120 used · 20 left" in html
    assert '<progress class="meter-bar high" max="120" value="100"' in html


def test_the_canned_replies_of_the_tickets_language_are_offered(client, covered, technician):
    CannedReply.objects.create(title="Looking into it", body="We are on it.")
    CannedReply.objects.create(title="Смотрим", language="ru", body="Смотрим.")
    client.force_login(technician)
    html = page(client, covered)
    assert "Looking into it" in html and 'data-body="We are on it."' in html
    assert "Смотрим" not in html


def test_a_canned_reply_can_be_filled_in_without_javascript(client, covered, technician):
    canned = CannedReply.objects.create(title="Details", body="Could you send the error?")
    client.force_login(technician)
    response = client.get(reverse("queue:ticket", args=[covered.pk]), {"canned": canned.pk})
    assert response.context["reply_form"]["body"].value() == "Could you send the error?"


def test_a_ticket_still_being_checked_says_so(client, northwind, technician):
    # Filed without running the after-commit scope check.
    ticket = services.ticket_create(requester=user(SARA), subject="Fresh", body=MAIL)
    client.force_login(technician)
    html = page(client, ticket)
    assert "has not been checked against the contract yet" in html
    assert '<span class="badge unchecked">Not checked yet</span>' in html
    response = act(client, ticket, "time", {"time-minutes": 5})
    assert response.status_code == 409
    assert "not been checked against the contract yet" in response.content.decode()


def test_a_customer_without_a_valid_contract_has_no_allowance(client, daugava, file, technician):
    ticket = file("janis@daugava.example", "Please point www to the new server.")
    assert ticket.verdict == "no_contract"
    client.force_login(technician)
    html = page(client, ticket)
    assert "No contract is valid this month, so nothing is included." in html
    assert '<span class="badge large no_contract">No contract</span>' in html


def test_an_unknown_ticket_is_not_found(client, northwind, technician):
    client.force_login(technician)
    assert client.get(reverse("queue:ticket", args=[999])).status_code == 404
    assert client.post(reverse("queue:reply", args=[999]), {"reply-body": "x"}).status_code == 404


# --- roles: what technicians and leads see -------------------------------------------


def test_technicians_see_no_override_and_no_contract_editing(client, covered, technician):
    client.force_login(technician)
    html = page(client, covered)
    assert "Override the verdict" not in html
    assert reverse("queue:override", args=[covered.pk]) not in html
    assert "Edit contract" not in html


def test_leads_see_the_override_form_and_the_contract_link(client, covered, lead):
    client.force_login(lead)
    html = page(client, covered)
    assert "Override the verdict" in html
    assert 'name="override-reason"' in html
    assert "Edit contract" in html


@pytest.mark.parametrize("htmx", [True, False])
def test_a_technician_cannot_override_even_by_posting(client, offered, technician, htmx):
    client.force_login(technician)
    response = act(
        client,
        offered,
        "override",
        {"override-verdict": "in_scope", "override-reason": "x"},
        htmx=htmx,
    )
    assert response.status_code == 403
    assert "Only a lead can override a verdict." in response.content.decode()
    assert offered.decisions.count() == 1


# --- actions -------------------------------------------------------------------------


def test_a_reply_is_sent_and_the_panels_update_in_place(client, covered, technician):
    client.force_login(technician)
    mail.outbox.clear()
    response = act(client, covered, "reply", {"reply-body": "We are looking at it."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="conversation" class="conversation" hx-swap-oob="true"' in html
    assert "We are looking at it." in html
    assert "Your reply was sent to the customer." in html
    # The reply box comes back empty; the note box is left alone.
    assert 'id="reply"' in html and 'id="note"' not in html
    message = covered.messages.get(kind=Message.Kind.PUBLIC)
    assert message.author == technician
    covered.refresh_from_db()
    assert covered.first_responded_at is not None


def test_without_javascript_an_action_redirects_back_with_a_message(client, covered, technician):
    client.force_login(technician)
    response = act(client, covered, "note", {"note-body": "Checked mx2."}, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("queue:ticket", args=[covered.pk]) + "#note"
    html = client.get(response["Location"]).content.decode()
    assert "Internal note added." in html
    assert covered.messages.filter(kind=Message.Kind.INTERNAL, body="Checked mx2.").exists()


def test_an_empty_reply_is_refused_next_to_the_form(client, covered, technician):
    client.force_login(technician)
    response = act(client, covered, "reply", {"reply-body": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="feedback-reply"' in html and 'hx-swap-oob="true"' in html
    assert "This field is required." in html
    assert not covered.messages.filter(kind=Message.Kind.PUBLIC).exists()


def test_time_on_an_unanswered_offer_is_refused_and_the_page_says_why(client, offered, technician):
    client.force_login(technician)
    response = act(client, offered, "time", {"time-minutes": 30})
    assert response.status_code == 409
    assert "The customer has not answered the offer yet" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    # Without JavaScript the whole page comes back with the message and the minutes.
    response = act(client, offered, "time", {"time-minutes": 30}, htmx=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert "The customer has not answered the offer yet" in html
    assert 'name="time-minutes" value="30"' in html
    assert not TimeEntry.objects.exists()


def test_logged_time_counts_against_the_allowance(client, covered, technician):
    client.force_login(technician)
    response = act(client, covered, "time", {"time-minutes": 25, "time-note": "flushed queue"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Time logged: 25 min (Counted against the allowance)." in html
    assert "25 of 120 used · 95 left" in html  # the allowance panel, swapped too
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.kind, entry.note) == (25, "allowance", "flushed queue")


def test_time_cannot_be_logged_for_a_day_to_come(client, covered, technician):
    client.force_login(technician)
    later = (MONDAY_10 + timedelta(days=5)).date().isoformat()
    response = act(client, covered, "time", {"time-minutes": 10, "time-worked_on": later})
    assert response.status_code == 409
    assert "day still to come" in response.content.decode()


def test_a_lead_overrides_with_a_reason_and_it_is_kept(client, offered, lead):
    client.force_login(lead)
    response = act(
        client,
        offered,
        "override",
        {"override-verdict": "in_scope", "override-reason": "Goodwill for a loyal customer"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verdict overridden." in html
    assert "Goodwill for a loyal customer" in html
    assert "History: 2 decisions" in html
    current = offered.decisions.get(is_current=True)
    assert (current.verdict, current.is_override, current.decided_by) == ("in_scope", True, lead)
    assert offered.offers.get().status == Offer.Status.WITHDRAWN


def test_an_override_without_a_reason_is_refused(client, offered, lead):
    client.force_login(lead)
    response = act(
        client, offered, "override", {"override-verdict": "in_scope", "override-reason": "  "}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert offered.decisions.count() == 1


def test_a_status_change_the_desk_does_not_allow_is_refused(client, covered, technician):
    client.force_login(technician)
    response = act(client, covered, "status", {"status": "closed"})
    assert response.status_code == 409
    assert "cannot be set to Closed" in response.content.decode()
    response = act(client, covered, "status", {"status": "waiting_on_customer"})
    assert response.status_code == 200
    assert "Paused: waiting on the customer" in response.content.decode()
    covered.refresh_from_db()
    assert covered.status == Status.WAITING_ON_CUSTOMER


def test_a_closed_ticket_takes_no_more_replies(client, covered, technician):
    client.force_login(technician)
    assert act(client, covered, "status", {"status": "resolved"}).status_code == 200
    response = act(client, covered, "status", {"status": "closed"})
    html = response.content.decode()
    assert "Status changed to Closed." in html
    assert "This ticket is closed, so no more replies go out on it." in html
    assert 'name="reply-body"' not in html
    response = act(client, covered, "reply", {"reply-body": "One more thing"})
    assert response.status_code == 409
    assert "This ticket is closed" in response.content.decode()


def test_a_new_priority_moves_the_sla(client, covered, technician):
    client.force_login(technician)
    response = act(client, covered, "priority", {"priority": "urgent"})
    assert response.status_code == 200
    covered.refresh_from_db()
    assert covered.priority == "urgent"
    assert '<span class="badge priority-urgent">Urgent</span>' in response.content.decode()


def test_a_new_service_decides_the_ticket_again(client, northwind, file, technician):
    ticket = file(body="Hello, it does not work.", subject="Something")
    assert ticket.verdict == "needs_review"
    client.force_login(technician)
    response = act(client, ticket, "service", {"service": "hosting.email"})
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.verdict == "in_scope"
    decision = ticket.decisions.get(is_current=True)
    assert decision.decided_by == technician
    assert "Setting up mailboxes" in response.content.decode()
    response = act(client, ticket, "service", {"service": "web.teleport"})
    assert response.status_code == 400


def test_a_ticket_is_assigned_and_unassigned(client, covered, technician, lead):
    client.force_login(technician)
    response = act(client, covered, "assign", {"assignee": "tech"})
    assert "Assigned to tech." in response.content.decode()
    covered.refresh_from_db()
    assert covered.assignee == technician
    act(client, covered, "assign", {"assignee": ""})
    covered.refresh_from_db()
    assert covered.assignee is None
    response = act(client, covered, "assign", {"assignee": SARA})
    assert response.status_code == 400


# --- safe and bounded ------------------------------------------------------------------


def test_nothing_from_a_ticket_runs_on_its_page(client, northwind, file, technician, lead):
    Customer.objects.filter(pk=northwind.pk).update(name="<svg onload=alert(1)> Oy")
    ticket = file(subject=XSS[0], body="\n".join(XSS))
    for text in XSS:
        services.message_post(ticket_id=ticket.pk, author=user(SARA), body=text)
        services.message_post(ticket_id=ticket.pk, author=technician, body=text, internal=True)
    CannedReply.objects.create(title=XSS[1], body=XSS[2])
    Attachment.objects.create(
        ticket=ticket,
        file="1/x",
        name='<img src=x onerror="alert(9)">.png',
        content_type="image/png",
        size=10,
        uploaded_by=user(SARA),
    )
    client.force_login(lead)  # leads see the most: the override form too
    response = client.get(reverse("queue:ticket", args=[ticket.pk]))
    html = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert_nothing_runs(response)
    # The answer to an htmx action is just as safe.
    response = act(client, ticket, "note", {"note-body": XSS[2]})
    assert response.status_code == 200
    assert_nothing_runs(response)


def test_links_in_messages_are_clickable_but_only_http(client, covered, technician):
    services.message_post(
        ticket_id=covered.pk,
        author=technician,
        body="See https://example.com/help and javascript:alert(1) and [x](javascript:alert(2))",
    )
    client.force_login(technician)
    html = page(client, covered)
    assert '<a href="https://example.com/help" rel="nofollow">' in html
    assert 'href="javascript:' not in html


def _page_queries(client, ticket: Ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("queue:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_ticket_page_runs_a_bounded_number_of_queries(client, covered, technician, lead):
    client.force_login(lead)
    staff = [technician, lead, user(SARA)]

    def add(count: int) -> None:
        for n in range(count):
            author = staff[n % 3]
            message = Message.objects.create(
                ticket=covered,
                kind=Message.Kind.INTERNAL if n % 3 == 1 else Message.Kind.PUBLIC,
                author=author,
                body=f"message {n}",
            )
            Attachment.objects.create(
                ticket=covered,
                message=message,
                file=f"{covered.pk}/{n}",
                name=f"shot-{n}.png",
                content_type="image/png",
                size=100,
                uploaded_by=author,
            )
            TimeEntry.objects.create(
                ticket=covered,
                technician=staff[n % 2],
                minutes=5,
                counted_minutes=5,
                kind=TimeEntry.Kind.ALLOWANCE,
                worked_on=MONDAY_10.date(),
            )
            CannedReply.objects.create(title=f"Canned {n}", body="...")
            get_user_model().objects.create_user(f"staff{covered.pk}-{n}-{count}", is_staff=True)
        current = covered.decisions.get(is_current=True)
        for _ in range(count // 3):
            ScopeDecision.objects.filter(pk=current.pk).update(is_current=False)
            current = ScopeDecision.objects.create(
                ticket=covered,
                verdict="in_scope",
                reason="override",
                decided_by=lead,
                is_override=True,
                override_reason="because",
                supersedes=current,
            )

    add(3)
    client.get(reverse("queue:ticket", args=[covered.pk]))  # warm the session
    few = _page_queries(client, covered)
    add(30)
    many = _page_queries(client, covered)
    assert few == many
    assert few <= 25


def test_durations_read_as_people_say_them():
    assert format_span(0) == "under a minute"
    assert format_span(35) == "35 min"
    assert format_span(60) == "1 h"
    assert format_span(130) == "2 h 10 min"
    assert format_span(24 * 60) == "1 d"
    assert format_span(2 * 24 * 60 + 3 * 60 + 59) == "2 d 3 h"
    assert format_span(130, coarse=True) == "2 h"
    assert format_span(35, coarse=True) == "35 min"
