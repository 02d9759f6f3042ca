"""The customer's flow after the automatic reply, in each of the desk's languages:
an accepted offer says when work starts, a refusal waits for the customer and
then closes without asking for a rating, the menu's language is the contact's
for replies too, the offer page of the e-mailed link, and the password reset mail."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from contracts.models import Contact, Service
from contracts.replies import format_money
from tickets import services, tasks
from tickets.models import Message, Offer, Rating, Status, Ticket

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)  # within Northwind's hours
SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=HELSINKI)  # they begin Monday 8:00
SARA = "sara@northwind.example"
OLGA = "olga@volga-media.example"
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"
SEO = "Can you improve our search ranking with SEO and link building?"
OUTAGE = "Our whole site and server are down, nothing loads!"
LANGUAGES = ["en", "ru", "fi", "lv"]
MONDAY = {"en": "Monday", "ru": "понедельник", "fi": "maanantai", "lv": "pirmdien,"}
BACKEND = "django.contrib.auth.backends.ModelBackend"

pytestmark = pytest.mark.django_db(transaction=True)


def user(email: str):
    return get_user_model().objects.get(email=email)


def speaks(email: str, language: str) -> None:
    Contact.objects.filter(user__email=email).update(language=language)


def said(language: str, msgid: str) -> str:
    """The desk's words in ``language``; translated, unless it is English."""
    with translation.override(language):
        text = gettext(msgid)
    assert language == "en" or text != msgid, f"{msgid!r} is not translated to {language}"
    return text


def file(email: str, text: str, *, at: datetime = MONDAY_10, **kwargs) -> Ticket:
    with time_machine.travel(at, tick=False):
        ticket = services.ticket_create(
            requester=user(email), subject=kwargs.pop("subject", "Help"), body=text, **kwargs
        )
    ticket.refresh_from_db()
    return ticket


def portal(email: str) -> Client:
    client = Client()
    client.force_login(user(email), backend=BACKEND)
    return client


def link_path(offer: Offer, action: str) -> str:
    return urlsplit(services.offer_link(offer, action)).path


def last_note(ticket: Ticket) -> Message:
    return ticket.messages.filter(kind=Message.Kind.AUTOMATIC).latest("pk")


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


# --- an accepted offer says when work starts ------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_accepting_within_support_hours_says_a_technician_starts_now(desk, language):
    speaks(SARA, language)
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        response = portal(SARA).post(
            reverse("portal:offer", args=[offer.pk]), {"answer": "accept"}, follow=True
        )
    thanks = said(language, "Thank you for accepting the offer.")
    now = said(language, "A technician is starting on it now and will keep you posted here.")
    note = last_note(ticket).body
    assert note == f"{thanks} {now}"
    assert mail.outbox[-1].body.startswith(note)  # the thread's note is e-mailed as it is
    html = response.content.decode()
    # The portal is in the contact's language (no menu choice yet): so is its flash.
    assert note in html.replace("&#x27;", "'")


@pytest.mark.parametrize("language", LANGUAGES)
def test_accepting_outside_support_hours_names_when_they_begin(desk, language):
    speaks(SARA, language)
    ticket = file(SARA, PLUGIN, at=SATURDAY_10)
    offer = ticket.offers.get()
    with time_machine.travel(SATURDAY_10 + timedelta(minutes=5), tick=False):
        services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    note = last_note(ticket).body
    assert note.startswith(said(language, "Thank you for accepting the offer."))
    fixed = said(
        language,
        "Our support hours begin again %(when)s: a technician will start on it then and "
        "keep you posted here.",
    ).split("%(when)s")
    assert all(piece in note for piece in fixed)
    # Monday 30 November, 8:00 in Helsinki, in the language's own style.
    assert MONDAY[language] in note and "30" in note
    assert re.search(r"\b0?8[.:]00\b", note)
    assert (
        said(language, "A technician is starting on it now and will keep you posted here.")
        not in note
    )


def test_a_24_7_clause_starts_now_even_on_a_saturday(desk):
    """An outage under Northwind's round-the-clock clause: its paid part starts at once."""
    ticket = file(SARA, PLUGIN, at=SATURDAY_10)
    offer = ticket.offers.get()
    availability = Service.objects.get(code="hosting.availability")
    with time_machine.travel(SATURDAY_10, tick=False):
        ticket.service = availability
        ticket.save(update_fields=["service"])
        services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    assert "starting on it now" in last_note(ticket).body


