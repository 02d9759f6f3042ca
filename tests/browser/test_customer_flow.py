"""The customer's flow after the automatic reply, in a real Chromium: a Russian
contact answers an offer from the e-mailed link (the browser says English), on a
desktop and on a phone; a contact picks another language in the menu, and the
desk writes to her in it from then on.

Paid work is offered whatever the hour, so these run on the real clock (the
live server is outside any time machine); the acceptance note's time of start
is tested on a fixed clock in tests/tickets/test_customer_flow.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from contracts.models import Contact
from contracts.replies import format_money
from tests.browser.conftest import PHONE, SARA, SARA_PASSWORD
from tickets import services
from tickets.models import Offer, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLGA = "olga@volga-media.example"
SSL = "Нужно установить SSL сертификат на наш сайт."
PLUGIN = "Please install the WooCommerce plugin on our WordPress shop."


def said(language: str, msgid: str) -> str:
    with translation.override(language):
        return gettext(msgid)


def test_a_russian_contact_accepts_the_offer_from_the_email_link(browse, volga):
    ticket = services.ticket_create(
        requester=get_user_model().objects.get(email=OLGA), subject="SSL", body=SSL
    )
    offer = Ticket.objects.get(pk=ticket.pk).offers.get()
    path = urlsplit(services.offer_link(offer, "accept")).path
    tab = browse(40)  # an English browser
    page = tab.page
    tab.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        said("ru", "Our offer: %(service)s").split(":")[0]
    )
    with translation.override("ru"):
        price = format_money(offer.amount, offer.currency)
    expect(page.locator(".offer-total")).to_have_text(price)
    expect(page.locator(".offer dl.facts")).to_contain_text(said("ru", "Please answer by"))
    accept = page.get_by_role("button", name=said("ru", "Accept the offer"))
    decline = page.get_by_role("button", name=said("ru", "No, thank you"))
    expect(accept).to_be_visible()
    expect(decline).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Offer:")
    tab.shot("offer-link-ru")

    page.set_viewport_size(PHONE)
    page.reload()
    tab.fits_the_width()
    # On a phone each answer is a full-width button, one above the other.
    box_accept, box_decline = accept.bounding_box(), decline.bounding_box()
    assert box_accept and box_decline and box_decline["y"] > box_accept["y"]
    tab.shot("offer-link-ru-phone")

    # Looking answered nothing; the click does.
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.PENDING
    accept.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(said("ru", "Thank you"))
    expect(page.locator("#offer-answered")).to_contain_text(
        said("ru", "Thank you for accepting the offer.")
    )
    tab.fits_the_width()
    tab.shot("offer-link-ru-accepted")
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.ACCEPTED


def test_a_language_picked_in_the_menu_is_the_one_the_desk_writes_in(browse, sara):
    tab = browse(41)
    page = tab.page
    tab.goto("/")
    tab.log_in(SARA, SARA_PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    tab.shot("portal-in-english")

    page.get_by_label("Language").select_option("fi")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.get_by_role("link", name=said("fi", "New ticket"), exact=True)).to_be_visible()
    tab.shot("portal-in-finnish")
    assert Contact.objects.get(user=sara).language == "fi"

    page.get_by_role("link", name=said("fi", "New ticket"), exact=True).click()
    page.get_by_label(said("fi", "Subject")).fill("WooCommerce")
    page.get_by_label(said("fi", "What do you need?")).fill(PLUGIN)
    page.get_by_role("button", name=said("fi", "Send ticket")).click()
    expect(page.locator("#verdict .offer")).to_be_visible()
    tab.shot("portal-ticket-in-finnish")
    ticket = Ticket.objects.get(requester=sara)
    assert ticket.language == "fi"
    # The e-mail with the offer's links is in Finnish too.
    email = next(m for m in reversed(mail.outbox) if m.to == [SARA])
    links = said("fi", "Accept the offer: %(accept)s\nDecline it: %(decline)s")
    assert links.split("%(accept)s")[0] in email.body
