"""A customer who asks for compensation gets the figures already computed; a
complaint reaches a manager at once. Filed as customers file them, decided by the
task (in-process here), and read back as the customer reads the reply."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail

from contracts.models import Contact, Customer, Service
from tests.helpers import api
from tickets import services
from tickets.models import Escalation, Incident, Message, Offer, Status, Ticket, UptimeCredit
from tickets.selectors import allowance_usage

HELSINKI = ZoneInfo("Europe/Helsinki")
MOSCOW = ZoneInfo("Europe/Moscow")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
SARA = "sara@northwind.example"  # English
AINO = "aino@northwind.example"  # Finnish
LIGA = "liga@northwind.example"  # Latvian
IVAN = "ivan@volga-media.example"  # Russian
JANIS = "janis@daugava.example"  # Latvian; the contract ended in 2025
CLAIM = "billing.credit_claim"
COMPLAINT = "service.complaint"

pytestmark = pytest.mark.django_db(transaction=True)


def user(email: str):
    return get_user_model().objects.get(email=email)


def file(email: str, text: str, *, subject: str = "Downtime", **kwargs) -> Ticket:
    ticket = services.ticket_create(requester=user(email), subject=subject, body=text, **kwargs)
    ticket.refresh_from_db()
    return ticket


def reply_to(ticket: Ticket) -> str:
    """The automatic reply, as the customer reads it in the e-mail."""
    message = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    sent = [m for m in mail.outbox if m.to == [ticket.requester.email]]
    assert [m.body for m in sent] == [message.body]
    return message.body


@pytest.fixture(autouse=True)
def monday_morning():
    """Monday 23 November 2026, 10:00 in Helsinki: inside support hours."""
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def desk(northwind, volga, daugava, lead):
    liga = get_user_model().objects.create_user("liga", LIGA)
    Contact.objects.create(customer=northwind, user=liga, name="Līga Ozola", language="lv")
    return northwind


def incident(lead, title, start, end, *, kind="outage", customers=(), services=()):
    found = Incident.objects.create(
        title=title,
        kind=kind,
        started_at=start,
        detected_at=start,
        resolved_at=end,
        owner=lead,
        created_by=lead,
    )
    found.customers.set(customers)
    found.services.set(Service.objects.filter(code__in=services))
    return found


@pytest.fixture
def outages(desk, volga, lead):
    """Northwind was down six hours in October (availability 99.194 %, under its
    99.9 % promise: 10 % of 400 EUR) and had 20 minutes without mail this month,
    with every customer whose contract includes mail."""
    incident(
        lead,
        "Database server outage",
        datetime(2026, 10, 14, 2, 0, tzinfo=HELSINKI),
        datetime(2026, 10, 14, 8, 0, tzinfo=HELSINKI),
        customers=[desk],
    )
    incident(
        lead,
        "Mail server outage",
        datetime(2026, 11, 20, 13, 0, tzinfo=HELSINKI),
        datetime(2026, 11, 20, 13, 20, tzinfo=HELSINKI),
        services=["hosting.email"],
    )
    # Slow, not down; and another customer's own outage.
    incident(
        lead,
        "Slow control panel",
        datetime(2026, 11, 2, 9, 0, tzinfo=HELSINKI),
        datetime(2026, 11, 2, 12, 0, tzinfo=HELSINKI),
        kind="degraded",
        customers=[desk],
    )
    incident(
        lead,
        "Moscow rack power failure",
        datetime(2026, 11, 10, 9, 0, tzinfo=MOSCOW),
        datetime(2026, 11, 10, 15, 0, tzinfo=MOSCOW),
        customers=[volga],
    )


def test_a_claim_in_english_names_the_incidents_the_downtime_and_the_credit(outages):
    ticket = file(SARA, "We were down six hours last month and we want compensation for it.")
    assert (ticket.verdict, ticket.service.code) == ("in_scope", CLAIM)
    assert ticket.status == Status.OPEN
    text = reply_to(ticket)
    assert text.startswith("Hello Sara,")
    assert "Database server outage" in text and "for 6 hours" in text
    assert "Mail server outage" in text and "for 20 minutes" in text
    assert "Slow control panel" not in text and "Moscow" not in text
    print(text)
    assert (
        "October 2026: 6 hours of downtime, availability 99.194 % "
        "(your contract promises 99.9 %). Credit: 40.00 EUR (10 % of the monthly fee)."
    ) in text
    assert (
        "November 2026 so far: 20 minutes of downtime, availability 99.953 % "
        "(your contract promises 99.9 %). The promise was kept, so no credit is due."
    ) in text
    assert "You do not need to do anything for the credit" in text
    assert not Offer.objects.filter(ticket=ticket).exists()


def test_a_claim_uses_no_allowance(outages, northwind):
    before = allowance_usage(customer=northwind, at=MONDAY_10)
    ticket = file(AINO, "Missä on hyvityksemme lokakuun katkoksesta?")
    assert ticket.service.code == CLAIM
    assert not ticket.decisions.get().counts_against_allowance
    after = allowance_usage(customer=northwind, at=MONDAY_10)
    assert after.tickets_used == before.tickets_used


@pytest.mark.parametrize(
    ("email", "text", "expected"),
    [
        (
            AINO,
            "Palvelin oli alhaalla kuusi tuntia lokakuussa, vaadimme hyvitystä.",
            [
                "Hei Aino,",
                "Database server outage",
                "6 tuntia",
                "99,194 %",
                "Hyvitys: 40,00 EUR",
                "Teidän ei tarvitse tehdä mitään",
            ],
        ),
        (
            LIGA,
            "Kur ir mūsu kompensācija par oktobra dīkstāvi?",
            [
                "Labdien, Līga!",
                "Database server outage",
                "6 stundas",
                "99,194 %",
                "Kompensācija: 40,00 EUR",
                "Jums nekas nav jādara",
            ],
        ),
        (
            IVAN,
            "Где наша компенсация за простой почты в этом месяце?",
            [
                "Здравствуйте, Иван!",
                "Mail server outage",
                "Moscow rack power failure",
                "6 часов",
                "Компенсация: 350,00 RUB",
            ],
        ),
    ],
)
def test_a_claim_is_answered_in_the_contacts_language(outages, email, text, expected):
    ticket = file(email, text)
    assert ticket.service.code == CLAIM
    reply = reply_to(ticket)
    missing = [part for part in expected if part not in reply]
    assert missing == [], reply


def test_a_credit_a_lead_adjusted_is_the_one_named(outages, northwind, lead):
    contract = northwind.contracts.get()
    UptimeCredit.objects.create(
        contract=contract,
        month=datetime(2026, 10, 1).date(),
        downtime_minutes=360,
        availability=Decimal("99.194"),
        credit_percent=Decimal("10"),
        computed_amount=Decimal("40.00"),
        amount=Decimal("55.00"),
        currency="EUR",
        reason="Goodwill for a busy week",
        confirmed_by=lead,
        confirmed_at=MONDAY_10,
    )
    text = reply_to(file(SARA, "Where is our compensation for the October outage?"))
    assert "Credit: 55.00 EUR" in text


def test_without_incidents_the_claim_is_answered_all_the_same(desk):
    text = reply_to(file(SARA, "Where is our compensation for the downtime?"))
    assert "we have no outage on record" in text
    assert "no downtime, availability 100 %" in text
    assert "just reply with when it happened" in text


def test_a_contract_without_an_uptime_promise_says_why_no_credit_is_due(outages, daugava):
    """Daugava's contract has no uptime promise, and it has ended: a claim is
    answered all the same, in Latvian."""
    ticket = file(JANIS, "Pieprasām kompensāciju par dīkstāvi.")
    assert (ticket.verdict, ticket.service.code) == ("in_scope", CLAIM)
    text = reply_to(ticket)
    assert "Jūsu līgumā nav solīta" in text, text
    assert not Offer.objects.filter(ticket=ticket).exists()


def test_an_outage_report_is_no_claim(outages):
    ticket = file(SARA, "The site is down again, we are losing orders, please fix it now!")
    assert ticket.service.code == "hosting.availability"
    assert "Credit" not in reply_to(ticket)


@pytest.fixture
def account_manager(desk, django_user_model):
    manager = django_user_model.objects.create_user(
        "anna", "anna@scopedesk.example", first_name="Anna", last_name="Kask", is_staff=True
    )
    Customer.objects.filter(pk=desk.pk).update(account_manager=manager)
    return manager


@pytest.mark.parametrize(
    ("email", "text", "apology"),
    [
        (SARA, "I want to speak to a manager, nobody has answered for a week.", "we are sorry"),
        (AINO, "Haluan puhua esimiehen kanssa, tukenne ei vastaa.", "olemme pahoillamme"),
        (LIGA, "Vēlos runāt ar vadītāju, atbalsts neatbild jau nedēļu.", "mums ir žēl"),
    ],
)
def test_a_complaint_reaches_the_account_manager_at_once(account_manager, email, text, apology):
    ticket = file(email, text, subject="Complaint")
    assert (ticket.verdict, ticket.service.code) == ("in_scope", COMPLAINT)
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.requested_by.email == email and escalation.reason == text
    to_manager = [m for m in mail.outbox if m.to == ["anna@scopedesk.example"]]
    assert len(to_manager) == 1 and text in to_manager[0].body
    reply = reply_to(ticket)
    assert apology in reply and "Anna Kask" in reply, reply
    assert not Offer.objects.filter(ticket=ticket).exists()
    assert not ticket.decisions.get().counts_against_allowance


def test_a_complaint_without_an_account_manager_reaches_the_leads(desk, volga, lead):
    ticket = file(IVAN, "Хочу пожаловаться на вашу поддержку, позовите руководителя.")
    assert ticket.service.code == COMPLAINT
    assert Escalation.objects.filter(ticket=ticket).exists()
    assert [m.to for m in mail.outbox if m.to != [IVAN]] == [["lead@scopedesk.example"]]
    reply = reply_to(ticket)
    assert "руководитель группы поддержки" in reply and "простите" in reply.lower(), reply


def test_a_complaint_filed_through_the_api_is_answered_there(account_manager):
    response = api(SARA).post(
        "/api/v1/tickets/",
        {"subject": "Not happy", "body": "I want to make a formal complaint about your support."},
    )
    assert response.status_code == 201, response.content
    ticket = api(SARA).get(f"/api/v1/tickets/{response.json()['id']}/").json()
    assert ticket["scope"]["service"] == COMPLAINT
    (automatic,) = [m for m in ticket["messages"] if m["kind"] == "automatic"]
    assert "Anna Kask" in automatic["body"]


def test_a_ticket_changed_to_a_complaint_pages_the_manager_once(account_manager, technician):
    ticket = file(SARA, "The site is down!", subject="Down")
    services.ticket_change_service(ticket_id=ticket.pk, by=technician, service=COMPLAINT)
    services.ticket_change_service(ticket_id=ticket.pk, by=technician, service=CLAIM)
    services.ticket_change_service(ticket_id=ticket.pk, by=technician, service=COMPLAINT)
    assert Escalation.objects.filter(ticket=ticket).count() == 1
    assert len([m for m in mail.outbox if m.to == ["anna@scopedesk.example"]]) == 1
