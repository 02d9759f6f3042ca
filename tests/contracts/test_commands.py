"""`loadservices`, `loadcontract` and `dumpcontract` as the shell runs them: exit status,
messages that name the file, the key path and the problem, and nothing changed on failure.

What a bad file says, key by key, is in test_contract_files.py; this is about the commands.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from django.apps import apps

from contracts.models import Contract
from tests.conftest import EXAMPLES, example
from tests.helpers import run_manage


def row_counts() -> dict[str, int]:
    """Rows of every model, history models included."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_loadservices_exits_non_zero_naming_every_problem_and_changes_nothing(
    catalogue, tmp_path, capsys
):
    data = yaml.safe_load(example("services.yaml"))
    data["services"][0]["name"]["en"] = "Site down (renamed)"  # valid, and must not be applied
    data["services"][1]["code"] = data["services"][2]["code"]
    data["services"][3]["phrase"] = {"en": ["typo"]}
    bad = tmp_path / "services-bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = row_counts()

    code, out, err = run_manage(capsys, "loadservices", str(bad))

    assert code == 1
    assert out == ""
    assert "nothing was loaded" in err
    assert "services-bad.yaml: services[2].code: 'hosting.dns' is given twice" in err
    assert "services-bad.yaml: services[3].phrase: unknown key" in err
    assert row_counts() == before


@pytest.mark.django_db
def test_loadcontract_exits_non_zero_naming_the_key_path_and_changes_nothing(
    northwind, tmp_path, capsys
):
    data = yaml.safe_load(example("contract-northwind.yaml"))
    data["contracts"][0]["hourly_rate"] = 95  # valid, and must not be applied
    data["contracts"][0]["clauses"][3]["price"] = {"fixed": 10}
    bad = tmp_path / "contract-bad.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = row_counts()

    code, out, err = run_manage(capsys, "loadcontract", str(bad))

    assert code == 1
    assert out == ""
    assert (
        "contract-bad.yaml: contracts[0].clauses[3].price: "
        "only a paid clause has a price; this one is included"
    ) in err.splitlines()
    assert row_counts() == before
    assert Contract.objects.get(reference="HOST-2026-014").hourly_rate == Decimal("90.00")


