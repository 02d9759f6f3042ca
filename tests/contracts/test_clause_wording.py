"""A clause's text and advice in every language: the contract file, the fallback
rule, the replies that say which language they quote, the editor and the API."""

from __future__ import annotations

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.urls import reverse
from django.utils import translation

from contracts.contract_files import ContractFileError, dump_customer, load_contract_file
from contracts.engine import terms
from contracts.engine.scope import ScopeRequest
from contracts.models import Clause, Contract, Customer
from contracts.replies import WRITTEN_IN
from contracts.selectors import ScopePreview
from tests.conftest import example
from tests.contracts.test_admin import change_form_data
from tests.helpers import api

MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
AINO = "aino@northwind.example"  # Finnish
SARA = "sara@northwind.example"  # English
LIGA = "liga@northwind.example"  # Latvian, added by the tests that need her
MAIL = "Emails to our mailbox are not arriving since yesterday."
DNS = "Please add a TXT record to our domain's DNS."
MAIL_EN = "Setting up mailboxes and fixing mail delivery on our servers."
MAIL_FI = "Sähköpostilaatikoiden perustaminen ja postin kulun korjaaminen palvelimillamme."
DNS_EN = "DNS records of the domains hosted with us."


def northwind_data() -> dict:
    return yaml.safe_load(example("contract-northwind.yaml"))


def clauses_of(data: dict) -> dict[str, dict]:
    return {c["service"]: c for c in data["contracts"][0]["clauses"]}


def load(data: dict, source: str = "northwind.yaml"):
    return load_contract_file(yaml.safe_dump(data, allow_unicode=True), source=source)


def with_liga_and_english_only_dns() -> dict:
    """Northwind with a Latvian contact, and a DNS clause written in English only."""
    data = northwind_data()
    data["customer"]["contacts"].append(
        {"email": LIGA, "name": "Līga Ozola", "role": "requester", "language": "lv"}
    )
    clauses_of(data)["hosting.dns"]["text"] = {"en": DNS_EN}
    return data


def written_in(language: str, reader: str) -> str:
    with translation.override(reader):
        return translation.gettext(WRITTEN_IN[language])


# --- the rule -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("wording", "reader", "customer", "expected"),
    [
        ({"en": "E", "fi": "F"}, "fi", "fi", ("F", "fi")),  # the reader's own
        ({"en": "E", "fi": "F"}, "lv", "fi", ("F", "fi")),  # else the customer's
        ({"en": "E", "ru": "R"}, "lv", "fi", ("E", "en")),  # else English
        ({"lv": "L", "ru": "R"}, "fi", "fi", ("R", "ru")),  # else any, in the desk's order
        ({}, "fi", "fi", ("", "")),
        # Stored before languages: in the language its letters show.
        ("Plain", "fi", "ru", ("Plain", "en")),
        ("Sähköposti", "en", "fi", ("Sähköposti", "fi")),
        ("Почта", "en", "ru", ("Почта", "ru")),
        ("Pasta nepienāk", "fi", "lv", ("Pasta nepienāk", "lv")),
    ],
)
def test_the_words_are_the_readers_else_the_customers_else_english_else_any(
    wording, reader, customer, expected
):
    assert terms.wording_in(wording, reader, customer) == expected


def test_the_clause_text_and_advice_follow_the_same_rule():
    clause = terms.ClauseTerms(
        service="marketing.seo",
        coverage=terms.Coverage.EXCLUDED,
        text={"en": "SEO.", "fi": "Hakukoneoptimointi."},
        advice={"en": "Ask an agency."},
    )
    assert terms.clause_text(clause, "fi", "fi") == ("Hakukoneoptimointi.", "fi")
    assert terms.clause_advice(clause, "fi", "fi") == ("Ask an agency.", "en")
    assert terms.missing_languages(clause.text, clause.advice) == ("ru", "fi", "lv")


def test_only_the_desks_languages_with_real_text_make_a_wording():
    assert terms.wording_problems({"en": "x", "fi": "y"}) == []
    assert [key for key, _ in terms.wording_problems({"de": "x", "fi": " "})] == ["de", "fi"]
    assert terms.wording_problems("x") != []


# --- the contract file --------------------------------------------------------


@pytest.mark.django_db
def test_a_file_holds_text_per_language_and_a_plain_string_is_the_customers_language(
    northwind, volga
):
    mail = Clause.objects.get(contract__reference="HOST-2026-014", service__code="hosting.email")
    assert mail.text == {"en": MAIL_EN, "fi": MAIL_FI}
    seo = Clause.objects.get(contract__reference="HOST-2026-014", service__code="marketing.seo")
    assert set(seo.advice) == {"en", "fi"}
    # Volga writes plain strings: Russian, its customer's language.
    plugins = Clause.objects.get(
        contract__reference="BASIC-2026-203", service__code="web.cms_plugins"
    )
    assert plugins.text == {"ru": "Установка и обновление плагинов CMS."}


