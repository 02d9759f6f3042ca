"""An ended contract's customer gets one renewal offer, in every language: six
tickets make one offer; only a manager may accept it (portal, e-mailed link,
API), and is thanked, while the account manager hears of it by e-mail; a
contract without a monthly fee keeps the one-off hourly offer. Filed as
customers file them and decided by the task (in-process here)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from contracts.engine.terms import months_between
from contracts.models import Contact, Contract
from contracts.replies import format_renewal
from tests.helpers import api
from tests.tickets.test_customer_flow import said, speaks
from tickets import services
from tickets.models import Message, Offer, Status, Ticket

LANGUAGES = ["en", "ru", "fi", "lv"]
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Riga"))
JANIS = "janis@daugava.example"  # a manager; Daugava's CARE-2025-077 ended 31.12.2025
LIGA = "liga@daugava.example"  # a requester of Daugava, added here
BACKEND = "django.contrib.auth.backends.ModelBackend"
ONE_CLICK = {
    "en": "one click",
    "ru": "одним нажатием",
    "fi": "yhdellä napsautuksella",
    "lv": "ar vienu klikšķi",
}
RENEW = {"en": "renew", "ru": "продл", "fi": "uusi", "lv": "atjaun"}
MANAGER_NAME = "Jānis Bērziņš"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def liga(daugava):
    user = get_user_model().objects.create_user("liga", LIGA, "liga-pass")
    return Contact.objects.create(
        customer=daugava, user=user, name="Līga Ozola", role="requester", language="lv"
    )


def file(email: str, text: str) -> Ticket:
    user = get_user_model().objects.get(email=email)
    ticket = services.ticket_create(requester=user, subject=text[:40], body=text)
    ticket.refresh_from_db()
    return ticket


def reply_to(ticket: Ticket) -> str:
    return ticket.messages.get(kind=Message.Kind.AUTOMATIC, decision__isnull=False).body


def portal(email: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(email=email), backend=BACKEND)
    return client


def price(language: str) -> str:
    with translation.override(language):
        return format_renewal(Decimal("150.00"), "EUR", 12)


def test_a_contract_of_a_year_is_renewed_for_twelve_months():
    assert months_between(datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date()) == 12
    assert months_between(datetime(2025, 3, 15).date(), datetime(2025, 9, 14).date()) == 6
    assert months_between(datetime(2025, 3, 15).date(), datetime(2025, 3, 20).date()) == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_six_tickets_of_an_expired_customer_make_one_renewal_offer(daugava, language):
    speaks(JANIS, language)
    tickets = [file(JANIS, f"Please look at problem number {n}.") for n in range(1, 7)]
    assert {t.verdict for t in tickets} == {"no_contract"}
    offer = Offer.objects.get(ticket__customer=daugava)
    first, *later = tickets
    assert offer.ticket == first
    assert (offer.kind, offer.amount, offer.currency, offer.term_months) == (
        Offer.Kind.RENEWAL,
        Decimal("150.00"),
        "EUR",
        12,
    )
    text = reply_to(first)
    assert "CARE-2025-077" in text and price(language) in text
    assert ONE_CLICK[language] in text and RENEW[language] in text.lower()
    assert {"en": "31 December 2025", "ru": "31 декабря 2025", "fi": "31. joulukuuta 2025"}.get(
        language, "2025"
    ) in text
    # Urgent work: a technician's answer to a reply, not a second offer.
    if language == "en":
        assert "just reply and a technician will tell you what we can do" in text
        assert "send you an offer" not in text and "paid one-off work" not in text
    assert first.status == Status.AWAITING_DECISION
    for ticket in later:
        text = reply_to(ticket)
        assert f"#{first.pk} (" in text
        assert price(language) not in text  # nothing to accept here
        assert ticket.status == Status.OPEN
        assert not ticket.offers.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_manager_accepts_the_renewal_and_the_account_manager_hears_of_it(daugava, lead, language):
    lead.first_name, lead.last_name = "Ilze", "Kalniņa"
    lead.save()
    daugava.account_manager = lead
    daugava.save()
    speaks(JANIS, language)
    ticket = file(JANIS, "The site is slow.")
    offer = ticket.offers.get()
    mail.outbox.clear()
    response = portal(JANIS).post(
        reverse("portal:offer", args=[offer.pk]), {"answer": "accept"}, follow=True
    )
    offer.refresh_from_db()
    ticket.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    assert ticket.status == Status.OPEN and ticket.sla_due is None  # no contract, no clock
    assert not Contract.objects.filter(customer=daugava).exclude(reference="CARE-2025-077")
    note = ticket.messages.filter(kind=Message.Kind.AUTOMATIC).latest("pk").body
    with translation.override(language):
        expected = services.renewal_accepted_text(ticket)
    assert note == expected and "Ilze Kalniņa" in note
    assert said(language, "our team") not in note or language == "en"
    assert note in response.content.decode()  # the flash says the same
    to_manager = [m for m in mail.outbox if m.to == [lead.email]]
    assert len(to_manager) == 1
    assert "CARE-2025-077" in to_manager[0].subject and daugava.name in to_manager[0].body
    assert MANAGER_NAME in to_manager[0].body


def test_without_an_account_manager_the_leads_hear_of_it_and_our_team_sends_it(daugava, lead):
    speaks(JANIS, "en")
    ticket = file(JANIS, "The site is slow.")
    offer = ticket.offers.get()
    mail.outbox.clear()
    assert api(JANIS).post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 200
    note = ticket.messages.filter(kind=Message.Kind.AUTOMATIC).latest("pk").body
    assert "our team will send it to you within one working day" in note
    assert [m.to for m in mail.outbox if "renewal" in m.subject] == [[lead.email]]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_requester_who_is_not_a_manager_is_told_who_can_accept(daugava, liga, language):
    speaks(LIGA, language)
    ticket = file(LIGA, "Please restore yesterday's backup.")
    offer = ticket.offers.get()
    assert offer.kind == Offer.Kind.RENEWAL
    assert MANAGER_NAME in reply_to(ticket)  # the reply names who can accept
    # The portal card: the offer, who can accept it, and no Accept button.
    page = portal(LIGA).get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    assert price(language).split(" ")[0] in page and MANAGER_NAME in page
    assert 'value="accept"' not in page and 'value="decline"' in page
    response = portal(LIGA).post(
        reverse("portal:offer", args=[offer.pk]), {"answer": "accept"}, follow=True
    )
    assert MANAGER_NAME in response.content.decode()
    # The e-mailed link's page, and its answer.
    path = urlsplit(services.offer_link(offer, "accept")).path
    page = Client().get(path).content.decode()
    assert "CARE-2025-077" in page and MANAGER_NAME in page and 'value="accept"' not in page
    refused = Client().post(path, {"answer": "accept"})
    assert refused.status_code == 409 and MANAGER_NAME in refused.content.decode()
    # The API: 403 with the same words.
    response = api(LIGA).post(f"/api/v1/offers/{offer.pk}/accept/")
    assert response.status_code == 403 and MANAGER_NAME in str(response.json())
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert api(LIGA).get(f"/api/v1/offers/{offer.pk}/").json()["kind"] == "renewal"
    # Declining is theirs to do, and closes the request as other offers do.
    assert api(LIGA).post(f"/api/v1/offers/{offer.pk}/decline/").status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offer_page_shows_the_renewal(daugava, language):
    speaks(JANIS, language)
    ticket = file(JANIS, "The site is slow.")
    offer = ticket.offers.get()
    page = Client().get(urlsplit(services.offer_link(offer, "accept")).path).content.decode()
    assert "CARE-2025-077" in page
    with translation.override(language):
        assert format_renewal(Decimal("150.00"), "EUR", 12).replace(" ", "&nbsp;")[:3] in (
            page.replace("\xa0", "&nbsp;")
        )
    assert said(language, "Renew the contract") in page
    assert said(language, "No, thank you") in page
    assert said(language, "Please answer by") in page
    assert said(language, "Term") in page


def test_a_contract_without_a_monthly_fee_keeps_the_one_off_hourly_offer(daugava):
    Contract.objects.filter(reference="CARE-2025-077").update(monthly_fee=0)
    speaks(JANIS, "en")
    first = file(JANIS, "The site is slow.")
    second = file(JANIS, "Mail is not arriving.")
    offer = Offer.objects.get(ticket__customer=daugava)
    assert offer.ticket == first
    assert (offer.kind, offer.pricing, offer.amount) == (
        Offer.Kind.WORK,
        "hourly",
        Decimal("70.00"),
    )
    assert "paid one-off work at 70.00 EUR per hour" in reply_to(first)
    assert "offer for paid one-off work on ticket" in reply_to(second)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pending_renewal_and_a_new_ticket_point_to_it(daugava, language):
    first = file(JANIS, "The site is slow.")
    speaks(JANIS, language)
    second = file(JANIS, "Mail is not arriving.")
    text = reply_to(second)
    assert f"#{first.pk} (" in text
    assert RENEW[language] in text.lower() and ONE_CLICK[language] not in text
    if language == "en":
        assert "We have already sent you our offer to renew your contract on ticket" in text
    # Once it is answered, a new ticket gets its own.
    services.offer_answer(offer_id=first.offers.get().pk, accept=False)
    third = file(JANIS, "Please restore the backup.")
    assert third.offers.get().kind == Offer.Kind.RENEWAL


def test_after_the_renewal_is_accepted_a_new_ticket_waits_for_it_without_an_offer(daugava):
    speaks(JANIS, "en")
    first = file(JANIS, "The site is slow.")
    services.offer_answer(offer_id=first.offers.get().pk, accept=True)
    second = file(JANIS, "Mail is not arriving.")
    assert not second.offers.exists() and second.status == Status.OPEN
    text = reply_to(second)
    assert f"you have accepted its renewal on ticket #{first.pk} (" in text
    assert "one click" not in text


def test_the_queue_shows_a_renewal_as_one(daugava, technician):
    ticket = file(JANIS, "The site is slow.")
    client = Client()
    client.force_login(technician, backend=BACKEND)
    with translation.override("en"):
        page = client.get(reverse("queue:ticket", args=[ticket.pk])).content.decode()
    assert "150.00 EUR a month for 12 months" in page
    assert "contract renewal" in page