@pytest.mark.django_db
def test_loadcontract_refuses_a_service_that_the_catalogue_lacks(catalogue, tmp_path, capsys):
    bad = tmp_path / "contract-volga.yaml"
    bad.write_text(
        example("contract-volga.yaml").replace("service: hosting.dns", "service: hosting.dnz"),
        encoding="utf-8",
    )
    before = row_counts()
    code, _, err = run_manage(capsys, "loadcontract", str(bad))
    assert code == 1
    assert (
        "contract-volga.yaml: contracts[0].clauses[2].service: "
        "'hosting.dnz' is not in the service catalogue"
    ) in err
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["loadservices", "loadcontract"])
@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "No such file or directory"),
        ("name: Zoë".encode("latin-1"), "is not UTF-8 text"),
        (b"customer:\n  name: [unclosed\n", "line 3, column 1: not valid YAML"),
        (b"", "expected a mapping of keys, found nothing"),
        (
            b"customer: !!int abc\n",
            "line 1, column 11: not valid YAML (cannot read 'abc' as !!int)",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_named_with_the_problem(
    catalogue, tmp_path, capsys, command, content, says
):
    path = tmp_path / "broken.yaml"
    if content is not None:
        path.write_bytes(content)
    before = row_counts()
    code, out, err = run_manage(capsys, command, str(path))
    assert code == 1
    assert out == ""
    assert "broken.yaml" in err
    assert says in err
    assert "Traceback" not in err
    assert row_counts() == before


@pytest.mark.django_db
def test_loadcontract_names_a_day_that_does_not_exist_and_changes_nothing(
    northwind, tmp_path, capsys
):
    bad = tmp_path / "contract-bad.yaml"
    text = example("contract-northwind.yaml")
    assert "valid_from: 2026-01-01\n" in text
    bad.write_text(text.replace("valid_from: 2026-01-01", "valid_from: 2026-02-30"), "utf-8")
    before = row_counts()

    code, out, err = run_manage(capsys, "loadcontract", str(bad))

    assert (code, out) == (1, "")
    assert (
        "contract-bad.yaml: contracts[0].valid_from: "
        "'2026-02-30' is not a date: there is no such day"
    ) in err.splitlines()
    assert "Traceback" not in err
    assert row_counts() == before


@pytest.mark.django_db
def test_loading_a_file_twice_reports_everything_unchanged(catalogue, capsys):
    first = run_manage(capsys, "loadcontract", str(EXAMPLES / "contract-northwind.yaml"))
    assert first[0] == 0
    assert first[1].startswith("contract-northwind.yaml: northwind: ")
    before = row_counts()
    code, out, _ = run_manage(capsys, "loadcontract", str(EXAMPLES / "contract-northwind.yaml"))
    assert code == 0
    assert "0 created, 0 updated" in out
    assert "0 removed" in out
    assert row_counts() == before


@pytest.mark.django_db
def test_dumpcontract_prints_a_file_that_loads_back_unchanged(northwind, tmp_path, capsys):
    code, dumped, _ = run_manage(capsys, "dumpcontract", "northwind")
    assert code == 0
    path = tmp_path / "northwind-dumped.yaml"
    path.write_text(dumped, encoding="utf-8")
    before = row_counts()
    code, out, _ = run_manage(capsys, "loadcontract", str(path))
    assert code == 0
    assert "0 created, 0 updated" in out
    assert row_counts() == before


@pytest.mark.django_db
def test_dumpservices_prints_the_catalogue_with_its_everyday_words_and_it_loads_back_unchanged(
    catalogue, tmp_path, capsys
):
    code, dumped, _ = run_manage(capsys, "dumpservices")
    assert code == 0
    email = next(s for s in yaml.safe_load(dumped)["services"] if s["code"] == "hosting.email")
    assert email["everyday_words"]["en"] == [
        "email",
        "e-mail",
        "mail",
        "inbox",
        "smtp",
        "imap",
        "pop3",
        "webmail",
    ]
    path = tmp_path / "services-dumped.yaml"
    path.write_text(dumped, encoding="utf-8")
    before = row_counts()
    code, out, _ = run_manage(capsys, "loadservices", str(path))
    assert code == 0
    assert "0 created, 0 updated" in out
    assert row_counts() == before
    assert run_manage(capsys, "dumpservices")[1] == dumped


@pytest.mark.django_db
def test_dumpcontract_exits_non_zero_for_an_unknown_customer(catalogue, capsys):
    code, out, err = run_manage(capsys, "dumpcontract", "nobody")
    assert (code, out) == (1, "")
    assert "no customer with the slug 'nobody'" in err


@pytest.mark.django_db
def test_dumpcontract_exits_non_zero_when_it_cannot_write_the_file(northwind, tmp_path, capsys):
    target = tmp_path / "no-such-directory" / "northwind.yaml"
    code, _, err = run_manage(capsys, "dumpcontract", "northwind", "-o", str(target))
    assert code == 1
    assert "northwind.yaml: No such file or directory" in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_loadcontract_by_a_member_of_staff_names_them_in_the_history(
    northwind, lead, tmp_path, capsys
):
    data = yaml.safe_load(example("contract-northwind.yaml"))
    data["contracts"][0]["hourly_rate"] = 95
    edited = tmp_path / "contract-northwind.yaml"
    edited.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    code, out, err = run_manage(capsys, "loadcontract", str(edited), "--by", "lead")

    assert (code, err) == (0, "")
    assert "1 updated" in out
    contract = Contract.objects.get(customer=northwind)
    last = contract.history.first()
    assert (last.hourly_rate, last.history_user, last.history_change_reason) == (
        Decimal("95.00"),
        lead,
        "loadcontract contract-northwind.yaml",
    )


@pytest.mark.django_db
def test_loadservices_by_someone_unknown_loads_nothing(catalogue, tmp_path, capsys):
    before = row_counts()
    code, _, err = run_manage(capsys, "loadservices", str(EXAMPLES / "services.yaml"), "--by", "x")
    assert code == 1
    assert "--by x: there is no member of staff with that username" in err
    assert row_counts() == before
