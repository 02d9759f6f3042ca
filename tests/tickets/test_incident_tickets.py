"""Tickets during an incident: filed about a service that an open incident of
the customer affects, a ticket joins the incident, is answered with its latest
news in the ticket's language, costs no allowance and is resolved with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from contracts.contract_files import load_contract_file
from contracts.greetings import greeting
from contracts.models import Customer, Service
from tests.helpers import api
from tests.tickets.test_ticket_flow import MAIL, MONDAY_10, PLUGIN, file
from tickets import services
from tickets.models import Incident, Message, Rating, Status, Ticket, TimeEntry
from tickets.selectors import allowance_usage, customers_with_allowance, usage_reader

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ("en", "ru", "fi", "lv")
# "The site is down", as customers write it, in each language.
DOWN = {
    "en": "Our website is down, visitors get 502 bad gateway.",
    "ru": "Сайт не работает, сервер не отвечает, ошибка 502.",
    "fi": "Sivusto ei toimi ja palvelin ei vastaa.",
    "lv": "Vietne nedarbojas, serveris neatbild.",
}
NEWS = {
    "en": "A power failure in our data centre took the servers down.",
    "ru": "Из-за сбоя питания в нашем дата-центре отключились серверы.",
    "fi": "Konesalimme sähkökatko kaatoi palvelimet.",
    "lv": "Elektrības pārtraukums mūsu datu centrā apturēja serverus.",
}

# A customer with one contact per language and a small allowance: two tickets and
# thirty minutes a month, so that anything an incident ticket took would show.
SMALL = """
customer:
  name: Kuldiga Shop SIA
  slug: kuldiga
  timezone: Europe/Riga
  language: lv
  contacts:
{contacts}
contracts:
  - reference: KUL-1
    title: Small hosting
    valid_from: 2026-01-01
    currency: EUR
    hourly_rate: 80.00
    unlisted_services: excluded
    allowance: {{included_tickets: 2, included_minutes: 30}}
    support_hours: {{weekly: {{mon-fri: "09:00-17:00"}}}}
    sla:
      normal: {{first_response: 8h, resolution: 3d}}
    clauses:
      - {{service: hosting.availability, coverage: included, text: Bringing our servers back.}}
      - {{service: hosting.email, coverage: included, text: Mail delivery on our servers.}}
      - {{service: web.cms_plugins, coverage: paid, price: {{fixed: 60.00}}, text: Plugins.}}
