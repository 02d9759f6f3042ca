"""An ended contract's renewal on the e-mailed link's page, in Latvian (the
browser says English): the manager sees what is renewed, the price a month, the
term, the deadline and both answers; a requester who is not a manager reads who
can accept it and has only the decline button. Runs on the real clock: Daugava's
contract ended on 31 December 2025."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from contracts.models import Contact
from tests.browser.conftest import PHONE
from tickets import services
from tickets.models import Offer, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JANIS = "janis@daugava.example"


def said(msgid: str) -> str:
    with translation.override("lv"):
        return gettext(msgid)


def renewal_of(email: str) -> Offer:
    user = get_user_model().objects.get(email=email)
    ticket = services.ticket_create(requester=user, subject="Vietne", body="Vietne ir lēna.")
    offer = Ticket.objects.get(pk=ticket.pk).offers.get()
    assert offer.kind == Offer.Kind.RENEWAL
    return offer


def test_the_renewal_on_the_link_page_for_a_manager_and_for_a_requester(browse, daugava):
    offer = renewal_of(JANIS)
    tab = browse(90)
    page = tab.page
    tab.goto(urlsplit(services.offer_link(offer, "accept")).path)
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CARE-2025-077")
    expect(page.locator(".offer-total")).to_contain_text("150,00")
    expect(page.locator(".offer dl.facts")).to_contain_text(said("Term"))
    expect(page.locator(".offer dl.facts")).to_contain_text(said("Please answer by"))
    expect(page.get_by_role("button", name=said("Renew the contract"))).to_be_visible()
    expect(page.get_by_role("button", name=said("No, thank you"))).to_be_visible()
    tab.shot("renewal-link-manager-lv")
    page.set_viewport_size(PHONE)
    page.reload()
    tab.fits_the_width()
    tab.shot("renewal-link-manager-lv-phone")

    # Līga is a requester: she may decline, and reads who can accept.
    user = get_user_model().objects.create_user("liga", "liga@daugava.example", "liga-pass")
    Contact.objects.create(
        customer=daugava, user=user, name="Līga Ozola", role="requester", language="lv"
    )
    offer.status = Offer.Status.DECLINED
    offer.save(update_fields=["status"])
    theirs = renewal_of("liga@daugava.example")
    tab = browse(91)
    page = tab.page
    tab.goto(urlsplit(services.offer_link(theirs, "accept")).path)
    expect(page.locator("#offer-who")).to_contain_text("Jānis Bērziņš")
    expect(page.get_by_role("button", name=said("Renew the contract"))).to_have_count(0)
    expect(page.get_by_role("button", name=said("No, thank you"))).to_be_visible()
    tab.shot("renewal-link-requester-lv")
