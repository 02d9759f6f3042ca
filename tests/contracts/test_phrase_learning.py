"""The pure suggester (contracts/engine/learning.py): which words of the tickets a
technician corrected become recognition phrases, and which never do."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from contracts.engine.learning import Example, root_of, suggest_phrases
from contracts.engine.matching import ServiceMatcher
from contracts.engine.terms import ServiceEntry

SERVICES = Path(__file__).resolve().parents[2] / "examples" / "services.yaml"


def _entry(item: dict) -> ServiceEntry:
    return ServiceEntry(
        code=item["code"],
        names=item["name"],
        phrases={language: tuple(p) for language, p in item.get("phrases", {}).items()},
        everyday_words={
            language: tuple(w) for language, w in (item.get("everyday_words") or {}).items()
        },
        always_covered=item.get("always_covered", False),
    )


CATALOGUE = tuple(_entry(item) for item in yaml.safe_load(SERVICES.read_text())["services"])

# Finnish customers call a change of name servers "nimipalvelin osoitemuutos";
# the catalogue knows "dns-tietue" and "verkkotunnus", not that.
FINNISH_DNS = [
    "Nimipalvelin osoitemuutos pitäisi tehdä {who}-kaupalle",
    "Tarvitsemme nimipalvelimen osoitemuutoksen ensi viikolla, {who}",
    "Voisitteko hoitaa nimipalvelin osoitemuutoksen? Terveisin {who}",
    "nimipalvelimen osoitemuutos, kiireellinen ({who})",
    "Osoitemuutos nimipalvelimelle kiitos, {who}",
]
ENGLISH_DNS = [
    "Please do the zone flip for {who}.com tonight",
    "We need a zone flip on the main site of {who}",
    "Zone flip needed for the new shop, {who}",
    "Can you schedule the zone flip for Friday? {who}",
]


def dns_examples(texts: list[str], language: str, count: int, writers: int) -> list[Example]:
    return [
        Example(
            service="hosting.dns",
            language=language,
            text=texts[n % len(texts)].format(who=f"writer{n % writers}"),
            source=f"customer{n % writers}",
        )
        for n in range(count)
    ]


def phrases(suggestions) -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for s in suggestions:
        found.setdefault((s.service, s.language), []).append(s.phrase)
    return found


def test_the_words_customers_use_for_a_service_are_suggested_per_language():
    examples = dns_examples(FINNISH_DNS, "fi", 10, 3) + dns_examples(ENGLISH_DNS, "en", 8, 2)
    found = suggest_phrases(examples, CATALOGUE)
    assert phrases(found) == {
        ("hosting.dns", "en"): ["zone flip"],
        ("hosting.dns", "fi"): ["nimipalvelin"],
    }
    finnish = next(s for s in found if s.language == "fi")
    # In the customers' own spelling, however they inflected it; every example proven.
    assert (finnish.support, finnish.recognised) == (10, 10)
    assert finnish.key == root_of("nimipalvelin", "fi")
    assert len(finnish.examples) == 3
    assert all("nimipalvel" in e.text.lower() for e in finnish.examples)


def test_a_suggested_phrase_makes_the_recogniser_recognise_its_examples():
    examples = dns_examples(FINNISH_DNS, "fi", 6, 2)
    (suggestion,) = suggest_phrases(examples, CATALOGUE)
    before = ServiceMatcher(CATALOGUE)
    dns = next(e for e in CATALOGUE if e.code == "hosting.dns")
    learned = ServiceEntry(
        code=dns.code,
        names=dns.names,
        phrases={**dns.phrases, "fi": (*dns.phrases["fi"], suggestion.phrase)},
        everyday_words=dns.everyday_words,
    )
    after = ServiceMatcher(learned if e.code == dns.code else e for e in CATALOGUE)
    text = "Nimipalvelimen osoitemuutos tarvitaan huomiseksi"  # words not in any example
    assert before.recognise(text).service is None
    assert after.recognise(text).service == "hosting.dns"


def test_fewer_examples_than_the_minimum_suggest_nothing():
    assert suggest_phrases(dns_examples(FINNISH_DNS, "fi", 2, 2), CATALOGUE) == []
    assert suggest_phrases(dns_examples(FINNISH_DNS, "fi", 3, 2), CATALOGUE) != []


def test_one_customers_habit_is_no_phrase_of_the_service():
    """A signature or a domain that one customer writes on every ticket."""
    examples = dns_examples(FINNISH_DNS, "fi", 8, 1)
    assert suggest_phrases(examples, CATALOGUE) == []
    assert suggest_phrases(examples, CATALOGUE, min_sources=1) != []


def test_a_word_of_another_services_catalogue_entry_is_never_suggested():
    """Customers who write "palvelimelle" (to the server) with "nimipalvelin": the
    longer phrase would be preferred, but "palvelin" is a word of the availability
    service's phrase "palvelin ei vastaa", in any inflection."""
    texts = [
        "Nimipalvelin palvelimelle {who}",
        "uusi nimipalvelin palvelimelle {who}",
        "nimipalvelin palvelimelle nopeasti {who}",
    ]
    examples = dns_examples(texts, "fi", 9, 3)
    only_dns = tuple(e for e in CATALOGUE if e.code in ("hosting.dns", "billing.invoice"))
    with_availability = (*only_dns, *(e for e in CATALOGUE if e.code == "hosting.availability"))
    assert phrases(suggest_phrases(examples, only_dns)) == {
        ("hosting.dns", "fi"): ["nimipalvelin palvelimelle"]
    }
    assert phrases(suggest_phrases(examples, with_availability)) == {
        ("hosting.dns", "fi"): ["nimipalvelin"]
    }


