"""The reply rules that need the desk around the engine, in every language: a
complaint names a person and makes no offer; an ended contract's customer gets
one offer however many tickets it files. Filed as customers file them and decided
by the task (in-process here)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import translation

from contracts.models import Contact, Customer
from tickets import services
from tickets.models import Message, Offer, Status, Ticket
from tickets.services.claims import complaint_contact

LANGUAGES = ["en", "ru", "fi", "lv"]
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
JANIS = "janis@daugava.example"  # Daugava's contract ended on 31 December 2025
AINO = "aino@northwind.example"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def reads(email: str, language: str) -> None:
    Contact.objects.filter(user__email=email).update(language=language)


def file(email: str, text: str) -> Ticket:
    user = get_user_model().objects.get(email=email)
    ticket = services.ticket_create(requester=user, subject=text[:40], body=text)
    ticket.refresh_from_db()
    return ticket


def reply_to(ticket: Ticket) -> str:
    return ticket.messages.get(kind=Message.Kind.AUTOMATIC).body


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


# --- 4. complaints: an apology and a named person, never an offer ------------------------

APOLOGY = {
    "en": "we are sorry that we let you down",
    "ru": "простите, что мы вас подвели",
    "fi": "olemme pahoillamme, että petimme odotuksenne",
    "lv": "mums ir žēl, ka Jūs pievīlām",
}
COMPLAINT = "I want to make a formal complaint about your support."


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_complaint_gets_an_apology_and_the_account_managers_name(
    northwind, lead, django_user_model, language
):
    manager = django_user_model.objects.create_user(
        "anna", "anna@desk.example", first_name="Anna", last_name="Kask", is_staff=True
    )
    Customer.objects.filter(pk=northwind.pk).update(account_manager=manager)
    reads(AINO, language)
    ticket = file(AINO, COMPLAINT)
    assert ticket.service.code == "service.complaint"
    text = reply_to(ticket)
    assert APOLOGY[language] in text
    assert "Anna Kask" in text
    assert not Offer.objects.filter(ticket=ticket).exists()
    assert "EUR" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_complaint_without_an_account_manager_names_a_team_lead(northwind, lead, language):
    reads(AINO, language)
    text = reply_to(file(AINO, COMPLAINT))
    assert APOLOGY[language] in text
    assert in_language(language, "a team lead") in text
    assert language == "en" or in_language(language, "a team lead") != "a team lead"


def test_the_tickets_assignee_is_named_before_the_account_manager(northwind, technician):
    technician.first_name, technician.last_name = "Tuomas", "Laine"
    technician.save()
    ticket = file(AINO, "Emails to our mailbox are not arriving.")
    Ticket.objects.filter(pk=ticket.pk).update(assignee=technician)
    ticket.refresh_from_db()
    assert complaint_contact(ticket) == "Tuomas Laine"


# --- 5. an ended contract: one offer for many tickets ------------------------------------

OLD_PROMISE = "just reply to this message and we will send you an offer"
ONE_CLICK = {
    "en": "one click",
    "ru": "одним нажатием",
    "fi": "yhdellä napsautuksella",
    "lv": "ar vienu klikšķi",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_six_tickets_of_an_ended_contract_get_one_offer_and_point_to_it(daugava, language):
    reads(JANIS, language)
    tickets = [file(JANIS, f"Please look at problem number {n}.") for n in range(1, 7)]
    assert {t.verdict for t in tickets} == {"no_contract"}
    first, *later = tickets
    assert Offer.objects.filter(ticket__customer=daugava).count() == 1
    assert Offer.objects.get().ticket == first
    assert ONE_CLICK[language] in reply_to(first)
    for ticket in later:
        text = reply_to(ticket)
        assert f"#{first.pk} (" in text
        assert ONE_CLICK[language] not in text  # no Accept button beside these words
        assert ticket.status == Status.OPEN  # nothing to answer here; a person sees it
    for ticket in tickets:
        assert OLD_PROMISE not in reply_to(ticket)


def test_once_the_offer_is_answered_the_next_ticket_gets_its_own(daugava):
    first = file(JANIS, "Please look at the mail.")
    offer = Offer.objects.get(ticket=first)
    services.offer_answer(offer_id=offer.pk, accept=False)
    second = file(JANIS, "Please look at the site.")
    assert Offer.objects.filter(ticket=second).count() == 1
