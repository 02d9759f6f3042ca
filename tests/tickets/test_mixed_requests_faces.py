"""A mixed request in each of the four languages, through every face: filed in
the portal and answered there, read through the API, previewed with
`checkscope`. Each part gets its own answer in the one reply, the paid part its
own offer, and the ticket the SLA of its covered part: the same due time as the
covered request would get on its own."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from contracts.engine.scope import PriceQuote
from contracts.engine.terms import Duration, Pricing
from contracts.models import Contact, Service
from contracts.replies import format_offer
from tests.helpers import api
from tests.tickets.test_portal.helpers import portal
from tickets import services
from tickets.models import Message, Offer, Status, Ticket

HELSINKI_MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
MOSCOW_MONDAY = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Europe/Moscow"))
LIGA = "liga@northwind.example"


@dataclass(frozen=True)
class Case:
    language: str
    email: str
    customer: str
    at: datetime
    text: str
    covered_alone: str  # the covered part as a request of its own
    on_it: str  # how the reply says the covered part is being worked on
    price: PriceQuote


EUR_60 = PriceQuote(Decimal("60.00"), "EUR", Pricing.FIXED)
CASES = [
    Case(
        "en",
        "sara@northwind.example",
        "northwind",
        HELSINKI_MONDAY,
        "Hi, our e-mail is not working since the morning, nobody gets anything. "
        "And also, could you install the Yoast plugin on the blog? Thanks, Sara",
        "Hi, our e-mail is not working since the morning, nobody gets anything.",
        "we are on it now",
        EUR_60,
    ),
    Case(
        "ru",
        "ivan@volga-media.example",
        "volga-media",
        MOSCOW_MONDAY,
        "Здравствуйте! С утра не приходит почта на наши ящики. А также нужно поставить "
        "плагин для WordPress на сайт.",
        "Здравствуйте! С утра не приходит почта на наши ящики.",
        "мы уже занимаемся этим",
        PriceQuote(Decimal("4000.00"), "RUB", Pricing.HOURLY, Duration(1, "h")),
    ),
    Case(
        "fi",
        "aino@northwind.example",
        "northwind",
        HELSINKI_MONDAY,
        "Hei, sähköposti ei tule perille aamusta asti. Lisäksi pitäisi asentaa "
        "WordPressiin uusi lisäosa uutiskirjettä varten.",
        "Hei, sähköposti ei tule perille aamusta asti.",
        "olemme jo asian kimpussa",
        EUR_60,
    ),
    Case(
        "lv",
        LIGA,
        "northwind",
        HELSINKI_MONDAY,
        "Labdien, e-pasts nepienāk uz mūsu pastkastīti kopš rīta. Turklāt lūdzu "
        "uzstādiet WordPress spraudni mūsu vietnei.",
        "Labdien, e-pasts nepienāk uz mūsu pastkastīti kopš rīta.",
        "mēs pie tā jau strādājam",
        EUR_60,
    ),
]
PARTS = [("hosting.email", "in_scope"), ("web.cms_plugins", "paid_option")]


@pytest.fixture
def desk(northwind, volga, daugava):
    liga = get_user_model().objects.create_user("liga", LIGA)
    Contact.objects.create(customer=northwind, user=liga, name="Līga Ozola", language="lv")
    return northwind


def _file_in_portal(case: Case) -> Ticket:
    with time_machine.travel(case.at, tick=False):
        response = portal(case.email).post(
            reverse("portal:new"),
            {"subject": "Two things", "body": case.text, "priority": "normal", "service": ""},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Ticket.objects.filter(requester__email=case.email).latest("pk")


def _file_alone(case: Case, text: str) -> Ticket:
    with time_machine.travel(case.at, tick=False):
        ticket = services.ticket_create(
            requester=get_user_model().objects.get(email=case.email), subject="One", body=text
        )
    ticket.refresh_from_db()
    return ticket


def _names(case: Case) -> tuple[str, ...]:
    return tuple(Service.objects.get(code=code).name(case.language) for code, _ in PARTS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", CASES, ids=[c.language for c in CASES])
def test_the_portal_files_a_mixed_request_answers_each_part_and_takes_the_offer(desk, case):
    ticket = _file_in_portal(case)
    ticket.refresh_from_db()
    covered_alone = _file_alone(case, case.covered_alone)
    # The ticket follows its covered part: open, with the covered request's clock.
    assert (ticket.verdict, ticket.service.code, ticket.status) == (
        "in_scope",
        "hosting.email",
        Status.OPEN,
    )
    assert ticket.first_response_due == covered_alone.first_response_due is not None
    assert ticket.resolution_due == covered_alone.resolution_due
    # One reply, in the contact's language, answering each part.
    email_name, plugin_name = _names(case)
    (reply,) = ticket.messages.filter(kind=Message.Kind.AUTOMATIC)
    with translation.override(case.language):
        price = format_offer(case.price)
    assert f"{email_name}: {case.on_it}" in reply.body
    assert f"{plugin_name}: " in reply.body and price in reply.body
    assert reply.body.index(email_name) < reply.body.index(plugin_name)
    # The paid part's offer, and only that.
    offer = ticket.offers.get()
    assert offer.part.service.code == "web.cms_plugins"
    assert (offer.amount, offer.currency, offer.pricing) == (
        case.price.amount,
        case.price.currency,
        case.price.pricing.value,
    )
    # The portal shows each part on its own card, the offer with its buttons.
    client = portal(case.email)
    with time_machine.travel(case.at, tick=False):
        page = client.get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    with translation.override(case.language):
        accept = _("Accept the offer")
    assert 'id="part-1"' in page and 'id="part-2"' in page
    assert page.index(email_name) < page.index(plugin_name) < page.index(accept)
    assert page.count(accept) == 1
    assert f'action="{reverse("portal:offer", args=[offer.pk])}"' in page
    # Accepting the paid part keeps the covered part's clock.
    with time_machine.travel(case.at.replace(hour=case.at.hour + 1), tick=False):
        response = client.post(reverse("portal:offer", args=[offer.pk]), {"answer": "accept"})
    assert response.status_code == 302
    offer.refresh_from_db()
    due = ticket.first_response_due
    ticket.refresh_from_db()
    assert (offer.status, ticket.status, ticket.first_response_due) == (
        Offer.Status.ACCEPTED,
        Status.OPEN,
        due,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", CASES, ids=[c.language for c in CASES])
def test_the_api_shows_the_parts_of_a_mixed_ticket(desk, case):
    with time_machine.travel(case.at, tick=False):
        created = api(case.email).post(
            "/api/v1/tickets/", {"subject": "Two things", "body": case.text}, format="json"
        )
    assert created.status_code == 201, created.json()
    ticket = api(case.email).get(f"/api/v1/tickets/{created.json()['id']}/").json()
    scope = ticket["scope"]
    assert (scope["verdict"], scope["service"]) == ("in_scope", "hosting.email")
    assert [(p["service"], p["verdict"]) for p in scope["parts"]] == PARTS
    email_part, plugin_part = scope["parts"]
    assert email_part["offer"] is None and email_part["clause"]["coverage"] == "included"
    assert plugin_part["clause"]["coverage"] == "paid"
    assert (plugin_part["offer"]["amount"], plugin_part["offer"]["currency"]) == (
        f"{case.price.amount:.2f}",
        case.price.currency,
    )
    assert plugin_part["offer"]["status"] == "pending"
    assert plugin_part["offer"]["part"] == plugin_part["id"]
    # The covered part's clock is the ticket's.
    alone = _file_alone(case, case.covered_alone)
    assert ticket["first_response_due"] is not None
    assert datetime.fromisoformat(ticket["first_response_due"]) == alone.first_response_due
    (reply,) = [m for m in ticket["messages"] if m["kind"] == "automatic"]
    assert case.on_it in reply["body"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.language for c in CASES])
def test_checkscope_prints_the_parts(desk, case):
    args = ["--customer", case.customer, "--email", case.email, "--text", case.text]
    out = io.StringIO()
    call_command("checkscope", *args, "--at", case.at.isoformat(), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["verdict"], result["service"], result["offer"]) == (
        "in_scope",
        "hosting.email",
        None,
    )
    assert [(p["service"], p["verdict"]) for p in result["parts"]] == PARTS
    email_part, plugin_part = result["parts"]
    assert email_part["offer"] is None and email_part["clause"]["coverage"] == "included"
    assert plugin_part["offer"]["amount"] == f"{case.price.amount:.2f}"
    assert plugin_part["offer"]["currency"] == case.price.currency
    assert result["reply"]["language"] == case.language
    assert case.on_it in result["reply"]["text"]


@pytest.mark.django_db
def test_checkscope_jsonl_prints_the_parts_line_by_line(desk, tmp_path):
    path = tmp_path / "requests.jsonl"
    lines = [
        {"customer": c.customer, "email": c.email, "text": c.text, "at": c.at.isoformat()}
        for c in CASES
    ]
    lines.append({**lines[0], "text": CASES[0].covered_alone})
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("checkscope", "--jsonl", str(path), stdout=out)
    printed = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [[(p["service"], p["verdict"]) for p in r["parts"]] for r in printed] == [
        PARTS,
        PARTS,
        PARTS,
        PARTS,
        [],
    ]


@pytest.mark.django_db(transaction=True)
def test_another_customer_can_neither_see_nor_answer_a_parts_offer(desk):
    sara, ivan = CASES[0], CASES[1]
    ticket = _file_in_portal(sara)
    offer = ticket.offers.get()
    stranger = portal(ivan.email)
    response = stranger.post(reverse("portal:offer", args=[offer.pk]), {"answer": "accept"})
    assert response.status_code == 404
    assert api(ivan.email).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404
    assert api(ivan.email).post(f"/api/v1/offers/{offer.pk}/accept/").status_code == 404
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
