"""`manage.py demodata`: what `make run` starts the desk with."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from tickets.management.commands.demodata import PASSWORD, STAFF, TICKETS
from tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_loads_the_examples_staff_and_decided_tickets_and_prints_the_logins():
    out = io.StringIO()
    call_command("demodata", stdout=out)
    printed = out.getvalue()
    for username, _, _ in STAFF:
        assert username in printed
    assert "sara@northwind.example" in printed and PASSWORD in printed
    assert Ticket.objects.count() == len(TICKETS)
    # Every demo ticket was decided and answered, as a filed ticket is.
    assert not Ticket.objects.filter(decided_at=None).exists()
    assert Message.objects.filter(kind="automatic").count() == len(TICKETS)
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="sara@northwind.example", password=PASSWORD)
    assert get_user_model().objects.get(username="lead").groups.filter(name="Leads").exists()


def test_running_it_again_changes_nothing():
    call_command("demodata", stdout=io.StringIO())
    counts = (Ticket.objects.count(), Message.objects.count(), get_user_model().objects.count())
    call_command("demodata", stdout=io.StringIO())
    assert (
        Ticket.objects.count(),
        Message.objects.count(),
        get_user_model().objects.count(),
    ) == counts
