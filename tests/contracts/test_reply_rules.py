"""How the automatic replies sound, rule by rule, in English, Russian, Finnish and
Latvian: a native greeting, outages first with empathy, a real time and one
question for a request we must look at, and local formats.

Decisions come from the real engine and the example contracts; the checks are on
the parts that carry the meaning (the greeting's form, the moment formatted, the
question), not on whole texts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from contracts.engine.scope import Catalogue, Decision, ScopeRequest, Usage, decide
from contracts.engine.terms import Duration, Price, Pricing, Verdict
from contracts.greetings import greeting, latvian_vocative
from contracts.replies import PLACEHOLDERS, format_money, incidents_page, render_reply
from contracts.selectors import customer_terms_by_slug, service_catalogue
from tickets.portal import words

LANGUAGES = ["en", "ru", "fi", "lv"]
HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
MONDAY_0759 = datetime(2026, 11, 23, 7, 59, tzinfo=HELSINKI)
SATURDAY_22 = datetime(2026, 11, 21, 22, 0, tzinfo=HELSINKI)
AINO = "aino@northwind.example"

# A reader of each language, with a name of that language.
READERS = {"en": "Sara Berg", "ru": "Анна Смирнова", "fi": "Aino Virtanen", "lv": "Jānis Bērziņš"}
GREETINGS = {
    "en": "Hello Sara,",
    "ru": "Здравствуйте, Анна!",
    "fi": "Hei Aino,",
    "lv": "Labdien, Jāni!",
}


@pytest.fixture
def desk(northwind, volga, daugava) -> Catalogue:
    return Catalogue(service_catalogue())


def decision_for(
    desk: Catalogue,
    language: str,
    *,
    text: str = "Emails to our mailbox are not arriving since yesterday.",
    at: datetime = MONDAY_10,
    priority: str = "normal",
    customer: str = "northwind",
    email: str = AINO,
) -> Decision:
    decision = decide(
        customer=customer_terms_by_slug(customer),
        request=ScopeRequest(email=email, text=text, priority=priority),
        usage=Usage(),
        at=at,
        catalogue=desk,
    )
    contact = decision.contact and replace(
        decision.contact, language=language, name=READERS[language]
    )
    return replace(decision, language=language, contact=contact)


def reply(desk: Catalogue, decision: Decision, at: datetime = MONDAY_10) -> str:
    return render_reply(decision, at=at, catalogue=desk).text


def in_language(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


# --- 1. greetings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "vocative"),
    [
        ("Jānis", "Jāni"),
        ("Andris", "Andri"),
        ("Pēteris", "Pēteri"),
        ("Edgars", "Edgar"),
        ("Mikus", "Miku"),
        ("Krišjānis", "Krišjāni"),
        ("Anna", "Anna"),
        ("Līga", "Līga"),
        ("Alise", "Alise"),
        ("Aino", None),  # a Finnish name: no Latvian form to be sure of
        ("Иван", None),
        ("", None),
    ],
)
def test_latvian_first_names_take_the_vocative(name, vocative):
    assert latvian_vocative(name) == vocative


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "Sara Berg", "Hello Sara,"),
        ("en", "", "Hello,"),
        ("ru", "Анна Смирнова", "Здравствуйте, Анна!"),
        ("ru", "", "Здравствуйте!"),
        ("fi", "Sara Berg", "Hei Sara,"),
        ("fi", "", "Hei,"),
        ("lv", "Jānis Bērziņš", "Labdien, Jāni!"),
        ("lv", "Līga Ozola", "Labdien, Līga!"),
        ("lv", "Aino Virtanen", "Labdien!"),  # a name the rules do not know: none
        ("lv", "", "Labdien!"),
        # No first name to be had: greeted without one.
        ("en", "sara@northwind.example", "Hello,"),
        ("fi", "Dr. Virtanen", "Hei,"),
    ],
)
def test_the_greeting_uses_the_first_name_as_a_native_speaker_writes_it(language, name, expected):
    assert greeting(name, language) == expected


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("verdict_text", ["Please install the WooCommerce plugin.", None])
def test_every_reply_opens_with_the_native_greeting(desk, language, verdict_text):
    decision = decision_for(desk, language, **({"text": verdict_text} if verdict_text else {}))
    text = reply(desk, decision)
    assert text.startswith(GREETINGS[language] + "\n\n")
    assert READERS[language] not in text  # the first name only


def test_greeting_is_a_placeholder_admins_may_use_beside_name(desk):
    assert {"greeting", "name"} <= PLACEHOLDERS
    own = {("in_scope", "fi"): "{greeting} Hoidamme tämän ({name}).\n\n{signature}"}
    decision = decision_for(desk, "fi")
    text = render_reply(decision, at=MONDAY_10, catalogue=desk, wordings=own).text
    assert text.startswith("Hei Aino, Hoidamme tämän (Aino Virtanen).")


# --- 2. outages first, with empathy ------------------------------------------------------

NOTHING_TO_PAY = "Good news: this is covered by your contract, so there is nothing extra to pay."
ON_IT = {"en": "We are on it", "ru": "Мы уже занимаемся этим", "fi": "Olemme asian kimpussa"}
ON_IT["lv"] = "Mēs jau pie tā strādājam"
URGENT_TARGET = {"en": "30 minutes", "ru": "30 минут", "fi": "30 minuuttia", "lv": "30 minūtes"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_covered_outage_gets_we_are_on_it_and_the_promised_time(desk, language):
    decision = decision_for(desk, language, text="Our site is down!", priority="urgent")
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, "hosting.availability")
    text = reply(desk, decision)
    assert ON_IT[language] in text
    assert URGENT_TARGET[language] in text
    with translation.override(language):
        sentence = words.verdict_sentence("in_scope", outage=True)
        assert translation.gettext(NOTHING_TO_PAY) not in sentence
        assert ON_IT[language] in sentence
        assert ON_IT[language] in words.part_sentence("in_scope", outage=True)
        # Other covered work keeps its own sentence.
        assert words.verdict_sentence("in_scope") == translation.gettext(NOTHING_TO_PAY)


# Monday opening at 8:00 and the urgent answer 30 minutes later, as each language writes them.
OPENS = {"en": "at 08:00", "ru": "в 8:00", "fi": "klo 8.00", "lv": "plkst. 08:00"}
ANSWER_BY = {
    "en": "no later than Monday, 23 November 2026 at 08:30",
    "ru": "в понедельник, 23 ноября 2026 г., не позднее 8:30",
    "fi": "viimeistään maanantaina 23. marraskuuta 2026 klo 8.30",
    "lv": "ne vēlāk kā plkst. 08:30 (pirmdien, 2026. gada 23. novembrī)",
}
NO_ROUND_THE_CLOCK = "Your contract does not include round-the-clock support for this"


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_urgent_outage_outside_hours_says_when_and_what_the_customer_can_do_now(desk, language):
    decision = decision_for(
        desk,
        language,
        text="Emails to our mailbox are not arriving, orders are stuck!",
        at=MONDAY_0759,
        priority="urgent",
    )
    assert decision.verdict is Verdict.OUTSIDE_HOURS
    text = reply(desk, decision, at=MONDAY_0759)
    assert OPENS[language] in text
    assert ANSWER_BY[language] in text
    # No emergency price in the contract, so none is offered; the honest limit
    # and what can be done now are.
    assert decision.offer is None
    assert "EUR" not in text
    assert incidents_page() in text
    assert NO_24_7[language] in text

    # With one, the same wait and answer, and paid on-call work now beside them.
    on_call = Price(Pricing.HOURLY, Decimal("1180.00"), Duration(1, "h"))
    customer = decision.customer
    assert customer is not None
    customer = replace(
        customer, contracts=tuple(replace(c, emergency=on_call) for c in customer.contracts)
    )
    offered = decide(
        customer=customer,
        request=ScopeRequest(
            email=AINO,
            text="Emails to our mailbox are not arriving, orders are stuck!",
            priority="urgent",
        ),
        usage=Usage(),
        at=MONDAY_0759,
        catalogue=desk,
    )
    contact = offered.contact and replace(
        offered.contact, language=language, name=READERS[language]
    )
    offered = replace(offered, language=language, contact=contact)
    assert offered.verdict is Verdict.OUTSIDE_HOURS and offered.offer is not None
    text = reply(desk, offered, at=MONDAY_0759)
    assert OPENS[language] in text and ANSWER_BY[language] in text
    with translation.override(language):
        price = format_money(Decimal("1180.00"), "EUR")
    assert price in text  # in the reader's number format: "1 180,00 EUR"
    assert ON_CALL[language] in text and NOTHING_CHARGED[language] in text
    assert NO_24_7[language] not in text  # it can be sooner now, at a price
    assert "{" not in text and "emergency" not in text and "on_call" not in text


NO_24_7 = {
    "en": NO_ROUND_THE_CLOCK,
    "ru": "Круглосуточная поддержка для этого в ваш договор не входит",
    "fi": "Sopimukseenne ei sisälly tähän ympärivuorokautista tukea",
    "lv": "Diennakts atbalsts šim pakalpojumam Jūsu līgumā nav iekļauts",
}
ON_CALL = {
    "en": "our on-call technician can start on it now",
    "ru": "дежурный специалист может взяться за дело прямо сейчас",
    "fi": "päivystävä tukihenkilömme voi aloittaa heti",
    "lv": "mūsu dežurējošais speciālists var ķerties pie darba jau tagad",
}
NOTHING_CHARGED = {
    "en": "nothing is charged unless you accept",
    "ru": "без вашего согласия мы ничего не начисляем",
    "fi": "mitään ei laskuteta, ellette hyväksy",
    "lv": "bez Jūsu piekrišanas mēs neko neiekasējam",
}


# --- 3. needs_review: a real time and one question -------------------------------------

REVIEW_BY = {
    MONDAY_10: {
        "en": "no later than Monday, 23 November 2026 at 18:00",
        "ru": "в понедельник, 23 ноября 2026 г., не позднее 18:00",
        "fi": "viimeistään maanantaina 23. marraskuuta 2026 klo 18.00",
        "lv": "ne vēlāk kā plkst. 18:00 (pirmdien, 2026. gada 23. novembrī)",
    },
    # Saturday night: the 8 working hours start on Monday at 8:00.
    SATURDAY_22: {
        "en": "no later than Monday, 23 November 2026 at 16:00",
        "ru": "в понедельник, 23 ноября 2026 г., не позднее 16:00",
        "fi": "viimeistään maanantaina 23. marraskuuta 2026 klo 16.00",
        "lv": "ne vēlāk kā plkst. 16:00 (pirmdien, 2026. gada 23. novembrī)",
    },
}
QUESTION = {
    "en": "which site or address is affected, and what exactly do you see",
    "ru": "какой сайт или адрес затронут и что именно вы видите",
    "fi": "mitä sivustoa tai osoitetta asia koskee, ja mitä näette tarkalleen",
    "lv": "kuru vietni vai adresi tas skar, un ko tieši Jūs redzat",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("at", [MONDAY_10, SATURDAY_22], ids=["monday", "saturday-night"])
def test_a_request_to_look_at_gives_the_time_a_person_answers_and_asks_one_question(
    desk, language, at
):
    decision = decision_for(desk, language, text="help!!! nothing works", at=at)
    assert decision.verdict is Verdict.NEEDS_REVIEW
    text = reply(desk, decision, at=at)
    assert REVIEW_BY[at][language] in text
    assert QUESTION[language] in text
    assert text.count("?") == 1
    for contract_speak in ("right part of your contract", "soon"):
        assert contract_speak not in text


# --- 6. local formats --------------------------------------------------------------------

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "4,000.00 RUB"),
        ("ru", f"4{NBSP}000,00 RUB"),
        ("fi", f"4{NBSP}000,00 RUB"),
        ("lv", f"4{NBSP}000,00 RUB"),
    ],
)
def test_money_is_grouped_by_thousands_as_each_language_writes_it(language, expected):
    with translation.override(language):
        assert format_money(Decimal("4000"), "RUB") == expected


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_russian_customers_price_reads_in_local_format(desk, language):
    decision = decision_for(
        desk,
        language,
        text="Please install the WooCommerce plugin on our WordPress.",
        customer="volga-media",
        email="olga@volga-media.example",
    )
    assert decision.verdict is Verdict.PAID_OPTION
    with translation.override(language):
        price = format_money(Decimal("4000"), "RUB")
    assert price in reply(desk, decision)


# --- every verdict: the door left open, no field names ------------------------------------

FIELD_NAMES = ("needs_review", "paid_option", "over_allowance", "in_scope", "{", "%(")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "text",
    [
        "Emails to our mailbox are not arriving since yesterday.",
        "Could you improve our Google ranking with some SEO work?",
        "There is a PHP fatal error in my custom script.",
        "help!!! nothing works",
    ],
)
def test_no_reply_shows_a_field_name_and_each_leaves_the_door_open(desk, language, text):
    body = reply(desk, decision_for(desk, language, text=text))
    for name in FIELD_NAMES:
        assert name not in body
    door = {"en": "reply", "ru": "ответьте", "fi": "vastatkaa", "lv": "atbildiet"}
    write = {"en": "write", "ru": "напишите", "fi": "kirjoittakaa", "lv": "uzrakstiet"}
    assert door[language] in body.lower() or write[language] in body.lower()


PORTAL_QUESTION = {
    "en": "Which site or address is affected, and what do you see?",
    "ru": "Какой сайт или адрес затронут и что вы видите?",
    "fi": "Mitä sivustoa tai osoitetta asia koskee, ja mitä näette?",
    "lv": "Kuru vietni vai adresi tas skar, un ko Jūs redzat?",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_portal_card_of_a_request_to_look_at_asks_the_same_question(language):
    with translation.override(language):
        sentence = words.verdict_sentence("needs_review")
    assert PORTAL_QUESTION[language] in sentence
    assert "contract" not in sentence
