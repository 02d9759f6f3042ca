"""`manage.py checkscope`: the decision a ticket would get, as JSON, writing nothing."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
import time_machine
import yaml
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.contract_files import load_contract_file
from tests.conftest import example
from tests.helpers import run_manage
from tickets import services
from tickets.models import ScopeDecision

# Monday 23 November 2026 in Helsinki: an ordinary working day for Northwind
# (Mon-Fri 08:00-18:00, Finnish holidays) and within every example contract but
# Daugava's, which ended on 31 December 2025.
MONDAY_10 = "2026-11-23T10:00+02:00"
MONDAY_1930 = "2026-11-23T19:30+02:00"
SARA = "sara@northwind.example"
TEXTS = {
    "email": "Emails to our mailbox are not arriving since yesterday.",
    "plugin": "Please install the WooCommerce plugin on our WordPress.",
    "seo": "Could you improve our Google ranking with some SEO work?",
    "vague": "Hello, could someone call me back tomorrow?",
}


def checkscope(*args: str) -> dict:
    out = io.StringIO()
    call_command("checkscope", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def ask(
    text: str, *, at: str = MONDAY_10, email: str = SARA, customer: str = "northwind", **options
) -> dict:
    """What checkscope prints for a request, by default Sara's of Northwind on a Monday morning."""
    args = ["--customer", customer, "--email", email, "--text", text, "--at", at]
    for option, value in options.items():
        args += [f"--{option}", value]
    return checkscope(*args)


def row_counts() -> dict[str, int]:
    """Rows of every model, history models included."""
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def jsonl(tmp_path, *requests: dict | str) -> str:
    path = tmp_path / "requests.jsonl"
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in requests) + "\n",
        encoding="utf-8",
    )
    return str(path)


def request(text: str, **values) -> dict:
    return {"customer": "northwind", "email": SARA, "text": text, "at": MONDAY_10, **values}


# --- every verdict, through the command --------------------------------------


@pytest.mark.django_db
def test_it_prints_a_covered_request_as_in_scope_with_the_sla_promise(northwind):
    result = ask(TEXTS["email"])
    assert result["verdict"] == "in_scope"
    assert result["service"] == "hosting.email"
    assert result["contract"] == "HOST-2026-014"
    assert result["clause"]["coverage"] == "included"
    assert result["reply"]["language"] == "en"
    assert "within 8 working hours" in result["reply"]["text"]
    assert result["offer"] is None


@pytest.mark.django_db
def test_it_prints_when_work_starts_for_a_request_outside_support_hours(northwind):
    result = ask(TEXTS["email"], at=MONDAY_1930)
    assert result["verdict"] == "outside_hours"
    assert result["starts_at"] == "2026-11-24T08:00:00+02:00"
    assert "Tuesday" in result["reply"]["text"]


@pytest.mark.django_db
def test_it_prints_the_offer_of_a_paid_clause(northwind):
    result = ask(TEXTS["plugin"])
    assert result["verdict"] == "paid_option"
    assert result["service"] == "web.cms_plugins"
    assert result["offer"] == {
        "kind": "work",
        "amount": "60.00",
        "currency": "EUR",
        "pricing": "fixed",
        "term_months": None,
        "estimate": None,
        "estimated_total": "60.00",
    }
    assert "60.00 EUR" in result["reply"]["text"]


@pytest.mark.django_db
def test_it_prints_an_excluded_service_as_out_of_scope_with_advice_and_no_price(northwind):
    result = ask(TEXTS["seo"])
    assert result["verdict"] == "out_of_scope"
    assert result["clause"]["advice"].startswith("We are glad to recommend SEO agencies")
    assert result["clause"]["advice"] in result["reply"]["text"]
    assert result["offer"] is None


@pytest.mark.django_db
def test_it_asks_for_review_when_the_picked_service_hides_paid_work(northwind):
    result = ask(TEXTS["plugin"], service="hosting.availability")
    assert result["verdict"] == "needs_review"
    assert result["reason"] == "conflicting_service"
    assert result["candidates"] == ["hosting.availability", "web.cms_plugins"]
    assert result["clause"] is None


@pytest.mark.django_db
def test_it_asks_for_review_when_it_cannot_tell_the_service(northwind):
    result = ask(TEXTS["vague"])
    assert (result["verdict"], result["reason"], result["service"]) == (
        "needs_review",
        "unrecognised",
        None,
    )


@pytest.mark.django_db
def test_it_refuses_a_sender_who_is_no_contact_and_names_who_can_help(northwind):
    result = ask(TEXTS["email"], email="stranger@example.com")
    assert result["verdict"] == "not_authorized"
    assert result["contract"] is None
    assert result["reply"]["language"] == "fi"  # the customer's language
    assert "Aino Virtanen" in result["reply"]["text"]