@pytest.mark.django_db
def test_an_old_file_of_plain_strings_still_loads(catalogue):
    data = northwind_data()
    for clause in data["contracts"][0]["clauses"]:
        for key in ("text", "advice"):
            if key in clause:
                clause[key] = clause[key]["en"]
    result = load(data)
    assert result.counts["created"] > 0
    mail = Clause.objects.get(service__code="hosting.email")
    # By its letters: the English text of a Finnish customer stays English.
    assert mail.text == {"en": MAIL_EN}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ({"en": "Mail.", "de": "Post."}, "text.de", "unknown language; expected one of en, ru"),
        ({}, "text", "must not be empty: give the text in at least one language"),
        ({"fi": ""}, "text.fi", "must not be empty"),
        ({"fi": ["a", "b"]}, "text.fi", "expected text"),
    ],
)
def test_a_bad_wording_is_named_at_its_key_path_and_changes_nothing(northwind, text, where, says):
    data = northwind_data()
    clauses_of(data)["hosting.email"]["text"] = text
    before = list(Clause.objects.order_by("pk").values())
    with pytest.raises(ContractFileError) as caught:
        load(data)
    assert f"contracts[0].clauses[1].{where}: {says}" in str(caught.value)
    assert list(Clause.objects.order_by("pk").values()) == before


@pytest.mark.django_db
def test_the_dump_writes_one_language_plainly_and_several_per_language(northwind, volga):
    load(with_liga_and_english_only_dns())
    northwind_file = dump_customer(Customer.objects.get(slug="northwind"))
    assert f"text:\n      en: {MAIL_EN}\n      fi: {MAIL_FI}\n" in northwind_file
    # English alone reads back as English from its letters: the plain form.
    assert f"text: {DNS_EN}\n" in northwind_file
    assert "text: Установка и обновление плагинов CMS." in dump_customer(volga)
    for text in (northwind_file, dump_customer(volga)):
        assert not load_contract_file(text, source="dumped.yaml").changed
    assert dump_customer(Customer.objects.get(slug="northwind")) == northwind_file


# --- the replies --------------------------------------------------------------


def reply_to(email: str, text: str, **request):
    decision, reply = ScopePreview().decide(
        customer_slug="northwind",
        request=ScopeRequest(email=email, text=text, **request),
        at=MONDAY_10,
    )
    return decision, reply


@pytest.mark.django_db
def test_a_finnish_contact_reads_the_finnish_clause(northwind):
    decision, reply = reply_to(AINO, MAIL)
    assert (decision.verdict, reply.language) == (terms.Verdict.IN_SCOPE, "fi")
    assert MAIL_FI in reply.text
    assert MAIL_EN not in reply.text
    assert "(" not in reply.text  # no note: nothing is quoted in another language


@pytest.mark.django_db
def test_an_english_contact_of_the_same_customer_reads_the_english_clause(northwind):
    _, reply = reply_to(SARA, MAIL)
    assert MAIL_EN in reply.text and MAIL_FI not in reply.text


@pytest.mark.django_db
def test_a_latvian_contact_gets_an_english_only_clause_in_english_and_is_told_so(catalogue):
    load(with_liga_and_english_only_dns())
    decision, reply = reply_to(LIGA, DNS, service="hosting.dns")
    assert (decision.service, reply.language) == ("hosting.dns", "lv")
    note = written_in("en", "lv")
    assert note != WRITTEN_IN["en"]  # said in Latvian
    assert f"{DNS_EN} {note}" in reply.text
    assert reply.text.startswith("Labdien")


@pytest.mark.django_db
def test_a_latvian_contact_gets_the_customers_finnish_before_english(catalogue):
    load(with_liga_and_english_only_dns())
    _, reply = reply_to(LIGA, MAIL)
    assert f"{MAIL_FI} {written_in('fi', 'lv')}" in reply.text
    assert MAIL_EN not in reply.text


# --- the editor ---------------------------------------------------------------


@pytest.fixture
def editor(client, admin_user):
    client.force_login(admin_user)
    return client


def contract_page(editor, contract: Contract):
    return editor.get(reverse("admin:contracts_contract_change", args=[contract.pk]))


def badges(text: str) -> list[str]:
    return re.findall(r'<span class="wording-missing"[^>]*>([^<]*)</span>', html.unescape(text))


@pytest.mark.django_db
def test_the_contract_page_shows_the_missing_languages_of_each_clause(editor, northwind, volga):
    northwind_page = contract_page(editor, northwind.contracts.get())
    assert badges(northwind_page.content.decode()) == ["missing: ru, lv"] * 14
    volga_page = contract_page(editor, volga.contracts.get())
    assert badges(volga_page.content.decode()) == ["missing: en, fi, lv"] * 9


