"""The contract editor: pages, errors, the YAML form, the try box, permissions, history."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.forms import MultiWidget
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.contract_files import ContractFileError, load_contract_file
from contracts.models import (
    Clause,
    Contact,
    Contract,
    Customer,
    ReplyWording,
    Service,
    SlaTarget,
    TopUp,
    UptimeCredit,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MODELS = [
    Service,
    Customer,
    Contact,
    Contract,
    Clause,
    SlaTarget,
    UptimeCredit,
    TopUp,
    ReplyWording,
]
# Tuesday 24 November 2026, 10:00 in Helsinki: inside Northwind's support hours.
WEEKDAY_MORNING = "2026-11-24T10:00"
# Saturday 28 November 2026, 11:00 in Helsinki: outside them.
SATURDAY = "2026-11-28T11:00"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def everything(northwind, volga, daugava):
    """One row of every contracts model."""
    contract = Contract.objects.get(reference="HOST-2026-014")
    TopUp.objects.create(contract=contract, minutes=120, purchased_on="2026-11-02", note="block")
    ReplyWording.objects.create(verdict="in_scope", language="en", text="Hello {name}.")
    return contract


def url(model, view: str, *args) -> str:
    return reverse(f"admin:contracts_{model._meta.model_name}_{view}", args=args)


def row_counts() -> dict[str, int]:
    """Rows of every contracts model (history included), of users and of the admin log."""
    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_app_config("contracts").get_models()
    }
    counts["users"] = get_user_model().objects.count()
    counts["admin log"] = LogEntry.objects.count()
    return counts


def page(response) -> str:
    return html.unescape(response.content.decode())


def change_form_data(response) -> dict[str, object]:
    """What the browser would post back for a rendered change form, inlines included."""
    data: dict[str, object] = {}

    def add(form) -> None:
        for field in form:
            value = field.value()
            widget = field.field.widget
            if isinstance(widget, MultiWidget):  # one box per part
                parts = widget.decompress(value)
                for suffix, part in zip(widget.widgets_names, parts, strict=True):
                    data[field.html_name + suffix] = part
            elif isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[field.html_name] = [str(v) for v in value]
            elif value is not None:
                data[field.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def clause_rows(data: dict[str, object]) -> int:
    return int(data["clauses-TOTAL_FORMS"])


# --- pages --------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.model_name)
def test_every_list_add_change_and_history_page_renders(admin_client, everything, model):
    obj = model._default_manager.first()
    assert obj is not None
    for address in (
        url(model, "changelist"),
        url(model, "add"),
        url(model, "change", obj.pk),
        url(model, "history", obj.pk),
    ):
        response = admin_client.get(address)
        assert response.status_code == 200, address


def test_the_site_is_called_scopedesk(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "<title>Contract editor | Scopedesk</title>" in response.content.decode()


def _queries(client, address: str) -> int:
    # Content types are cached per process: the first page a process renders
    # looks one up, later ones do not. Each count starts from the same state,
    # whichever tests this process ran before.
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_contract_page_reads_the_catalogue_once_however_many_clauses(admin_client, northwind):
    contract = Contract.objects.get(reference="HOST-2026-014")
    with_all = _queries(admin_client, url(Contract, "change", contract.pk))
    contract.clauses.exclude(pk=contract.clauses.first().pk).delete()
    assert _queries(admin_client, url(Contract, "change", contract.pk)) == with_all


def test_contract_clauses_are_ordered_by_position(admin_client, northwind):
    contract = Contract.objects.get(reference="HOST-2026-014")
    last = contract.clauses.order_by("position").last()
    contract.clauses.update(position=F("position") + 1)
    Clause.objects.filter(pk=last.pk).update(position=0)
    response = admin_client.get(url(Contract, "change", contract.pk))
    rows = response.context["inline_admin_formsets"][0].formset.forms
    assert rows[0].instance == last


def test_contracts_can_be_filtered_by_validity(admin_client, northwind, daugava, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 22, 12, tzinfo=UTC))
    valid = admin_client.get(url(Contract, "changelist") + "?validity=now")
    expired = admin_client.get(url(Contract, "changelist") + "?validity=expired")
    assert [c.reference for c in valid.context["cl"].result_list] == ["HOST-2026-014"]
    assert [c.reference for c in expired.context["cl"].result_list] == ["CARE-2025-077"]
    assert 'alt="True"' in valid.content.decode()
    assert 'alt="False"' in expired.content.decode()


# --- validation ---------------------------------------------------------------


def _contract_form(client) -> tuple[Contract, dict[str, object]]:
    contract = Contract.objects.get(reference="HOST-2026-014")
    response = client.get(url(Contract, "change", contract.pk))
    return contract, change_form_data(response)


def test_a_paid_clause_without_a_price_shows_the_error_and_saves_nothing(admin_client, northwind):
    contract, data = _contract_form(admin_client)
    new = clause_rows(data) - 1  # the empty extra row
    data.update(
        {
            f"clauses-{new}-service": str(Service.objects.get(code="web.development").pk),
            f"clauses-{new}-coverage": "paid",
            f"clauses-{new}-pricing": "fixed",
            f"clauses-{new}-price": "",
            f"clauses-{new}-text_en": "Building new features for your site.",
        }
    )
    before = row_counts()
    response = admin_client.post(url(Contract, "change", contract.pk), data)
    assert response.status_code == 200
    assert "A paid clause needs a price." in page(response)
    assert row_counts() == before


def test_a_price_on_an_included_clause_is_refused(admin_client, northwind):
    contract, data = _contract_form(admin_client)
    data["clauses-0-price"] = "10.00"
    response = admin_client.post(url(Contract, "change", contract.pk), data)
    assert response.status_code == 200
    assert "Only paid clauses have a price" in page(response)
    assert contract.clauses.get(service__code="hosting.availability").price is None


def test_a_second_clause_for_the_same_service_is_refused(admin_client, northwind):
    contract, data = _contract_form(admin_client)
    new = clause_rows(data) - 1
    data.update(
        {
            f"clauses-{new}-service": str(Service.objects.get(code="hosting.dns").pk),
            f"clauses-{new}-coverage": "excluded",
            f"clauses-{new}-text_en": "No DNS after all.",
        }
    )
    before = row_counts()
    response = admin_client.post(url(Contract, "change", contract.pk), data)
    assert response.status_code == 200
    assert "This contract already has a clause for that service." in page(response)
    assert row_counts() == before


def test_a_contract_cannot_end_before_it_starts(admin_client, northwind):
    contract, data = _contract_form(admin_client)
    data["valid_until"] = "2025-12-31"
    response = admin_client.post(url(Contract, "change", contract.pk), data)
    assert response.status_code == 200
    assert "A contract cannot end before it starts." in page(response)
    contract.refresh_from_db()
    assert str(contract.valid_until) == "2027-12-31"


def test_an_unchanged_contract_saves_cleanly(admin_client, northwind):
    contract, data = _contract_form(admin_client)
    response = admin_client.post(url(Contract, "change", contract.pk), data)
    assert response.status_code == 302, response.context["errors"]


def test_a_contact_added_on_the_customer_gets_a_login(admin_client, northwind):
    response = admin_client.get(url(Customer, "change", northwind.pk))
    data = change_form_data(response)
    new = int(data["contacts-TOTAL_FORMS"]) - 1
    data.update(
        {
            f"contacts-{new}-name": "Emil Nieminen",
            f"contacts-{new}-email": "Emil.Nieminen@Northwind.example",
            f"contacts-{new}-role": "requester",
        }
    )
    response = admin_client.post(url(Customer, "change", northwind.pk), data)
    assert response.status_code == 302, response.context["errors"]
    contact = Contact.objects.get(name="Emil Nieminen")
    assert contact.customer == northwind
    assert contact.user.username == "emil.nieminen@northwind.example"
    assert contact.user.email == "emil.nieminen@northwind.example"
    assert not contact.user.has_usable_password()


def test_a_contact_of_another_customer_cannot_be_added_again(admin_client, northwind, volga):
    response = admin_client.get(url(Customer, "change", northwind.pk))
    data = change_form_data(response)
    new = int(data["contacts-TOTAL_FORMS"]) - 1
    data.update(
        {
            f"contacts-{new}-name": "Ivan",
            f"contacts-{new}-email": "ivan@volga-media.example",
            f"contacts-{new}-role": "requester",
        }
    )
    before = row_counts()
    response = admin_client.post(url(Customer, "change", northwind.pk), data)
    assert response.status_code == 200
    assert "ivan@volga-media.example is already a contact of ООО «Волга Медиа»." in page(response)
    assert row_counts() == before


def test_reply_wording_with_an_unknown_placeholder_is_refused(admin_client, catalogue):
    response = admin_client.get(url(ReplyWording, "add"))
    content = page(response)
    assert "{response_promise}" in content  # the placeholders are listed
    assert (
        "Thank you for your request. This request ({service}) is not part of" in content
    )  # the default
    response = admin_client.post(
        url(ReplyWording, "add"),
        {"verdict": "in_scope", "language": "en", "text": "Hello {nmae}, {clause"},
    )
    assert response.status_code == 200
    assert not ReplyWording.objects.exists()
    assert "expected '}' before end of string" in page(response)
    response = admin_client.post(
        url(ReplyWording, "add"),
        {"verdict": "in_scope", "language": "en", "text": "Hello {nmae}."},
    )
    assert "unknown placeholder {nmae}" in page(response)
    assert not ReplyWording.objects.exists()


def test_reply_wording_shows_the_default_of_its_verdict(admin_client, catalogue):
    wording = ReplyWording.objects.create(verdict="paid_option", language="fi", text="Hei {name}.")
    response = admin_client.get(url(ReplyWording, "change", wording.pk))
    assert '<details data-verdict="paid_option" open>' in response.content.decode()
    assert '<details data-verdict="in_scope">' in response.content.decode()


# --- import and export --------------------------------------------------------


def southwind_file() -> str:
    """The Northwind example as another customer."""
    text = (EXAMPLES / "contract-northwind.yaml").read_text(encoding="utf-8")
    return (
        text.replace("Northwind Webshop Oy", "Southwind Oy")
        .replace("slug: northwind", "slug: southwind")
        .replace("@northwind.example", "@southwind.example")
        .replace("HOST-2026-014", "HOST-2026-099")
    )


def test_the_customer_list_links_to_the_import_page(admin_client):
    response = admin_client.get(url(Customer, "changelist"))
    assert url(Customer, "import") in response.content.decode()


def test_importing_a_good_file_creates_the_customer(admin_client, catalogue):
    upload = SimpleUploadedFile("southwind.yaml", southwind_file().encode(), "text/yaml")
    response = admin_client.post(url(Customer, "import"), {"file": upload}, follow=True)
    assert response.status_code == 200
    customer = Customer.objects.get(slug="southwind")
    assert customer.contracts.get().clauses.count() == 14
    assert customer.contacts.count() == 3
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("southwind.yaml: ")


def test_importing_pasted_text_works_too(admin_client, catalogue):
    response = admin_client.post(url(Customer, "import"), {"text": southwind_file()})
    assert response.status_code == 302
    assert Customer.objects.filter(slug="southwind").exists()


def test_importing_a_bad_file_shows_every_problem_and_changes_nothing(admin_client, northwind):
    bad = (
        southwind_file()
        .replace("service: web.migration", "service: web.teleportation")
        .replace("coverage: excluded", "coverage: sometimes", 1)
    )
    with pytest.raises(ContractFileError) as raised:
        load_contract_file(bad, source="bad.yaml")
    problems = str(raised.value).splitlines()
    assert len(problems) >= 2

    before = row_counts()
    upload = SimpleUploadedFile("bad.yaml", bad.encode(), "text/yaml")
    response = admin_client.post(url(Customer, "import"), {"file": upload})
    assert response.status_code == 200
    content = page(response)
    for problem in problems:
        assert problem in content
    assert "clauses" in content  # the key path
    assert "web.teleportation" in content
    assert row_counts() == before


def test_the_import_page_needs_a_file_or_text(admin_client):
    response = admin_client.post(url(Customer, "import"), {})
    assert response.status_code == 200
    assert "Choose a contract file or paste its text." in page(response)


def test_export_gives_yaml_that_loads_back(admin_client, northwind):
    response = admin_client.get(url(Customer, "change", northwind.pk))
    assert url(Customer, "export", northwind.pk) in response.content.decode()

    response = admin_client.get(url(Customer, "export", northwind.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="northwind.yaml"'
    text = response.content.decode()
    assert yaml.safe_load(text)["customer"]["slug"] == "northwind"

    Contract.objects.filter(customer=northwind).delete()
    load_contract_file(text, source="northwind.yaml")
    contract = Contract.objects.get(reference="HOST-2026-014")
    assert contract.clauses.count() == 14
    assert contract.clauses.get(service__code="web.cms_plugins").price == Decimal("60.00")


# --- the try box --------------------------------------------------------------


def try_it(client, **values):
    contract = Contract.objects.get(reference="HOST-2026-014")
    data = {"sender": "sara@northwind.example", "priority": "normal", "at": WEEKDAY_MORNING}
    data.update(values)
    return client.post(url(Contract, "try", contract.pk), data)


def test_the_contract_page_links_to_the_try_box(admin_client, northwind):
    contract = Contract.objects.get(reference="HOST-2026-014")
    response = admin_client.get(url(Contract, "change", contract.pk))
    assert url(Contract, "try", contract.pk) in response.content.decode()
    response = admin_client.get(url(Contract, "try", contract.pk))
    assert response.status_code == 200
    content = page(response)
    assert "Sara Berg <sara@northwind.example> (requester, en)" in content
    assert "someone else" in content
    assert "contracts/admin.js" in content


def test_the_try_box_shows_the_verdict_and_the_reply(admin_client, northwind):
    response = try_it(admin_client, text="Please install a WordPress plugin", service="")
    assert response.status_code == 200
    result = response.context["result"]
    assert result.verdict == "paid_option"
    assert result.offer["amount"] == Decimal("60.00")
    assert result.offer["currency"] == "EUR"
    assert result.offer["pricing"] == "fixed"
    assert result.service.startswith("web.cms_plugins")
    assert result.reply.language == "en"
    content = page(response)
    assert '<span class="verdict verdict-paid_option">Paid option</span>' in content
    assert "60.00 EUR" in content
    assert "Installing or updating CMS plugins and themes." in content
    assert result.reply.text in content
    assert result.reply.text.startswith("Hello Sara,")


def test_the_try_box_refuses_a_stranger(admin_client, northwind):
    response = try_it(
        admin_client, sender="*", other_email="someone@elsewhere.example", text="Fix our DNS"
    )
    result = response.context["result"]
    assert result.verdict == "not_authorized"
    assert result.reply.language == "fi"  # the customer's language
    assert "Aino Virtanen" in result.reply.text  # the manager who can help


def test_the_try_box_needs_the_strangers_address(admin_client, northwind):
    response = try_it(admin_client, sender="*", other_email="", text="Fix our DNS")
    assert response.context["result"] is None
    assert "Type the address the request comes from." in page(response)


def test_the_try_box_tells_when_work_starts_outside_hours(admin_client, northwind):
    response = try_it(
        admin_client,
        text="A new mailbox for our accountant, please",
        service="hosting.email",
        at=SATURDAY,
    )
    result = response.context["result"]
    assert result.verdict == "outside_hours"
    assert result.starts_at == "Monday, 30 November 2026, 08:00 (Europe/Helsinki)"
    assert result.starts_at in page(response)


def test_the_try_box_reads_a_moment_with_an_offset(admin_client, northwind):
    # 06:30 UTC on a Tuesday is 08:30 in Helsinki: open.
    response = try_it(
        admin_client, text="Mailbox please", service="hosting.email", at="2026-11-24T06:30Z"
    )
    assert response.context["result"].verdict == "in_scope"


def test_the_try_box_writes_nothing(admin_client, northwind):
    before = row_counts()
    try_it(admin_client, text="Please install a WordPress plugin")
    try_it(admin_client, sender="*", other_email="x@y.example", text="Hi")
    try_it(admin_client, text="Mailbox please", service="hosting.email", at=SATURDAY)
    assert row_counts() == before


# --- permissions and history --------------------------------------------------


def test_a_technician_may_not_import_export_or_try(client, technician, northwind):
    client.force_login(technician)
    contract = Contract.objects.get(reference="HOST-2026-014")
    assert client.get(url(Customer, "import")).status_code == 403
    assert client.post(url(Customer, "import"), {"text": southwind_file()}).status_code == 403
    assert client.get(url(Customer, "export", northwind.pk)).status_code == 403
    assert client.get(url(Contract, "try", contract.pk)).status_code == 403
    assert try_it(client, text="Please install a WordPress plugin").status_code == 403
    assert not Customer.objects.filter(slug="southwind").exists()


def test_a_technician_does_not_get_into_the_editor(client, technician, northwind):
    client.force_login(technician)
    contract = Contract.objects.get(reference="HOST-2026-014")
    assert client.get(url(Customer, "changelist")).status_code == 403
    assert client.get(url(Contract, "change", contract.pk)).status_code == 403


def test_a_lead_may_import_and_try(client, lead, northwind):
    client.force_login(lead)
    assert client.get(url(Customer, "import")).status_code == 200
    response = try_it(client, text="Please install a WordPress plugin")
    assert response.status_code == 200
    assert response.context["result"].verdict == "paid_option"


def test_history_shows_who_changed_what(admin_client, admin_user, northwind):
    response = admin_client.get(url(Customer, "change", northwind.pk))
    data = change_form_data(response)
    data["name"] = "Northwind Webshop Ab"
    response = admin_client.post(url(Customer, "change", northwind.pk), data)
    assert response.status_code == 302, response.context["errors"]

    latest = northwind.history.latest()
    assert latest.history_user == admin_user
    assert latest.name == "Northwind Webshop Ab"
    response = admin_client.get(url(Customer, "history", northwind.pk))
    content = page(response)
    assert admin_user.get_username() in content
    assert "Northwind Webshop Ab" in content


def test_history_cannot_be_reverted(admin_client, northwind):
    record = northwind.history.earliest()
    address = reverse(
        "admin:contracts_customer_simple_history", args=[northwind.pk, record.history_id]
    )
    assert admin_client.get(address).status_code == 200
    assert admin_client.post(address, {"name": "Reverted"}).status_code == 403
    northwind.refresh_from_db()
    assert northwind.name == "Northwind Webshop Oy"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("mon-fri 08:00-18:00", {"mon-fri": "08:00-18:00"}),
        (
            "mon-fri 08:00-12:00, 13:00-17:00; sat 10:00-14:00",
            {"mon-fri": "08:00-12:00,13:00-17:00", "sat": "10:00-14:00"},
        ),
        ("24/7", "24/7"),
    ],
)
def test_support_hours_are_typed_as_people_write_them(admin_client, northwind, typed, stored):
    contract = Contract.objects.get(reference="HOST-2026-014")
    address = url(Contract, "change", contract.pk)
    data = change_form_data(admin_client.get(address))
    assert data["support_hours"] == "mon-fri 08:00-18:00"
    data["support_hours"] = typed
    response = admin_client.post(address, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    contract.refresh_from_db()
    assert contract.support_hours == stored


def test_support_hours_that_cannot_be_read_say_how_to_write_them(admin_client, northwind):
    contract = Contract.objects.get(reference="HOST-2026-014")
    address = url(Contract, "change", contract.pk)
    data = change_form_data(admin_client.get(address))
    data["support_hours"] = "weekdays"
    response = admin_client.post(address, data)
    assert response.status_code == 200
    assert "like mon-fri 08:00-18:00" in page(response)


def test_a_customer_needs_a_country_whose_holidays_we_know(admin_client):
    form = {
        "name": "Zeta",
        "slug": "zeta",
        "country": "ZZ",
        "timezone": "Europe/Helsinki",
        "language": "en",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url(Customer, "add"), form)
    assert response.status_code == 200
    assert "ZZ is no public-holiday calendar we know." in html.unescape(response.content.decode())
    assert not Customer.objects.filter(slug="zeta").exists()
    admin_client.post(url(Customer, "add"), {**form, "country": "FI"})
    assert Customer.objects.get(slug="zeta").country == "FI"
