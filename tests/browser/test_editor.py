"""The contract editor in a real browser: a lead opens a contract, finds the
clauses by service name (the code on hover), changes a clause's price, reads
the change in the history, and invites a new contact to choose a password."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from contracts.models import Clause, Contact, Contract

# Marked as the other browser tests are: the PostgreSQL run of .ci/run leaves
# them out (-m "not browser"); unmarked, this file ran there too.
pytestmark = pytest.mark.browser

EMAIL_CLAUSE = "Email on our servers"


def test_a_lead_changes_a_clause_price_and_reads_it_in_the_history(browse, lead, northwind):
    contract = Contract.objects.get(reference="HOST-2026-014")
    clause = Clause.objects.get(contract=contract, service__code="hosting.email")
    tab = browse(40)
    page = tab.page
    tab.goto(f"/admin/contracts/contract/{contract.pk}/change/")
    tab.log_in("lead", "lead-pass")
    expect(page.locator("#site-name")).to_contain_text("Scopedesk")
    # The page wears the desk's icon, and the browser found it (no 404 complained of).
    icon = page.locator('link[rel="icon"]')
    assert icon.get_attribute("href") == "/static/favicon.svg"

    # The clause rows name their service; the code is on hover.
    row = page.locator("fieldset.clauses tr.form-row").filter(
        has=page.locator('select[name$="-service"] option[selected][title="hosting.email"]')
    )
    expect(row).to_have_count(1)
    selected = row.locator('select[name$="-service"] option:checked')
    expect(selected).to_have_text(EMAIL_CLAUSE)
    assert selected.get_attribute("title") == "hosting.email"
    estimate = row.locator('input[name$="-estimate"]')
    assert estimate.get_attribute("placeholder") == "e.g. 2h"
    # The price box shows its whole value, not a cut-off one.
    price = row.locator('input[name$="-price"]')
    fits = price.evaluate("box => box.scrollWidth <= box.clientWidth")
    assert fits, "the price column cuts the price off"
    tab.shot("editor-contract-clauses")

    row.locator('select[name$="-coverage"]').select_option("paid")
    row.locator('select[name$="-pricing"]').select_option("fixed")
    price.fill("1234.50")
    assert price.evaluate("box => box.scrollWidth <= box.clientWidth")
    row.screenshot(path=str(tab.shot("editor-clause-price-typed").with_name("40-clause-row.png")))
    page.locator('input[name="_continue"]').first.click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    clause.refresh_from_db()
    assert clause.price == Decimal("1234.50")

    page.get_by_role("link", name="History").first.click()
    parts = page.locator("#part-history")
    change = parts.locator("tr.part-change").filter(has_text=EMAIL_CLAUSE).first
    expect(change).to_contain_text("Price:")
    expect(change).to_contain_text("1234.50")
    expect(change).to_contain_text("Coverage:")
    tab.shot("editor-contract-history")

    # The clause's own history, one click away, says the same.
    change.get_by_role("link", name=re.compile(EMAIL_CLAUSE)).click()
    expect(page.locator("#change-history")).to_contain_text("1234.50")
    tab.shot("editor-clause-history")


def test_a_lead_invites_a_new_contact_in_their_language(browse, lead, northwind):
    tab = browse(41)
    page = tab.page
    tab.goto(f"/admin/contracts/customer/{northwind.pk}/change/")
    tab.log_in("lead", "lead-pass")
    rows = page.locator("#contacts-group tr.form-row:not(.has_original):not(.empty-form)")
    new = rows.last
    new.locator('input[name$="-name"]').fill("Emil Nieminen")
    new.locator('input[name$="-email"]').fill("emil@northwind.example")
    new.locator('select[name$="-role"]').select_option("requester")
    new.locator('select[name$="-language"]').select_option("fi")
    new.locator('input[name$="-send_invitation"]').check()
    tab.shot("editor-contact-invite")
    page.locator('input[name="_continue"]').first.click()
    expect(page.locator("ul.messagelist")).to_contain_text("was changed successfully")
    tab.shot("editor-contact-invited")
    contact = Contact.objects.get(name="Emil Nieminen")
    (sent,) = [m for m in mail.outbox if m.to == ["emil@northwind.example"]]
    assert sent.body.startswith("Hei,")

    # Again from the contact list, for a contact who lost the first e-mail.
    tab.goto("/admin/contracts/contact/")
    page.locator(f'input[name="_selected_action"][value="{contact.pk}"]').check()
    page.locator('select[name="action"]').select_option("send_invitations")
    page.get_by_role("button", name="Go").click()
    expect(page.locator("ul.messagelist")).to_contain_text("An invitation was sent to 1 contact")
    tab.shot("editor-contact-list-invited")
