"""Our incidents in the portal: a banner on every page for the customer's open
incidents, the service status page and an incident's page, only ever the
customer's own, in their time zone, without the internal review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Service
from tests.tickets.test_portal.helpers import IVAN, JANIS, OLGA, SARA, page, portal
from tickets import services
from tickets.models import Incident

pytestmark = pytest.mark.django_db

PORTAL_PAGES = [
    reverse("portal:tickets"),
    reverse("portal:new"),
    reverse("portal:coverage"),
    reverse("portal:incidents"),
]


@pytest.fixture
def tech(technician):
    return technician


def outage(by, title: str = "Servers down", **kwargs) -> Incident:
    return services.incident_open(
        by=by,
        title=title,
        services=[Service.objects.get(code="hosting.availability")],
        texts={"en": "A power failure took our servers down.", "ru": "Серверы упали."},
        next_update_at=timezone.now() + timedelta(hours=1),
        **kwargs,
    )


@pytest.mark.parametrize("url", PORTAL_PAGES)
def test_every_portal_page_shows_the_banner_of_the_customers_open_incident(
    northwind, volga, tech, url
):
    incident = outage(tech)
    html = page(SARA, url)
    assert "We know about a problem:" in html and "Servers down" in html
    assert reverse("portal:incident", args=[incident.pk]) in html


def test_the_banner_leaves_out_resolved_incidents_and_other_customers(
    northwind, volga, daugava, tech
):
    volga_only = outage(tech, title="Moscow racks down", customers=[volga])
    resolved = outage(tech, title="Yesterday's outage")
    services.incident_resolve(incident_id=resolved.pk, by=tech, texts={"en": "Fixed."})
    assert "We know about a problem" not in page(SARA, reverse("portal:tickets"))
    olga = page(OLGA, reverse("portal:tickets"))
    assert "Moscow racks down" in olga and "Yesterday" not in olga
    assert volga_only.title not in page(JANIS, reverse("portal:tickets"))


def test_the_banner_costs_one_query_however_many_incidents(northwind, tech):
    client = portal(SARA)
    url = reverse("portal:tickets")
    client.get(url)

    def incident_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return sum('"tickets_incident"' in q["sql"] for q in queries.captured_queries)

    outage(tech)
    one = incident_queries()
    for n in range(4):
        outage(tech, title=f"Outage {n}")
    assert incident_queries() == one == 1


def test_the_status_page_lists_open_and_past_incidents_with_their_news(northwind, tech):
    past = outage(tech, title="Yesterday's outage")
    services.incident_resolve(incident_id=past.pk, by=tech, texts={"en": "All fixed."})
    outage(tech)
    client = portal(SARA)
    response = client.get(reverse("portal:incidents"))
    html = response.content.decode()
    assert [i.incident.title for i in response.context["open"]] == ["Servers down"]
    assert [i.incident.title for i in response.context["past"]] == ["Yesterday's outage"]
    assert "A power failure took our servers down." in html
    assert 'aria-current="page">Service status' in html


def test_a_quiet_status_page_says_all_is_well(northwind):
    html = page(SARA, reverse("portal:incidents"))
    assert "Everything we run for you is working as it should." in html
    assert "No incidents so far." in html


def test_the_incident_page_speaks_the_contacts_language_and_time_zone(northwind, volga, tech):
    incident = outage(tech, owner=tech)
    url = reverse("portal:incident", args=[incident.pk])
    sara = page(SARA, url)
    assert "A power failure took our servers down." in sara
    assert "This is our fault, and we are sorry" in sara
    assert tech.email in sara
    # It began at 10:00 in Helsinki, 11:00 in Moscow, and news is due an hour
    # later: each customer reads their own clock.
    assert "2026, 10:00" in sara and "2026, 11:00" in sara and "12:00" not in sara
    olga = page(OLGA, url)
    assert "Серверы упали." in olga
    assert "11:00" in olga and "12:00" in olga and "10:00" not in olga


def test_the_internal_review_never_reaches_the_portal(northwind, tech, lead):
    incident = outage(tech)
    services.incident_review_save(
        incident_id=incident.pk, by=lead, cause="Cheap UPS", changes="Buy a better UPS"
    )
    for url in (reverse("portal:incidents"), reverse("portal:incident", args=[incident.pk])):
        html = page(SARA, url)
        assert "Cheap UPS" not in html and "Buy a better UPS" not in html


def test_a_contact_of_another_customer_gets_a_404(northwind, volga, daugava, tech):
    volga_only = outage(tech, customers=[volga])
    url = reverse("portal:incident", args=[volga_only.pk])
    assert portal(SARA).get(url).status_code == 404
    assert portal(JANIS).get(url).status_code == 404
    assert portal(IVAN).get(url).status_code == 200


def test_staff_are_sent_to_the_queue(northwind, tech):
    incident = outage(tech)
    client = portal(SARA)
    client.force_login(tech)
    response = client.get(reverse("portal:incident", args=[incident.pk]))
    assert response.status_code == 302


def test_the_review_service_is_for_leads_only(northwind, tech):
    incident = outage(tech)
    with pytest.raises(services.NotAllowed):
        services.incident_review_save(incident_id=incident.pk, by=tech, cause="x", changes="y")
    contact = get_user_model().objects.get(email=SARA)
    with pytest.raises(services.NotAllowed):
        services.incident_review_save(incident_id=incident.pk, by=contact, cause="x", changes="y")
