"""The three flows of the desk, walked in a real Chromium: a contact files a paid
request and accepts the offer, a technician works it, an admin edits a clause and
tries a request against it.

The live server runs on the real clock, outside any time machine, so these tests
only file requests whose verdict does not depend on the hour: paid work gets its
offer before support hours are looked at. (They do depend on the date: Northwind's
example contract runs until the end of 2027.)
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SARA, SARA_PASSWORD
from tickets import services
from tickets.models import Offer, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "WooCommerce for our shop"
PLUGIN = "Please install the WooCommerce plugin on our WordPress shop."
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."


def test_a_contact_files_a_paid_request_and_accepts_the_offer(browse, sara):
    tab = browse(1)
    page = tab.page
    tab.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    tab.shot("login")

    tab.log_in(SARA, SARA_PASSWORD)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    tab.shot("portal-tickets-empty")

    page.get_by_role("link", name="New ticket", exact=True).click()
    expect(page.get_by_role("heading", name="Open a new ticket")).to_be_visible()
    tab.shot("portal-new-ticket")

    picker = page.get_by_label("Which service is it about?")
    plugins = picker.locator("option", has_text="CMS plugins and themes")
    expect(plugins).to_have_text(re.compile(r"Paid: 60"))
    picker.select_option(plugins.get_attribute("value"))
    expect(page.locator("#service-details .picker-detail:visible")).to_contain_text(
        "We do this as paid work"
    )
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("What do you need?").fill(PLUGIN)
    tab.shot("portal-new-ticket-filled")

    page.get_by_role("button", name="Send ticket").click()
    expect(page).to_have_url(re.compile(r"/portal/tickets/\d+/$"))
    # The check runs after the commit; until it is done the page polls for it.
    offer = page.locator("#verdict .offer")
    expect(offer).to_be_visible()
    expect(page.locator("#verdict .tag")).to_have_text("Paid work")
    expect(offer.locator(".offer-total")).to_contain_text("60")
    tab.shot("portal-ticket-offer")

    # One click: the price is on the card, and nothing is asked again.
    page.on("dialog", lambda dialog: pytest.fail(f"unexpected question: {dialog.message}"))
    page.get_by_role("button", name="Accept the offer").click()
    expect(offer.locator(".offer-status.accepted")).to_be_visible()
    expect(page.locator(".conversation")).to_contain_text("Thank you for accepting the offer")
    tab.shot("portal-offer-accepted")

    page.get_by_role("link", name="My tickets", exact=True).click()
    expect(page.get_by_role("link", name=SUBJECT)).to_be_visible()
    tab.shot("portal-tickets")

    page.set_viewport_size(PHONE)
    page.reload()
    tab.fits_the_width()
    tab.shot("portal-tickets-phone")


@pytest.fixture
def accepted_plugin_ticket(sara) -> Ticket:
    """Sara's plugin request whose offer she has accepted: work to be done. Her
    mail problem waits in the queue too, so finding the ticket takes a search."""
    services.ticket_create(requester=sara, subject="Mail is not arriving", body=MAIL)
    ticket = services.ticket_create(requester=sara, subject=SUBJECT, body=PLUGIN)
    ticket.refresh_from_db()  # decided when the creation committed
    offer = Offer.objects.get(ticket=ticket)
    services.offer_answer(offer_id=offer.pk, accept=True, user=sara)
    return ticket


def test_a_technician_finds_the_ticket_replies_and_logs_time(
    browse, technician, accepted_plugin_ticket
):
    ticket = accepted_plugin_ticket
    tab = browse(2)
    page = tab.page
    tab.goto("/queue/")
    tab.shot("login")
    tab.log_in("tech", "tech-pass")
    expect(page.get_by_role("heading", name="Queue", exact=True)).to_be_visible()
    tab.shot("queue")

    results = page.locator("#queue-results tbody tr")
    expect(results).to_have_count(2)
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Search").fill("WooCommerce")
    expect(page).to_have_url(re.compile(r"[?&]q=WooCommerce"))  # htmx has searched
    expect(results).to_have_count(1)
    row = results.get_by_role("link", name=f"#{ticket.pk} {SUBJECT}")
    expect(row).to_be_visible()
    tab.shot("queue-search")

    row.click()
    expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    tab.shot("queue-ticket")

    reply = "Hello Sara, we are installing WooCommerce now and will tell you when it is done."
    page.locator("#reply textarea").fill(reply)
    page.locator("#reply").get_by_role("button", name="Send reply").click()
    expect(page.locator("#conversation")).to_contain_text(reply)
    # Once htmx has settled the page puts the cursor back in the (empty) reply box;
    # typing elsewhere before that would lose the keystrokes to it.
    expect(page.locator("#reply textarea")).to_be_focused()

    time = page.locator("#time")
    time.get_by_label("Minutes").fill("30")
    time.get_by_label("What was done").fill("Installed and configured WooCommerce.")
    time.get_by_role("button", name="Log time").click()
    expect(time.locator(".time-entries")).to_contain_text("30 min")
    expect(time.locator(".time-entries")).to_contain_text("Installed and configured")
    tab.shot("queue-ticket-replied-and-time-logged")

    page.get_by_role("link", name="Back to the queue").click()
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_role("heading", name="Queue", exact=True)).to_be_visible()
    tab.fits_the_width()
    tab.shot("queue-phone")


def test_an_admin_edits_a_clause_and_tries_a_request(browse, admin_user, northwind):
    tab = browse(3)
    page = tab.page
    tab.goto("/admin/")
    tab.shot("admin-login")
    tab.log_in("admin", "admin-pass")
    tab.shot("admin-index")

    page.locator("#contracts-contract").get_by_role("link", name="Contracts").click()
    page.get_by_role("link", name="HOST-2026-014").click()
    tab.shot("admin-contract")

    clause = page.locator("tr.form-row").filter(
        has=page.locator("select[name$='-service'] option:checked", has_text="plugins")
    )
    expect(clause).to_have_count(1)
    clause.locator("input[name$='-price']").fill("65.00")
    clause.locator("textarea[name$='-text_en']").fill(
        "Installing or updating CMS plugins and themes, one plugin a ticket."
    )
    page.get_by_role("button", name="Save and continue editing").first.click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    tab.shot("admin-contract-saved")

    page.get_by_role("link", name="Try a request").click()
    tab.shot("admin-try")
    page.get_by_label("From").select_option(SARA)
    page.get_by_label("Text").fill(PLUGIN)
    page.get_by_role("button", name="Decide").click()
    result = page.locator("#try-result")
    expect(result.locator(".verdict")).to_have_text("Paid option")
    expect(result.locator(".try-offer")).to_contain_text("65.00 EUR")
    expect(result).to_contain_text("one plugin a ticket")
    expect(result.locator(".try-reply")).to_contain_text("Price: 65.00 EUR")
    tab.shot("admin-try-decided")
