"""Fixtures of the portal tests: the clock, the attachments folder, filing."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from tests.tickets.test_portal.helpers import MAIL, MONDAY_10, portal
from tickets.models import Ticket


@pytest.fixture(autouse=True)
def monday_morning():
    """Monday 23 November 2026, 10:00 in Helsinki: within Northwind's support hours."""
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


@pytest.fixture
def file(django_capture_on_commit_callbacks):
    """File a ticket through the portal's form, as the contact would; the scope
    check runs when the request's transaction commits, as it does in production."""

    def file(email: str, body: str = MAIL, *, subject: str = "Help", **fields) -> Ticket:
        data = {"subject": subject, "body": body, "priority": "normal", **fields}
        with django_capture_on_commit_callbacks(execute=True):
            response = portal(email).post(reverse("portal:new"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        ticket = Ticket.objects.latest("pk")
        assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])
        return ticket

    return file


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST as a contact and follow to the page, running what waits for the
    commit (e-mails)."""

    def post(email: str, url: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return portal(email).post(url, data or {}, follow=True)

    return post
