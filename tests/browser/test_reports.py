"""The leads' reports page in a real Chromium: every chart drawn, nothing the CSP
refuses, on a desk and on a phone, and the month picker."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.tickets.test_reports import november, tiina  # noqa: F401 - the month's data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_reads_the_months_reports(browse, november, lead):  # noqa: F811
    tab = browse(95)
    page = tab.page
    tab.goto("/queue/reports/?month=2026-11")
    tab.log_in("lead", "lead-pass")
    expect(page.get_by_role("heading", name="Reports for November 2026")).to_be_visible()
    charts = page.locator("svg.chart[role=img]")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 7
    for section in ("Verdicts per week", "Offers", "SLA per priority"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Reports")).to_have_attribute("aria-current", "page")
    tab.shot("reports-desk")

    page.set_viewport_size(PHONE)
    tab.fits_the_width()
    tab.shot("reports-phone")

    page.get_by_label("Month").fill("2026-10")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Reports for October 2026")).to_be_visible()
    tab.shot("reports-october")


def test_a_technician_is_told_the_reports_are_for_leads(browse, november, technician):  # noqa: F811
    tab = browse(96)
    tab.goto("/queue/reports/")
    tab.log_in("tech", "tech-pass")
    expect(tab.page.get_by_role("heading", name="This page is for leads")).to_be_visible()
    expect(tab.page.get_by_role("link", name="Reports")).to_have_count(0)
    # The refusal is a 403, which the browser reports as a failed load: expected here.
    tab.problems = [p for p in tab.problems if "status of 403" not in p]
    tab.shot("reports-refused")
