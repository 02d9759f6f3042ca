"""Every override a lead may make, from every verdict a ticket may start with, as
the customer then sees it: the portal's ticket page (as the contact), the API's
ticket (as the contact), the thread and the e-mail.

The rule under test: the customer always sees the current decision and never a
mix of old and new. The answer changed: exactly one new message, e-mailed in
the contact's language; a paid verdict has a real offer to accept; an offer
still awaiting an answer is withdrawn (and said to be); a mixed request's part
cards give way to the verdict on the whole. The answer did not change (the same
verdict, or covered work either way): no message, and the offer stays."""

from __future__ import annotations

import html as html_text
from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.helpers import api
from tests.tickets.test_portal.helpers import (
    HELSINKI,
    JANIS,
    MAIL,
    OLGA,
    PLUGIN,
    SARA,
    SCRIPT,
    SEO,
    portal,
    user,
)
from tests.tickets.test_ticket_flow import monday_morning  # noqa: F401 - autouse: Monday 10:00
from tickets import services
from tickets.models import Message, Offer, Status, Ticket
from tickets.portal import words
from tickets.services.override_messages import OVERRIDE_VERDICTS, override_text

pytestmark = pytest.mark.django_db

AINO = "aino@northwind.example"
SUNDAY_10 = datetime(2026, 11, 22, 10, 0, tzinfo=HELSINKI)  # the day before the clock's Monday
MIXED = (
    "Hi, our e-mail is not working since the morning, nobody gets anything. "
    "And also, could you install the Yoast plugin on the blog? Thanks, Sara"
)
PAID = {"paid_option", "over_allowance", "no_contract"}
COVERED = {"in_scope", "outside_hours"}
TARGETS = [v.value for v in OVERRIDE_VERDICTS]
STARTS = [
    "in_scope",
    "outside_hours",
    "paid_option",
    "over_allowance",
    "out_of_scope",
    "needs_review",
    "no_contract",
    "mixed",
]


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the scope check, the e-mail) as production does."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def start_ticket(desk, committed):
    def make(start: str) -> tuple[Ticket, str]:
        def file(email: str, text: str, **kwargs) -> Ticket:
            ticket = committed(
                services.ticket_create, requester=user(email), subject="Help", body=text, **kwargs
            )
            ticket.refresh_from_db()
            return ticket

        email = JANIS if start == "no_contract" else SARA
        if start == "outside_hours":
            with time_machine.travel(SUNDAY_10, tick=False):
                ticket = file(SARA, MAIL)
        elif start == "over_allowance":
            for _ in range(10):  # Northwind's ten included tickets of the month
                file(SARA, MAIL)
            ticket = file(SARA, MAIL)
        elif start == "needs_review":
            # The customer picked a service the text contradicts.
            ticket = file(SARA, PLUGIN, service="hosting.availability")
        else:
            text = {"paid_option": PLUGIN, "out_of_scope": SEO, "mixed": MIXED}.get(start, MAIL)
            ticket = file(email, text)
        expected = "in_scope" if start == "mixed" else start
        assert ticket.verdict == expected, (start, ticket.verdict)
        assert ticket.decisions.get().parts.exists() == (start == "mixed")
        return ticket, email

    return make


