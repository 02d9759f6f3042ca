"""The contract editor's parts that need the tickets: the try box with real usage,
and each customer's allowance this month."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import Contact, Contract, Customer
from tickets import services
from tickets.models import TimeEntry

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
SARA = "sara@northwind.example"
MAIL = "Emails to our mailbox are not arriving since yesterday."

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def file_covered_tickets(n: int, capture) -> None:
    sara = get_user_model().objects.get(email=SARA)
    for i in range(n):
        with capture(execute=True):
            services.ticket_create(requester=sara, subject=f"Mail {i}", body=MAIL)


def test_the_try_box_counts_the_tickets_already_used(
    client, admin_user, northwind, django_capture_on_commit_callbacks
):
    file_covered_tickets(10, django_capture_on_commit_callbacks)  # all that is included
    client.force_login(admin_user)
    contract = Contract.objects.get(reference="HOST-2026-014")
    response = client.post(
        reverse("admin:contracts_contract_try", args=[contract.pk]),
        {"sender": SARA, "priority": "normal", "at": "2026-11-23T11:00", "text": MAIL},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.verdict, result.reason) == ("over_allowance", "tickets_used_up")


def test_the_allowance_page_shows_each_customers_month(
    client, admin_user, northwind, volga, django_capture_on_commit_callbacks, technician
):
    file_covered_tickets(8, django_capture_on_commit_callbacks)
    ticket = northwind.tickets.first()
    services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=45)
    client.force_login(admin_user)
    response = client.get(reverse("admin:tickets_customerallowance_changelist"))
    assert response.status_code == 200
    rows = {c.slug: c for c in response.context["cl"].result_list}
    north = rows["northwind"]
    assert (north.contract_ref, north.tickets_used, north.tickets_included) == (
        "HOST-2026-014",
        8,
        10,
    )
    assert (north.minutes_used, north.minutes_included) == (45, 120)
    assert rows["volga-media"].tickets_used == 0
    html = response.content.decode()
    assert '<progress class="allowance high" value="8" max="10"></progress> 8 of 10' in html
    assert TimeEntry.objects.count() == 1


def test_the_allowance_page_runs_as_many_queries_for_30_customers_as_for_3(client, admin_user):
    users = get_user_model().objects

    def customers(first: int, count: int) -> None:
        for n in range(first, first + count):
            customer = Customer.objects.create(
                name=f"C{n}", slug=f"c{n}", timezone=["Europe/Helsinki", "Europe/Riga"][n % 2]
            )
            Contract.objects.create(
                customer=customer,
                reference=f"R{n}",
                title="Hosting",
                valid_from="2026-01-01",
                hourly_rate=90,
                included_tickets=5,
                support_hours={"mon-fri": "08:00-18:00"},
            )
            email = f"p{n}@example.com"
            Contact.objects.create(customer=customer, user=users.create_user(email, email))

    client.force_login(admin_user)
    address = reverse("admin:tickets_customerallowance_changelist")
    customers(0, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(address).status_code == 200
    customers(3, 27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(address).status_code == 200
    assert len(many) == len(few)


def test_technicians_see_the_allowance_in_the_queue_not_in_the_admin(client, technician, northwind):
    client.force_login(technician)
    response = client.get(reverse("admin:tickets_customerallowance_changelist"))
    assert response.status_code == 403
    assert "The contract editor is for leads and admins" in response.content.decode()


def test_leads_look_at_the_allowance_but_cannot_change_it(client, lead, northwind):
    client.force_login(lead)
    response = client.get(reverse("admin:tickets_customerallowance_changelist"))
    assert response.status_code == 200
    assert reverse("admin:tickets_customerallowance_add") not in response.content.decode()
    assert not response.context["has_add_permission"]
