"""The contract editor as a Russian, Finnish or Latvian admin uses it every day:
model names, field labels and choices in their language, none left in English."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from contracts.models import Contract, Service

pytestmark = pytest.mark.django_db

LANGUAGES = ["ru", "fi", "lv"]
# What the admin index and its sidebar showed in English whatever the language.
MODEL_NAMES = [
    "Clauses",
    "Contacts",
    "Contracts",
    "Customers",
    "Reply wordings",
    "Services",
    "SLA targets",
    "Top-ups",
    "Uptime credit bands",
    "Tickets",
    "Canned replies",
    "Allowances this month",
]
# The contract page's own labels and choices.
CONTRACT_LABELS = [
    "Customer",
    "Reference",
    "Valid from",
    "Valid until",
    "Currency",
    "Monthly fee",
    "Hourly rate",
    "Unlisted services",
    "Included minutes",
    "Included tickets",
    "Rounding (minutes)",
    "Support time zone",
    "Public holidays",
    "Uptime target (%)",
    "Coverage",
    "Pricing",
    "Estimate",
    "Advice",
    "Position",
    "Uptime below (%)",
    "Credit (percent of the monthly fee)",
    "Purchased on",
    "First response",
    "Excluded",
    "Fixed price",
    "Per hour",
]


@pytest.fixture
def admin_in(client, admin_user):
    """The admin's client, its pages shown in one language."""

    def speaking(language: str):
        client.force_login(admin_user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return speaking


def text_of(response) -> str:
    """The words a person reads on the page, without tags or scripts."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    return html.unescape(strip_tags(content))


def english_left(text: str, words: list[str]) -> list[str]:
    return [word for word in words if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text)]


def test_the_english_page_has_the_words_looked_for(admin_in, northwind):
    """So that their absence in the other languages means something."""
    client = admin_in("en")
    contract = Contract.objects.get(reference="HOST-2026-014")
    index = text_of(client.get(reverse("admin:index")))
    page = text_of(client.get(reverse("admin:contracts_contract_change", args=[contract.pk])))
    assert english_left(index, MODEL_NAMES) == MODEL_NAMES
    assert english_left(page, CONTRACT_LABELS) == CONTRACT_LABELS


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_index_names_every_model_in_the_admins_language(admin_in, language):
    response = admin_in(language).get(reverse("admin:index"))
    assert response.status_code == 200
    assert english_left(text_of(response), MODEL_NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contract_page_labels_every_field_in_the_admins_language(admin_in, northwind, language):
    contract = Contract.objects.get(reference="HOST-2026-014")
    contract.top_ups.create(minutes=60, purchased_on="2026-11-02")
    address = reverse("admin:contracts_contract_change", args=[contract.pk])
    response = admin_in(language).get(address)
    assert response.status_code == 200
    assert english_left(text_of(response), CONTRACT_LABELS) == []


@pytest.mark.parametrize(
    ("language", "service", "priority"),
    [
        ("ru", "Почта на наших серверах", "Срочный"),
        ("fi", "Sähköposti palvelimillamme", "Kiireellinen"),
        ("lv", "E-pasts mūsu serveros", "Steidzama"),
    ],
)
def test_the_try_box_names_services_and_priorities_in_the_admins_language(
    admin_in, northwind, language, service, priority
):
    client = admin_in(language)
    contract = Contract.objects.get(reference="HOST-2026-014")
    address = reverse("admin:contracts_contract_try", args=[contract.pk])
    text = text_of(client.get(address))
    assert f"hosting.email — {service}" in text
    assert priority in text and "urgent" not in text

    response = client.post(
        address,
        {
            "sender": "sara@northwind.example",
            "priority": "normal",
            "at": "2026-11-24T10:00",
            "text": "Please install a WordPress plugin",
        },
    )
    result = response.context["result"]
    assert (result.verdict, result.coverage) == ("paid_option", "paid")
    plugins = Service.objects.get(code="web.cms_plugins")
    assert result.service == f"web.cms_plugins — {plugins.names[language]}"
    text = text_of(response)
    assert result.coverage_label in text and result.offer["pricing_label"].lower() in text
    assert result.coverage_label != "Paid"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_allowance_page_heads_its_columns_in_the_admins_language(admin_in, northwind, language):
    response = admin_in(language).get(reverse("admin:tickets_customerallowance_changelist"))
    assert english_left(text_of(response), ["Name", "Customer", "Allowances this month"]) == []
