"""The status page tells a customer how available we were, against the promise,
and the credit owed: computed for them, never a form to fill in."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse

from contracts.models import Service
from tests.tickets.test_portal.helpers import AINO, HELSINKI, IVAN, SARA, page
from tickets import services
from tickets.models import Incident

pytestmark = pytest.mark.django_db

STATUS = reverse("portal:incidents")


def past_outage(lead, start: datetime, end: datetime) -> Incident:
    incident = Incident.objects.create(
        title="Servers down",
        started_at=start,
        detected_at=start,
        resolved_at=end,
        owner=lead,
        created_by=lead,
    )
    incident.services.set([Service.objects.get(code="hosting.availability")])
    return incident


def test_last_months_outage_shows_its_availability_and_the_credit_being_confirmed(
    northwind, volga, lead
):
    # 3 h of October (744 h + 1 h of DST in Helsinki): 99.597 %, under 99.9 %.
    past_outage(
        lead,
        datetime(2026, 10, 12, 2, 10, tzinfo=HELSINKI),
        datetime(2026, 10, 12, 5, 10, tzinfo=HELSINKI),
    )
    services.credits_compute_month(month=datetime(2026, 10, 1).date())
    html = page(SARA, STATUS)
    assert "Availability and credits" in html
    assert "99.597 % (promised 99.9 %)" in html
    assert "180 minutes" in html
    assert "our team is confirming it" in html
    # This month so far: no downtime, nothing owed yet.
    assert "100 % (promised 99.9 %)" in html and "None so far" in html


def test_a_confirmed_credit_reads_as_confirmed_in_the_managers_language(northwind, lead):
    past_outage(
        lead,
        datetime(2026, 10, 12, 2, 10, tzinfo=HELSINKI),
        datetime(2026, 10, 12, 5, 10, tzinfo=HELSINKI),
    )
    services.credits_compute_month(month=datetime(2026, 10, 1).date())
    credit = northwind.contracts.get().credits_owed.get()
    services.credit_confirm(credit_id=credit.pk, lead=lead)
    html = page(AINO, STATUS)
    assert "Käytettävyys ja hyvitykset" in html
    assert "vahvistettu" in html and "40,00" in html


def test_a_customer_whose_promise_was_kept_is_told_so_and_sees_only_its_own(northwind, volga, lead):
    # One hour in October: Volga's 99.5 % is kept, Northwind's 99.9 % is not.
    past_outage(
        lead,
        datetime(2026, 10, 12, 2, 0, tzinfo=HELSINKI),
        datetime(2026, 10, 12, 3, 0, tzinfo=HELSINKI),
    )
    services.credits_compute_month(month=datetime(2026, 10, 1).date())
    html = page(IVAN, STATUS)
    assert "Не положена: обещание выполнено" in html
    assert "(обещано 99,5 %)" in html
    assert "99,9 %" not in html and "HOST-2026-014" not in html
