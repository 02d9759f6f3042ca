"""Everyday words come from the catalogue file, per service and language, not from the engine."""

from __future__ import annotations

import pytest

from contracts.contract_files import ContractFileError, load_services
from contracts.models import Service
from contracts.selectors import current_catalogue

CATALOGUE = """
services:
  - code: hosting.email
    name: {en: "Email on our servers"}
    phrases:
      en: [email not arriving, cannot send mail]
%s
  - code: billing.invoice
    name: {en: "Invoices"}
    phrases:
      en: [wrong amount on the invoice]
"""
WORDS = "    everyday_words:\n      en: [inbox]\n      fi: [postilaatikko]"
TEXT = "Our inbox is empty since this morning"


def recognised(text: str) -> str | None:
    return current_catalogue().matcher.recognise(text).service


@pytest.mark.django_db
def test_a_service_without_everyday_words_is_not_recognised_by_them():
    load_services(CATALOGUE % "", source="services.yaml")
    assert recognised(TEXT) is None


@pytest.mark.django_db
def test_a_service_is_recognised_by_the_everyday_words_its_file_gives():
    load_services(CATALOGUE % WORDS, source="services.yaml")
    assert Service.objects.get(code="hosting.email").everyday_words == {
        "en": ["inbox"],
        "fi": ["postilaatikko"],
    }
    assert recognised(TEXT) == "hosting.email"


@pytest.mark.django_db
def test_everyday_words_in_an_unknown_language_are_refused():
    with pytest.raises(ContractFileError, match=r"services\[0\]\.everyday_words"):
        load_services(
            CATALOGUE % "    everyday_words:\n      de: [Posteingang]", source="services.yaml"
        )
