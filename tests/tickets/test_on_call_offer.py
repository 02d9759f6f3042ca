"""On-call work outside support hours, in each of the desk's languages: an urgent
covered request that arrives when the desk is closed, under a contract with an
emergency price, is offered paid on-call work beside the wait for the opening.
Accepted (portal, e-mailed link, API), the clock runs round the clock from that
moment, staff are told at once and the work is billed, not drawn from the
allowance; declined or unanswered, nothing changes. Filed as customers file them
and decided by the task (in-process here)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from contracts.models import Contract
from contracts.replies import format_money
from tests.helpers import api
from tests.tickets.test_customer_flow import file, link_path, portal, said, speaks
from tickets import services
from tickets.models import Message, Offer, Status, Ticket, TimeEntry
from tickets.selectors import allowance_usage
from tickets.services.mail import ticket_email
from tickets.statements import OVERAGE, PAID_WORK, customer_statement

HELSINKI = ZoneInfo("Europe/Helsinki")
# Saturday night: Northwind's support hours begin again on Monday at 8:00.
SATURDAY_22 = datetime(2026, 11, 21, 22, 0, tzinfo=HELSINKI)
ACCEPTED_AT = SATURDAY_22 + timedelta(minutes=5)
MONDAY_8 = datetime(2026, 11, 23, 8, 0, tzinfo=HELSINKI)
SARA = "sara@northwind.example"
OLGA = "olga@volga-media.example"
MAILBOX = "Emails to our mailbox are not arriving, orders are stuck!"
LANGUAGES = ["en", "ru", "fi", "lv"]
ON_CALL = {
    "en": "our on-call technician can start on it now",
    "ru": "дежурный специалист может взяться за дело прямо сейчас",
    "fi": "päivystävä tukihenkilömme voi aloittaa heti",
    "lv": "mūsu dežurējošais speciālists var ķerties pie darba jau tagad",
}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_call(northwind, lead) -> Contract:
    """Northwind's contract with on-call work at 180.00 EUR an hour, about an hour."""
    contract = Contract.objects.get(reference="HOST-2026-014")
    contract.emergency_pricing, contract.emergency_price = "hourly", Decimal("180.00")
    contract.emergency_estimate = "1h"
    contract.save()
    return contract


def urgent(email: str = SARA, text: str = MAILBOX, at: datetime = SATURDAY_22) -> Ticket:
    return file(email, text, at=at, priority="urgent")


def reply_to(ticket: Ticket) -> str:
    return ticket.messages.get(kind=Message.Kind.AUTOMATIC, decision__isnull=False).body


def last_note(ticket: Ticket) -> str:
    return ticket.messages.filter(kind=Message.Kind.AUTOMATIC).latest("pk").body


