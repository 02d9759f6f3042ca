"""The scope engine, case by case: every verdict, their order, and the edges."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from contracts.engine import terms
from contracts.engine.scope import Catalogue, ScopeRequest, UnknownService, Usage, decide
from contracts.engine.terms import ClauseTerms, Coverage, Duration, Price, Pricing, Verdict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    data = yaml.safe_load((EXAMPLES / "services.yaml").read_text(encoding="utf-8"))
    return Catalogue(
        terms.ServiceEntry(
            code=s["code"],
            names=s["name"],
            phrases={lang: tuple(p) for lang, p in s["phrases"].items()},
        )
        for s in data["services"]
    )


def clause(service: str, coverage: str = "included", **kwargs) -> ClauseTerms:
    return ClauseTerms(
        service=service, coverage=Coverage(coverage), text={"en": f"{service}."}, **kwargs
    )


HOSTING = terms.ContractTerms(
    reference="HOST-1",
    title="Managed hosting",
    valid_from=date(2026, 1, 1),
    valid_until=date(2027, 12, 31),
    currency="EUR",
    hourly_rate=Decimal("90.00"),
    unlisted_services=Coverage.PAID,
    included_minutes=120,
    included_tickets=10,
    support_hours=terms.SupportHours(
        timezone="Europe/Helsinki",
        weekly=terms.parse_weekly({"mon-fri": "08:00-18:00"}),
        holiday_calendar="FI",
    ),
    clauses={
        c.service: c
        for c in [
            clause("hosting.availability", round_the_clock=True),
            clause("hosting.email"),
            clause("hosting.dns"),
            clause("hosting.backup_restore", max_per_month=2),
            clause("billing.invoice", counts_against_allowance=False),
            clause("web.cms_plugins", "paid", price=Price(Pricing.FIXED, Decimal("60.00"))),
            clause(
                "web.script_debugging",
                "paid",
                price=Price(Pricing.HOURLY, Decimal("90.00"), Duration(2, "h")),
            ),
            clause("marketing.seo", "excluded", advice={"en": "Ask an SEO agency."}),
        ]
    },
    sla={"normal": terms.SlaTarget(Duration(8, "h"), Duration(3, "d"))},
)

CUSTOMER = terms.CustomerTerms(
    slug="northwind",
    name="Northwind Webshop Oy",
    language="fi",
    timezone="Europe/Helsinki",
    contacts={
        "aino@northwind.example": terms.ContactTerms(
            "aino@northwind.example", "Aino", terms.Role.MANAGER, "fi"
        ),
        "sara@northwind.example": terms.ContactTerms(
            "sara@northwind.example", "Sara", terms.Role.REQUESTER, "en"
        ),
    },
    contracts=(HOSTING,),
)

# Monday 23 November 2026, 10:00 in Helsinki (UTC+2).
MONDAY_10 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SARA = "sara@northwind.example"
NO_USAGE = Usage()
TEXTS = {
    "hosting.availability": "Our website is down, visitors get 502 bad gateway.",
    "hosting.email": "Emails to our mailbox are not arriving since yesterday.",
    "hosting.dns": "Please add a TXT record to our domain's DNS.",
    "hosting.backup_restore": "I deleted files by mistake, please restore from backup.",
    "billing.invoice": "I have a question about the last invoice.",
    "web.cms_plugins": "Please install the WooCommerce plugin on our WordPress.",
    "web.script_debugging": "There is a PHP fatal error in my custom script, can you fix my code?",
    "web.development": "We would like to add a new page and change the design of the site.",
    "marketing.seo": "Could you improve our Google ranking with some SEO work?",
}


def check(
    service: str | None = None,
    *,
    text: str | None = None,
    picked: str | None = None,
    email: str = SARA,
    at: datetime = MONDAY_10,
    usage: Usage = NO_USAGE,
    customer: terms.CustomerTerms | None = CUSTOMER,
    priority: str = "normal",
    catalogue: Catalogue,
):
    request = ScopeRequest(
        email=email, text=text or TEXTS[service], service=picked, priority=priority
    )
    return decide(customer=customer, request=request, usage=usage, at=at, catalogue=catalogue)


@pytest.mark.parametrize(
    ("service", "verdict", "reason"),
    [
        ("hosting.email", Verdict.IN_SCOPE, "covered"),
        ("hosting.dns", Verdict.IN_SCOPE, "covered"),
        ("marketing.seo", Verdict.OUT_OF_SCOPE, "clause"),
        ("web.cms_plugins", Verdict.PAID_OPTION, "clause"),
        ("web.script_debugging", Verdict.PAID_OPTION, "clause"),
        ("web.development", Verdict.PAID_OPTION, "unlisted"),
    ],
)
def test_it_judges_each_service_by_its_clause(catalogue, service, verdict, reason):
    decision = check(service, catalogue=catalogue)
    assert (decision.service, decision.verdict, decision.reason) == (service, verdict, reason)
    assert decision.contract.reference == "HOST-1"


def test_it_refuses_a_sender_who_is_no_contact(catalogue):
    decision = check("hosting.email", email="stranger@example.com", catalogue=catalogue)
    assert decision.verdict is Verdict.NOT_AUTHORIZED
    assert decision.language == "fi"  # the customer's language


def test_it_refuses_a_sender_of_an_unknown_customer(catalogue):
    decision = check("hosting.email", customer=None, catalogue=catalogue)
    assert (decision.verdict, decision.language) == (Verdict.NOT_AUTHORIZED, "en")


def test_it_refuses_the_contact_of_a_customer_without_any_contract(catalogue):
    customer = replace(CUSTOMER, contracts=())
    assert check("hosting.email", customer=customer, catalogue=catalogue).verdict is (
        Verdict.NOT_AUTHORIZED
    )


def test_it_matches_the_sender_address_case_insensitively(catalogue):
    decision = check("hosting.email", email=" Sara@Northwind.EXAMPLE ", catalogue=catalogue)
    assert decision.verdict is Verdict.IN_SCOPE
    assert decision.contact.name == "Sara"


@pytest.mark.parametrize(
    ("at", "verdict"),
    [
        # The first and last valid day, in the customer's time zone.
        (datetime(2025, 12, 31, 21, 59, tzinfo=UTC), Verdict.NO_CONTRACT),  # 23:59 local
        (datetime(2025, 12, 31, 22, 0, tzinfo=UTC), Verdict.IN_SCOPE),  # 1 Jan 00:00 local
        (datetime(2027, 12, 31, 21, 59, tzinfo=UTC), Verdict.IN_SCOPE),  # 31 Dec 23:59 local
        (datetime(2027, 12, 31, 22, 0, tzinfo=UTC), Verdict.NO_CONTRACT),  # 1 Jan 00:00 local
    ],
)
def test_it_honours_the_first_and_last_valid_day(catalogue, at, verdict):
    # hosting.availability is 24/7, so the hour of the night does not matter.
    assert check("hosting.availability", at=at, catalogue=catalogue).verdict is verdict


def test_an_ended_contract_gets_a_paid_one_off_at_the_hourly_rate(catalogue):
    decision = check("hosting.email", at=datetime(2028, 3, 1, 9, tzinfo=UTC), catalogue=catalogue)
    assert decision.verdict is Verdict.NO_CONTRACT
    assert (decision.offer.amount, decision.offer.pricing) == (Decimal("90.00"), Pricing.HOURLY)


def test_it_asks_for_review_when_no_service_is_recognised(catalogue):
    decision = check(text="Hello, could someone call me back tomorrow?", catalogue=catalogue)
    assert (decision.verdict, decision.reason) == (Verdict.NEEDS_REVIEW, "unrecognised")
    assert decision.service is None


def test_it_takes_the_service_that_the_requester_picked(catalogue):
    decision = check(text="Hello, please help us.", picked="hosting.dns", catalogue=catalogue)
    assert (decision.service, decision.verdict) == ("hosting.dns", Verdict.IN_SCOPE)


def test_it_asks_for_review_when_the_picked_service_hides_paid_work(catalogue):
    decision = check(
        text=TEXTS["web.cms_plugins"], picked="hosting.availability", catalogue=catalogue
    )
    assert (decision.verdict, decision.reason) == (Verdict.NEEDS_REVIEW, "conflicting_service")
    assert decision.candidates == ("hosting.availability", "web.cms_plugins")


def test_it_keeps_the_picked_service_when_the_other_is_covered_alike(catalogue):
    decision = check(text=TEXTS["hosting.email"], picked="hosting.dns", catalogue=catalogue)
    assert (decision.service, decision.verdict) == ("hosting.dns", Verdict.IN_SCOPE)


def test_it_rejects_a_picked_service_that_the_catalogue_lacks(catalogue):
    with pytest.raises(UnknownService):
        check(text="Hi", picked="no.such.service", catalogue=catalogue)


def test_an_excluded_clause_carries_its_advice_and_no_price(catalogue):
    decision = check("marketing.seo", catalogue=catalogue)
    assert decision.clause.advice == {"en": "Ask an SEO agency."}
    assert decision.offer is None


def test_a_fixed_price_clause_offers_its_price(catalogue):
    offer = check("web.cms_plugins", catalogue=catalogue).offer
    assert (offer.amount, offer.currency, offer.pricing, offer.estimate) == (
        Decimal("60.00"),
        "EUR",
        Pricing.FIXED,
        None,
    )
    assert offer.estimated_total == Decimal("60.00")


def test_an_hourly_clause_offers_its_rate_and_estimate(catalogue):
    offer = check("web.script_debugging", catalogue=catalogue).offer
    assert (offer.amount, offer.pricing, offer.estimate) == (
        Decimal("90.00"),
        Pricing.HOURLY,
        Duration(2, "h"),
    )
    assert offer.estimated_total == Decimal("180.00")


def test_an_unlisted_service_is_paid_at_the_hourly_rate_when_the_policy_says_paid(catalogue):
    offer = check("web.development", catalogue=catalogue).offer
    assert (offer.amount, offer.pricing) == (Decimal("90.00"), Pricing.HOURLY)


def test_an_unlisted_service_is_out_of_scope_when_the_policy_says_excluded(catalogue):
    contract = replace(HOSTING, unlisted_services=Coverage.EXCLUDED)
    customer = replace(CUSTOMER, contracts=(contract,))
    decision = check("web.development", customer=customer, catalogue=catalogue)
    assert (decision.verdict, decision.reason, decision.offer) == (
        Verdict.OUT_OF_SCOPE,
        "unlisted",
        None,
    )


@pytest.mark.parametrize(
    ("usage", "verdict", "reason"),
    [
        (Usage(tickets_used=9), Verdict.IN_SCOPE, "covered"),  # the last included ticket
        (Usage(tickets_used=10), Verdict.OVER_ALLOWANCE, "tickets_used_up"),  # the next one
        (Usage(minutes_used=119), Verdict.IN_SCOPE, "covered"),
        (Usage(minutes_used=120), Verdict.OVER_ALLOWANCE, "minutes_used_up"),
        (
            Usage(minutes_used=200, tickets_used=12, topup_minutes_left=30),
            Verdict.IN_SCOPE,
            "covered",
        ),
    ],
)
def test_it_counts_the_monthly_allowance(catalogue, usage, verdict, reason):
    decision = check("hosting.email", usage=usage, catalogue=catalogue)
    assert (decision.verdict, decision.reason) == (verdict, reason)


def test_over_allowance_offers_the_hourly_rate(catalogue):
    decision = check("hosting.email", usage=Usage(tickets_used=10), catalogue=catalogue)
    assert (decision.offer.amount, decision.offer.pricing) == (Decimal("90.00"), Pricing.HOURLY)


@pytest.mark.parametrize(("done", "verdict"), [(1, Verdict.IN_SCOPE), (2, Verdict.OVER_ALLOWANCE)])
def test_it_counts_a_clause_limit_per_month(catalogue, done, verdict):
    usage = Usage(service_counts={"hosting.backup_restore": done})
    decision = check("hosting.backup_restore", usage=usage, catalogue=catalogue)
    assert decision.verdict is verdict


def test_a_clause_outside_the_allowance_stays_in_scope_when_the_allowance_is_used(catalogue):
    usage = Usage(tickets_used=10, minutes_used=500)
    assert check("billing.invoice", usage=usage, catalogue=catalogue).verdict is Verdict.IN_SCOPE


def helsinki(*args: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.mark.parametrize(
    ("at", "verdict", "starts_at"),
    [
        (helsinki(2026, 11, 23, 7, 59), Verdict.OUTSIDE_HOURS, helsinki(2026, 11, 23, 8, 0)),
        (helsinki(2026, 11, 23, 8, 0), Verdict.IN_SCOPE, None),
        (helsinki(2026, 11, 23, 17, 59), Verdict.IN_SCOPE, None),
        (helsinki(2026, 11, 23, 18, 0), Verdict.OUTSIDE_HOURS, helsinki(2026, 11, 24, 8, 0)),
        # Friday evening waits for Monday morning.
        (helsinki(2026, 11, 27, 18, 0), Verdict.OUTSIDE_HOURS, helsinki(2026, 11, 30, 8, 0)),
        # Christmas Eve and Day are public holidays in Finland; the weekend follows.
        (helsinki(2026, 12, 24, 10, 0), Verdict.OUTSIDE_HOURS, helsinki(2026, 12, 28, 8, 0)),
        # The clocks go back on Sunday 25 October: Monday 08:00 is 06:00 UTC, not 05:00.
        (helsinki(2026, 10, 23, 18, 30), Verdict.OUTSIDE_HOURS, helsinki(2026, 10, 26, 8, 0)),
        # The clocks go forward on Sunday 29 March.
        (helsinki(2026, 3, 30, 7, 59), Verdict.OUTSIDE_HOURS, helsinki(2026, 3, 30, 8, 0)),
        (helsinki(2026, 3, 30, 8, 0), Verdict.IN_SCOPE, None),
    ],
)
def test_it_keeps_to_support_hours(catalogue, at, verdict, starts_at):
    decision = check("hosting.email", at=at, catalogue=catalogue)
    assert decision.verdict is verdict
    assert decision.starts_at == starts_at


def test_the_opening_after_a_daylight_saving_change_is_exact_in_utc(catalogue):
    decision = check("hosting.email", at=helsinki(2026, 10, 23, 18, 30), catalogue=catalogue)
    assert decision.starts_at.astimezone(UTC) == datetime(2026, 10, 26, 6, 0, tzinfo=UTC)
    decision = check("hosting.email", at=helsinki(2026, 3, 27, 18, 30), catalogue=catalogue)
    assert decision.starts_at.astimezone(UTC) == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        # Seven-day hours on the day the clocks go forward (03:00 -> 04:00).
        (helsinki(2026, 3, 29, 7, 59), False),
        (helsinki(2026, 3, 29, 8, 0), True),
        # ...and on the day they go back (04:00 -> 03:00).
        (helsinki(2026, 10, 25, 17, 59), True),
        (helsinki(2026, 10, 25, 18, 0), False),
    ],
)
def test_support_hours_hold_on_the_daylight_saving_change_days(catalogue, at, open_):
    hours = replace(HOSTING.support_hours, weekly=terms.parse_weekly({"mon-sun": "08:00-18:00"}))
    customer = replace(CUSTOMER, contracts=(replace(HOSTING, support_hours=hours),))
    decision = check("hosting.email", at=at, customer=customer, catalogue=catalogue)
    assert (decision.verdict is Verdict.IN_SCOPE) is open_


def test_a_round_the_clock_clause_ignores_support_hours(catalogue):
    sunday_night = helsinki(2026, 11, 29, 3, 0)
    decision = check("hosting.availability", at=sunday_night, catalogue=catalogue)
    assert decision.verdict is Verdict.IN_SCOPE


def test_a_window_until_midnight_is_open_at_the_last_minute(catalogue):
    hours = replace(HOSTING.support_hours, weekly=terms.parse_weekly({"mon-sun": "16:00-24:00"}))
    customer = replace(CUSTOMER, contracts=(replace(HOSTING, support_hours=hours),))
    late = check(
        "hosting.email", at=helsinki(2026, 11, 23, 23, 59), customer=customer, catalogue=catalogue
    )
    assert late.verdict is Verdict.IN_SCOPE
    early = check(
        "hosting.email", at=helsinki(2026, 11, 24, 0, 0), customer=customer, catalogue=catalogue
    )
    assert early.starts_at == helsinki(2026, 11, 24, 16, 0)


@pytest.mark.parametrize(
    ("at", "verdict", "starts_at"),
    [
        # Thursday evening of the last week: work starts on the contract's last day.
        (helsinki(2027, 12, 30, 18, 0), Verdict.OUTSIDE_HOURS, helsinki(2027, 12, 31, 8, 0)),
        (helsinki(2027, 12, 31, 17, 59), Verdict.IN_SCOPE, None),
        # The desk opens again on Monday 3 January 2028, after the contract has ended.
        (helsinki(2027, 12, 31, 18, 0), Verdict.NO_CONTRACT, None),
        (helsinki(2027, 12, 31, 23, 30), Verdict.NO_CONTRACT, None),
    ],
)
def test_no_work_is_promised_after_the_contract_ends(catalogue, at, verdict, starts_at):
    decision = check("hosting.email", at=at, catalogue=catalogue)
    assert (decision.verdict, decision.starts_at) == (verdict, starts_at)
    if verdict is Verdict.NO_CONTRACT:
        assert decision.reason == "contract_ends_before_opening"
        assert decision.contract.reference == "HOST-1"
        assert decision.service == "hosting.email"
        # As for an ended contract: paid one-off work at the hourly rate.
        assert (decision.offer.amount, decision.offer.pricing) == (
            Decimal("90.00"),
            Pricing.HOURLY,
        )


def test_a_renewal_takes_up_work_that_waits_past_the_end_of_the_contract(catalogue):
    renewal = replace(HOSTING, reference="HOST-2", valid_from=date(2028, 1, 1), valid_until=None)
    customer = replace(CUSTOMER, contracts=(HOSTING, renewal))
    decision = check(
        "hosting.email", at=helsinki(2027, 12, 31, 23, 30), customer=customer, catalogue=catalogue
    )
    assert decision.verdict is Verdict.OUTSIDE_HOURS
    assert decision.starts_at == helsinki(2028, 1, 3, 8, 0)


def test_a_round_the_clock_clause_is_covered_to_the_contracts_last_minute(catalogue):
    decision = check("hosting.availability", at=helsinki(2027, 12, 31, 23, 59), catalogue=catalogue)
    assert decision.verdict is Verdict.IN_SCOPE


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # A stranger is refused before the expired contract is noticed.
        (
            {"email": "x@example.com", "at": datetime(2028, 3, 1, 9, tzinfo=UTC)},
            Verdict.NOT_AUTHORIZED,
        ),
        # An expired contract comes before an unreadable request.
        ({"text": "Hello?", "at": datetime(2028, 3, 1, 9, tzinfo=UTC)}, Verdict.NO_CONTRACT),
        # An unreadable request is reviewed even outside hours.
        ({"text": "Hello?", "at": helsinki(2026, 11, 28, 12, 0)}, Verdict.NEEDS_REVIEW),
        # Excluded work is out of scope even with the allowance used up and the desk closed.
        (
            {
                "service": "marketing.seo",
                "usage": Usage(tickets_used=99),
                "at": helsinki(2026, 11, 28, 12, 0),
            },
            Verdict.OUT_OF_SCOPE,
        ),
        # Paid work is a paid option even with the allowance used up.
        ({"service": "web.cms_plugins", "usage": Usage(tickets_used=99)}, Verdict.PAID_OPTION),
        # A used-up allowance is said before the desk's hours.
        (
            {
                "service": "hosting.email",
                "usage": Usage(tickets_used=99),
                "at": helsinki(2026, 11, 28, 12, 0),
            },
            Verdict.OVER_ALLOWANCE,
        ),
    ],
)
def test_the_verdicts_are_checked_in_order(catalogue, case, expected):
    case = dict(case)
    service = case.pop("service", "hosting.email" if "text" not in case else None)
    assert check(service, catalogue=catalogue, **case).verdict is expected


def test_the_engine_is_pure_and_repeatable(catalogue):
    first = check("web.cms_plugins", catalogue=catalogue)
    again = check("web.cms_plugins", catalogue=catalogue)
    assert first == again


@pytest.mark.parametrize("priority", terms.PRIORITIES)
@pytest.mark.parametrize(
    ("case", "verdict"),
    [
        ({"email": "stranger@example.com"}, Verdict.NOT_AUTHORIZED),
        ({"at": datetime(2028, 3, 1, 9, tzinfo=UTC)}, Verdict.NO_CONTRACT),
        ({"service": None, "text": "Hello?"}, Verdict.NEEDS_REVIEW),
        ({"service": "marketing.seo"}, Verdict.OUT_OF_SCOPE),
        ({"service": "web.cms_plugins"}, Verdict.PAID_OPTION),
        ({"usage": Usage(tickets_used=10)}, Verdict.OVER_ALLOWANCE),
        ({"at": helsinki(2026, 11, 23, 7, 59)}, Verdict.OUTSIDE_HOURS),
        ({}, Verdict.IN_SCOPE),
    ],
)
def test_every_decision_carries_the_requests_priority(catalogue, case, verdict, priority):
    case = dict(case)
    service = case.pop("service", "hosting.email")
    decision = check(service, priority=priority, catalogue=catalogue, **case)
    assert (decision.verdict, decision.priority) == (verdict, priority)


# --- on-call work outside support hours (the contract's emergency price) ----------

ON_CALL = Price(Pricing.HOURLY, Decimal("180.00"), Duration(1, "h"))
ON_CALL_CUSTOMER = replace(CUSTOMER, contracts=(replace(HOSTING, emergency=ON_CALL),))


@pytest.mark.parametrize(
    ("customer", "priority", "at", "verdict", "offered"),
    [
        # Urgent, before opening, with an emergency price: the offer, the verdict kept.
        (ON_CALL_CUSTOMER, "urgent", "07:59", Verdict.OUTSIDE_HOURS, True),
        # No emergency price: only the wait for the opening.
        (CUSTOMER, "urgent", "07:59", Verdict.OUTSIDE_HOURS, False),
        # Not urgent: it can wait, and is not sold as if it could not.
        (ON_CALL_CUSTOMER, "high", "07:59", Verdict.OUTSIDE_HOURS, False),
        (ON_CALL_CUSTOMER, "normal", "07:59", Verdict.OUTSIDE_HOURS, False),
        # Within support hours there is nothing to buy.
        (ON_CALL_CUSTOMER, "urgent", "08:00", Verdict.IN_SCOPE, False),
    ],
)
def test_an_urgent_request_outside_hours_is_offered_on_call_work_if_the_contract_has_it(
    catalogue, customer, priority, at, verdict, offered
):
    hour, minute = (int(n) for n in at.split(":"))
    decision = check(
        "hosting.email",
        customer=customer,
        priority=priority,
        at=helsinki(2026, 11, 23, hour, minute),
        catalogue=catalogue,
    )
    assert decision.verdict is verdict
    if not offered:
        assert decision.offer is None
        return
    assert decision.offer is not None and decision.offer.emergency
    assert (decision.offer.amount, decision.offer.currency, decision.offer.pricing) == (
        Decimal("180.00"),
        "EUR",
        Pricing.HOURLY,
    )
    assert decision.offer.estimate == Duration(1, "h")
    assert decision.starts_at == helsinki(2026, 11, 23, 8, 0)  # covered at the opening still


def test_a_round_the_clock_clause_needs_no_on_call_offer(catalogue):
    decision = check(
        "hosting.availability",
        customer=ON_CALL_CUSTOMER,
        priority="urgent",
        at=helsinki(2026, 11, 21, 22, 0),
        catalogue=catalogue,
    )
    assert (decision.verdict, decision.offer) == (Verdict.IN_SCOPE, None)


def test_a_fixed_emergency_price_is_offered_as_fixed(catalogue):
    fixed = replace(HOSTING, emergency=Price(Pricing.FIXED, Decimal("250.00")))
    decision = check(
        "hosting.email",
        customer=replace(CUSTOMER, contracts=(fixed,)),
        priority="urgent",
        at=helsinki(2026, 11, 21, 22, 0),
        catalogue=catalogue,
    )
    assert decision.verdict is Verdict.OUTSIDE_HOURS
    assert decision.offer is not None and decision.offer.emergency
    assert (decision.offer.pricing, decision.offer.amount) == (Pricing.FIXED, Decimal("250.00"))


def test_a_mixed_urgent_request_outside_hours_keeps_its_parts_and_offers(catalogue):
    decision = check(
        text=f"{TEXTS['hosting.email']} Also: {TEXTS['web.cms_plugins']}",
        customer=ON_CALL_CUSTOMER,
        priority="urgent",
        at=helsinki(2026, 11, 23, 7, 59),
        catalogue=catalogue,
    )
    parts = {part.service: part for part in decision.parts}
    assert set(parts) == {"hosting.email", "web.cms_plugins"}
    mail, plugin = parts["hosting.email"], parts["web.cms_plugins"]
    assert mail.verdict is Verdict.OUTSIDE_HOURS and mail.offer is not None
    assert mail.offer.emergency and mail.offer.amount == Decimal("180.00")
    assert plugin.verdict is Verdict.PAID_OPTION and plugin.offer is not None
    assert not plugin.offer.emergency and plugin.offer.amount == Decimal("60.00")
    assert decision.verdict is Verdict.OUTSIDE_HOURS  # led by its covered part
