"""Long runs of letters: what a customer pastes (a hex dump, a key, a held-down key)
is decided as fast as a sentence, and recognition of real words is unchanged.

Finding the catalogue words inside a word once tried every part of it: a body of
2,000 letters without a space took seconds, one of 20,000 (the form's limit)
minutes of a worker's CPU.
"""

from __future__ import annotations

import random
import string
import time
from datetime import UTC, datetime

import pytest

from contracts.engine import matching
from contracts.engine.scope import Catalogue, ScopeRequest, Usage, decide
from contracts.engine.terms import Verdict
from contracts.selectors import customer_terms_by_slug, service_catalogue

SARA = "sara@northwind.example"
MONDAY_10 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # inside Northwind's support hours
BUDGET = 1.0  # CPU seconds per decision: generous, since a sentence takes a millisecond
FORM_LIMIT = 20_000  # the portal form's limit on a body
PLUGIN_REQUEST = "Please install the WooCommerce plugin on our WordPress."

_rng = random.Random(8)


def _medium_words(length: int) -> str:
    """Random words of ``length`` letters, spaces between them, up to the form's limit."""
    count = FORM_LIMIT // (length + 1)
    return " ".join("".join(_rng.choices(string.ascii_lowercase, k=length)) for _ in range(count))


JUNK = {
    "one letter held down": "A" * FORM_LIMIT,
    "random letters": "".join(_rng.choices(string.ascii_letters, k=FORM_LIMIT)),
    "random Cyrillic letters": "".join(
        _rng.choices("абвгдежзийклмнопрстуфхцчшщыьэюя", k=FORM_LIMIT)
    ),
    "a hex dump": _rng.randbytes(FORM_LIMIT // 2).hex(),
    "many words just under the longest word": _medium_words(matching.LONGEST_WORD),
    "many words of twenty letters": _medium_words(20),
}
# Compounds that hold a catalogue word ("sähköposti", e-mail) among other letters.
_COMPOUND = "sähköposti{n}osoitteeseenkin{n}palvelin"
COMPOUNDS = " ".join(_COMPOUND.format(n=n) for n in range(FORM_LIMIT // 40))[:FORM_LIMIT]


@pytest.fixture
def scope_catalogue(catalogue) -> Catalogue:
    return Catalogue(service_catalogue())


def _decide(catalogue: Catalogue, text: str, subject: str = "Help"):
    customer = customer_terms_by_slug("northwind")
    request = ScopeRequest(email=SARA, text=text, subject=subject)
    started = time.process_time()
    decision = decide(
        customer=customer, request=request, usage=Usage(), at=MONDAY_10, catalogue=catalogue
    )
    return decision, time.process_time() - started


@pytest.mark.parametrize("body", JUNK.values(), ids=JUNK.keys())
def test_a_body_of_long_words_is_decided_within_a_second(northwind, scope_catalogue, body):
    assert FORM_LIMIT - 100 < len(body) <= FORM_LIMIT
    decision, spent = _decide(scope_catalogue, body, subject=body[:200])
    assert spent < BUDGET, f"{spent:.2f} s of CPU"
    assert decision.verdict is Verdict.NEEDS_REVIEW


def test_a_body_of_long_compounds_is_decided_within_a_second(northwind, scope_catalogue):
    decision, spent = _decide(scope_catalogue, COMPOUNDS)
    assert spent < BUDGET, f"{spent:.2f} s of CPU"
    assert (decision.service, decision.verdict) == ("hosting.email", Verdict.IN_SCOPE)


@pytest.mark.parametrize("junk", ["A" * FORM_LIMIT, _rng.randbytes(4_000).hex()])
def test_a_request_beside_a_pasted_blob_is_still_recognised(northwind, scope_catalogue, junk):
    decision, spent = _decide(scope_catalogue, f"{junk}\n\n{PLUGIN_REQUEST}\n\n{junk}")
    assert spent < BUDGET, f"{spent:.2f} s of CPU"
    assert (decision.service, decision.verdict) == ("web.cms_plugins", Verdict.PAID_OPTION)


def test_a_run_longer_than_any_word_is_left_out_and_a_long_compound_is_kept():
    compound = "lentokonesuihkuturbiinimoottoriapumekaanikkoaliupseerioppilas"
    assert len(compound) <= matching.LONGEST_WORD
    blob = "x" * (matching.LONGEST_WORD + 1)
    assert matching.words(f"{compound} {blob} plugin") == [compound, "plugin"]


def _every_part(word: str, skip: int, shortest: int) -> set[str]:
    """Every part of the word, as the matcher once tried them all."""
    return {
        word[start:end]
        for start in range(skip, len(word) - shortest + 1)
        for end in range(start + shortest, len(word) + 1)
    }


def test_the_parts_found_inside_a_word_are_those_that_trying_every_part_finds():
    known = ["домен", "skript", "sahkoposti", "wordpress", "plugin", "abcde", "abcdefgh", "ab"]
    parts = matching._Parts(known, shortest=5)
    rng = random.Random(3)
    words = [
        "поддомен",
        "tuontiskriptimme",
        "sahkopostiosoitteeseen",
        "mywordpresspluginabcdefghabcde",
        "abcdabcdeabcdefghabcdefg",
        *("".join(rng.choices("abcdeghiklnoprstw", k=rng.randrange(1, 40))) for _ in range(500)),
    ]
    for word in words:
        for skip in (0, 2, 3):
            expected = _every_part(word, skip, 5) & set(known)
            assert set(parts.within(word, skip)) == expected, (word, skip)
