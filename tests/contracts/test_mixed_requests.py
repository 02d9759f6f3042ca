"""Mixed requests (tests/contracts/realistic_mixed.py) split into their parts.

Scored as a whole, like the realistic table: a decision is right when its parts
are the expected services with the expected verdicts, a safe miss when it goes to
a technician (`needs_review`), and confidently wrong otherwise, which must never
happen.

    .venv/bin/pytest tests/contracts/test_mixed_requests.py -s   # prints the scores
"""

from __future__ import annotations

from collections import Counter

import pytest

from contracts.engine.parts import segments
from contracts.engine.scope import PART_ORDER, Catalogue, Decision, ScopeRequest, Usage, decide
from contracts.engine.terms import Verdict
from contracts.selectors import customer_terms, service_catalogue
from tests.contracts.realistic_mixed import MIXED_ROWS, MixedRow
from tests.contracts.test_realistic_requests import CUSTOMER_OF, MOMENTS, SARA

MIN_RIGHT = 16


@pytest.fixture
def customers(northwind, volga, daugava):
    return {c.slug: customer_terms(c) for c in (northwind, volga, daugava)}


def _decide(customers, row: MixedRow | None = None, **request) -> Decision:
    sender = row.sender if row else request.pop("email", SARA)
    slug = CUSTOMER_OF[sender.split("@")[1]]
    if row is not None:
        request = {"subject": row.subject, "text": row.text}
    return decide(
        customer=customers[slug],
        request=ScopeRequest(email=sender, **request),
        usage=Usage(),
        at=MOMENTS[slug],
        catalogue=Catalogue(service_catalogue()),
    )


def _got(decision: Decision) -> tuple[tuple[str, Verdict], ...]:
    return tuple((part.service, part.verdict) for part in decision.parts)


def test_the_mixed_table_holds_five_requests_in_every_language():
    per_language = Counter(row.language for row in MIXED_ROWS)
    assert per_language == {"en": 5, "ru": 5, "fi": 5, "lv": 5}
    assert {row.kind for row in MIXED_ROWS} == {"mixed"}
    assert all(len({v for _, v in row.parts}) >= 2 for row in MIXED_ROWS)


def test_mixed_requests_are_split_into_the_parts_a_lead_would_make(customers):
    decided = [(row, _decide(customers, row)) for row in MIXED_ROWS]
    right = [row for row, d in decided if _got(d) == row.parts]
    review = [row for row, d in decided if d.verdict is Verdict.NEEDS_REVIEW]
    wrong = [
        (row.subject, d.verdict, d.service, _got(d))
        for row, d in decided
        if d.verdict is not Verdict.NEEDS_REVIEW and _got(d) != row.parts
    ]
    print(
        f"\nmixed: {len(right)}/{len(decided)} right, {len(review)} to review, {len(wrong)} wrong"
    )
    for row, d in decided:
        if _got(d) != row.parts:
            print(f"  [{row.language}] {row.subject!r}: {d.verdict} {d.service} {_got(d)}")
    assert wrong == []
    assert len(right) >= MIN_RIGHT


def test_the_decision_follows_its_most_urgent_part(customers):
    for row in MIXED_ROWS:
        decision = _decide(customers, row)
        if not decision.parts:
            continue
        lead = min(decision.parts, key=lambda part: PART_ORDER.index(part.verdict))
        assert (decision.verdict, decision.service) == (lead.verdict, lead.service)
        assert decision.clause == lead.clause
        assert decision.offer == lead.offer


def test_each_part_has_its_own_clause_and_offer(customers):
    decision = _decide(
        customers,
        text="Our e-mail is not working since the morning. "
        "And also, please install the Yoast plugin.",
    )
    mail, plugin = decision.parts
    assert (mail.service, mail.verdict, mail.offer) == ("hosting.email", Verdict.IN_SCOPE, None)
    assert mail.clause.service == "hosting.email"
    assert (plugin.service, plugin.verdict) == ("web.cms_plugins", Verdict.PAID_OPTION)
    assert plugin.offer is not None and (plugin.offer.amount, plugin.offer.currency) == (60, "EUR")
    assert decision.verdict is Verdict.IN_SCOPE and decision.offer is None


@pytest.mark.parametrize(
    "text",
    [
        # One request in two sentences: nothing to split.
        "Our e-mail is not working. Nobody in the office receives anything.",
        # Two services covered alike: one answer fits both.
        "Our e-mail is not working. Also the SSL certificate has expired.",
        # The second request names no service clearly: a technician decides.
        "Our e-mail is not working. Also could you look at the thing from the last call?",
    ],
)
def test_a_text_that_is_not_confidently_mixed_has_no_parts(customers, text):
    assert _decide(customers, text=text).parts == ()


def test_a_technicians_service_is_never_split(customers):
    text = "Our e-mail is not working. And also, please install the Yoast plugin."
    decision = _decide(customers, text=text, service="hosting.email", service_confirmed=True)
    assert decision.parts == ()
    assert decision.verdict is Verdict.IN_SCOPE


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("Mail is down. Also install a plugin", ["Mail is down", "install a plugin"]),
        ("Почта не работает, а также поставьте плагин", ["Почта не работает", "поставьте плагин"]),
        ("Posti ei toimi, lisäksi asentakaa lisäosa", ["Posti ei toimi", "asentakaa lisäosa"]),
        (
            "Vietne nedarbojas, turklāt uzstādiet spraudni",
            ["Vietne nedarbojas", "uzstādiet spraudni"],
        ),
        ("Point mail.example.com to us", ["Point mail.example.com to us"]),
    ],
)
def test_a_text_is_cut_at_sentence_ends_and_joining_words(text, pieces):
    assert segments(text) == pieces
