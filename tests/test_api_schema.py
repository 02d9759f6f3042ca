"""The schema at /api/v1/schema/ tells the truth: the errors every operation can
answer, fields that only staff read not promised to everyone, what may be null,
files only where they can be sent, and filters that refuse an empty value as
their documentation says. Schemathesis checks the whole of it against the running
API (tests/test_schemathesis.py); these name each promise on its own."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.helpers import api

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(db) -> dict:
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def test_every_operation_documents_the_errors_it_can_answer_in_json(schema):
    for label, operation in operations(schema):
        for code in ("400", "401", "403", "404", "429"):
            response = operation["responses"].get(code)
            assert response, f"{label} does not document {code}"
            assert "application/json" in response["content"], label
    assert component(schema, "Error")["required"] == ["detail"]


@pytest.mark.parametrize(
    ("name", "staff_only"),
    [
        ("Ticket", {"assignee"}),
        ("TicketList", {"assignee"}),
        ("Scope", {"decided_by", "override_reason"}),
        ("Decision", {"decided_by", "override_reason", "usage"}),
        ("TimeEntry", {"technician", "note"}),
        ("Customer", {"account_manager"}),
        ("Incident", {"customers", "owner", "cause", "changes"}),
        ("IncidentUpdate", {"posted_by"}),
    ],
)
def test_fields_only_staff_read_are_not_promised_to_everyone(schema, name, staff_only):
    required = set(component(schema, name).get("required", []))
    assert not required & staff_only, required & staff_only


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("TicketList", "sla_due"),
        ("TicketList", "service"),
        ("TicketList", "assignee"),
        ("Scope", "service"),
        ("Scope", "decided_by"),
        ("Decision", "service"),
        ("DecisionPart", "offer"),
        ("Offer", "part"),
        ("Incident", "resolved_at"),
        ("Incident", "eta"),
        ("Incident", "next_update_at"),
    ],
)
def test_what_can_be_null_is_documented_as_nullable(schema, name, field):
    assert component(schema, name)["properties"][field].get("nullable") is True


def test_a_decisions_parts_are_documented_with_their_own_verdict_clause_and_offer(schema):
    for name in ("Scope", "Decision"):
        parts = component(schema, name)["properties"]["parts"]
        assert parts["type"] == "array" and parts["readOnly"] is True
        assert parts["items"]["$ref"].endswith("/DecisionPart")
    fields = set(component(schema, "DecisionPart")["properties"])
    assert {"service", "verdict", "clause", "offer"} <= fields
    assert "part" in component(schema, "Time")["properties"]


def test_files_are_documented_only_where_they_can_be_sent(schema):
    content = schema["paths"]["/api/v1/tickets/"]["post"]["requestBody"]["content"]

    def fields(media_type: str) -> set[str]:
        name = content[media_type]["schema"]["$ref"].rsplit("/", 1)[-1]
        return set(component(schema, name)["properties"])

    assert "attachments" not in fields("application/json")
    assert "attachments" not in fields("application/x-www-form-urlencoded")
    assert "attachments" in fields("multipart/form-data")


def test_json_that_names_files_is_refused(northwind):
    response = api("sara@northwind.example").post(
        "/api/v1/tickets/",
        {"subject": "Help", "body": "Mail is down.", "attachments": ["log.txt"]},
        format="json",
    )
    assert response.status_code == 400
    assert "attachments" in response.json()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("tickets", "status"),
        ("tickets", "customer"),
        ("tickets", "q"),
        ("messages", "ticket"),
        ("messages", "kind"),
        ("time-entries", "worked_on_after"),
        ("clauses", "coverage"),
        ("contracts", "customer"),
        ("services", "code"),
        ("incidents", "state"),
        ("incidents", "service"),
        ("incidents", "customer"),
    ],
)
def test_an_empty_filter_value_is_refused_with_a_400_naming_it(northwind, lead, path, name):
    response = api(lead).get(f"/api/v1/{path}/", {name: ""})
    assert response.status_code == 400, response.content
    assert name in response.json()


def test_the_schema_says_a_text_filter_needs_a_value(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]
    }
    assert parameters["q"]["minLength"] == 1
    assert parameters["customer"]["minLength"] == 1


def test_an_incidents_texts_are_documented_per_language_and_nothing_else(schema):
    texts = component(schema, "IncidentTexts")
    assert set(texts["properties"]) == {"en", "ru", "fi", "lv"}
    assert texts["additionalProperties"] is False
    opening = component(schema, "IncidentOpen")
    assert {"title", "services", "texts"} <= set(opening["required"])
    notices = schema["paths"]["/api/v1/incidents/{id}/notices/"]["get"]
    assert {p["name"] for p in notices["parameters"]} >= {"delivery", "update", "page"}
