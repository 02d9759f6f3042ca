"""Incidents in a real Chromium: a lead opens one, links a customer's ticket to it,
sees the queue hold the incident as one row, posts an update and resolves it; a
contact sees the banner, the incident's page and the service status page."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Service
from tests.browser.conftest import PHONE, SARA, SARA_PASSWORD
from tickets import services
from tickets.models import Incident, IncidentUpdate, Status, Ticket, UptimeCredit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Websites of the Helsinki cluster are down"
OPENING = "A power failure in our Helsinki data centre took the web servers down."
NEWS = "Power is back. The servers are starting; most sites answer again."
ALL_CLEAR = "Every site runs again. We are sorry for the morning you lost."


@pytest.fixture
def sara_reports(sara) -> Ticket:
    return services.ticket_create(
        requester=sara, subject="Our website does not load", body="Our website is down, 502."
    )


def test_a_lead_opens_an_incident_posts_an_update_and_resolves_it(
    browse, lead, volga, sara_reports
):
    tab = browse(4)
    page = tab.page
    tab.goto("/queue/")
    tab.log_in("lead", "lead-pass")
    page.get_by_role("link", name="Incidents", exact=True).click()
    expect(page.get_by_role("heading", name="Incidents", exact=True)).to_be_visible()
    tab.shot("incidents-none")

    page.get_by_role("link", name="Open an incident").click()
    expect(page.get_by_role("heading", name="Open an incident")).to_be_visible()
    page.get_by_role("button", name="Open the incident and tell the customers").click()
    # Nothing filled in: every mistake is named, kindly, and nothing is sent.
    expect(page.locator(".feedback.error")).to_be_visible()
    expect(page.get_by_text("Tick at least one affected service.")).to_be_visible()
    # The refused form answers 400, which Chromium logs as a failed load: expected.
    tab.problems = [p for p in tab.problems if "status of 400 (Bad Request)" not in p]
    tab.shot("incident-form-mistakes")

    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Site or server down").check()
    page.get_by_label("In English").fill(OPENING)
    page.get_by_label("In Finnish").fill("Sähkökatko Helsingin konesalissamme kaatoi palvelimet.")
    tab.shot("incident-form-filled")
    page.get_by_role("button", name="Open the incident and tell the customers").click()
    expect(page).to_have_url(re.compile(r"/queue/incidents/\d+/$"))
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.locator(".flash")).to_contain_text("Every affected contact is being told now")
    incident = Incident.objects.get()
    expect(page.locator(".incident-updates")).to_contain_text(OPENING)
    expect(page.locator(".delivery").first).to_contain_text("notices")
    tab.shot("incident-opened")

    page.get_by_role("link", name="Incidents", exact=True).click()
    expect(page.locator(".incident-card")).to_contain_text(TITLE)
    expect(page.locator(".incident-card")).to_contain_text("0 open tickets")
    tab.shot("incidents-open")

    # Sara's report of the outage joins it from the ticket's page.
    tab.goto(f"/queue/tickets/{sara_reports.pk}/")
    panel = page.locator("#incident")
    panel.get_by_role("button", name="Link", exact=True).click()
    expect(panel.locator(".feedback.ok")).to_contain_text("Linked to the incident")
    tab.shot("ticket-linked")

    page.get_by_role("link", name="Queue", exact=True).click()
    row = page.locator(".incident-row")
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("1 ticket")
    expect(page.locator("#queue-results")).not_to_contain_text("Our website does not load")
    row.locator("summary").click()
    expect(row.get_by_role("link", name=re.compile("Our website does not load"))).to_be_visible()
    tab.shot("queue-incident-row")

    row.get_by_role("link", name=TITLE).click()
    update = page.locator("#post-update")
    update.get_by_label("In English").fill(NEWS)
    update.get_by_role("button", name="Post the update").click()
    expect(page.locator(".flash")).to_contain_text("Update posted")
    expect(page.locator(".incident-updates > li").first).to_contain_text(NEWS)
    latest = page.locator(".incident-updates > li").first
    latest.get_by_text("Who was told").click()
    told = latest.locator("table.notices tbody tr")
    expect(told).to_have_count(5)  # Northwind's three, Volga's two
    expect(latest.locator("table.notices")).to_contain_text("sara@northwind.example")
    tab.shot("incident-updated")

    review = page.locator("#review")
    review.get_by_label("Cause").fill("A UPS failed during a grid outage.")
    review.get_by_label("What we change").fill("Test the UPS every month.")
    review.get_by_role("button", name="Save the review").click()
    expect(page.locator(".flash")).to_contain_text("Review saved")

    resolve = page.locator("#resolve")
    resolve.get_by_label("In English").fill(ALL_CLEAR)
    resolve.get_by_role("button", name="Resolve and send the all-clear").click()
    expect(page.locator(".flash")).to_contain_text("Resolved")
    expect(page.locator(".badges")).to_contain_text("Resolved")
    expect(page.locator("#post-update")).to_have_count(0)
    tab.shot("incident-resolved")

    incident.refresh_from_db()
    assert not incident.is_open
    assert list(incident.updates.values_list("kind", flat=True)) == [
        IncidentUpdate.Kind.OPENED,
        IncidentUpdate.Kind.UPDATE,
        IncidentUpdate.Kind.RESOLVED,
    ]
    sara_reports.refresh_from_db()
    assert sara_reports.status == Status.RESOLVED

    page.get_by_role("link", name="All incidents").click()
    expect(page.locator("table")).to_contain_text(TITLE)
    tab.shot("incidents-resolved")
    page.set_viewport_size(PHONE)
    tab.goto(f"/queue/incidents/{incident.pk}/")
    tab.fits_the_width()
    tab.shot("incident-phone")


@pytest.fixture
def open_outage(technician, northwind) -> Incident:
    """An outage opened an hour ago, with news since."""
    incident = services.incident_open(
        by=technician,
        title=TITLE,
        services=[Service.objects.get(code="hosting.availability")],
        texts={"en": OPENING},
        started_at=timezone.now() - timedelta(hours=1),
        eta=timezone.now() + timedelta(hours=2),
    )
    services.incident_post_update(
        incident_id=incident.pk,
        by=technician,
        texts={"en": NEWS},
        next_update_at=timezone.now() + timedelta(minutes=30),
    )
    return incident


def test_a_contact_sees_the_banner_and_the_incident(browse, sara, open_outage):
    tab = browse(5)
    page = tab.page
    tab.goto("/")
    tab.log_in(SARA, SARA_PASSWORD)
    banner = page.locator(".incident-banner")
    expect(banner).to_contain_text(TITLE)
    tab.shot("portal-banner")

    page.get_by_role("link", name="What my contract covers").click()
    expect(banner).to_contain_text(TITLE)  # on every page

    banner.get_by_role("link", name="Follow it").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    updates = page.locator(".incident-updates > li")
    expect(updates).to_have_count(2)
    expect(updates.first).to_contain_text(NEWS)  # the newest first
    expect(page.get_by_text("This is our fault, and we are sorry")).to_be_visible()
    tab.shot("portal-incident")

    page.get_by_role("link", name="Service status", exact=True).click()
    expect(page.get_by_role("heading", name="Service status")).to_be_visible()
    expect(page.locator(".incident-card")).to_contain_text(NEWS)
    tab.shot("portal-status")

    page.set_viewport_size(PHONE)
    tab.goto(f"/portal/incidents/{open_outage.pk}/")
    tab.fits_the_width()
    tab.shot("portal-incident-phone")
    tab.goto("/portal/")
    tab.fits_the_width()
    tab.shot("portal-banner-phone")


def test_a_contact_sees_last_months_availability_and_the_credit_owed(browse, sara, lead):
    helsinki = ZoneInfo("Europe/Helsinki")
    this_month = timezone.localtime(timezone.now(), helsinki).date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    start = datetime.combine(last_month.replace(day=12), time(2, 10), tzinfo=helsinki)
    past = Incident.objects.create(
        title="Servers down",
        started_at=start,
        detected_at=start,
        resolved_at=start + timedelta(hours=3),
        owner=lead,
        created_by=lead,
    )
    past.services.set([Service.objects.get(code="hosting.availability")])
    services.credits_compute_month(month=last_month)

    tab = browse(5)
    page = tab.page
    tab.goto("/")
    tab.log_in(SARA, SARA_PASSWORD)
    page.get_by_role("link", name="Service status", exact=True).click()
    uptime = page.locator("section.uptime")
    expect(uptime).to_contain_text("Availability and credits")
    expect(uptime).to_contain_text("180 minutes")
    expect(uptime).to_contain_text("40.00")
    expect(uptime).to_contain_text("our team is confirming it")
    tab.shot("portal-credit-checking")

    credit = UptimeCredit.objects.get()
    services.credit_confirm(credit_id=credit.pk, lead=lead)
    page.reload()
    expect(uptime).to_contain_text("confirmed")
    tab.shot("portal-credit-confirmed")