def test_the_offer_page_says_when_work_starts_after_accepting(desk):
    speaks(SARA, "fi")
    ticket = file(SARA, PLUGIN, at=SATURDAY_10)
    offer = ticket.offers.get()
    with time_machine.travel(SATURDAY_10 + timedelta(minutes=5), tick=False):
        response = Client().post(link_path(offer, "accept"), {"answer": "accept"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "maanantai" in html and last_note(ticket).body in html


# --- a refusal waits for the customer, then closes; the rating comes on resolution


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_ticket_waits_then_closes_by_the_periodic_task_without_a_rating(
    desk, language, settings
):
    speaks(SARA, language)
    ticket = file(SARA, SEO)
    assert (ticket.verdict, ticket.status, ticket.resolved_at) == (
        "out_of_scope",
        Status.WAITING_ON_CUSTOMER,
        None,
    )
    rating = 'id="rating"'
    with time_machine.travel(MONDAY_10, tick=False):
        waiting = portal(SARA).get(reverse("portal:ticket", args=[ticket.pk])).text
    assert rating not in waiting
    # The card says until when the customer may answer: Thursday 26 November.
    closes = said(
        language,
        "If something is unclear or we have misunderstood you, just reply below. Otherwise "
        "we will close this request on %(day)s.",
    ).split("%(day)s")
    closes_at = re.search(r'id="refusal-closes">(.*?)</p>', waiting, re.S).group(1)
    assert all(piece.replace("'", "&#x27;") in closes_at for piece in closes) and "26" in closes_at
    days = settings.REFUSED_TICKET_OPEN_DAYS
    assert days == 3
    with time_machine.travel(MONDAY_10 + timedelta(days=days, minutes=-1), tick=False):
        assert tasks.expire_offers() == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    sent = len(mail.outbox)
    with time_machine.travel(MONDAY_10 + timedelta(days=days, hours=1), tick=False):
        assert tasks.expire_offers() == 1
        assert tasks.expire_offers() == 0  # a second run closes nothing twice
        html = portal(SARA).get(reverse("portal:ticket", args=[ticket.pk])).text
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolved_at is not None
    closing = said(
        language,
        "We have not heard back from you, so we have closed this request. If there is "
        "anything else we can do, just write to us here; we are glad to help.",
    )
    assert last_note(ticket).body == closing
    assert len(mail.outbox) == sent + 1 and mail.outbox[-1].body.startswith(closing)
    assert rating not in html and said(language, "How did we do?") not in html
    assert 'id="refusal-closes"' not in html


def test_the_number_of_days_is_a_setting(desk, settings):
    settings.REFUSED_TICKET_OPEN_DAYS = 7
    ticket = file(SARA, SEO)
    with time_machine.travel(MONDAY_10 + timedelta(days=4), tick=False):
        assert services.refused_tickets_close() == 0
    with time_machine.travel(MONDAY_10 + timedelta(days=7, hours=1), tick=False):
        assert services.refused_tickets_close() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_a_customers_reply_makes_the_refused_ticket_theirs_again(desk):
    ticket = file(SARA, SEO)
    with time_machine.travel(MONDAY_10 + timedelta(days=1), tick=False):
        services.message_post(
            ticket_id=ticket.pk, author=user(SARA), body="It is for our own shop, though?"
        )
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    with time_machine.travel(MONDAY_10 + timedelta(days=10), tick=False):
        assert services.refused_tickets_close() == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_technicians_answer_restarts_the_days(desk, technician):
    ticket = file(SARA, SEO)
    with time_machine.travel(MONDAY_10 + timedelta(days=2), tick=False):
        services.message_post(ticket_id=ticket.pk, author=technician, body="Anything else?")
    with time_machine.travel(MONDAY_10 + timedelta(days=4), tick=False):
        assert services.refused_tickets_close() == 0
    with time_machine.travel(MONDAY_10 + timedelta(days=5, hours=1), tick=False):
        assert services.refused_tickets_close() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_rating_is_asked_on_a_real_resolution(desk, technician, language):
    speaks(SARA, language)
    ticket = file(SARA, PLUGIN.replace("install the WooCommerce plugin", "fix our mailbox"))
    services.message_post(ticket_id=ticket.pk, author=technician, body="Fixed it.")
    url = reverse("portal:ticket", args=[ticket.pk])
    assert 'id="rating"' not in portal(SARA).get(url).text
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    html = portal(SARA).get(url).text
    assert 'id="rating"' in html and said(language, "How did we do?") in html
    assert not Rating.objects.exists()


# --- the menu's language is the contact's for replies too ------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_language_chosen_in_the_menu_is_kept_for_replies_and_mail(desk, language):
    speaks(SARA, "" if language == "en" else "en")
    start = "fi" if language == "en" else "en"  # blank is the customer's Finnish
    open_ticket = file(SARA, PLUGIN)
    assert open_ticket.language == start
    browser = portal(SARA)
    response = browser.post(
        reverse("set_language"), {"language": language, "next": reverse("portal:tickets")}
    )
    assert response.status_code == 302
    assert Contact.objects.get(user__email=SARA).language == language
    # The page follows the menu, and the ticket waiting for an answer is theirs in it.
    assert f'<html lang="{language}">' in browser.get(reverse("portal:tickets")).text
    open_ticket.refresh_from_db()
    assert open_ticket.language == language
    # The next reply is in it, and so is the e-mail with the offer's links.
    ticket = file(SARA, PLUGIN)
    assert ticket.language == language
    email = mail.outbox[-1]
    links = said(language, "Accept the offer: %(accept)s\nDecline it: %(decline)s")
    assert links.split("%(accept)s")[0] in email.body
    # The accepted offer's note in the thread and its e-mail too.
    with time_machine.travel(MONDAY_10, tick=False):
        services.offer_answer(offer_id=open_ticket.offers.get().pk, accept=True)
    assert last_note(open_ticket).body.startswith(
        said(language, "Thank you for accepting the offer.")
    )


def test_staff_and_unknown_languages_change_no_contact(desk, technician):
    client = Client()
    client.force_login(technician, backend=BACKEND)
    assert client.post(reverse("set_language"), {"language": "ru"}).status_code == 302
    assert portal(SARA).post(reverse("set_language"), {"language": "de"}).status_code == 302
    assert Contact.objects.get(user__email=SARA).language == "en"


# --- the offer page of the e-mailed link ------------------------------------------


def offer_page_words(language: str, offer: Offer) -> list[str]:
    with translation.override(language):
        return [
            gettext("Accept the offer"),
            gettext("No, thank you"),
            gettext("Please answer by"),
            gettext("A fixed price, however long the work takes."),
            format_money(offer.amount, offer.currency),
            Service.objects.get(code="web.cms_plugins").name(language),
        ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_offer_page_shows_the_offer_in_the_contacts_language_with_both_answers(desk, language):
    speaks(SARA, language)
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    # The browser says English; the page is the contact's.
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.cookies["django_language"] = "en"
    with time_machine.travel(MONDAY_10, tick=False):
        response = browser.get(link_path(offer, "accept"))
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    for words in offer_page_words(language, offer):
        assert words in html, words
    assert "Installing or updating CMS plugins" in html or "lisäosien" in html  # the clause
    assert html.count('name="answer"') == 2 and 'method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'id="language-select"' not in html  # the menu would change nothing here
    assert "Offer: " not in html
    # Looking changes nothing.
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert ticket.messages.count() == 1


def test_a_russian_contact_reads_the_offer_in_russian_never_a_bare_english_price(desk):
    ticket = file(OLGA, "Нужно установить SSL сертификат на сайт.")
    offer = ticket.offers.get()
    assert (offer.amount, offer.currency) == (1000, "RUB")
    with time_machine.travel(MONDAY_10, tick=False):
        html = Client(HTTP_ACCEPT_LANGUAGE="en").get(link_path(offer, "decline")).text
    assert '<html lang="ru">' in html
    assert "Offer: 1000.00 RUB" not in html and "1000.00" not in html
    with translation.override("ru"):
        assert format_money(offer.amount, "RUB") in html
    assert said("ru", "Accept the offer") in html and said("ru", "No, thank you") in html
    assert said(
        "ru",
        "You followed the link to decline this offer. Please confirm below, or accept it "
        "after all.",
    ) in html.replace("&#x27;", "'")


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_each_answer_on_the_offer_page_is_a_post_and_counts_once(desk, answer):
    speaks(SARA, "lv")
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    path = link_path(offer, "accept")  # either link carries both answers
    with time_machine.travel(MONDAY_10, tick=False):
        done = Client().post(path, {"answer": answer})
        again = Client().post(path, {"answer": answer})
    offer.refresh_from_db()
    expected = Offer.Status.ACCEPTED if answer == "accept" else Offer.Status.DECLINED
    assert (done.status_code, offer.status) == (200, expected)
    assert '<html lang="lv">' in done.text
    assert again.status_code == 409
    assert said("lv", "Accept the offer") not in again.text  # no buttons for an answered offer


# --- password reset mail ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_password_reset_mail_is_in_the_language_of_the_contact_it_goes_to(desk, language):
    speaks(SARA, language)
    # The page itself is asked for in another language (the menu's).
    other = "lv" if language != "lv" else "ru"
    client = Client(HTTP_ACCEPT_LANGUAGE=other)
    response = client.post(reverse("password_reset"), {"email": SARA})
    assert response.status_code == 302
    [sent] = mail.outbox
    assert sent.to == [SARA]
    assert sent.subject == said(language, "Choose a new password for Scopedesk")
    assert (
        said(
            language,
            "If you did not ask for this, you can ignore this message; your password stays "
            "as it is.",
        )
        in sent.body
    )
    page = client.get(response["Location"])
    assert f'<html lang="{other}">' in page.text


MIXED = (
    "Hi, our e-mail is not working since the morning, nobody gets anything. "
    "And also, could you install the Yoast plugin on the blog? Thanks, Sara"
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_parts_offer_page_names_the_part_and_its_acceptance_says_when(desk, language):
    speaks(SARA, language)
    ticket = file(SARA, MIXED, at=SATURDAY_10)
    offer = ticket.offers.get()
    assert offer.part is not None
    service = Service.objects.get(code="web.cms_plugins").name(language)
    with time_machine.travel(SATURDAY_10, tick=False):
        html = Client().get(link_path(offer, "accept")).text
        assert service in html and "Yoast" in html  # the part, in the customer's words
        done = Client().post(link_path(offer, "accept"), {"answer": "accept"}).text
    note = last_note(ticket).body
    assert note.startswith(
        said(language, "Thank you for accepting the offer for %(service)s.") % {"service": service}
    )
    assert MONDAY[language] in note
    assert note.replace("'", "&#x27;").replace('"', "&quot;") in done
