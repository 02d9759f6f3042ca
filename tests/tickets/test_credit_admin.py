"""A lead confirms or adjusts a month's uptime credit in the contract editor."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from tickets.models import UptimeCredit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def credit(northwind):
    return UptimeCredit.objects.create(
        contract=northwind.contracts.get(),
        month=date(2026, 10, 1),
        downtime_minutes=300,
        availability="99.327",
        credit_percent=10,
        computed_amount="40.00",
        amount="40.00",
        currency="EUR",
    )


def change(client, credit, **data):
    url = reverse("admin:tickets_uptimecredit_change", args=[credit.pk])
    return client.post(url, data, follow=True)


def test_a_lead_adjusts_a_credit_with_a_reason_and_the_managers_are_told(client, lead, credit):
    client.force_login(lead)
    change(client, credit, amount="60.00", reason="The shop lost its Black Friday sales.")
    credit.refresh_from_db()
    assert credit.is_confirmed and credit.confirmed_by == lead
    assert str(credit.amount) == "60.00"
    assert [m.to for m in mail.outbox] == [["aino@northwind.example"]]
    # Confirmed: the page shows the figures and no longer takes a new amount.
    page = client.get(reverse("admin:tickets_uptimecredit_change", args=[credit.pk]))
    assert b'name="amount"' not in page.content


def test_a_changed_amount_without_a_reason_is_refused_and_nothing_is_saved(client, lead, credit):
    client.force_login(lead)
    page = change(client, credit, amount="10.00", reason="")
    credit.refresh_from_db()
    assert not credit.is_confirmed and str(credit.amount) == "40.00"
    assert "Write down why the credit differs" in page.content.decode()
    assert mail.outbox == []
