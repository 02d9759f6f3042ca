"""Which verdicts count as covered: one set beside ``Verdict``, read alike by the
month's allowance (per customer and for the whole list) and by the time log."""

from __future__ import annotations

import pytest

from contracts.engine.terms import COVERED_VERDICTS, Verdict
from tests.tickets.test_ticket_flow import (
    MAIL,
    MONDAY_10,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 23 November, 10:00
)
from tickets.models import ScopeDecision
from tickets.selectors import allowance_usage, customers_with_allowance


def test_the_covered_verdicts_are_in_scope_and_outside_hours():
    assert frozenset({Verdict.IN_SCOPE, Verdict.OUTSIDE_HOURS}) == COVERED_VERDICTS


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("verdict", list(Verdict))
def test_the_allowance_counts_a_ticket_only_when_its_verdict_is_covered(
    northwind, volga, daugava, verdict
):
    ticket = file(SARA, MAIL, at=MONDAY_10)
    ScopeDecision.objects.filter(ticket=ticket, is_current=True).update(
        verdict=verdict.value, counts_against_allowance=True
    )
    expected = 1 if verdict in COVERED_VERDICTS else 0

    assert allowance_usage(customer=northwind, at=MONDAY_10).tickets_used == expected
    listed = customers_with_allowance(at=MONDAY_10).get(pk=northwind.pk)
    assert listed.tickets_used == expected
