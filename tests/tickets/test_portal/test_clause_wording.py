"""The clause behind a decision, in its reader's language: the decision keeps every
language, so the portal, the API and the queue each quote the one they need."""

from __future__ import annotations

import html

import pytest
import yaml
from django.urls import reverse
from django.utils import translation

from contracts.contract_files import load_contract_file
from contracts.models import Clause
from contracts.replies import WRITTEN_IN
from tests.conftest import example
from tests.helpers import api
from tests.tickets.test_portal.helpers import AINO, SARA, logged_in, page

pytestmark = pytest.mark.django_db

MAIL_EN = "Setting up mailboxes and fixing mail delivery on our servers."
MAIL_FI = "Sähköpostilaatikoiden perustaminen ja postin kulun korjaaminen palvelimillamme."
DNS_EN = "DNS records of the domains hosted with us."
LIGA = "liga@northwind.example"


def text_of(email: str, url: str) -> str:
    return html.unescape(page(email, url))


def ticket_page(ticket) -> str:
    return reverse("portal:ticket", args=[ticket.pk])


def test_the_decision_keeps_the_clause_in_every_language(northwind, file):
    ticket = file(AINO)
    snapshot = ticket.decisions.get().clause_snapshot
    assert snapshot["text"] == {"en": MAIL_EN, "fi": MAIL_FI}


def test_the_ticket_page_quotes_the_clause_in_the_readers_language(northwind, file):
    finnish = text_of(AINO, ticket_page(file(AINO)))
    assert MAIL_FI in finnish and MAIL_EN not in finnish
    english = text_of(SARA, ticket_page(file(SARA)))
    assert MAIL_EN in english and MAIL_FI not in english


def test_an_old_decision_keeps_the_words_it_was_given(northwind, file):
    ticket = file(AINO)
    Clause.objects.filter(service__code="hosting.email").update(
        text={"en": "Something else.", "fi": "Jotain muuta."}
    )
    finnish = text_of(AINO, ticket_page(ticket))
    assert MAIL_FI in finnish and "Jotain muuta." not in finnish


def test_a_decision_stored_before_clauses_had_languages_still_shows_its_words(northwind, file):
    ticket = file(AINO)
    decision = ticket.decisions.get()
    decision.clause_snapshot = {**decision.clause_snapshot, "text": "Mail, as it was."}
    decision.save()
    assert "Mail, as it was." in text_of(AINO, ticket_page(ticket))
    scope = api(AINO).get(f"/api/v1/tickets/{ticket.pk}/").json()["scope"]
    assert scope["clause"]["text"] == "Mail, as it was."


def test_the_api_gives_the_clause_in_the_requesters_language(northwind, file, technician):
    ticket = file(AINO)
    for reader in (AINO, technician):
        scope = api(reader).get(f"/api/v1/tickets/{ticket.pk}/").json()["scope"]
        assert (scope["clause"]["text"], scope["clause"]["text_language"]) == (MAIL_FI, "fi")
    decisions = api(technician).get(f"/api/v1/decisions/?ticket={ticket.pk}").json()["results"]
    assert decisions[0]["clause"]["text"] == MAIL_FI


def test_the_queue_shows_the_clause_in_the_technicians_language(northwind, file, technician):
    ticket = file(AINO)
    client = logged_in(technician)
    with translation.override("en"):
        detail = html.unescape(
            client.get(reverse("queue:ticket", args=[ticket.pk])).content.decode()
        )
        listing = html.unescape(client.get(reverse("queue:list")).content.decode())
    # The automatic reply below it is the customer's, in Finnish.
    assert f'<blockquote class="clause" lang="en">{MAIL_EN}</blockquote>' in detail
    assert MAIL_EN in listing


@pytest.fixture
def liga(northwind):
    """A Latvian contact of the Finnish customer, whose DNS clause is in English only."""
    data = yaml.safe_load(example("contract-northwind.yaml"))
    data["customer"]["contacts"].append(
        {"email": LIGA, "name": "Līga Ozola", "role": "requester", "language": "lv"}
    )
    for clause in data["contracts"][0]["clauses"]:
        if clause["service"] == "hosting.dns":
            clause["text"] = {"en": DNS_EN}
    load_contract_file(yaml.safe_dump(data, allow_unicode=True), source="northwind.yaml")
    return LIGA


def test_the_coverage_page_says_when_it_quotes_another_language(liga):
    coverage = text_of(liga, reverse("portal:coverage"))
    with translation.override("lv"):
        english, finnish = (translation.gettext(WRITTEN_IN[code]) for code in ("en", "fi"))
    assert f"{DNS_EN} {english}" in coverage
    assert f"{MAIL_FI} {finnish}" in coverage