@pytest.mark.django_db
def test_an_ended_contract_gets_its_renewal_in_the_contacts_language(daugava):
    result = ask(
        "Vietne nedarbojas, lūdzu palīdziet!", customer="daugava", email="janis@daugava.example"
    )
    assert result["verdict"] == "no_contract"
    assert result["contract"] == "CARE-2025-077"
    assert result["reply"]["language"] == "lv"
    # The monthly fee, for the ended contract's own twelve months.
    assert (result["offer"]["kind"], result["offer"]["amount"]) == ("renewal", "150.00")
    assert (result["offer"]["currency"], result["offer"]["term_months"]) == ("EUR", 12)


@pytest.mark.django_db
def test_it_prints_a_used_up_allowance_as_an_hourly_offer(northwind):
    # A contract with no free tickets: every covered request is over the allowance.
    data = yaml.safe_load(example("contract-northwind.yaml"))
    data["contracts"][0]["allowance"]["included_tickets"] = 0
    load_contract_file(yaml.safe_dump(data, allow_unicode=True), source="no-tickets.yaml")
    result = ask(TEXTS["email"])
    assert (result["verdict"], result["reason"]) == ("over_allowance", "tickets_used_up")
    assert result["offer"]["amount"] == "90.00"
    assert result["offer"]["pricing"] == "hourly"


@pytest.mark.django_db
def test_it_counts_the_tickets_already_used_this_month(
    northwind, django_capture_on_commit_callbacks
):
    # Northwind includes 10 tickets a month; file and decide ten covered ones first.
    sara = get_user_model().objects.get(email=SARA)
    with time_machine.travel(datetime.fromisoformat(MONDAY_10), tick=False):
        for n in range(10):
            with django_capture_on_commit_callbacks(execute=True):
                services.ticket_create(requester=sara, subject=f"Mail {n}", body=TEXTS["email"])
    assert ScopeDecision.objects.filter(verdict="in_scope").count() == 10
    result = ask(TEXTS["email"])
    assert (result["verdict"], result["reason"]) == ("over_allowance", "tickets_used_up")
    # The next month starts afresh.
    assert ask(TEXTS["email"], at="2026-12-01T10:00+02:00")["verdict"] == "in_scope"


@pytest.mark.django_db
def test_it_replies_in_the_contacts_language_and_prices_in_the_contracts_currency(volga):
    result = ask(
        "Сертификат истёк, https не работает",
        customer="volga-media",
        email="IVAN@volga-media.example",
    )
    assert (result["verdict"], result["service"]) == ("paid_option", "hosting.ssl")
    assert result["reply"]["language"] == "ru"
    assert result["offer"]["amount"] == "1000.00"
    assert result["offer"]["currency"] == "RUB"


@pytest.mark.django_db
def test_the_subject_and_priority_are_taken_into_account(northwind):
    result = ask("Please help.", subject="Install a WordPress plugin", priority="urgent")
    assert result["service"] == "web.cms_plugins"


# --- writes nothing ------------------------------------------------------------


@pytest.mark.django_db
def test_it_writes_nothing_and_runs_only_reads(northwind, volga, daugava, tmp_path):
    before = row_counts()
    path = jsonl(
        tmp_path,
        request(TEXTS["email"]),
        request(TEXTS["plugin"]),
        {"customer": "daugava", "email": "janis@daugava.example", "text": TEXTS["email"]},
    )
    with CaptureQueriesContext(connection) as queries:
        ask(TEXTS["email"])
        ask(TEXTS["plugin"], at=MONDAY_1930)
        call_command("checkscope", "--jsonl", path, stdout=io.StringIO())
    assert queries.captured_queries
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert row_counts() == before


# --- many requests, one per line -----------------------------------------------


@pytest.mark.django_db
def test_jsonl_prints_one_decision_per_line_in_input_order(northwind, daugava, tmp_path):
    path = jsonl(
        tmp_path,
        request(TEXTS["plugin"]),
        "",  # blank lines are skipped
        request(TEXTS["seo"]),
        {"customer": "daugava", "email": "janis@daugava.example", "text": "Hi", "at": MONDAY_10},
        request(TEXTS["email"], at=MONDAY_1930, service=None, subject=None, priority="low"),
    )
    out = io.StringIO()
    call_command("checkscope", "--jsonl", path, stdout=out)
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["verdict"] for line in lines] == [
        "paid_option",
        "out_of_scope",
        "no_contract",
        "outside_hours",
    ]
    assert json.loads(lines[0])["offer"]["amount"] == "60.00"


@pytest.mark.django_db
def test_jsonl_reads_standard_input_for_a_dash(northwind, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(request(TEXTS["seo"])) + "\n"))
    out = io.StringIO()
    call_command("checkscope", "--jsonl", "-", stdout=out)
    assert json.loads(out.getvalue())["verdict"] == "out_of_scope"


