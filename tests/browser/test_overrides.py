"""A lead's override in a real Chromium, and what the contact then sees: paid work
granted at no charge shows the offer withdrawn and the desk's message; covered
work overridden to paid shows a real offer whose Accept button works.

The live server runs on the real clock: paid work is paid at any hour, and the
mail request is covered in or outside support hours alike, so neither depends on
when the test runs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SARA, SARA_PASSWORD
from tickets import services
from tickets.models import Offer, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLUGIN = "Please install the WooCommerce plugin on our WordPress shop."
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."


def file(sara, text: str) -> Ticket:
    ticket = services.ticket_create(requester=sara, subject="Our shop", body=text)
    ticket.refresh_from_db()
    return ticket


def override_in_the_queue(tab, ticket: Ticket, verdict: str, reason: str, step: str) -> None:
    page = tab.page
    tab.goto(f"/queue/tickets/{ticket.pk}/")
    page.locator("details.override summary").click()
    page.get_by_label("New verdict").select_option(verdict)
    page.get_by_label("Reason").fill(reason)
    tab.shot(f"{step}-form")
    page.once("dialog", lambda dialog: dialog.accept())  # "Override the verdict of this ticket?"
    page.get_by_role("button", name="Override verdict").click()
    expect(page.locator(".feedback.ok")).to_contain_text("Verdict overridden")
    tab.shot(step)


def test_a_lead_grants_paid_work_and_the_contact_sees_the_offer_withdrawn(browse, sara, lead):
    ticket = file(sara, PLUGIN)
    assert ticket.verdict == "paid_option"
    offer = ticket.offers.get()

    tab = browse(20)
    tab.goto("/")
    tab.log_in("lead", "lead-pass")
    override_in_the_queue(
        tab, ticket, "in_scope", "Promised with the relaunch deal.", "queue-override-covered"
    )
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.WITHDRAWN

    contact = browse(21)
    page = contact.page
    contact.goto("/")
    contact.log_in(SARA, SARA_PASSWORD)
    contact.goto(f"/portal/tickets/{ticket.pk}/")
    expect(page.locator("#verdict .tag")).to_have_text("Included in your contract")
    withdrawn = page.locator("#offer-withdrawn")
    expect(withdrawn).to_contain_text("This offer was withdrawn: we will do this at no charge.")
    expect(page.get_by_role("button", name="Accept the offer")).to_have_count(0)
    expect(page.locator(".conversation")).to_contain_text(
        "we will do this at no charge: it is covered by your contract"
    )
    expect(page.locator(".conversation")).to_contain_text("Our earlier offer is withdrawn")
    contact.shot("portal-offer-withdrawn")


def test_a_lead_overrides_covered_work_to_paid_and_the_contact_accepts(browse, sara, lead):
    ticket = file(sara, MAIL)
    assert ticket.verdict in ("in_scope", "outside_hours")
    assert not ticket.offers.exists()

    tab = browse(22)
    tab.goto("/")
    tab.log_in("lead", "lead-pass")
    override_in_the_queue(
        tab, ticket, "paid_option", "Their own mail server, not ours.", "queue-override-paid"
    )
    offer = ticket.offers.get()
    assert offer.status == Offer.Status.PENDING

    contact = browse(23)
    page = contact.page
    contact.goto("/")
    contact.log_in(SARA, SARA_PASSWORD)
    contact.goto(f"/portal/tickets/{ticket.pk}/")
    expect(page.locator("#verdict .tag")).to_have_text("Paid work")
    card = page.locator("#offer")
    expect(card.locator(".offer-total")).to_contain_text("90")
    expect(page.locator(".conversation")).to_contain_text("We would be glad to do it as paid work")
    contact.shot("portal-override-offer")

    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Accept the offer").click()
    expect(card.locator(".offer-status.accepted")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/portal/tickets/{ticket.pk}/$"))
    contact.shot("portal-override-offer-accepted")
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.ACCEPTED