def test_words_frequent_in_another_services_examples_are_not_suggested():
    """ "Zone flip" written on tickets of two services says nothing about either."""
    dns = dns_examples(ENGLISH_DNS, "en", 8, 2)
    mail = [
        Example("hosting.email", "en", f"After the zone flip our mail is gone, {n}", f"m{n}")
        for n in range(3)
    ]
    assert phrases(suggest_phrases(dns, CATALOGUE)) == {("hosting.dns", "en"): ["zone flip"]}
    assert suggest_phrases(dns + mail, CATALOGUE) == []


def test_a_phrase_that_would_turn_another_services_ticket_into_this_one_is_refused():
    """Collision found only by the proof: one ticket of the mail service has the word
    and would be read as DNS with it."""
    dns = dns_examples(ENGLISH_DNS, "en", 8, 2)
    mail = [Example("hosting.email", "en", "zone flip", "m1")]
    assert suggest_phrases(dns + mail, CATALOGUE) == []


def test_decided_phrases_are_not_suggested_again_in_any_inflection():
    examples = dns_examples(FINNISH_DNS, "fi", 10, 3)
    (first,) = suggest_phrases(examples, CATALOGUE)
    decided = {("hosting.dns", "fi", first.key)}
    assert all(
        s.phrase != first.phrase for s in suggest_phrases(examples, CATALOGUE, decided=decided)
    )
    by_other_form = {("hosting.dns", "fi", root_of("nimipalvelimen", "fi"))}
    assert first.phrase not in {
        s.phrase for s in suggest_phrases(examples, CATALOGUE, decided=by_other_form)
    }


def test_words_the_catalogue_counts_already_and_recognised_examples_teach_nothing():
    recognised = [
        Example("hosting.dns", "en", f"Please add a TXT record for {n}.example", f"c{n % 2}")
        for n in range(6)
    ]
    assert suggest_phrases(recognised, CATALOGUE) == []


def test_the_work_is_bounded():
    examples = dns_examples(FINNISH_DNS, "fi", 10, 3)
    assert suggest_phrases(examples, CATALOGUE, max_proofs=0) == []


@pytest.mark.parametrize("language", ["ru", "lv"])
def test_cyrillic_and_latvian_words_are_learned_too(language):
    texts = {
        "ru": [
            "Нужно переключить нсы для {who}",
            "Переключите нсы пожалуйста, {who}",
            "переключить нсы {who}",
        ],
        "lv": [
            "Lūdzu pārslēdziet nosaukumserverus {who}",
            "nosaukumserveru pārslēgšana {who}",
            "Jāpārslēdz nosaukumserveri {who}",
        ],
    }[language]
    found = suggest_phrases(dns_examples(texts, language, 6, 2), CATALOGUE)
    assert [s.service for s in found] == ["hosting.dns"]
    assert found[0].recognised >= 3


@pytest.mark.parametrize(
    "mail_text",
    [
        "zone flip",  # the same words
        "Zone flipping",  # an inflection
        "zone fliip",  # a typo the recogniser forgives
        "zoneflip",  # written together
    ],
)
def test_the_proof_sees_every_way_the_recogniser_could_read_the_phrase(mail_text):
    dns = dns_examples(ENGLISH_DNS, "en", 8, 2)
    mail = [Example("hosting.email", "en", mail_text, "m1")]
    learned = ServiceMatcher(
        ServiceEntry(e.code, e.names, {**e.phrases, "en": (*e.phrases["en"], "zone flip")})
        if e.code == "hosting.dns"
        else e
        for e in CATALOGUE
    )
    if learned.recognise(mail_text).service == "hosting.dns":
        assert suggest_phrases(dns + mail, CATALOGUE) == []
    else:  # not read as the phrase: no collision, the phrase stands
        assert phrases(suggest_phrases(dns + mail, CATALOGUE)) == {
            ("hosting.dns", "en"): ["zone flip"]
        }