def portal_html(email: str, ticket: Ticket) -> str:
    response = portal(email).get(reverse("portal:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def quiet(start: str, target: str) -> bool:
    """The customer's answer stays the same: the same verdict, or covered either way."""
    if start == "mixed":
        return False
    return start == target or {start, target} <= COVERED


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("start", STARTS)
def test_an_override_shows_the_customer_the_current_decision_everywhere(
    start_ticket, committed, lead, start, target
):
    ticket, email = start_ticket(start)
    pending_before = set(
        ticket.offers.filter(status=Offer.Status.PENDING).values_list("pk", flat=True)
    )
    messages_before = ticket.messages.count()
    mail.outbox.clear()

    committed(
        services.decision_override,
        ticket_id=ticket.pk,
        lead=lead,
        verdict=target,
        reason="Checked with the account manager.",
    )
    ticket.refresh_from_db()
    current = ticket.decisions.get(is_current=True)
    assert ticket.verdict == current.verdict == target

    # --- the offers --------------------------------------------------------
    pending = list(ticket.offers.filter(status=Offer.Status.PENDING))
    if target in PAID:
        [offer] = pending
        assert offer.decision_id == current.pk and offer.part_id is None
        assert offer.amount > 0 and offer.currency == "EUR"
        assert ticket.status == Status.AWAITING_DECISION
        if quiet(start, target):
            assert {offer.pk} == pending_before  # the offer the customer holds stays
    else:
        assert pending == []
    withdrawn = pending_before - {o.pk for o in pending}
    assert set(Offer.objects.filter(pk__in=withdrawn).values_list("status", flat=True)) <= {
        Offer.Status.WITHDRAWN
    }

    # --- the thread and the e-mail ------------------------------------------
    new = list(ticket.messages.order_by("pk")[messages_before:])
    if quiet(start, target):
        assert new == [] and mail.outbox == []
    else:
        [message] = new
        assert (message.kind, message.decision_id) == (Message.Kind.AUTOMATIC, current.pk)
        [sent] = mail.outbox
        assert sent.to == [email]
        assert sent.body.startswith(message.body)
        language = "lv" if email == JANIS else "en"
        assert ticket.language == language
        # Greeted as the contact's language greets them.
        assert message.body.startswith({"lv": "Labdien, Jāni!", "en": "Hello Sara,"}[language])
        if target in PAID:
            assert "/offers/" in sent.body  # the accept and decline links
        if withdrawn and target in COVERED:
            with translation.override(language):
                assert (
                    translation.gettext(
                        "Our earlier offer is withdrawn, so there is nothing for you to "
                        "accept or pay."
                    )
                    in message.body
                )

    # --- the portal, as the contact -----------------------------------------
    html = portal_html(email, ticket)
    with translation.override(ticket.language):
        tag = words.verdict_tag(target)
    assert f'<section class="card verdict {target}"' in html
    assert f'<span class="tag {target}">{tag}</span>' in html_text.unescape(html)
    assert 'class="card part' not in html  # the whole verdict supersedes the parts
    accept = 'name="answer" value="accept"'
    if target in PAID:
        assert html.count(accept) == 1
        assert f'id="offer" data-offer="{pending[0].pk}"' in html
        assert 'id="offer-withdrawn"' not in html  # the new offer, not beside the old
    else:
        assert accept not in html
        assert 'id="offer"' not in html
        if withdrawn:
            assert 'id="offer-withdrawn"' in html
            if target in COVERED:
                with translation.override(ticket.language):
                    assert words.withdrawn_sentence(target) in html_text.unescape(html)
    if not quiet(start, target):
        assert message.body.split("\n\n")[1] in html_text.unescape(html)  # in the thread

    # --- the API, as the contact --------------------------------------------
    found = api(email).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert found["verdict"] == found["scope"]["verdict"] == target
    assert found["scope"]["id"] == current.pk
    assert found["scope"]["parts"] == []
    took_back = found["scope"]["withdrawn_offers"]
    assert {o["id"] for o in took_back} == withdrawn
    assert {o["status"] for o in took_back} <= {"withdrawn"}
    if target in PAID:
        assert (found["offer"]["id"], found["offer"]["status"]) == (pending[0].pk, "pending")
    else:
        assert found["offer"] is None
    if not quiet(start, target):
        assert found["messages"][-1]["body"] == message.body


def test_a_lead_cannot_choose_not_opened(start_ticket, lead):
    ticket, _ = start_ticket("in_scope")
    with pytest.raises(services.TicketError, match="Not authorized"):
        services.decision_override(
            ticket_id=ticket.pk, lead=lead, verdict="not_authorized", reason="No."
        )


@pytest.mark.parametrize("target", ["in_scope", "over_allowance", "out_of_scope", "needs_review"])
def test_an_accepted_offer_is_never_taken_back_by_an_override(start_ticket, lead, target):
    ticket, _ = start_ticket("paid_option")
    offer = ticket.offers.get()
    services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    with pytest.raises(services.TicketError, match="accepted the offer"):
        services.decision_override(ticket_id=ticket.pk, lead=lead, verdict=target, reason="Why")
    offer.refresh_from_db()
    ticket.refresh_from_db()
    assert (offer.status, ticket.verdict) == (Offer.Status.ACCEPTED, "paid_option")
    # The same verdict again only names the lead; the accepted offer stays current.
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict="paid_option", reason="Checked."
    )
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.ACCEPTED
    assert api(SARA).get(f"/api/v1/tickets/{ticket.pk}/").json()["offer"]["id"] == offer.pk


@pytest.mark.parametrize(
    ("email", "text", "language", "currency"),
    [
        (SARA, PLUGIN, "en", "EUR"),
        (AINO, PLUGIN, "fi", "EUR"),
        (OLGA, PLUGIN, "ru", "RUB"),
    ],
)
def test_paid_to_covered_and_back_in_the_contacts_language(
    desk, committed, lead, email, text, language, currency
):
    ticket = committed(services.ticket_create, requester=user(email), subject="Plugin", body=text)
    ticket.refresh_from_db()
    assert (ticket.verdict, ticket.language) == ("paid_option", language)
    first = ticket.offers.get()
    mail.outbox.clear()
    committed(
        services.decision_override,
        ticket_id=ticket.pk,
        lead=lead,
        verdict="in_scope",
        reason="Goodwill.",
    )
    [sent] = mail.outbox
    name = ticket.requester.contact.name  # greeted by name, as their language greets
    told = override_text("paid_option", "in_scope", language, name=name).strip()
    assert sent.body.strip() == told
    if language != "en":
        assert sent.body.strip() != override_text("paid_option", "in_scope", "en", name=name)
    assert Offer.objects.get(pk=first.pk).status == Offer.Status.WITHDRAWN
    with translation.override(language):
        expected = str(words.withdrawn_sentence("in_scope"))
    assert expected in portal_html(email, ticket)

    # Back to paid: a new offer, in the contract's currency, with both answers.
    mail.outbox.clear()
    committed(
        services.decision_override,
        ticket_id=ticket.pk,
        lead=lead,
        verdict="paid_option",
        reason="The customer asked for more.",
    )
    [sent] = mail.outbox
    offer = ticket.offers.get(status=Offer.Status.PENDING)
    assert offer.currency == currency and offer.pk != first.pk
    assert "/offers/" in sent.body
    html = portal_html(email, ticket)
    assert f'id="offer" data-offer="{offer.pk}"' in html and 'id="offer-withdrawn"' not in html


def test_a_refusal_quotes_the_clause_and_its_advice_in_the_contacts_language(desk, committed, lead):
    # Olga's debugging request is refused by the engine; a lead first grants it,
    # then refuses it again: the refusal quotes the contract's advice in Russian.
    ticket = committed(services.ticket_create, requester=user(OLGA), subject="500", body=SCRIPT)
    ticket.refresh_from_db()
    assert ticket.verdict == "out_of_scope"
    for verdict in ("in_scope", "out_of_scope"):
        committed(
            services.decision_override,
            ticket_id=ticket.pk,
            lead=lead,
            verdict=verdict,
            reason="Decided with the customer.",
        )
    last = ticket.messages.order_by("pk").last()
    assert "Обратитесь к разработчику вашего сайта" in last.body
    assert "Отладка вашего собственного кода." in last.body
    assert mail.outbox[-1].body.startswith(last.body)


def test_renders_every_pair_for_make_replies():
    # ``make replies`` renders each pair in each language without a ticket.
    for language in ("en", "ru", "fi", "lv"):
        for start in [*TARGETS, "not_authorized"]:
            for target in TARGETS:
                text = override_text(start, target, language)
                assert bool(text) == (not quiet(start, target)), (start, target)
                assert "%(" not in text


def test_a_technicians_later_decision_says_the_offer_is_withdrawn_too(
    start_ticket, committed, technician
):
    # Not an override: the engine decides again on the service a technician names.
    ticket, _ = start_ticket("paid_option")
    offer = ticket.offers.get()
    mail.outbox.clear()
    committed(
        services.ticket_change_service,
        ticket_id=ticket.pk,
        service="hosting.performance",
        by=technician,
    )
    ticket.refresh_from_db()
    assert ticket.verdict == "in_scope"
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.WITHDRAWN
    reply = ticket.messages.order_by("pk").last()
    note = "Our earlier offer is withdrawn, so there is nothing for you to accept or pay."
    assert note in reply.body and reply.body.rstrip().endswith("Your support team")
    [sent] = mail.outbox
    assert note in sent.body
    html = portal_html(SARA, ticket)
    assert "This offer was withdrawn: we will do this at no charge." in html
    assert 'name="answer" value="accept"' not in html
    found = api(SARA).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert (found["scope"]["verdict"], found["offer"]) == ("in_scope", None)


def test_the_e_mailed_link_of_a_withdrawn_offer_shows_no_button(start_ticket, committed, lead):
    ticket, _ = start_ticket("paid_option")
    offer = ticket.offers.get()
    path = "/" + services.offer_link(offer, "accept").split("/", 3)[3]
    committed(
        services.decision_override, ticket_id=ticket.pk, lead=lead, verdict="in_scope", reason="Ok"
    )
    for method in ("get", "post"):
        response = getattr(Client(), method)(path)
        assert response.status_code == 410
        page = html_text.unescape(response.content.decode())
        assert "We have withdrawn this offer" in page
        assert "Accept the offer" not in page and "You can still answer" not in page
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.WITHDRAWN


@pytest.mark.parametrize(
    ("start", "target", "quoted"),
    [
        ("paid_option", "in_scope", False),  # the paid clause no longer applies
        ("in_scope", "paid_option", False),  # nor the included one
        ("in_scope", "outside_hours", True),  # still the included clause's work
        ("out_of_scope", "in_scope", False),
    ],
)
def test_the_card_quotes_the_clause_only_where_it_agrees_with_the_override(
    start_ticket, committed, lead, start, target, quoted
):
    ticket, email = start_ticket(start)
    committed(
        services.decision_override, ticket_id=ticket.pk, lead=lead, verdict=target, reason="Ok"
    )
    assert ('<figure class="clause">' in portal_html(email, ticket)) == quoted