@pytest.mark.django_db
def test_jsonl_decides_a_few_hundred_lines_in_one_process(northwind, tmp_path):
    texts = list(TEXTS.values())
    path = jsonl(tmp_path, *(request(texts[i % len(texts)]) for i in range(1200)))
    out = io.StringIO()
    call_command("checkscope", "--jsonl", path, stdout=out)
    verdicts = [json.loads(line)["verdict"] for line in out.getvalue().splitlines()]
    assert len(verdicts) == 1200
    assert verdicts[:4] == ["in_scope", "paid_option", "out_of_scope", "needs_review"]
    assert verdicts[-4:] == verdicts[:4]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"customer": "northwind", "email": ', "not valid JSON"),
        ('["northwind", "sara@northwind.example"]', "expected a JSON object"),
        (json.dumps({"customer": "northwind", "text": "Hi"}), "'email' is required"),
        (json.dumps(request("Hi", servcie="hosting.dns")), "unknown key 'servcie'"),
        (json.dumps(request("Hi", at=20261123)), "'at' must be text"),
        (json.dumps(request("Hi", at="next Monday")), "at 'next Monday' is not an ISO-8601"),
        (json.dumps(request("Hi", priority="asap")), "priority 'asap' is not one of"),
        (json.dumps(request("Hi", customer="nobody")), "no customer with the slug 'nobody'"),
        (json.dumps(request("Hi", service="no.such")), "'no.such' is not in the catalogue"),
    ],
)
def test_jsonl_names_the_line_that_is_wrong(northwind, tmp_path, line, says):
    path = jsonl(tmp_path, request(TEXTS["plugin"]), request(TEXTS["seo"]), line)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("checkscope", "--jsonl", path, stdout=out)
    assert str(error.value).startswith(f"{path}:3: ")
    assert says in str(error.value)
    # The decisions before the bad line were printed.
    assert len(out.getvalue().splitlines()) == 2


@pytest.mark.django_db
def test_jsonl_counts_blank_lines_in_the_line_number(northwind, tmp_path):
    path = jsonl(tmp_path, request(TEXTS["plugin"]), "", "", "{oops")
    with pytest.raises(CommandError, match=r"requests\.jsonl:4: not valid JSON"):
        call_command("checkscope", "--jsonl", path, stdout=io.StringIO())


@pytest.mark.django_db
def test_jsonl_refuses_a_missing_file(catalogue, tmp_path):
    missing = tmp_path / "missing.jsonl"
    with pytest.raises(CommandError, match=r"missing\.jsonl: No such file"):
        call_command("checkscope", "--jsonl", str(missing))


@pytest.mark.django_db
def test_jsonl_refuses_a_file_that_is_not_utf8(northwind, tmp_path):
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(json.dumps(request("Hyvää päivää"), ensure_ascii=False).encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        call_command("checkscope", "--jsonl", str(path), stdout=io.StringIO())


@pytest.mark.django_db
def test_jsonl_does_not_mix_with_a_request_on_the_command_line(northwind, tmp_path):
    path = jsonl(tmp_path, request(TEXTS["plugin"]))
    with pytest.raises(CommandError, match="leave out --customer"):
        call_command("checkscope", "--jsonl", path, "--customer", "northwind")


# --- clear errors and a non-zero exit ------------------------------------------

ASK_HI = ["--customer", "northwind", "--email", SARA, "--text", "Hi"]
ASK_PLUGIN = ["--customer", "northwind", "--email", SARA, "--text", TEXTS["plugin"]]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--customer", "nobody", "--email", SARA, "--text", "Hi"], "no customer with the slug"),
        (["--customer", "northwind", "--email", SARA], "--text is required"),
        (["--email", SARA], "--customer, --text are required"),
        ([*ASK_HI, "--at", "yesterday"], "--at 'yesterday' is not an ISO-8601 moment"),
        ([*ASK_HI, "--at", "2026-11-23T10:00"], "needs a UTC offset"),
        ([*ASK_HI, "--at", "2026-02-30T10:00+02:00"], "is not an ISO-8601 moment"),
        ([*ASK_HI, "--service", "x.y"], "service 'x.y' is not in the catalogue"),
    ],
)
def test_a_bad_request_exits_non_zero_with_a_clear_message(northwind, capsys, args, says):
    code, out, err = run_manage(capsys, "checkscope", *args, "--json")
    assert code == 1
    assert out == ""
    assert says in err
    assert "Traceback" not in err


@pytest.mark.django_db
def test_an_unknown_priority_is_refused_by_the_parser(northwind, capsys):
    code, _, err = run_manage(capsys, "checkscope", *ASK_HI, "--priority", "asap")
    assert code != 0
    assert "invalid choice: 'asap'" in err


@pytest.mark.django_db
def test_a_good_request_exits_zero_and_prints_only_the_json(northwind, capsys):
    code, out, err = run_manage(capsys, "checkscope", *ASK_PLUGIN, "--at", MONDAY_10, "--json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert {"verdict", "service", "contract", "clause", "reply", "offer"} <= result.keys()
    assert result["reply"].keys() >= {"language", "text"}
    assert result["offer"].keys() >= {"amount", "currency", "pricing"}
