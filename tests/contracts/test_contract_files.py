"""Loading and dumping the YAML forms: good files, bad files, idempotency, round trip."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import yaml
from django.core.management import CommandError, call_command

from contracts.contract_files import ContractFileError, dump_customer, load_contract_file
from contracts.models import Clause, Contact, Contract, Customer, Service
from tests.conftest import example

HISTORY = [Customer, Contact, Contract, Clause, Service]


def history_rows() -> int:
    return sum(model.history.count() for model in HISTORY)


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in HISTORY}


def northwind_data() -> dict:
    return yaml.safe_load(example("contract-northwind.yaml"))


def load(data: dict, source: str = "contract-x.yaml"):
    return load_contract_file(yaml.safe_dump(data, allow_unicode=True), source=source)


@pytest.mark.django_db
def test_it_loads_every_example_file(northwind, volga, daugava):
    assert Service.objects.count() == 17
    contract = Contract.objects.get(reference="HOST-2026-014")
    assert (contract.currency, contract.hourly_rate, contract.unlisted_services) == (
        "EUR",
        Decimal("90.00"),
        "paid",
    )
    assert contract.clauses.count() == 14
    plugins = contract.clauses.get(service__code="web.cms_plugins")
    assert (plugins.coverage, plugins.pricing, plugins.price) == ("paid", "fixed", Decimal("60"))
    debugging = contract.clauses.get(service__code="web.script_debugging")
    assert (debugging.pricing, debugging.estimate) == ("hourly", "2h")
    assert contract.clauses.get(service__code="hosting.availability").round_the_clock
    assert not contract.clauses.get(service__code="billing.invoice").counts_against_allowance
    assert contract.sla_targets.get(priority="urgent").first_response == "30m"
    assert contract.uptime_credits.count() == 3
    assert northwind.contacts.get(user__email="aino@northwind.example").language == "fi"
    assert volga.contracts.get().currency == "RUB"
    assert daugava.contracts.get().valid_until.year == 2025


@pytest.mark.django_db
def test_a_second_load_changes_nothing(northwind):
    rows, before = history_rows(), snapshot()
    result = load_contract_file(example("contract-northwind.yaml"), source="again.yaml")
    assert not result.changed
    assert history_rows() == rows
    assert snapshot() == before


@pytest.mark.django_db
def test_an_edited_file_updates_in_place_and_leaves_history(northwind):
    data = northwind_data()
    data["contracts"][0]["hourly_rate"] = 95
    data["contracts"][0]["clauses"][8]["price"] = {"fixed": 65.0}
    contract = Contract.objects.get(reference="HOST-2026-014")
    result = load(data, source="edited.yaml")
    assert result.counts["updated"] == 2
    contract.refresh_from_db()
    assert contract.hourly_rate == Decimal("95.00")
    assert contract.clauses.get(service__code="web.cms_plugins").price == Decimal("65.00")
    latest = contract.history.first()
    assert latest.history_change_reason == "loadcontract edited.yaml"
    assert latest.prev_record.hourly_rate == Decimal("90.00")


@pytest.mark.django_db
def test_a_clause_dropped_from_the_file_is_removed(northwind):
    data = northwind_data()
    data["contracts"][0]["clauses"] = [
        c for c in data["contracts"][0]["clauses"] if c["service"] != "marketing.seo"
    ]
    assert load(data).counts["removed"] == 1
    assert not Clause.objects.filter(service__code="marketing.seo", contract__customer=northwind)


@pytest.mark.django_db
def test_load_dump_load_is_a_fixed_point(northwind, volga, daugava):
    for customer in (northwind, volga, daugava):
        text = dump_customer(customer)
        rows = history_rows()
        assert not load_contract_file(text, source="dumped.yaml").changed
        assert history_rows() == rows
        assert dump_customer(Customer.objects.get(pk=customer.pk)) == text


@pytest.mark.django_db
def test_the_dump_reads_like_the_example(northwind):
    text = dump_customer(northwind)
    assert "hourly_rate: 90.00" in text
    assert "first_response: 30m" in text
    assert "Aino Virtanen" in text


def mutate(path: str, value):
    """A copy of the Northwind file with one value changed (or removed, for ...)."""
    data = northwind_data()
    *parents, last = _steps(path)
    node = data
    for step in parents:
        node = node[step]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return data


def _steps(path: str) -> list:
    steps = []
    for part in path.replace("]", "").split("."):
        name, *indexes = part.split("[")
        steps.append(name)
        steps.extend(int(i) for i in indexes)
    return steps


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "value", "where", "says"),
    [
        ("contracts[0].clauses[8].price", ..., "contracts[0].clauses[8].price", "needs a price"),
        (
            "contracts[0].clauses[0].price",
            {"fixed": 10},
            "contracts[0].clauses[0].price",
            "only a paid clause",
        ),
        (
            "contracts[0].clauses[8].price",
            {"fixed": -5},
            "contracts[0].clauses[8].price.fixed",
            "negative",
        ),
        (
            "contracts[0].clauses[9].price",
            {"hourly": 90, "estimate": "two hours"},
            "contracts[0].clauses[9].price.estimate",
            "not a duration",
        ),
        (
            "contracts[0].clauses[3].coverage",
            "maybe",
            "contracts[0].clauses[3].coverage",
            "not one of",
        ),
        (
            "contracts[0].clauses[3].service",
            "hosting.coffee",
            "contracts[0].clauses[3].service",
            "not in the service catalogue",
        ),
        (
            "contracts[0].clauses[3].service",
            "hosting.email",
            "contracts[0].clauses[3].service",
            "one clause per service",
        ),
        ("contracts[0].clauses[3].txet", "typo", "contracts[0].clauses[3].txet", "unknown key"),
        ("contracts[0].valid_until", "2025-01-01", "contracts[0].valid_until", "before"),
        ("contracts[0].valid_from", "first of May", "contracts[0].valid_from", "date"),
        ("contracts[0].currency", "euro", "contracts[0].currency", "currency code"),
        ("contracts[0].hourly_rate", "ninety", "contracts[0].hourly_rate", "amount of money"),
        ("contracts[0].hourly_rate", ..., "contracts[0].hourly_rate", "required"),
        (
            "contracts[0].emergency",
            {"hourly": "a lot"},
            "contracts[0].emergency.hourly",
            "",
        ),
        (
            "contracts[0].emergency",
            {"hourly": 180, "fixed": 250},
            "contracts[0].emergency",
            "exactly one of fixed or hourly",
        ),
        (
            "contracts[0].emergency",
            {"hourly": 180, "estimate": "1d"},
            "contracts[0].emergency.estimate",
            "minutes or hours",
        ),
        (
            "contracts[0].emergency",
            {"hourly": 180, "per": "night"},
            "contracts[0].emergency.per",
            "",
        ),
        ("contracts[0].emergency", "180 EUR", "contracts[0].emergency", ""),
        (
            "contracts[0].support_hours.weekly",
            {"mon-fri": "8-18"},
            "contracts[0].support_hours.weekly",
            "time window",
        ),
        (
            "contracts[0].support_hours.weekly",
            {"monday": "08:00-18:00"},
            "contracts[0].support_hours.weekly",
            "not a day",
        ),
        (
            "contracts[0].support_hours.holidays",
            "XX",
            "contracts[0].support_hours.holidays",
            "calendar",
        ),
        (
            "contracts[0].sla.urgent.first_response",
            "soon",
            "contracts[0].sla.urgent.first_response",
            "not a duration",
        ),
        (
            "contracts[0].sla.critical",
            {"first_response": "1h", "resolution": "2h"},
            "contracts[0].sla.critical",
            "unknown key",
        ),
        (
            "contracts[0].uptime.credits[0].credit_percent",
            150,
            "contracts[0].uptime.credits[0].credit_percent",
            "between 0 and 100",
        ),
        (
            "contracts[0].clauses[9].price",
            {"hourly": 90, "estimate": "1d"},
            "contracts[0].clauses[9].price.estimate",
            "minutes or hours",
        ),
        (
            "contracts[0].sla.urgent.first_response",
            0,
            "contracts[0].sla.urgent.first_response",
            "more than 0",
        ),
        ("contracts[0].uptime.target", 100.5, "contracts[0].uptime.target", "between 0 and 100"),
        ("customer.timezone", "Europe/Atlantis", "customer.timezone", "time zone"),
        (
            "customer.contacts[1].email",
            "mikko-at-northwind",
            "customer.contacts[1].email",
            "not an e-mail address",
        ),
        (
            "customer.contacts[1].email",
            "aino@northwind.example",
            "customer.contacts[1].email",
            "given twice",
        ),
        ("customer.contacts[1].role", "boss", "customer.contacts[1].role", "not one of"),
        ("customer.language", "de", "customer.language", "not one of"),
        (
            "customer.country",
            "ZZ",
            "customer.country",
            "'ZZ' is no country whose public holidays we know",
        ),
    ],
)
def test_a_bad_file_names_the_key_path_and_changes_nothing(northwind, path, value, where, says):
    before, rows = snapshot(), history_rows()
    with pytest.raises(ContractFileError) as error:
        load(mutate(path, value), source="contract-x.yaml")
    lines = str(error.value).splitlines()
    assert any(line.startswith(f"contract-x.yaml: {where}: ") and says in line for line in lines), (
        lines
    )
    assert snapshot() == before
    assert history_rows() == rows


@pytest.mark.django_db
def test_it_reports_every_problem_at_once(northwind):
    data = mutate("contracts[0].currency", "euro")
    data["contracts"][0]["clauses"][8].pop("price")
    with pytest.raises(ContractFileError) as error:
        load(data)
    assert len(error.value.problems) == 2


@pytest.mark.django_db
def test_a_contact_of_another_customer_is_refused(northwind, volga):
    data = northwind_data()
    data["customer"]["contacts"].append({"email": "ivan@volga-media.example", "name": "Ivan"})
    with pytest.raises(ContractFileError, match="already a contact of 'volga-media'"):
        load(data)


@pytest.mark.django_db
def test_a_yaml_syntax_error_names_the_line(catalogue):
    with pytest.raises(ContractFileError, match=r"broken.yaml: line 3.*flow sequence at line 2"):
        load_contract_file("customer:\n  name: [unclosed\n", source="broken.yaml")


@pytest.mark.django_db
def test_the_commands_load_and_dump(catalogue, tmp_path):
    out = io.StringIO()
    call_command("loadcontract", "examples/contract-volga.yaml", stdout=out)
    assert "volga-media" in out.getvalue()
    target = tmp_path / "volga.yaml"
    call_command("dumpcontract", "volga-media", "-o", str(target))
    assert "BASIC-2026-203" in target.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_bad_file_makes_the_command_fail_with_the_problem(catalogue, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(example("contract-volga.yaml").replace("currency: RUB", "currency: rubles"))
    with pytest.raises(CommandError, match=r"bad.yaml: contracts\[0\].currency"):
        call_command("loadcontract", str(bad))
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_loadservices_refuses_a_service_without_an_english_name(db, tmp_path):
    bad = tmp_path / "services.yaml"
    bad.write_text("services:\n  - code: x.y\n    name: {fi: Jotain}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"services\[0\].name.en: is required"):
        call_command("loadservices", str(bad))
    assert not Service.objects.exists()


@pytest.mark.django_db
def test_optional_keys_given_as_null_take_their_defaults(catalogue):
    data = mutate("contracts[0].monthly_fee", None)
    load(data)
    assert Contract.objects.get(reference="HOST-2026-014").monthly_fee == 0


@pytest.mark.django_db
def test_an_uptime_target_keeps_three_decimals(catalogue):
    load(mutate("contracts[0].uptime.target", 99.95))
    assert str(Contract.objects.get(reference="HOST-2026-014").uptime_target) == "99.950"


@pytest.mark.django_db
def test_without_a_holiday_calendar_the_customers_country_applies(catalogue):
    load(mutate("contracts[0].support_hours.holidays", ...))
    assert Contract.objects.get(reference="HOST-2026-014").holiday_calendar == "FI"


@pytest.mark.django_db
def test_holidays_none_means_no_public_holidays_and_survives_the_round_trip(catalogue):
    result = load(mutate("contracts[0].support_hours.holidays", "none"))
    assert Contract.objects.get(reference="HOST-2026-014").holiday_calendar == ""
    dumped = dump_customer(result.customer)
    assert "holidays: none" in dumped
    assert not load_contract_file(dumped, source="dumped.yaml").changed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("valid_from: 2026-01-01", "contracts[0].valid_from"),
        ("valid_until: 2027-12-31", "contracts[0].valid_until"),
    ],
)
def test_a_day_that_does_not_exist_is_named_at_its_key_path(northwind, line, where):
    # Unquoted, as people write dates: PyYAML itself fails on the day of the month.
    text = example("contract-northwind.yaml")
    assert line in text
    bad = text.replace(line, line.split(":")[0] + ": 2026-02-30")
    before, rows = snapshot(), history_rows()
    with pytest.raises(ContractFileError) as error:
        load_contract_file(bad, source="contract-x.yaml")
    assert str(error.value).splitlines() == [
        f"contract-x.yaml: {where}: '2026-02-30' is not a date: there is no such day"
    ]
    assert snapshot() == before
    assert history_rows() == rows


@pytest.mark.django_db
def test_a_value_that_yaml_cannot_build_names_its_line(northwind):
    text = example("contract-northwind.yaml").replace(
        "included_tickets: 10", "included_tickets: !!int ten"
    )
    before = snapshot()
    with pytest.raises(ContractFileError) as error:
        load_contract_file(text, source="contract-x.yaml")
    (message,) = str(error.value).splitlines()
    assert message.startswith("contract-x.yaml: line 27, column 25: not valid YAML")
    assert "cannot read 'ten' as !!int" in message
    assert snapshot() == before


@pytest.mark.django_db
def test_a_missing_required_key_is_reported_once(catalogue):
    data = northwind_data()
    del data["contracts"][0]["clauses"][2]["text"]
    del data["contracts"][0]["clauses"][3]["service"]
    del data["contracts"][0]["title"]
    del data["customer"]["contacts"][0]["name"]
    with pytest.raises(ContractFileError) as error:
        load(data)
    assert error.value.problems == [
        ("customer.contacts[0].name", "is required"),
        ("contracts[0].title", "is required"),
        ("contracts[0].clauses[2].text", "is required"),
        ("contracts[0].clauses[3].service", "is required"),
    ]
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_the_emergency_price_is_read_and_survives_the_round_trip(catalogue):
    data = northwind_data()
    data["contracts"][0]["emergency"] = {"hourly": 180.00, "estimate": "1h"}
    customer = load(data).customer
    contract = Contract.objects.get(reference="HOST-2026-014")
    assert (
        contract.emergency_pricing,
        contract.emergency_price,
        contract.emergency_estimate,
    ) == ("hourly", Decimal("180.00"), "1h")
    text = dump_customer(customer)
    assert "  emergency:\n    hourly: 180.00\n    estimate: 1h\n" in text
    rows = history_rows()
    assert not load_contract_file(text, source="dumped.yaml").changed
    assert history_rows() == rows
    # Taken out of the file, the offer goes: the file says what the contract is.
    del data["contracts"][0]["emergency"]
    load(data)
    contract.refresh_from_db()
    assert (contract.emergency_pricing, contract.emergency_price) == ("", None)
    assert "emergency" not in dump_customer(customer)


@pytest.mark.django_db
def test_a_fixed_emergency_price_has_no_estimate_to_write(catalogue):
    data = northwind_data()
    data["contracts"][0]["emergency"] = {"fixed": 250}
    customer = load(data).customer
    assert "  emergency:\n    fixed: 250.00\n" in dump_customer(customer)
