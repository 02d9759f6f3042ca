"""Judgement in a real Chromium: a contact files a request that asks for two
things and answers each part on its own card; a lead reviews the recognition
phrases that technicians' corrections suggest and accepts one."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from contracts.models import Customer, RecognitionExample, Service
from tests.browser.conftest import PHONE, SARA, SARA_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MIXED = (
    "Hi, our e-mail has not been working since the morning, nothing arrives. "
    "And also, please install the Yoast plugin on our WordPress shop."
)


def test_a_contact_files_a_mixed_request_and_accepts_the_paid_part(browse, sara):
    tab = browse(6)
    page = tab.page
    tab.goto("/")
    tab.log_in(SARA, SARA_PASSWORD)
    page.get_by_role("link", name="New ticket", exact=True).click()
    page.get_by_label("Subject").fill("Mail down, and a plugin")
    page.get_by_label("What do you need?").fill(MIXED)
    page.get_by_role("button", name="Send ticket").click()
    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+/$"))

    # The check runs after the commit; the page polls until each part has its card.
    parts = page.locator("#verdict article.part")
    expect(parts).to_have_count(2)
    mail, plugin = parts.nth(0), parts.nth(1)
    expect(mail).to_contain_text("Email on our servers")
    expect(mail.locator(".offer")).to_have_count(0)  # the outage waits on no offer
    expect(plugin).to_contain_text("CMS plugins and themes")
    expect(plugin.locator(".offer-total")).to_contain_text("60")
    expect(page.locator(".conversation")).to_contain_text("more than one thing")
    tab.shot("portal-mixed-ticket")

    plugin.get_by_role("button", name="Accept the offer").click()
    expect(
        page.locator("#verdict article.part").nth(1).locator(".offer-status.accepted")
    ).to_be_visible()
    tab.shot("portal-mixed-part-accepted")

    page.set_viewport_size(PHONE)
    page.reload()
    tab.fits_the_width()
    tab.shot("portal-mixed-ticket-phone")


def test_a_lead_accepts_a_phrase_that_corrections_suggest(browse, lead, northwind, volga):
    dns = Service.objects.get(code="hosting.dns")
    texts = [
        "Please do the zone flip for our shop tonight",
        "We need a zone flip before the launch on Friday",
        "Can you schedule the zone flip for next week?",
    ]
    for customer in Customer.objects.filter(slug__in=["northwind", "volga-media"]):
        for text in texts:
            RecognitionExample.objects.create(
                service=dns, language="en", text=text, customer=customer
            )

    tab = browse(7)
    page = tab.page
    tab.goto("/admin/contracts/service/phrases/")
    tab.log_in("lead", "lead-pass")
    page.get_by_role("button", name="Look for new phrases").click()
    suggestion = page.locator("li, tr").filter(has_text="zone flip").first
    expect(suggestion).to_be_visible()
    tab.shot("editor-phrases-suggested")

    suggestion.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("heading", name="Decided lately")).to_be_visible()
    tab.shot("editor-phrases-accepted")
    dns.refresh_from_db()
    assert "zone flip" in dns.phrases["en"]
