"""A lead's override is recorded like every other decision: one verdict→status
rule for the engine's, a technician's and a lead's decisions.

The override kept a rule of its own, and the two disagreed: an override to
``over_allowance`` or ``no_contract`` resolved the ticket (though its time is
billed as agreed work, as for ``paid_option``); an override that granted refused
work left the ticket's resolved time standing on an open ticket; and an override
pulled a ticket out of waiting for the customer's answer."""

from __future__ import annotations

import pytest

from tests.tickets.test_ticket_flow import (
    MAIL,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
)
from tickets import services
from tickets.models import Offer, Status

SEO = "Can you improve our search ranking with SEO and link building?"


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("verdict", ["over_allowance", "no_contract", "paid_option"])
def test_an_override_to_paid_work_makes_a_real_offer_to_answer_first(
    desk, lead, technician, verdict
):
    # An override to paid work used to make no offer and open the ticket for
    # billable work the customer never agreed to; now it offers, as the engine does.
    ticket = file(SARA, MAIL)
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict=verdict, reason="Agreed on the phone."
    )
    ticket.refresh_from_db()
    assert (ticket.verdict, ticket.status, ticket.resolved_at) == (
        verdict,
        Status.AWAITING_DECISION,
        None,
    )
    offer = ticket.offers.get()
    assert (offer.status, offer.currency, offer.pricing) == (Offer.Status.PENDING, "EUR", "hourly")
    with pytest.raises(services.TicketError):
        services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=30)
    services.offer_answer(offer_id=offer.pk, accept=True)
    [entry] = services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=30)
    assert entry.kind == "billable"


@pytest.mark.django_db(transaction=True)
def test_an_override_that_grants_refused_work_reopens_it_without_a_resolved_time(desk, lead):
    ticket = file(SARA, SEO)
    assert (ticket.verdict, ticket.status) == ("out_of_scope", Status.WAITING_ON_CUSTOMER)
    assert ticket.resolved_at is None
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict="in_scope", reason="Part of the relaunch deal."
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolved_at) == (Status.OPEN, None)
    assert ticket.sla_started_at is not None


@pytest.mark.django_db(transaction=True)
def test_an_override_leaves_a_ticket_waiting_for_the_customers_answer(desk, lead, technician):
    ticket = file(SARA, MAIL)
    services.ticket_change_status(ticket_id=ticket.pk, status="waiting_on_customer")
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict="in_scope", reason="Goodwill, our mistake."
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    current = ticket.decisions.get(is_current=True)
    assert (current.is_override, current.decided_by, current.override_reason) == (
        True,
        lead,
        "Goodwill, our mistake.",
    )


@pytest.mark.django_db(transaction=True)
def test_an_override_to_a_refusal_waits_for_the_customers_answer(desk, lead):
    ticket = file(SARA, MAIL)
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict="out_of_scope", reason="Their own server."
    )
    ticket.refresh_from_db()
    assert (ticket.verdict, ticket.status) == ("out_of_scope", Status.WAITING_ON_CUSTOMER)
    assert ticket.resolved_at is None
    assert ticket.sla_paused_at is not None  # the clock of the covered work stops


def sla_state(ticket) -> tuple:
    return (
        ticket.status,
        ticket.resolved_at is not None,
        ticket.sla_started_at,
        ticket.sla_paused_at,
        ticket.first_response_due,
        ticket.resolution_due,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "text, service, verdict",
    [
        (SEO, "hosting.email", "in_scope"),  # a technician names a covered service
        (MAIL, "marketing.seo", "out_of_scope"),  # a technician names an excluded one
    ],
)
def test_an_override_leaves_the_ticket_as_an_engine_decision_with_its_verdict_would(
    desk, lead, technician, text, service, verdict
):
    by_engine = file(SARA, text)
    by_lead = file(SARA, text)
    assert sla_state(by_engine) == sla_state(by_lead)
    services.ticket_change_service(ticket_id=by_engine.pk, service=service, by=technician)
    services.decision_override(
        ticket_id=by_lead.pk, lead=lead, verdict=verdict, reason="Decided with the customer."
    )
    by_engine.refresh_from_db()
    by_lead.refresh_from_db()
    assert by_engine.verdict == by_lead.verdict == verdict
    assert sla_state(by_lead) == sla_state(by_engine)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("text", [MAIL, SEO])
def test_an_override_to_the_engines_own_verdict_changes_nothing_but_the_author(desk, lead, text):
    ticket = file(SARA, text)
    before = sla_state(ticket)
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict=ticket.verdict, reason="Checked by hand."
    )
    ticket.refresh_from_db()
    assert sla_state(ticket) == before
    assert ticket.decisions.get(is_current=True).decided_by == lead
