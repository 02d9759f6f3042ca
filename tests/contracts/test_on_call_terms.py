"""A contract's on-call work outside support hours in the contract editor and the
contracts API: a pricing and a price together, or neither; shown where the
contract is."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.engine.terms import Duration, Price, Pricing
from contracts.forms import ContractForm
from contracts.models import Contract
from contracts.selectors import contract_terms
from tests.helpers import api

NORTHWIND = "HOST-2026-014"
SARA = "sara@northwind.example"


def form(contract: Contract, **changes) -> ContractForm:
    data = {
        name: getattr(contract, name)
        for name in ContractForm.Meta.fields
        if name not in ("customer", "support_hours")
    } | {"customer": contract.customer_id, "support_hours": "mon-fri 08:00-18:00"}
    data["valid_until"] = contract.valid_until or ""
    data = {name: "" if value is None else value for name, value in data.items()}
    return ContractForm(data={**data, **changes}, instance=contract)


@pytest.mark.django_db
def test_the_editor_saves_on_call_work_and_the_engine_reads_it(northwind):
    contract = Contract.objects.get(reference=NORTHWIND)
    edited = form(
        contract, emergency_pricing="hourly", emergency_price="180.00", emergency_estimate="1h"
    )
    assert edited.is_valid(), edited.errors
    edited.save()
    assert contract_terms(Contract.objects.get(pk=contract.pk)).emergency == Price(
        Pricing.HOURLY, Decimal("180.00"), Duration(1, "h")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"emergency_pricing": "hourly"}, "emergency_price"),
        ({"emergency_price": "180.00"}, "emergency_pricing"),
        ({"emergency_estimate": "1h"}, "emergency_pricing"),
        ({"emergency_pricing": "fixed", "emergency_price": "-1"}, None),
    ],
)
def test_the_editor_refuses_half_of_it(northwind, changes, field):
    contract = Contract.objects.get(reference=NORTHWIND)
    half = form(contract, **changes)
    assert not half.is_valid()
    if field is not None:
        assert field in half.errors, half.errors
    assert contract_terms(Contract.objects.get(pk=contract.pk)).emergency is None


@pytest.mark.django_db
def test_the_admin_page_has_a_place_for_it(northwind, admin_client):
    contract = Contract.objects.get(reference=NORTHWIND)
    page = admin_client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))
    text = page.content.decode()
    assert 'name="emergency_pricing"' in text and 'name="emergency_price"' in text
    assert "On-call work outside support hours" in text


@pytest.mark.django_db
def test_the_contracts_api_shows_it(northwind):
    contract = Contract.objects.get(reference=NORTHWIND)
    assert api(SARA).get(f"/api/v1/contracts/{contract.pk}/").json()["emergency_pricing"] == ""
    Contract.objects.filter(pk=contract.pk).update(
        emergency_pricing="fixed", emergency_price=Decimal("250.00")
    )
    data = api(SARA).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert (data["emergency_pricing"], data["emergency_price"], data["emergency_estimate"]) == (
        "fixed",
        "250.00",
        "",
    )
