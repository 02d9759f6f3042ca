"""The automatic replies: every verdict, in English, Russian, Finnish and Latvian.

Decisions come from the real scope engine and the example customers; each is then
rendered in all four languages, so a missing or broken translation shows up as a
reply in the wrong language or with a placeholder left in it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.utils import translation

from contracts.engine.scope import Catalogue, Decision, ScopeRequest, Usage, decide
from contracts.engine.terms import Duration, Verdict
from contracts.greetings import greeting
from contracts.models import Contract, ReplyWording
from contracts.replies import Reply, format_duration, render_reply
from contracts.selectors import (
    ScopePreview,
    customer_terms_by_slug,
    reply_wordings,
    service_catalogue,
)

LOCALE = Path(settings.LOCALE_PATHS[0])
LANGUAGES = ["en", "ru", "fi", "lv"]
TRANSLATED = ["ru", "fi", "lv"]

# Monday 23 November 2026, 10:00 in Helsinki: within Northwind's contract and support
# hours, and eleven months after Daugava's contract ended.
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
MONDAY_0759 = datetime(2026, 11, 23, 7, 59, tzinfo=ZoneInfo("Europe/Helsinki"))
# Two weeks before Daugava's contract starts.
BEFORE_DAUGAVA = datetime(2024, 12, 16, 10, 0, tzinfo=ZoneInfo("Europe/Riga"))
AINO = "aino@northwind.example"
SARA = "sara@northwind.example"

# Words that only a reply in that language has: the greeting and the thanks.
GREETING = {"en": "Hello", "ru": "Здравствуйте", "fi": "Hei", "lv": "Labdien"}
THANKS = {"en": "thank you", "ru": "Спасибо", "fi": "kiitos", "lv": "Paldies"}
SIGNATURE = {
    "en": "Your support team",
    "ru": "Команда поддержки",
    "fi": "Tukitiimi",
    "lv": "Jūsu atbalsta komanda",
}
# The brush-off that the desk exists to avoid, in every language.
READ_YOUR_CONTRACT = [
    "read your contract",
    "see your contract",
    "прочитайте договор",
    "прочитайте ваш договор",
    "читайте договор",
    "смотрите договор",
    "lukekaa sopimus",
    "lue sopimus",
    "katso sopimus",
    "izlasiet līgumu",
    "lasiet līgumu",
    "skatiet līgumu",
]

# How the example figures read in each language.
HOURLY_RATE = {"en": "90.00 EUR", "ru": "90,00 EUR", "fi": "90,00 EUR", "lv": "90,00 EUR"}
PER_HOUR = {"en": "per hour", "ru": "в час", "fi": "tunnilta", "lv": "stundā"}
TWO_HOURS = {"en": "2 hours", "ru": "2 часа", "fi": "2 tuntia", "lv": "2 stundas"}
ESTIMATED_TOTAL = {"en": "180.00 EUR", "ru": "180,00 EUR", "fi": "180,00 EUR", "lv": "180,00 EUR"}
FIXED_PRICE = {"en": "60.00 EUR", "ru": "60,00 EUR", "fi": "60,00 EUR", "lv": "60,00 EUR"}
DAUGAVA_RATE = {"en": "70.00 EUR", "ru": "70,00 EUR", "fi": "70,00 EUR", "lv": "70,00 EUR"}
RENEWAL_PRICE = {
    "en": "150.00 EUR a month for 12 months",
    "ru": "150,00 EUR в месяц на 12 месяцев",
    "fi": "150,00 EUR kuukaudessa 12 kuukauden ajan",
    "lv": "150,00 EUR mēnesī uz 12 mēnešiem",
}
ONE_CLICK = {
    "en": "one click",
    "ru": "одним нажатием",
    "fi": "yhdellä napsautuksella",
    "lv": "ar vienu klikšķi",
}
JUST_REPLY = {
    "en": "just reply and a technician will tell you what we can do",
    "ru": "просто ответьте на это письмо, и технический специалист скажет",
    "fi": "vastatkaa vain tähän viestiin, niin teknikko kertoo",
    "lv": "vienkārši atbildiet uz šo ziņu, un mūsu speciālists pastāstīs",
}
DAUGAVA_ENDED = {
    "en": "31 December 2025",
    "ru": "31 декабря 2025 г.",
    "fi": "31. joulukuuta 2025",
    "lv": "2025. gada 31. decembris",
}
NEXT_MONTH = {
    "en": "1 December 2026",
    "ru": "1 декабря 2026 г.",
    "fi": "1. joulukuuta 2026",
    "lv": "2026. gada 1. decembris",
}
DAUGAVA_STARTS = {
    "en": "1 January 2025",
    "ru": "1 января 2025 г.",
    "fi": "1. tammikuuta 2025",
    "lv": "2025. gada 1. janvāris",
}
OPENING_DAY = {
    "en": "23 November 2026",
    "ru": "23 ноября 2026 г.",
    "fi": "23. marraskuuta 2026",
    "lv": "2026. gada 23. novembrī",  # "on": the locative
}
# Russian writes the weekday in lower case mid-sentence.
MONDAY = {"en": "Monday", "ru": "понедельник", "fi": "maanantai", "lv": "pirmdien,"}
# The opening time in each language's TIME_FORMAT.
EIGHT_AM = {"en": "at 08:00", "ru": "в 8:00", "fi": "klo 8.00", "lv": "plkst. 08:00"}
HALF_PAST_EIGHT = {"en": "at 08:30", "ru": "8:30", "fi": "klo 8.30", "lv": "plkst. 08:30"}
EIGHT_WORKING_HOURS = {
    "en": "8 working hours",
    "ru": "8 рабочих часов",
    "fi": "8 työtuntia",
    "lv": "8 darba stundas",
}
ONE_WORKING_DAY = {
    "en": "1 working day",
    "ru": "1 рабочий день",
    "fi": "1 työpäivä",
    "lv": "1 darba diena",
}
TEN_TICKETS = {
    "en": "all 10 included tickets have been used",
    "ru": "уже использованы все 10 включённых в договор обращений",
    "fi": "kaikki 10 sopimukseen sisältyvää tukipyyntöä on jo käytetty",
    "lv": "jau izmantoti visi 10 līgumā iekļautie pieteikumi",
}
TWO_RESTORES = {
    "en": "the 2 requests of this kind included in your plan have been used",
    "ru": "уже использованы все 2 включённых в ваш тариф запроса такого рода",
    "fi": "kaikki 2 palvelupakettiinne sisältyvää tällaista pyyntöä on jo käytetty",
    "lv": "jau izmantoti visi 2 Jūsu plānā iekļautie šāda veida pieprasījumi",
}

# Northwind's clauses are written in English and Finnish. A reader of Russian or
# Latvian gets the customer's language, Finnish, with a note saying so.
SEO_TEXT = {"en": "Search engine optimisation and link building.", "fi": "Hakukoneoptimointi"}
SEO_ADVICE = {
    "en": "We are glad to recommend SEO agencies we have worked with.",
    "fi": "Suosittelemme mielellämme hakukoneoptimointiin erikoistuneita toimistoja",
}
DEBUGGING_TEXT = {
    "en": "Finding and fixing faults in your own site's code.",
    "fi": "Sivustonne oman koodin vikojen etsiminen ja korjaaminen.",
}
PLUGINS_TEXT = {
    "en": "Installing or updating CMS plugins and themes.",
    "fi": "Julkaisujärjestelmän lisäosien ja teemojen asennus tai päivitys.",
}
MAIL_TEXT = {
    "en": "Setting up mailboxes and fixing mail delivery on our servers.",
    "fi": "Sähköpostilaatikoiden perustaminen ja postin kulun korjaaminen palvelimillamme.",
}


def northwind_words(wording: dict[str, str], language: str) -> str:
    return wording["en"] if language == "en" else wording["fi"]


@pytest.fixture
def desk(northwind, volga, daugava) -> Catalogue:
    """The example customers in the database and the service catalogue."""
    return Catalogue(service_catalogue())


def decision_for(
    desk: Catalogue,
    *,
    customer: str = "northwind",
    email: str = AINO,
    text: str = "Emails to our mailbox are not arriving since yesterday.",
    service: str | None = None,
    usage: Usage | None = None,
    at: datetime = MONDAY_10,
    priority: str = "normal",
) -> Decision:
    return decide(
        customer=customer_terms_by_slug(customer),
        request=ScopeRequest(email=email, text=text, service=service, priority=priority),
        usage=usage or Usage(),
        at=at,
        catalogue=desk,
    )


def in_language(decision: Decision, language: str) -> Decision:
    """The same decision for a contact who reads this language."""
    contact = replace(decision.contact, language=language) if decision.contact else None
    return replace(decision, language=language, contact=contact)


def reply_in(
    desk: Catalogue, decision: Decision, language: str, *, at: datetime = MONDAY_10, **kwargs
) -> str:
    reply = render_reply(in_language(decision, language), at=at, catalogue=desk, **kwargs)
    assert reply.language == language
    return reply.text


def assert_reads_well(desk: Catalogue, decision: Decision, language: str, text: str) -> None:
    """In the language asked for, every placeholder filled, and no brush-off."""
    assert text.startswith(GREETING[language])
    # The contact's first name in the form the language addresses people with.
    name = decision.contact.name if decision.contact else ""
    assert text.startswith(greeting(name, language) + "\n\n")
    assert THANKS[language].lower() in text.lower()
    assert text.endswith(SIGNATURE[language])
    assert "{" not in text and "}" not in text
    assert "%(" not in text
    assert not re.search(r"\s[,.:;]", text), "an empty placeholder leaves a gap"
    for phrase in READ_YOUR_CONTRACT:
        assert phrase not in text.lower()
    if language != "en":
        english = reply_in(desk, decision, "en")
        assert text != english
        for word in ("hello", "thank you", "contract", "kind regards", "technician"):
            assert word not in text.lower()


VERDICT_CASES = {
    Verdict.NOT_AUTHORIZED: {"email": "stranger@example.com"},
    Verdict.NO_CONTRACT: {"customer": "daugava", "email": "janis@daugava.example"},
    Verdict.NEEDS_REVIEW: {"text": "Hello, could someone call me back tomorrow?"},
    Verdict.OUT_OF_SCOPE: {"text": "Could you improve our Google ranking with some SEO work?"},
    Verdict.PAID_OPTION: {"text": "There is a PHP fatal error in my custom script, please fix."},
    Verdict.OVER_ALLOWANCE: {"usage": Usage(tickets_used=10)},
    Verdict.OUTSIDE_HOURS: {"at": MONDAY_0759},
    Verdict.IN_SCOPE: {},
}


def test_the_cases_cover_every_verdict():
    assert set(VERDICT_CASES) == set(Verdict)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("verdict", list(Verdict))
def test_every_verdict_reads_well_in_every_language(desk, verdict, language):
    case = VERDICT_CASES[verdict]
    decision = decision_for(desk, **case)
    assert decision.verdict is verdict
    text = reply_in(desk, decision, language, at=case.get("at", MONDAY_10))
    assert_reads_well(desk, decision, language, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_stranger_is_told_who_can_open_tickets(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.NOT_AUTHORIZED])
    text = reply_in(desk, decision, language)
    assert "Aino Virtanen" in text  # Northwind's manager
    assert "Northwind Webshop Oy" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_ended_contract_is_named_with_its_last_day_and_its_renewal_price(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.NO_CONTRACT])
    text = reply_in(desk, decision, language)
    assert "CARE-2025-077" in text
    assert DAUGAVA_ENDED[language] in text
    assert RENEWAL_PRICE[language] in text  # the monthly fee, for the contract's own year
    assert PER_HOUR[language] not in text  # no second, hourly offer beside it


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_ended_contract_offers_its_renewal_with_one_click(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.NO_CONTRACT])
    assert decision.offer is not None and decision.offer.term_months == 12
    text = reply_in(desk, decision, language)
    with translation.override(language):
        # Offered with an Accept button: never "just tell us" beside it.
        old_promise = translation.gettext(
            "We would also be glad to renew your contract: just tell us, and we will go "
            "through it with you."
        )
    assert old_promise not in text
    assert ONE_CLICK[language] in text
    assert JUST_REPLY[language] in text  # urgent work meanwhile: a reply, not an offer


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_ended_contract_without_a_fee_keeps_the_one_off_rate(desk, language):
    Contract.objects.filter(reference="CARE-2025-077").update(monthly_fee=0)
    decision = decision_for(desk, **VERDICT_CASES[Verdict.NO_CONTRACT])
    assert decision.offer is not None and decision.offer.term_months is None
    text = reply_in(desk, decision, language)
    assert_reads_well(desk, decision, language, text)
    assert f"{DAUGAVA_RATE[language]} {PER_HOUR[language]}" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_contract_not_started_yet_names_its_first_day_and_helps_as_paid_work(desk, language):
    decision = decision_for(
        desk, customer="daugava", email="janis@daugava.example", at=BEFORE_DAUGAVA
    )
    assert decision.verdict is Verdict.NO_CONTRACT
    text = reply_in(desk, decision, language, at=BEFORE_DAUGAVA)
    assert_reads_well(desk, decision, language, text)
    assert "CARE-2025-077" in text
    assert DAUGAVA_STARTS[language] in text
    assert f"{DAUGAVA_RATE[language]} {PER_HOUR[language]}" in text
    with translation.override(language):
        first_day = translation.gettext("Your support starts on that day.")
        renewal = translation.gettext(
            "We would also be glad to renew your contract: just tell us, and we will go "
            "through it with you."
        )
    assert first_day in text
    assert renewal not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_excluded_request_gets_the_clause_and_its_advice_but_no_price(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.OUT_OF_SCOPE])
    text = reply_in(desk, decision, language)
    assert northwind_words(SEO_TEXT, language) in text
    assert northwind_words(SEO_ADVICE, language) in text
    assert desk.name("marketing.seo", language) in text
    assert "EUR" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_excluded_clause_without_advice_still_offers_to_point_the_way(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.OUT_OF_SCOPE])
    decision = replace(decision, clause=replace(decision.clause, advice={}))
    text = reply_in(desk, decision, language)
    with translation.override(language):
        advice = translation.gettext(
            "We would be happy to suggest where you could get help with it."
        )
    assert advice in text
    if language != "en":
        assert advice != "We would be happy to suggest where you could get help with it."


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_hourly_paid_option_names_rate_estimate_and_total(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.PAID_OPTION])
    assert decision.service == "web.script_debugging"
    text = reply_in(desk, decision, language)
    assert northwind_words(DEBUGGING_TEXT, language) in text
    assert f"{HOURLY_RATE[language]} {PER_HOUR[language]}" in text
    assert TWO_HOURS[language] in text
    assert ESTIMATED_TOTAL[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_fixed_price_paid_option_names_its_price(desk, language):
    decision = decision_for(desk, text="Please install the WooCommerce plugin on our WordPress.")
    assert decision.verdict is Verdict.PAID_OPTION
    text = reply_in(desk, decision, language)
    assert northwind_words(PLUGINS_TEXT, language) in text
    assert FIXED_PRICE[language] in text
    assert PER_HOUR[language] not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_used_up_allowance_names_the_limit_the_rate_and_next_month(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.OVER_ALLOWANCE])
    text = reply_in(desk, decision, language)
    assert TEN_TICKETS[language] in text
    assert f"{HOURLY_RATE[language]} {PER_HOUR[language]}" in text
    assert NEXT_MONTH[language] in text
    assert desk.name("hosting.email", language) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_used_up_clause_count_names_that_count(desk, language):
    decision = decision_for(
        desk,
        text="I deleted files by mistake, please restore from backup.",
        usage=Usage(service_counts={"hosting.backup_restore": 2}),
    )
    assert decision.verdict is Verdict.OVER_ALLOWANCE
    assert TWO_RESTORES[language] in reply_in(desk, decision, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_outside_hours_names_the_next_opening(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.OUTSIDE_HOURS])
    text = reply_in(desk, decision, language, at=MONDAY_0759)
    assert northwind_words(MAIL_TEXT, language) in text
    assert MONDAY[language] in text
    assert OPENING_DAY[language] in text
    assert EIGHT_AM[language] in text
    # The support hours are in the customer's own time zone, so it goes unnamed.
    assert "Europe/Helsinki" not in text
    assert EIGHT_WORKING_HOURS[language] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_opening_names_the_time_zone_when_it_is_not_the_customers_own(desk, language):
    decision = decision_for(desk, **VERDICT_CASES[Verdict.OUTSIDE_HOURS])
    assert decision.contract.support_hours.timezone == "Europe/Helsinki"
    elsewhere = replace(decision, customer=replace(decision.customer, timezone="Europe/Riga"))
    text = reply_in(desk, elsewhere, language, at=MONDAY_0759)
    assert_reads_well(desk, elsewhere, language, text)
    assert "Europe/Helsinki" in text
    assert EIGHT_AM[language] in text  # still Helsinki time, not Riga's 9:00


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_covered_request_gets_its_clause_and_the_response_promise(desk, language):
    decision = decision_for(desk)
    text = reply_in(desk, decision, language)
    assert northwind_words(MAIL_TEXT, language) in text
    assert EIGHT_WORKING_HOURS[language] in text


# Northwind's first-response targets, in support time, as each language writes them.
FIRST_RESPONSE = {
    "urgent": {"en": "30 minutes", "ru": "30 минут", "fi": "30 minuuttia", "lv": "30 minūtes"},
    "high": {
        "en": "2 working hours",
        "ru": "2 рабочих часа",
        "fi": "2 työtuntia",
        "lv": "2 darba stundas",
    },
    "normal": EIGHT_WORKING_HOURS,
    "low": {
        "en": "2 working days",
        "ru": "2 рабочих дня",
        "fi": "2 työpäivää",
        "lv": "2 darba dienas",
    },
}


def promise(language: str, time: str) -> str:
    with translation.override(language):
        return translation.gettext("A technician will reply within %(time)s.") % {"time": time}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("priority", list(FIRST_RESPONSE))
def test_the_response_promise_is_the_target_of_the_requests_priority(desk, priority, language):
    decision = decision_for(desk, priority=priority)
    assert (decision.verdict, decision.priority) == (Verdict.IN_SCOPE, priority)
    text = reply_in(desk, decision, language)
    assert_reads_well(desk, decision, language, text)
    assert promise(language, FIRST_RESPONSE[priority][language]) in text
    if priority != "normal":
        assert EIGHT_WORKING_HOURS[language] not in text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("priority", list(FIRST_RESPONSE))
def test_outside_hours_the_promise_is_that_of_the_requests_priority(desk, priority, language):
    decision = decision_for(desk, at=MONDAY_0759, priority=priority)
    assert decision.verdict is Verdict.OUTSIDE_HOURS
    text = reply_in(desk, decision, language, at=MONDAY_0759)
    if priority == "urgent":
        # Something is down: the moment a person answers, 30 minutes after opening.
        assert HALF_PAST_EIGHT[language] in text
    else:
        assert promise(language, FIRST_RESPONSE[priority][language]) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_urgent_outage_is_promised_the_urgent_target_round_the_clock(desk, language):
    # As `checkscope --customer northwind --text "site is down" --priority urgent` asks it.
    preview = ScopePreview()
    request = ScopeRequest(email=SARA, text="site is down", priority="urgent")
    decision, _ = preview.decide(customer_slug="northwind", request=request, at=MONDAY_10)
    assert decision.clause.round_the_clock
    text = reply_in(desk, decision, language)
    assert promise(language, FIRST_RESPONSE["urgent"][language]) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_priority_without_a_target_is_promised_the_normal_one(desk, language):
    # Volga's contract has targets for urgent, normal and low, none for high.
    decision = decision_for(
        desk, customer="volga-media", email="olga@volga-media.example", priority="high"
    )
    assert "high" not in decision.contract.sla
    text = reply_in(desk, decision, language)
    assert promise(language, ONE_WORKING_DAY[language]) in text


# Friday 31 December 2027, 23:30: Northwind's contract ends tonight, and the desk
# opens again only on Monday 3 January 2028.
LAST_EVENING = datetime(2027, 12, 31, 23, 30, tzinfo=ZoneInfo("Europe/Helsinki"))


def test_a_request_on_the_contracts_last_evening_is_promised_no_work_after_it_ends(desk):
    # As `checkscope --customer northwind --at 2027-12-31T23:30+02:00` asks it.
    request = ScopeRequest(email=SARA, text="Emails to our mailbox are not arriving.")
    decision, reply = ScopePreview().decide(
        customer_slug="northwind", request=request, at=LAST_EVENING
    )
    assert decision.verdict is Verdict.NO_CONTRACT
    assert decision.starts_at is None
    assert reply.language == "en"
    assert_reads_well(desk, decision, "en", reply.text)
    assert (
        "Your support contract HOST-2026-014 ends on 31 December 2027, before our working "
        "hours start again, so we cannot take this request on under a contract at the moment."
    ) in reply.text
    assert "We would also be glad to renew your contract" in reply.text
    assert f"{HOURLY_RATE['en']} {PER_HOUR['en']}" in reply.text
    assert "2028" not in reply.text
    assert "will reply within" not in reply.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_russian_customer_gets_its_own_clause_wording_and_roubles(desk, language):
    decision = decision_for(
        desk,
        customer="volga-media",
        email="olga@volga-media.example",
        text="Please install the WooCommerce plugin on our WordPress.",
    )
    assert decision.verdict is Verdict.PAID_OPTION
    text = reply_in(desk, decision, language)
    assert_reads_well(desk, decision, language, text)
    assert "Установка и обновление плагинов CMS." in text
    assert "RUB" in text


def test_replies_go_out_in_the_contacts_own_language(desk):
    for email, language in [
        (AINO, "fi"),
        ("sara@northwind.example", "en"),
        ("mikko@northwind.example", "fi"),  # no language of his own: the customer's
    ]:
        decision = decision_for(desk, email=email)
        reply = render_reply(decision, at=MONDAY_10, catalogue=desk)
        assert reply == Reply(language, reply_in(desk, decision, language))
        assert reply.text.startswith(GREETING[language])


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("en", {1: "1 minute", 2: "2 minutes", 5: "5 minutes", 21: "21 minutes"}),
        ("ru", {1: "1 минута", 2: "2 минуты", 5: "5 минут", 21: "21 минута", 22: "22 минуты"}),
        ("fi", {1: "1 minuutti", 2: "2 minuuttia", 5: "5 minuuttia", 21: "21 minuuttia"}),
        ("lv", {1: "1 minūte", 2: "2 minūtes", 11: "11 minūtes", 21: "21 minūte"}),
    ],
)
def test_durations_take_the_plural_form_of_each_language(language, forms):
    with translation.override(language):
        assert {n: format_duration(Duration(n, "m")) for n in forms} == forms


@pytest.mark.django_db
def test_an_admins_wording_replaces_the_default_for_its_verdict_and_language(desk):
    ReplyWording.objects.create(
        verdict=Verdict.IN_SCOPE,
        language="fi",
        text="Moi {name}! Tämä hoituu: {clause}\n\n{signature}",
    )
    wordings = reply_wordings()
    covered = decision_for(desk)
    text = reply_in(desk, covered, "fi", wordings=wordings)
    assert text.startswith(f"Moi Aino Virtanen! Tämä hoituu: {MAIL_TEXT['fi']}")
    assert text.endswith("Tukitiimi")
    # Other languages and other verdicts keep the default wording.
    assert reply_in(desk, covered, "ru", wordings=wordings).startswith("Здравствуйте")
    excluded = decision_for(desk, **VERDICT_CASES[Verdict.OUT_OF_SCOPE])
    assert reply_in(desk, excluded, "fi", wordings=wordings).startswith("Hei Aino,")


# --- the translation files ------------------------------------------------------------

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|(?<!\{)\{\w+\}(?!\})")


def catalogue_of(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def test_every_language_of_the_settings_but_english_has_a_catalogue():
    assert sorted(code for code, _ in settings.LANGUAGES if code != "en") == sorted(TRANSLATED)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = catalogue_of(language)
    assert len(po) > 0
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == language
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    for entry in po:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == list(range(nplurals)), entry.msgid
            assert all(entry.msgstr_plural.values()), entry.msgid


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_translation_keeps_the_placeholders(language):
    for entry in catalogue_of(language).translated_entries():
        if entry.msgid_plural:
            expected = set(PLACEHOLDER.findall(entry.msgid_plural))
            for form, text in entry.msgstr_plural.items():
                found = set(PLACEHOLDER.findall(text))
                # Like the English singular, a singular form may leave out the count.
                assert found <= expected and (form == 0 or found == expected), entry.msgid
        else:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == set(
                PLACEHOLDER.findall(entry.msgid)
            ), entry.msgid


def _messages(mo: polib.MOFile) -> dict:
    return {
        (e.msgctxt, e.msgid, e.msgid_plural): (e.msgstr, dict(e.msgstr_plural))
        for e in mo
        if e.msgid
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_committed_mo_file_matches_its_po_file(language, tmp_path):
    fresh = tmp_path / "django.mo"
    catalogue_of(language).save_as_mofile(str(fresh))
    committed = LOCALE / language / "LC_MESSAGES" / "django.mo"
    assert committed.exists(), "run `make messages` and commit the .mo file"
    assert _messages(polib.mofile(str(committed))) == _messages(polib.mofile(str(fresh)))
