"""Compensation claims and complaints: catalogue services of their own, covered
under every contract, never counted against the allowance, and recognised before
the outage or the service that they are about."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts.contract_files import ContractFileError, load_services
from contracts.engine import terms
from contracts.engine.scope import Catalogue, Reason, ScopeRequest, Usage, decide
from contracts.engine.terms import ClauseTerms, Coverage, Price, Pricing, Verdict
from contracts.models import Service
from tests.helpers import EXAMPLES, example_catalogue

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=HELSINKI)
CLAIM = "billing.credit_claim"
COMPLAINT = "service.complaint"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return example_catalogue()


def clause(service: str, coverage: str = "included", **kwargs) -> ClauseTerms:
    return ClauseTerms(
        service=service, coverage=Coverage(coverage), text={"en": f"{service}."}, **kwargs
    )


# A small plan: two tickets a month, services no clause names are excluded, and
# neither claims nor complaints are named.
BASIC = terms.ContractTerms(
    reference="BASIC-1",
    title="Basic hosting",
    valid_from=date(2026, 1, 1),
    valid_until=date(2026, 12, 31),
    currency="EUR",
    hourly_rate=Decimal("90.00"),
    unlisted_services=Coverage.EXCLUDED,
    included_minutes=60,
    included_tickets=2,
    support_hours=terms.SupportHours(
        timezone="Europe/Helsinki", weekly=terms.parse_weekly({"mon-fri": "08:00-18:00"})
    ),
    clauses={
        c.service: c
        for c in [
            clause("hosting.availability"),
            clause("hosting.email"),
            clause("web.cms_plugins", "paid", price=Price(Pricing.FIXED, Decimal("60.00"))),
        ]
    },
)

CONTACTS = {
    email: terms.ContactTerms(email, name, terms.Role.REQUESTER, language)
    for email, name, language in [
        ("sara@example.com", "Sara", "en"),
        ("ivan@example.com", "Иван", "ru"),
        ("aino@example.com", "Aino", "fi"),
        ("janis@example.com", "Jānis", "lv"),
    ]
}
CUSTOMER = terms.CustomerTerms(
    slug="shop",
    name="Shop Oy",
    language="en",
    timezone="Europe/Helsinki",
    contacts=CONTACTS,
    contracts=(BASIC,),
)
BY_LANGUAGE = {contact.language: email for email, contact in CONTACTS.items()}


def judge(catalogue, text, *, language="en", customer=CUSTOMER, usage=None, at=MONDAY_10, **kw):
    return decide(
        customer=customer,
        request=ScopeRequest(email=BY_LANGUAGE[language], text=text, **kw),
        usage=usage or Usage(),
        at=at,
        catalogue=catalogue,
    )


# "Where is our compensation?", as customers write it: most of them name the
# outage too, which must not win.
CLAIMS = [
    ("en", "We were down six hours on Tuesday and we want compensation for that."),
    ("en", "Where is our compensation for last week's outage? Nobody has said a word."),
    ("en", "Our shop was offline half a day. Do we get some credit for the downtime?"),
    ("en", "According to the SLA we're owed a refund for the downtime on 3 November."),
    ("en", "How are you going to compensate us for the hours the server was down?"),
    ("ru", "Мы лежали шесть часов, требуем компенсацию по договору."),
    ("ru", "Где наша компенсация за простой в прошлом месяце?"),
    ("ru", "Сайт не работал весь вторник. Хотим возмещение за простой."),
    ("ru", "Прошу сделать перерасчёт за простой сервера 12 ноября."),
    ("fi", "Palvelin oli alhaalla kuusi tuntia, vaadimme hyvitystä."),
    ("fi", "Missä on hyvityksemme eilisestä katkoksesta?"),
    ("fi", "Saammeko korvausta viime viikon käyttökatkosta?"),
    ("lv", "Mūsu vietne nedarbojās sešas stundas, pieprasām kompensāciju."),
    ("lv", "Kur ir mūsu kompensācija par dīkstāvi?"),
    ("lv", "Vai saņemsim atlīdzību par vakardienas pārtraukumu?"),
]

COMPLAINTS = [
    ("en", "I want to speak to a manager. This is the third time nobody answers."),
    ("en", "Your technician was rude to me on the phone and I want to make a complaint."),
    ("en", "I want to speak to a manager, the site has been down three days and nobody answers."),
    ("ru", "Хочу пожаловаться на вашу поддержку, позовите руководителя."),
    ("ru", "Соедините меня с начальником, так работать невозможно."),
    ("fi", "Haluan puhua esimiehen kanssa, tämä ei voi jatkua näin."),
    ("fi", "Teen valituksen asiakaspalvelustanne."),
    ("lv", "Vēlos runāt ar vadītāju, jūsu atbalsts neatbild jau nedēļu."),
    ("lv", "Iesniedzu sūdzību par jūsu atbalstu."),
]

# Outage reports, angry or not, are reports: the site must be fixed first.
NOT_CLAIMS = [
    ("en", "The site is down!", "hosting.availability"),
    ("en", "Our website is down again, this is unacceptable, fix it now.", "hosting.availability"),
    ("en", "The server is down and we are losing money every minute.", "hosting.availability"),
    ("ru", "Сайт не работает уже час, срочно!", "hosting.availability"),
    ("fi", "Sivusto ei toimi, korjatkaa heti.", "hosting.availability"),
    ("lv", "Vietne nedarbojas jau stundu.", "hosting.availability"),
    ("en", "I paid the invoice twice, please refund one payment.", "billing.invoice"),
    ("en", "Please create a mailbox for our new manager Anna.", "hosting.email"),
]


# Complaints that are not ours to answer: the customer's own customers complain
# about an outage. Never a page to the manager; at worst a technician decides.
THEIR_CUSTOMERS_COMPLAIN = [
    ("en", "Our customers complain that the site is down since morning."),
    ("en", "We got complaints from customers that their emails bounce."),
    ("en", "URGENT site down, customers are complaining, fix it!"),
    ("ru", "Клиенты жалуются, что сайт не открывается."),
    ("fi", "Asiakkaat valittavat, että sivusto ei toimi."),
    ("lv", "Klienti sūdzas, ka vietne nedarbojas."),
]


def test_the_table_has_a_dozen_claims_and_complaints_in_every_language():
    assert len(CLAIMS) >= 12
    assert {language for language, _ in CLAIMS} == {"en", "ru", "fi", "lv"}
    assert {language for language, _ in COMPLAINTS} == {"en", "ru", "fi", "lv"}


@pytest.mark.parametrize(("language", "text"), CLAIMS)
def test_a_compensation_claim_is_recognised_in_every_language(catalogue, language, text):
    decision = judge(catalogue, text, language=language)
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, CLAIM)
    assert decision.language == language


@pytest.mark.parametrize(("language", "text"), COMPLAINTS)
def test_a_complaint_or_a_call_for_a_manager_is_recognised(catalogue, language, text):
    decision = judge(catalogue, text, language=language)
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, COMPLAINT)


@pytest.mark.parametrize(("language", "text", "service"), NOT_CLAIMS)
def test_an_outage_report_is_no_claim(catalogue, language, text, service):
    assert judge(catalogue, text, language=language).service == service


@pytest.mark.parametrize(("language", "text"), THEIR_CUSTOMERS_COMPLAIN)
def test_their_customers_complaints_about_an_outage_are_no_complaint(catalogue, language, text):
    decision = judge(catalogue, text, language=language)
    assert decision.service != COMPLAINT
    assert decision.verdict in {Verdict.IN_SCOPE, Verdict.NEEDS_REVIEW}


def test_it_is_covered_though_no_clause_names_it_and_unlisted_work_is_excluded(catalogue):
    assert CLAIM not in BASIC.clauses and BASIC.unlisted_services is Coverage.EXCLUDED
    decision = judge(catalogue, "Where is our compensation for the outage?")
    assert decision.verdict is Verdict.IN_SCOPE
    assert decision.reason == Reason.ALWAYS_COVERED
    assert decision.clause is not None and decision.clause.coverage is Coverage.INCLUDED


def test_it_never_counts_against_the_allowance(catalogue):
    used_up = Usage(tickets_used=2, minutes_used=60, service_counts={CLAIM: 5})
    decision = judge(catalogue, "I want to speak to a manager.", usage=used_up)
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, COMPLAINT)
    assert decision.clause is not None and not decision.clause.counts_against_allowance
    # The same month's outage report is over the allowance.
    assert judge(catalogue, "The site is down!", usage=used_up).verdict is Verdict.OVER_ALLOWANCE


def test_a_contract_that_excludes_it_does_not_change_that(catalogue):
    excluding = replace(BASIC, clauses={**BASIC.clauses, CLAIM: clause(CLAIM, "excluded")})
    customer = replace(CUSTOMER, contracts=(excluding,))
    decision = judge(catalogue, "We want compensation for the downtime.", customer=customer)
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, CLAIM)


def test_a_customer_whose_contract_ended_still_gets_an_answer_to_a_complaint(catalogue):
    ended = replace(BASIC, valid_until=date(2025, 12, 31))
    customer = replace(CUSTOMER, contracts=(ended,))
    complaint = judge(catalogue, "I want to make a complaint.", customer=customer)
    assert (complaint.verdict, complaint.service) == (Verdict.IN_SCOPE, COMPLAINT)
    assert complaint.contract == ended and complaint.offer is None
    # Other work still gets the renewal offer.
    assert judge(catalogue, "The site is down!", customer=customer).verdict is Verdict.NO_CONTRACT


def test_outside_support_hours_it_waits_for_the_desk_like_other_covered_work(catalogue):
    decision = judge(catalogue, "Where is our compensation?", at=SATURDAY_10)
    assert (decision.verdict, decision.service) == (Verdict.OUTSIDE_HOURS, CLAIM)
    assert decision.starts_at == datetime(2026, 11, 30, 8, 0, tzinfo=HELSINKI)


def test_a_claim_wins_over_the_service_the_requester_picked(catalogue):
    decision = judge(
        catalogue,
        "The site was down for six hours yesterday, we want compensation.",
        service="hosting.availability",
    )
    assert decision.service == CLAIM


def test_picking_complaint_does_not_turn_paid_work_into_free_work(catalogue):
    decision = judge(
        catalogue,
        "Could you please install the WooCommerce plugin on our WordPress shop?",
        service=COMPLAINT,
    )
    assert decision.verdict is Verdict.NEEDS_REVIEW
    assert set(decision.candidates) == {COMPLAINT, "web.cms_plugins"}


def test_a_technician_may_make_any_ticket_a_complaint(catalogue):
    decision = judge(catalogue, "The site is down!", service=COMPLAINT, service_confirmed=True)
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, COMPLAINT)


@pytest.mark.django_db
def test_the_catalogue_file_marks_only_claims_and_complaints_always_covered():
    load_services((EXAMPLES / "services.yaml").read_text(encoding="utf-8"), source="services.yaml")
    marked = Service.objects.filter(always_covered=True).values_list("code", flat=True)
    assert sorted(marked) == [CLAIM, COMPLAINT]
    assert Service.objects.filter(always_covered=False).count() == 15


@pytest.mark.django_db
def test_a_catalogue_file_with_a_flag_that_is_no_flag_is_refused():
    text = (
        "services:\n"
        "  - {code: service.complaint, name: {en: Complaint}, always_covered: 'always'}\n"
    )
    with pytest.raises(ContractFileError) as raised:
        load_services(text, source="bad.yaml")
    assert "services[0].always_covered: expected true or false" in str(raised.value)
    assert not Service.objects.exists()
