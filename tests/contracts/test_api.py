"""The contracts API: contacts read their own, staff read, leads write through the
editor's checks, and nobody reaches another customer's rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from contracts.models import Clause, Contact, Contract, Customer, Service, TopUp
from tests.helpers import api

AINO = "aino@northwind.example"  # northwind's manager
SARA = "sara@northwind.example"  # a northwind requester
IVAN = "ivan@volga-media.example"  # volga's manager

pytestmark = pytest.mark.django_db


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def contract(northwind) -> Contract:
    return northwind.contracts.get()


# --- reading ------------------------------------------------------------------


def test_a_contact_reads_their_contract_with_its_clauses_and_terms(contract):
    data = api(SARA).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert data["reference"] == "HOST-2026-014"
    assert data["customer"] == "northwind"
    assert data["hourly_rate"] == "90.00"
    assert data["support_hours"] == contract.support_hours
    clause = next(c for c in data["clauses"] if c["service"] == "hosting.email")
    assert clause["coverage"] == "included"
    assert {t["priority"] for t in data["sla_targets"]} == {"urgent", "high", "normal", "low"}
    assert [c["below"] for c in data["uptime_credits"]] == ["99.900", "99.000", "95.000"]


def test_a_contact_lists_only_their_own_customer_and_contracts(northwind, volga):
    assert [c["slug"] for c in results(api(SARA).get("/api/v1/customers/"))] == ["northwind"]
    assert {c["customer"] for c in results(api(IVAN).get("/api/v1/contracts/"))} == {"volga-media"}


def test_a_contact_never_reads_who_the_account_manager_is(northwind, lead):
    Customer.objects.filter(pk=northwind.pk).update(account_manager=lead)
    assert "account_manager" not in api(SARA).get(f"/api/v1/customers/{northwind.pk}/").json()
    staff_view = api(lead).get(f"/api/v1/customers/{northwind.pk}/").json()
    assert staff_view["account_manager"] == "lead"


def test_every_contact_reads_the_whole_catalogue(northwind):
    codes = [s["code"] for s in results(api(SARA).get("/api/v1/services/?page_size=100"))]
    assert "hosting.email" in codes
    assert len(codes) == min(25, Service.objects.count())


def test_the_catalogue_shows_each_services_everyday_words_as_the_file_gives_them(northwind):
    [email] = results(api(SARA).get("/api/v1/services/?code=hosting.email"))
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
    assert email["everyday_words"] == Service.objects.get(code="hosting.email").everyday_words


def test_a_lead_writes_a_services_everyday_words(northwind, lead):
    service = Service.objects.get(code="hosting.email")
    words = {"en": ["mailbox"], "fi": ["sähköposti"]}
    response = api(lead).patch(
        f"/api/v1/services/{service.pk}/", {"everyday_words": words}, format="json"
    )
    assert response.status_code == 200, response.content
    service.refresh_from_db()
    assert service.everyday_words == words


def test_a_manager_reads_the_organisations_contacts_and_a_requester_only_herself(northwind):
    assert {c["email"] for c in results(api(AINO).get("/api/v1/contacts/"))} == {
        AINO,
        SARA,
        "mikko@northwind.example",
    }
    assert [c["email"] for c in results(api(SARA).get("/api/v1/contacts/"))] == [SARA]


@pytest.mark.parametrize(
    "path",
    [
        "customers/{customer}/",
        "contracts/{contract}/",
        "contracts/{contract}/coverage/",
        "clauses/{clause}/",
        "sla-targets/{sla}/",
        "uptime-credits/{credit}/",
        "top-ups/{topup}/",
        "contacts/{contact}/",
    ],
)
def test_another_customers_rows_answer_404(northwind, volga, contract, path):
    topup = TopUp.objects.create(contract=contract, minutes=60, purchased_on="2026-03-01")
    ids = {
        "customer": northwind.pk,
        "contract": contract.pk,
        "clause": contract.clauses.first().pk,
        "sla": contract.sla_targets.first().pk,
        "credit": contract.uptime_credits.first().pk,
        "topup": topup.pk,
        "contact": Contact.objects.get(user__email=AINO).pk,
    }
    url = "/api/v1/" + path.format(**ids)
    assert api(AINO).get(url).status_code == 200
    assert api(IVAN).get(url).status_code == 404


@pytest.mark.parametrize("path", ["clauses", "sla-targets", "uptime-credits", "top-ups"])
def test_the_parts_of_another_customers_contract_are_not_listed(northwind, volga, contract, path):
    TopUp.objects.create(contract=contract, minutes=60, purchased_on="2026-03-01")
    foreign = results(api(IVAN).get(f"/api/v1/{path}/?contract={contract.pk}"))
    assert foreign == []
    assert results(api(AINO).get(f"/api/v1/{path}/?contract={contract.pk}"))


def test_naming_another_customer_in_a_filter_tells_nothing(northwind, volga):
    # Another customer's slug and an unknown one answer alike: no oracle on slugs.
    for slug in ("volga-media", "no-such-customer"):
        assert results(api(SARA).get(f"/api/v1/contracts/?customer={slug}")) == []
        assert results(api(SARA).get(f"/api/v1/contacts/?customer={slug}")) == []


def test_staff_filter_contracts_by_customer_and_day(northwind, volga, daugava, technician):
    def references(query):
        return {c["reference"] for c in results(api(technician).get(f"/api/v1/contracts/{query}"))}

    assert references("?customer=northwind") == {"HOST-2026-014"}
    assert "HOST-2026-014" not in references("?valid_on=2025-06-01")
    assert "HOST-2026-014" in references("?valid_on=2026-06-01")


def test_reply_wording_is_staff_business(northwind, technician):
    assert api(SARA).get("/api/v1/reply-wordings/").status_code == 403
    assert api(technician).get("/api/v1/reply-wordings/").status_code == 200


def test_the_coverage_reads_in_the_contacts_language(contract):
    lines = api(AINO).get(f"/api/v1/contracts/{contract.pk}/coverage/").json()
    email = next(line for line in lines if line["service"] == "hosting.email")
    assert email["coverage"] == "included"
    assert email["label"] == "Sisältyy"  # Aino reads Finnish
    english = api(AINO).get(f"/api/v1/contracts/{contract.pk}/coverage/?language=en").json()
    assert next(line for line in english if line["service"] == "hosting.email")["label"] == (
        "Included"
    )
    refused = api(AINO).get(f"/api/v1/contracts/{contract.pk}/coverage/?language=xx")
    assert refused.status_code == 400


# --- writing ------------------------------------------------------------------

NEW_CONTRACT = {
    "customer": "northwind",
    "reference": "HOST-2028-001",
    "title": "Managed hosting, Business plan",
    "valid_from": "2028-01-01",
    "currency": "EUR",
    "monthly_fee": "400.00",
    "hourly_rate": "95.00",
    "unlisted_services": "paid",
    "support_hours": {"mon-fri": "08:00-18:00"},
}


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "services/", {"code": "web.new", "names": {"en": "New"}}),
        ("patch", "services/{service}/", {"position": 3}),
        ("delete", "services/{service}/", None),
        ("post", "customers/", {"name": "Acme", "slug": "acme"}),
        ("patch", "customers/{customer}/", {"name": "Renamed"}),
        ("post", "contracts/", NEW_CONTRACT),
        ("patch", "contracts/{contract}/", {"hourly_rate": "1.00"}),
        ("delete", "contracts/{contract}/", None),
        ("patch", "clauses/{clause}/", {"coverage": "excluded"}),
        (
            "post",
            "top-ups/",
            {"contract": "{contract}", "minutes": 600, "purchased_on": "2026-05-01"},
        ),
        ("post", "contacts/", {"customer": "northwind", "name": "X", "email": "x@x.example"}),
        ("post", "reply-wordings/", {"verdict": "in_scope", "language": "en", "text": "Hi"}),
    ],
)
def test_technicians_and_contacts_cannot_write_what_was_promised(
    contract, technician, method, path, data
):
    ids = {
        "service": Service.objects.get(code="hosting.email").pk,
        "customer": contract.customer_id,
        "contract": contract.pk,
        "clause": contract.clauses.first().pk,
    }
    url = "/api/v1/" + path.format(**ids)
    if data:
        data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()}
    before = Contract.objects.get(pk=contract.pk).hourly_rate
    for who in (technician, AINO, SARA):
        response = getattr(api(who), method)(url, data, format="json")
        assert response.status_code == 403, (who, response.content)
    assert Contract.objects.get(pk=contract.pk).hourly_rate == before
    assert not Customer.objects.filter(slug="acme").exists()


def test_a_lead_writes_a_contract_and_its_edit_is_kept_as_history(northwind, lead):
    response = api(lead).post("/api/v1/contracts/", NEW_CONTRACT, format="json")
    assert response.status_code == 201, response.content
    created = Contract.objects.get(reference="HOST-2028-001")
    assert created.support_hours == {"mon-fri": "08:00-18:00"}
    changed = api(lead).patch(
        f"/api/v1/contracts/{created.pk}/", {"hourly_rate": "99.00"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    created.refresh_from_db()
    # Only what was sent changes.
    assert (created.hourly_rate, created.title) == (99, NEW_CONTRACT["title"])
    latest = created.history.first()
    assert latest.history_user == lead
    assert created.history.count() == 2


def test_an_admin_writes_too(northwind, admin_user):
    response = api(admin_user).post(
        "/api/v1/services/", {"code": "web.new", "names": {"en": "New"}}, format="json"
    )
    assert response.status_code == 201, response.content


def test_a_contract_that_ends_before_it_starts_is_refused_in_the_editors_words(northwind, lead):
    data = {**NEW_CONTRACT, "valid_until": "2027-12-31"}
    response = api(lead).post("/api/v1/contracts/", data, format="json")
    assert response.status_code == 400
    assert response.json()["valid_until"] == ["A contract cannot end before it starts."]


def test_support_hours_are_checked(northwind, lead):
    data = {**NEW_CONTRACT, "support_hours": {"someday": "8-18"}}
    response = api(lead).post("/api/v1/contracts/", data, format="json")
    assert response.status_code == 400
    assert "support_hours" in response.json()
    around_the_clock = api(lead).post(
        "/api/v1/contracts/", {**NEW_CONTRACT, "support_hours": "24/7"}, format="json"
    )
    assert around_the_clock.status_code == 201, around_the_clock.content


def test_a_paid_clause_needs_a_price(contract, lead):
    clause = contract.clauses.get(service__code="hosting.email")
    response = api(lead).patch(
        f"/api/v1/clauses/{clause.pk}/", {"coverage": "paid", "pricing": "fixed"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["price"] == ["A paid clause needs a price."]
    priced = api(lead).patch(
        f"/api/v1/clauses/{clause.pk}/",
        {"coverage": "paid", "pricing": "fixed", "price": "30.00", "estimate": "1h"},
        format="json",
    )
    assert priced.status_code == 200, priced.content
    assert Clause.objects.get(pk=clause.pk).price == 30


def test_a_second_clause_for_a_service_is_refused(contract, lead):
    response = api(lead).post(
        "/api/v1/clauses/",
        {
            "contract": contract.pk,
            "service": "hosting.email",
            "coverage": "included",
            "text": "Again",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "already has a clause for that service" in str(response.json())


def test_a_lead_adds_a_contact_with_a_login(northwind, lead):
    response = api(lead).post(
        "/api/v1/contacts/",
        {"customer": "northwind", "name": "Lauri", "email": "Lauri@Northwind.example"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["email"] == "lauri@northwind.example"
    user = get_user_model().objects.get(username="lauri@northwind.example")
    assert user.contact.customer == northwind
    assert not user.has_usable_password()


def test_a_contact_of_another_customer_cannot_be_added_twice(northwind, volga, lead):
    response = api(lead).post(
        "/api/v1/contacts/",
        {"customer": "volga-media", "name": "Sara", "email": SARA},
        format="json",
    )
    assert response.status_code == 400
    assert "already a contact of Northwind" in response.json()["email"][0]


def test_a_service_in_use_is_not_deleted(contract, lead):
    service = Service.objects.get(code="hosting.email")
    response = api(lead).delete(f"/api/v1/services/{service.pk}/")
    assert response.status_code == 400
    assert "still in use" in response.json()["detail"]
    assert Service.objects.filter(pk=service.pk).exists()


def test_reply_wording_placeholders_are_checked(northwind, lead):
    response = api(lead).post(
        "/api/v1/reply-wordings/",
        {"verdict": "in_scope", "language": "en", "text": "Hello {nobody}"},
        format="json",
    )
    assert response.status_code == 400
    assert "unknown placeholder {nobody}" in str(response.json())
