"""Credits under concurrency: two beat runs at once make one record, and a run
that meets a lead's confirmation never changes what the lead confirmed.
PostgreSQL only: SQLite locks the whole file, so there is no race to lose."""

from __future__ import annotations

from functools import partial

import pytest
from django.db import connection

from tests.tickets.test_locking import _together
from tests.tickets.test_uptime_credits import APRIL, IN_MAY, hel, incident
from tickets import services
from tickets.models import CreditNotice, UptimeCredit

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks: PostgreSQL only (SQLite locks the whole file)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 10


@pytest.fixture
def april_down(northwind, volga, lead):
    # Ten hours at both customers: 98.611 %, a credit for each.
    incident(lead, hel(2026, 4, 7, 8, 0), hel(2026, 4, 7, 18, 0))


def test_two_runs_at_once_make_one_record_per_contract(april_down):
    made: list[int] = []

    def run() -> None:
        made.append(services.credits_compute_month(month=APRIL, now=IN_MAY))

    for _ in range(ROUNDS):
        UptimeCredit.objects.all().delete()
        made.clear()
        assert _together(run, run) == [None, None]
        assert UptimeCredit.objects.count() == 2
        assert sum(made) == 2  # each record counted by the run that made it


def test_a_run_meeting_a_confirmation_leaves_the_confirmed_credit_alone(
    northwind, april_down, lead
):
    services.credits_compute_month(month=APRIL, now=IN_MAY)
    credit = UptimeCredit.objects.get(contract__customer=northwind)
    # A late incident would raise the credit, but the lead confirms at the same moment.
    incident(lead, hel(2026, 4, 20, 8, 0), hel(2026, 4, 20, 18, 0), customers=[northwind])
    outcomes = _together(
        partial(services.credit_confirm, credit_id=credit.pk, lead=lead),
        partial(services.credits_compute_month, month=APRIL, now=IN_MAY),
    )
    assert outcomes == [None, None]
    credit.refresh_from_db()
    # Either the run came first (and the lead confirmed its figures) or the
    # confirmation did (and the run left it): what was confirmed stands.
    assert credit.confirmed_at is not None
    assert credit.amount == credit.computed_amount
    assert CreditNotice.objects.filter(credit=credit).count() == 1
