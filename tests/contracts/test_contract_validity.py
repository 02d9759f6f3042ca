"""Which contract holds on a day, asked of the database (``Contract.objects.valid_on``)
and of the engine's terms (``CustomerTerms.contract_on``), with one table of days:
both ends of a contract are included, the newest valid contract wins, and of two
starting the same day the later reference wins."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.models import Contract, Customer
from contracts.selectors import customer_terms
from tests.contracts.test_api import results
from tests.helpers import api
from tickets.selectors import valid_contract


def contract(customer: Customer, reference: str, valid_from: date, valid_until: date | None):
    return Contract.objects.create(
        customer=customer,
        reference=reference,
        title=reference,
        valid_from=valid_from,
        valid_until=valid_until,
        hourly_rate=90,
        support_hours="24/7",
    )


@pytest.fixture(params=["renewal entered first", "add-on entered first"])
def customer(db, request) -> Customer:
    """A first-half contract, a renewal from June and an add-on from the same June
    day with the earlier reference. The order they were entered in must not matter
    (it decided the tie before: each copy took whichever row came first)."""
    customer = Customer.objects.create(name="Edge Oy", slug="edge")
    contract(customer, "EDGE-1", date(2026, 1, 1), date(2026, 6, 30))
    june = [("EDGE-3", date(2026, 12, 31)), ("EDGE-2", None)]
    if request.param == "add-on entered first":
        june.reverse()
    for reference, valid_until in june:
        contract(customer, reference, date(2026, 6, 1), valid_until)
    return customer


DAYS = [
    (date(2025, 12, 31), None, set()),  # the day before the first contract starts
    (date(2026, 1, 1), "EDGE-1", {"EDGE-1"}),  # valid_from is included
    (date(2026, 5, 31), "EDGE-1", {"EDGE-1"}),
    (date(2026, 6, 1), "EDGE-3", {"EDGE-1", "EDGE-2", "EDGE-3"}),  # same start: later ref
    (date(2026, 6, 30), "EDGE-3", {"EDGE-1", "EDGE-2", "EDGE-3"}),  # valid_until included
    (date(2026, 7, 1), "EDGE-3", {"EDGE-2", "EDGE-3"}),  # the day after EDGE-1 ends
    (date(2026, 12, 31), "EDGE-3", {"EDGE-2", "EDGE-3"}),
    (date(2027, 1, 1), "EDGE-2", {"EDGE-2"}),  # open-ended
]


@pytest.mark.parametrize(("day", "holds", "valid"), DAYS)
def test_the_database_and_the_engine_agree_on_the_contract_of_a_day(customer, day, holds, valid):
    in_database = Contract.objects.filter(customer=customer).valid_on(day)
    assert {c.reference for c in in_database} == valid
    first = in_database.first()
    assert (first.reference if first else None) == holds
    found = valid_contract(customer, day)
    assert (found.reference if found else None) == holds

    terms = customer_terms(customer)
    assert {c.reference for c in terms.contracts_on(day)} == valid
    chosen = terms.contract_on(day)
    assert (chosen.reference if chosen else None) == holds
    assert all(
        c.is_valid_on(day) == (c.reference in valid)
        for c in in_database.model.objects.filter(customer=customer)
    )


def test_the_api_lists_the_contracts_valid_on_a_day(customer, technician):
    for day, _, valid in DAYS:
        response = api(technician).get(f"/api/v1/contracts/?customer=edge&valid_on={day}")
        assert {row["reference"] for row in results(response)} == valid, day
