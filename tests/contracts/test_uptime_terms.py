"""The uptime block of a contract file: maintenance terms read, refused, dumped
and edited, and the engine's terms built from a contract."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import yaml

from contracts.contract_files import ContractFileError, dump_customer, load_contract_file
from contracts.engine.uptime import CreditBand
from contracts.forms import ContractForm
from contracts.models import Contract, Customer
from contracts.selectors import uptime_terms
from tests.contracts.test_contract_files import load, mutate

NORTHWIND = "HOST-2026-014"


@pytest.mark.django_db
def test_it_reads_the_maintenance_terms_of_the_example(northwind):
    contract = Contract.objects.get(reference=NORTHWIND)
    assert (contract.maintenance_excluded, contract.maintenance_notice) == (True, "2d")


@pytest.mark.django_db
def test_without_the_keys_maintenance_is_excluded_with_two_days_notice(volga):
    contract = volga.contracts.get()
    assert (contract.maintenance_excluded, contract.maintenance_notice) == (True, "2d")


@pytest.mark.django_db
def test_it_reads_other_maintenance_terms(catalogue):
    data = mutate("contracts[0].uptime.maintenance_excluded", False)
    data["contracts"][0]["uptime"]["maintenance_notice"] = "72h"
    load(data)
    contract = Contract.objects.get(reference=NORTHWIND)
    assert (contract.maintenance_excluded, contract.maintenance_notice) == (False, "72h")
    assert uptime_terms(contract).maintenance_notice == timedelta(hours=72)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("maintenance_excluded", "yes", "expected true or false, found 'yes'"),
        ("maintenance_notice", "soon", "not a duration"),
        ("maintenance_notice", 0, "more than 0"),
        ("maintenance_window", "2d", "unknown key"),
    ],
)
def test_a_bad_maintenance_term_is_named_at_its_key_path(catalogue, key, value, problem):
    with pytest.raises(ContractFileError) as error:
        load(mutate(f"contracts[0].uptime.{key}", value))
    assert f"contracts[0].uptime.{key}" in str(error.value)
    assert problem in str(error.value)
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_the_dump_has_the_whole_uptime_block_and_loads_back_unchanged(catalogue):
    data = mutate("contracts[0].uptime.maintenance_excluded", False)
    data["contracts"][0]["uptime"]["maintenance_notice"] = "3d"
    customer = load(data).customer
    text = dump_customer(customer)
    uptime = yaml.safe_load(text)["contracts"][0]["uptime"]
    assert uptime == {
        "target": 99.9,
        "maintenance_excluded": False,
        "maintenance_notice": "3d",
        "credits": [
            {"below": 99.9, "credit_percent": 10},
            {"below": 99, "credit_percent": 25},
            {"below": 95, "credit_percent": 50},
        ],
    }
    assert not load_contract_file(text, source="dumped.yaml").changed
    assert dump_customer(Customer.objects.get(pk=customer.pk)) == text


@pytest.mark.django_db
def test_the_engine_terms_follow_the_contract(northwind, daugava):
    terms = uptime_terms(Contract.objects.get(reference=NORTHWIND))
    assert terms.target == Decimal("99.900")
    assert terms.bands == (
        CreditBand(Decimal("99.900"), Decimal("10.00")),
        CreditBand(Decimal("99.000"), Decimal("25.00")),
        CreditBand(Decimal("95.000"), Decimal("50.00")),
    )
    assert (terms.monthly_fee, terms.currency) == (Decimal("400.00"), "EUR")
    assert terms.maintenance_notice == timedelta(days=2)
    assert uptime_terms(daugava.contracts.get()).target is None


@pytest.mark.django_db
def test_the_editor_refuses_a_notice_that_is_no_duration(northwind):
    contract = Contract.objects.get(reference=NORTHWIND)
    data = {
        name: getattr(contract, name)
        for name in ContractForm.Meta.fields
        if name not in ("customer", "support_hours")
    } | {"customer": contract.customer_id, "support_hours": "mon-fri 08:00-18:00"}
    data["valid_until"] = contract.valid_until or ""
    good = ContractForm(data={**data, "maintenance_notice": "36h"}, instance=contract)
    assert good.is_valid(), good.errors
    bad = ContractForm(data={**data, "maintenance_notice": "a while"}, instance=contract)
    assert not bad.is_valid()
    assert "maintenance_notice" in bad.errors