def accepted_text(language: str) -> str:
    return said(
        language,
        "Thank you for accepting our on-call offer. Our on-call technician is starting on it "
        "now and will keep you posted here.",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_urgent_request_on_saturday_night_is_offered_on_call_work(on_call, language):
    speaks(SARA, language)
    ticket = urgent()
    assert (ticket.verdict, ticket.status) == ("outside_hours", Status.OPEN)
    offer = ticket.offers.get()
    assert (offer.kind, offer.pricing, offer.amount, offer.estimate_minutes) == (
        Offer.Kind.EMERGENCY,
        "hourly",
        Decimal("180.00"),
        60,
    )
    # Nothing to buy once the desk is open: the offer lapses then.
    assert offer.expires_at == MONDAY_8
    # Covered as ever: the clock starts at the opening unless they accept.
    assert ticket.sla_started_at == MONDAY_8
    text = reply_to(ticket)
    with translation.override(language):
        assert format_money(Decimal("180.00"), "EUR") in text
    assert ON_CALL[language] in text
    # The e-mail carries the Accept and Decline links, as for any offer.
    sent = ticket_email(ticket.messages.get(decision__isnull=False))
    assert sent.body.count("/offers/") == 2


def test_a_normal_request_and_a_contract_without_the_key_get_no_offer(northwind, lead):
    plain = urgent()
    assert plain.verdict == "outside_hours" and not plain.offers.exists()
    Contract.objects.filter(reference="HOST-2026-014").update(
        emergency_pricing="fixed", emergency_price=Decimal("250.00")
    )
    normal = file(SARA, MAILBOX, at=SATURDAY_22)
    assert normal.verdict == "outside_hours" and not normal.offers.exists()
    site_down = urgent(text="Our whole site and server are down, nothing loads!")
    assert site_down.verdict == "in_scope" and not site_down.offers.exists()  # covered 24/7
    fixed = urgent()
    assert fixed.offers.get().amount == Decimal("250.00")


@pytest.mark.parametrize("language", LANGUAGES)
def test_accepting_in_the_portal_starts_the_clock_now_and_tells_staff(on_call, lead, language):
    speaks(SARA, language)
    ticket = urgent()
    offer = ticket.offers.get()
    mail.outbox.clear()
    with time_machine.travel(ACCEPTED_AT, tick=False):
        response = portal(SARA).post(
            reverse("portal:offer", args=[offer.pk]), {"answer": "accept"}, follow=True
        )
    offer.refresh_from_db()
    ticket.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    # The clock runs from the yes, round the clock: 30 minutes for an urgent
    # first response is 22:35 on Saturday, not Monday 8:30.
    assert ticket.status == Status.OPEN and ticket.sla_started_at == ACCEPTED_AT
    assert ticket.first_response_due == ACCEPTED_AT + timedelta(minutes=30)
    assert ticket.resolution_due == ACCEPTED_AT + timedelta(hours=4)
    assert last_note(ticket) == accepted_text(language)
    assert accepted_text(language) in response.content.decode()  # the flash says the same
    # Staff are told at once, the way a complaint or a request for a manager is.
    told = [m for m in mail.outbox if m.to == [lead.email]]
    assert len(told) == 1 and f"[#{ticket.pk}]" in told[0].subject
    assert (
        "on-call" in told[0].subject and reverse("queue:ticket", args=[ticket.pk]) in told[0].body
    )
    assert ticket.messages.filter(kind=Message.Kind.INTERNAL, body__contains="On-call").exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_e_mailed_link_shows_and_accepts_the_on_call_offer(on_call, lead, language):
    speaks(SARA, language)
    ticket = urgent()
    offer = ticket.offers.get()
    with time_machine.travel(ACCEPTED_AT, tick=False):
        page = Client().get(link_path(offer, "accept")).content.decode()
        assert said(language, "If it cannot wait: our on-call technician") in page
        assert 'value="accept"' in page
        done = Client().post(link_path(offer, "accept"), {"answer": "accept"})
    assert done.status_code == 200
    assert accepted_text(language) in done.content.decode()
    ticket.refresh_from_db()
    assert ticket.sla_started_at == ACCEPTED_AT


def test_the_api_shows_and_accepts_it(on_call, lead):
    ticket = urgent()
    offer = ticket.offers.get()
    shown = api(SARA).get(f"/api/v1/offers/{offer.pk}/").json()
    assert (shown["kind"], shown["amount"], shown["status"]) == ("emergency", "180.00", "pending")
    with time_machine.travel(ACCEPTED_AT, tick=False):
        response = api(SARA).post(f"/api/v1/offers/{offer.pk}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    ticket.refresh_from_db()
    assert ticket.sla_started_at == ACCEPTED_AT


@pytest.mark.parametrize("language", LANGUAGES)
def test_declining_leaves_the_covered_ticket_as_it_was(on_call, lead, language):
    speaks(SARA, language)
    ticket = urgent()
    offer = ticket.offers.get()
    mail.outbox.clear()
    with time_machine.travel(ACCEPTED_AT, tick=False):
        response = portal(SARA).post(
            reverse("portal:offer", args=[offer.pk]), {"answer": "decline"}, follow=True
        )
    offer.refresh_from_db()
    ticket.refresh_from_db()
    assert offer.status == Offer.Status.DECLINED
    assert ticket.status == Status.OPEN and ticket.resolved_at is None
    assert ticket.sla_started_at == MONDAY_8  # work at the opening, as without the offer
    declined = said(
        language,
        "Thank you for letting us know. Your request stays with us as part of your contract, "
        "and a technician takes it up as soon as we are back.",
    )
    assert last_note(ticket) == declined and declined in response.content.decode()
    assert not [m for m in mail.outbox if m.to == [lead.email]]


def test_an_unanswered_offer_lapses_at_the_opening_and_the_ticket_stays(on_call):
    ticket = urgent()
    assert services.offers_expire(now=MONDAY_8) == 1
    ticket.refresh_from_db()
    assert ticket.offers.get().status == Offer.Status.EXPIRED
    assert ticket.status == Status.OPEN and ticket.sla_started_at == MONDAY_8


def test_accepted_on_call_work_is_billed_and_draws_no_allowance(northwind, on_call, technician):
    covered = file(SARA, "Please add a TXT record to our domain's DNS.", at=SATURDAY_22)
    ticket = urgent()
    with time_machine.travel(ACCEPTED_AT, tick=False):
        services.offer_answer(offer_id=ticket.offers.get().pk, accept=True)
        services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=50)
        services.time_entry_log(ticket_id=covered.pk, technician=technician, minutes=20)
    assert ticket.time_entries.get().kind == TimeEntry.Kind.BILLABLE
    assert covered.time_entries.get().kind == TimeEntry.Kind.ALLOWANCE
    usage = allowance_usage(customer=northwind, at=ACCEPTED_AT)
    # Only the covered ticket and its minutes: the on-call one is paid for.
    assert (usage.tickets_used, usage.minutes_used) == (1, 20)
    statement = customer_statement(northwind, date(2026, 11, 1))
    paid = statement.section(PAID_WORK)
    assert [(line.ticket_id, line.minutes, line.rate, line.amount) for line in paid] == [
        (ticket.pk, 50, Decimal("180.00"), Decimal("150.00"))  # 50 × 180 / 60
    ]
    assert statement.section(OVERAGE) == ()
    assert (statement.allowance.used_tickets, statement.allowance.used_minutes) == (1, 20)


def test_a_fixed_on_call_price_is_one_line_of_its_own(northwind, on_call, technician):
    Contract.objects.filter(pk=on_call.pk).update(
        emergency_pricing="fixed", emergency_price=Decimal("250.00"), emergency_estimate=""
    )
    ticket = urgent()
    with time_machine.travel(ACCEPTED_AT, tick=False):
        services.offer_answer(offer_id=ticket.offers.get().pk, accept=True)
        services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=90)
    statement = customer_statement(northwind, date(2026, 11, 1))
    assert [(line.ticket_id, line.amount) for line in statement.section(PAID_WORK)] == [
        (ticket.pk, Decimal("250.00"))
    ]
    assert statement.allowance.used_minutes == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_portal_card_and_the_queue_show_it_as_the_on_call_option(on_call, technician, language):
    speaks(SARA, language)
    ticket = urgent()
    with time_machine.travel(ACCEPTED_AT, tick=False):
        page = portal(SARA).get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert said(language, "If it cannot wait: our on-call technician") in page
    assert 'value="accept"' in page and 'value="decline"' in page
    client = Client()
    client.force_login(technician, backend="django.contrib.auth.backends.ModelBackend")
    with translation.override("en"):
        queue = client.get(reverse("queue:ticket", args=[ticket.pk])).content.decode()
    assert "on-call option" in queue and "180.00 EUR" in queue


def test_another_customers_contact_can_neither_see_nor_accept_it(on_call, volga):
    ticket = urgent()
    offer = ticket.offers.get()
    response = portal(OLGA).post(reverse("portal:offer", args=[offer.pk]), {"answer": "accept"})
    assert response.status_code == 404
    assert api(OLGA).get(f"/api/v1/offers/{offer.pk}/").status_code == 404
    assert api(OLGA).post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 404
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
