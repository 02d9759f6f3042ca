"""The monthly statement in a real Chromium: a manager reads it in the portal, a
lead in the queue, and both print it: on A4, without the navigation, the month
chips or the buttons. Screenshots of each, the printed look included."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.tickets.test_statement_pages import AINO, a_month_of_work

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AINO_PASSWORD = "aino-browser-pass"
# Chromium writes a page's size in points: A4 is 595.92 × 842.88.
A4_MEDIA_BOX = re.compile(rb"/MediaBox\s*\[\s*0\s+0\s+595\.\d+\s+84[12]\.\d+")


@pytest.fixture
def worked(northwind, volga, daugava, lead, technician):
    """This month's work (the real clock: the live server runs on it), and Aino,
    Northwind's manager, reading English with a password of her own."""
    a_month_of_work(lead, technician)
    aino = get_user_model().objects.get(email=AINO)
    aino.set_password(AINO_PASSWORD)
    aino.save()
    aino.contact.language = "en"
    aino.contact.save()
    return aino


def printed(tab, name: str) -> bytes:
    """The page as Chromium prints it, in print media, saved beside the screenshots."""
    page = tab.page
    page.emulate_media(media="print")
    path = SCREENSHOTS / f"{tab.flow}-{name}.pdf"
    page.pdf(format="A4", path=str(path), print_background=True)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
    assert A4_MEDIA_BOX.search(pdf), "the printed page is not A4"
    return pdf


def test_a_manager_reads_and_prints_the_months_statement(browse, worked):
    tab = browse(50)
    page = tab.page
    tab.goto("/portal/statement/")
    tab.log_in(AINO, AINO_PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("Your statement for"))).to_be_visible()
    expect(page.get_by_text("Work you asked for and accepted")).to_be_visible()
    expect(page.get_by_text("Mikko's own plugin")).to_be_visible()
    expect(page.get_by_role("link", name="Statement", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    tab.shot("portal-statement")
    page.set_viewport_size(PHONE)
    tab.fits_the_width()
    tab.shot("portal-statement-phone")

    printed(tab, "portal-statement")
    expect(page.locator(".topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("link", name="Download CSV")).to_be_hidden()
    expect(page.locator(".month-chips")).to_be_hidden()
    expect(page.get_by_text(re.compile(r"Statement NORTHWIND-\d{4}-\d{2}"))).to_be_visible()
    expect(page.get_by_text("HOST-2026-014")).to_be_visible()
    expect(page.get_by_text("Total for the month")).to_be_visible()
    tab.shot("portal-statement-printed")


def test_a_lead_reads_the_statement_in_the_queue_and_prints_it(browse, worked, lead):
    tab = browse(51)
    page = tab.page
    tab.goto("/queue/")
    tab.log_in("lead", "lead-pass")
    page.get_by_role("link", name="Statements", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Statements for"))).to_be_visible()
    tab.shot("queue-statements")

    page.get_by_role("link", name="Northwind Webshop Oy").click()
    expect(page.get_by_role("button", name="Hide goodwill from the customer")).to_be_visible()
    page.get_by_role("button", name="Hide goodwill from the customer").click()
    expect(page.get_by_text("The goodwill is now hidden from the customer")).to_be_visible()
    expect(page.get_by_text("A plugin on the house")).to_be_visible()  # the lead still sees it
    tab.shot("queue-statement")

    printed(tab, "queue-statement")
    for hidden in (
        page.locator(".topbar"),
        page.locator(".flash"),
        page.get_by_role("button", name="Print"),
        page.get_by_role("button", name="Show goodwill to the customer"),
        page.locator(".month-chips"),
    ):
        expect(hidden).to_be_hidden()
    expect(page.get_by_text("A plugin on the house")).to_be_visible()
    tab.shot("queue-statement-printed")