@pytest.mark.django_db
def test_the_clause_list_shows_the_missing_languages(editor, northwind):
    response = editor.get(reverse("admin:contracts_clause_changelist"))
    assert badges(response.content.decode()) == ["missing: ru, lv"] * 14


@pytest.mark.django_db
def test_a_lead_fills_a_language_in_its_own_box_and_the_gap_closes(editor, northwind):
    contract = northwind.contracts.get()
    data = change_form_data(contract_page(editor, contract))
    row = next(
        key.removesuffix("-text_en")
        for key, value in data.items()
        if key.endswith("-text_en") and value == MAIL_EN
    )
    data[f"{row}-text_ru"] = "Настройка почтовых ящиков и доставки почты на наших серверах."
    data[f"{row}-text_lv"] = "Pastkastīšu iestatīšana un pasta piegādes labošana mūsu serveros."
    response = editor.post(reverse("admin:contracts_contract_change", args=[contract.pk]), data)
    assert response.status_code == 302, response.context["errors"]
    mail = contract.clauses.get(service__code="hosting.email")
    assert set(mail.text) == {"en", "ru", "fi", "lv"}
    assert mail.missing_languages == ()
    assert mail.history.first().prev_record.text == {"en": MAIL_EN, "fi": MAIL_FI}
    assert badges(contract_page(editor, contract).content.decode()).count("missing: ru, lv") == 13


@pytest.mark.django_db
def test_a_clause_with_no_text_in_any_language_is_refused(editor, northwind):
    contract = northwind.contracts.get()
    data = change_form_data(contract_page(editor, contract))
    for key in [k for k in data if re.fullmatch(r"clauses-0-text_\w\w", k)]:
        data[key] = "  "
    response = editor.post(reverse("admin:contracts_contract_change", args=[contract.pk]), data)
    assert response.status_code == 200
    assert "Write it in at least one language." in response.content.decode()
    assert contract.clauses.get(position=0).text["en"].startswith("Bringing back the server")


# --- the API ------------------------------------------------------------------


def mail_clause() -> Clause:
    return Clause.objects.get(contract__reference="HOST-2026-014", service__code="hosting.email")


@pytest.mark.django_db
def test_the_api_reads_and_writes_a_clause_per_language(northwind, lead):
    clause = mail_clause()
    read = api(lead).get(f"/api/v1/clauses/{clause.pk}/").json()
    assert read["text"] == {"en": MAIL_EN, "fi": MAIL_FI}
    assert read["missing_languages"] == ["ru", "lv"]
    wording = {"en": MAIL_EN, "fi": MAIL_FI, "lv": "Pasta piegāde mūsu serveros."}
    written = api(lead).patch(f"/api/v1/clauses/{clause.pk}/", {"text": wording}, format="json")
    assert written.status_code == 200, written.content
    assert written.json()["text"] == wording
    assert api(lead).get(f"/api/v1/clauses/{clause.pk}/").json()["text"] == wording
    assert mail_clause().text == wording


@pytest.mark.django_db
def test_the_api_refuses_a_language_the_desk_does_not_speak(northwind, lead):
    clause = mail_clause()
    response = api(lead).patch(
        f"/api/v1/clauses/{clause.pk}/", {"text": {"en": "Mail.", "de": "Post."}}, format="json"
    )
    assert response.status_code == 400
    assert "de" in str(response.json()["text"])
    assert mail_clause().text == {"en": MAIL_EN, "fi": MAIL_FI}


@pytest.mark.django_db
def test_the_api_takes_a_plain_string_as_the_customers_language(northwind, lead):
    clause = mail_clause()
    response = api(lead).patch(
        f"/api/v1/clauses/{clause.pk}/", {"advice": "Kysy meiltä."}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["advice"] == {"fi": "Kysy meiltä."}


@pytest.mark.django_db
def test_the_coverage_says_which_language_it_quotes(northwind):
    load(with_liga_and_english_only_dns())
    contract = Contract.objects.get(reference="HOST-2026-014")
    lines = api(LIGA).get(f"/api/v1/contracts/{contract.pk}/coverage/").json()
    dns = next(line for line in lines if line["service"] == "hosting.dns")
    assert dns["text_language"] == "en"
    assert dns["text"] == f"{DNS_EN} {written_in('en', 'lv')}"
    finnish = api(AINO).get(f"/api/v1/contracts/{contract.pk}/coverage/").json()
    mail = next(line for line in finnish if line["service"] == "hosting.email")
    assert (mail["text"], mail["text_language"]) == (MAIL_FI, "fi")