"""


def contact(lang: str) -> str:
    return f"{lang}@kuldiga.example"


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def kuldiga(catalogue) -> Customer:
    contacts = "\n".join(
        f"    - {{email: {contact(lang)}, name: Contact {lang.upper()}, language: {lang}}}"
        for lang in LANGUAGES
    )
    return load_contract_file(SMALL.format(contacts=contacts), source="kuldiga.yaml").customer


def availability() -> Service:
    return Service.objects.get(code="hosting.availability")


def open_outage(by, **kwargs) -> Incident:
    kwargs.setdefault("next_update_at", timezone.now() + timedelta(hours=1))
    kwargs.setdefault("eta", timezone.now() + timedelta(hours=3))
    return services.incident_open(
        by=by, title="Servers down", services=[availability()], texts=NEWS, **kwargs
    )


def reply_read_by(email: str, ticket: Ticket) -> str:
    """The automatic reply as the customer reads it through the API."""
    answer = api(email).get(f"/api/v1/tickets/{ticket.pk}/")
    assert answer.status_code == 200, answer.content
    [reply] = [m for m in answer.json()["messages"] if m["kind"] == "automatic"]
    return reply["body"]


def in_language(lang: str, text: str) -> str:
    with translation.override(lang):
        return gettext(text)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_ticket_about_an_open_incident_joins_it_and_gets_its_news_in_the_ticket_language(
    kuldiga, technician, lang
):
    incident = open_outage(technician)
    mail.outbox.clear()
    ticket = file(contact(lang), DOWN[lang], subject="Down")

    assert ticket.incident == incident
    assert (ticket.verdict, ticket.service.code) == ("in_scope", "hosting.availability")
    assert ticket.language == lang
    decision = ticket.decisions.get()
    assert decision.reason == "incident" and not decision.counts_against_allowance
    # Covered work: its SLA clock runs.
    assert ticket.status == Status.OPEN and ticket.first_response_due is not None

    body = reply_read_by(contact(lang), ticket)
    assert NEWS[lang] in body
    for line in (
        "Thank you for letting us know. We already know about this problem and are working on it.",
        "This is our fault, and we are sorry for the trouble it causes you.",
        "You do not need to do anything: we will tell you as soon as it is fixed, and close "
        "this ticket then. It does not count against your monthly allowance.",
        "Kind regards,\nYour support team",
    ):
        assert in_language(lang, line) in body, (lang, line)
        assert lang == "en" or in_language(lang, line) != line, f"not translated into {lang}"
    assert body.startswith(greeting(f"Contact {lang.upper()}", lang) + "\n\n")
    assert "{" not in body and "%(" not in body
    # Not the usual acknowledgement, and only one reply.
    assert in_language(lang, "This is covered by your contract") not in body
    assert ticket.messages.filter(kind=Message.Kind.AUTOMATIC).count() == 1
    assert [m.to for m in mail.outbox] == [[contact(lang)]]
    assert NEWS[lang] in mail.outbox[0].body


def test_the_reply_carries_the_latest_update_and_its_promise(kuldiga, technician):
    incident = open_outage(technician)
    later = timezone.now() + timedelta(hours=2)
    services.incident_post_update(
        incident_id=incident.pk,
        by=technician,
        texts={"en": "Power is back; the servers are starting."},
        next_update_at=later,
    )
    body = file(contact("en"), DOWN["en"]).messages.get(kind=Message.Kind.AUTOMATIC).body
    assert "Power is back; the servers are starting." in body
    assert NEWS["en"] not in body
    assert "You will hear from us again by" in body
    # No Latvian text of this update yet: the English one, with a word that ours follows.
    lv = file(contact("lv"), DOWN["lv"]).messages.get(kind=Message.Kind.AUTOMATIC).body
    assert "Power is back" in lv
    assert (
        in_language("lv", "(We are translating this update and will send it in your language.)")
        in lv
    )


def test_incident_tickets_cost_neither_tickets_nor_minutes(kuldiga, technician):
    open_outage(technician)
    # More incident tickets than the month includes: none is over the allowance.
    tickets = [file(contact(lang), DOWN[lang]) for lang in LANGUAGES]
    assert {t.verdict for t in tickets} == {"in_scope"}
    assert not any(t.offers.exists() for t in tickets)
    entries = services.time_entry_log(ticket_id=tickets[0].pk, technician=technician, minutes=45)
    assert [e.kind for e in entries] == [TimeEntry.Kind.INCLUDED]

    now = timezone.now()
    usage = allowance_usage(customer=kuldiga, at=now)
    assert (usage.tickets_used, usage.minutes_used) == (0, 0)
    assert usage_reader()("kuldiga", now) == usage
    listed = customers_with_allowance(at=now).get(pk=kuldiga.pk)
    assert (listed.tickets_used, listed.minutes_used) == (0, 0)

    # Other work of the same customer still counts, from the first ticket.
    mail_ticket = file(contact("en"), MAIL)
    assert mail_ticket.incident is None and mail_ticket.verdict == "in_scope"
    services.time_entry_log(ticket_id=mail_ticket.pk, technician=technician, minutes=20)
    usage = allowance_usage(customer=kuldiga, at=now)
    assert (usage.tickets_used, usage.minutes_used) == (1, 20)
    listed = customers_with_allowance(at=now).get(pk=kuldiga.pk)
    assert (listed.tickets_used, listed.minutes_used) == (1, 20)


def test_a_ticket_linked_by_hand_stops_counting_with_the_time_already_logged(kuldiga, technician):
    incident = open_outage(technician)
    ticket = file(contact("en"), MAIL)
    services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=20)
    usage = allowance_usage(customer=kuldiga, at=timezone.now())
    assert (usage.tickets_used, usage.minutes_used) == (1, 20)

    services.incident_ticket_link(ticket_id=ticket.pk, incident_id=incident.pk, by=technician)
    usage = allowance_usage(customer=kuldiga, at=timezone.now())
    assert (usage.tickets_used, usage.minutes_used) == (0, 0)
    [later] = services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=50)
    assert later.kind == TimeEntry.Kind.INCLUDED
    listed = customers_with_allowance(at=timezone.now()).get(pk=kuldiga.pk)
    assert (listed.tickets_used, listed.minutes_used) == (0, 0)


def test_tickets_are_resolved_with_the_incident_and_the_all_clear_goes_once_per_contact(
    kuldiga, northwind, technician
):
    incident = open_outage(technician)
    tickets = [file(contact(lang), DOWN[lang]) for lang in LANGUAGES]
    tickets += [file(contact("en"), DOWN["en"], subject=f"Still down {n}") for n in range(3)]
    tickets.append(file("sara@northwind.example", DOWN["en"]))
    assert all(t.incident == incident for t in tickets)
    messages = Message.objects.filter(ticket__in=tickets).count()
    mail.outbox.clear()

    services.incident_resolve(
        incident_id=incident.pk, by=technician, texts={"en": "Everything runs again."}
    )
    assert {t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets])} == {
        Status.RESOLVED
    }
    # The all-clear, once to each affected contact; nothing per ticket.
    contacts = [contact(lang) for lang in LANGUAGES] + [
        "aino@northwind.example",
        "mikko@northwind.example",
        "sara@northwind.example",
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(contacts)
    assert all(
        m.subject == "Resolved: Servers down" or "Servers down" in m.subject for m in mail.outbox
    )
    assert Message.objects.filter(ticket__in=tickets).count() == messages
    assert not Rating.objects.exists()


def test_tickets_about_another_service_or_from_an_unaffected_customer_are_not_linked(
    kuldiga, northwind, volga, technician
):
    open_outage(technician, customers=[kuldiga, northwind])
    mail_ticket = file(contact("en"), MAIL)
    assert mail_ticket.incident is None
    assert "This is covered by your contract" in mail_ticket.messages.get(kind="automatic").body
    volga_down = file("olga@volga-media.example", DOWN["ru"])
    assert volga_down.service.code == "hosting.availability"
    assert volga_down.incident is None
    assert volga_down.decisions.get().reason != "incident"


def test_picking_the_incident_service_for_other_work_does_not_make_it_free(kuldiga, technician):
    open_outage(technician)
    ticket = file(contact("en"), PLUGIN, service="hosting.availability")
    assert ticket.incident is None
    assert ticket.verdict == "needs_review"


def test_after_the_all_clear_new_tickets_are_not_linked(kuldiga, technician):
    incident = open_outage(technician)
    services.incident_resolve(incident_id=incident.pk, by=technician, texts={"en": "Fixed."})
    ticket = file(contact("en"), DOWN["en"])
    assert ticket.incident is None
    assert ticket.decisions.get().reason != "incident"
    assert allowance_usage(customer=kuldiga, at=timezone.now()).tickets_used == 1


def test_a_ticket_unlinked_by_hand_stays_as_it_is(kuldiga, technician):
    incident = open_outage(technician)
    ticket = file(contact("en"), DOWN["en"])
    services.incident_ticket_link(ticket_id=ticket.pk, incident_id=None, by=technician)
    ticket.refresh_from_db()
    assert ticket.incident is None
    assert (ticket.verdict, ticket.status) == ("in_scope", Status.OPEN)
    assert ticket.decisions.count() == 1
    # A new priority re-decides on the same service: the link stays as the technician left it.
    services.ticket_change_priority(ticket_id=ticket.pk, priority="high", by=technician)
    ticket.refresh_from_db()
    assert ticket.incident is None
    services.incident_resolve(incident_id=incident.pk, by=technician, texts={"en": "Fixed."})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_linked_ticket_stays_linked_and_free_through_a_new_priority(kuldiga, technician):
    incident = open_outage(technician)
    ticket = file(contact("fi"), DOWN["fi"])
    services.ticket_change_priority(ticket_id=ticket.pk, priority="urgent", by=technician)
    ticket.refresh_from_db()
    assert ticket.incident == incident
    current = ticket.decisions.get(is_current=True)
    assert current.reason == "incident" and not current.counts_against_allowance
    assert ticket.messages.filter(kind=Message.Kind.AUTOMATIC).count() == 1


def test_a_technician_naming_the_incident_service_links_a_ticket_under_review(kuldiga, technician):
    incident = open_outage(technician)
    ticket = file(contact("en"), "Hello, something is not right, please call me back.")
    assert (ticket.verdict, ticket.incident) == ("needs_review", None)
    services.ticket_change_service(
        ticket_id=ticket.pk, service="hosting.availability", by=technician
    )
    ticket.refresh_from_db()
    assert ticket.incident == incident
    assert ticket.verdict == "in_scope"
    replies = ticket.messages.filter(kind=Message.Kind.AUTOMATIC).order_by("pk")
    assert NEWS["en"] in replies.last().body
