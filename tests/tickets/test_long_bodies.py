"""A body of the largest size, without a space in it, is filed and decided at once,
through the portal's form and through the API alike.

Such a body (a held-down key, a pasted hex dump) once kept the scope check, and in
the embedded set-up the web request itself, at full CPU for minutes.
"""

from __future__ import annotations

import random
import time

import pytest
import time_machine
from django.urls import reverse

from tests.helpers import api
from tests.tickets.test_portal.helpers import MONDAY_10, SARA, portal
from tickets.models import Ticket

BUDGET = 2.0  # CPU seconds for filing and deciding: a sentence takes a fraction of that
FORM_LIMIT = 20_000  # the portal form's limit on a body
HEX_DUMP = random.Random(4).randbytes(FORM_LIMIT // 2).hex()


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.mark.parametrize("body", ["A" * FORM_LIMIT, HEX_DUMP], ids=["held down", "hex dump"])
def test_the_portal_files_and_decides_a_body_of_one_long_word_at_once(
    northwind, django_capture_on_commit_callbacks, body
):
    started = time.process_time()
    with django_capture_on_commit_callbacks(execute=True):
        response = portal(SARA).post(
            reverse("portal:new"), {"subject": "Help", "body": body, "priority": "normal"}
        )
    spent = time.process_time() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert (len(ticket.body), ticket.verdict) == (FORM_LIMIT, "needs_review")
    assert spent < BUDGET, f"{spent:.2f} s of CPU"


def test_the_api_files_and_decides_a_body_of_one_long_word_at_once(
    northwind, django_capture_on_commit_callbacks
):
    started = time.process_time()
    with django_capture_on_commit_callbacks(execute=True):
        response = api(SARA).post(
            "/api/v1/tickets/", {"subject": HEX_DUMP[:200], "body": HEX_DUMP}, format="json"
        )
    spent = time.process_time() - started
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get()
    assert (len(ticket.body), ticket.verdict) == (FORM_LIMIT, "needs_review")
    assert spent < BUDGET, f"{spent:.2f} s of CPU"
