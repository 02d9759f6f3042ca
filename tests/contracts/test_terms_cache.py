"""The terms a process keeps for the scope check (``selectors.terms_now``): read
again after every kind of edit, and not before. (The same across two worker
processes: tests/tickets/test_worker.py, on PostgreSQL.)"""

from __future__ import annotations

import pytest

from contracts.models import Clause, Contact, Contract, ReplyWording, Service
from contracts.selectors import terms_now, terms_version


def included(customer, code: str) -> bool:
    contract = terms_now().customer(customer.pk).terms.contracts[0]
    return contract.clauses[code].coverage == "included"


@pytest.mark.django_db
def test_nothing_is_read_again_while_nothing_changes(northwind, django_assert_num_queries):
    known = terms_now()
    known.customer(northwind.pk)
    with django_assert_num_queries(1):  # the version, and nothing else
        again = terms_now()
        again.customer(northwind.pk)
    assert again is known


@pytest.mark.django_db
def test_a_clause_saved_is_read_by_the_next_decision(northwind):
    assert not included(northwind, "web.cms_plugins")
    clause = Clause.objects.get(contract__customer=northwind, service__code="web.cms_plugins")
    clause.coverage, clause.pricing, clause.price = "included", "", None
    clause.save()
    assert included(northwind, "web.cms_plugins")


@pytest.mark.django_db
def test_bulk_writes_change_the_version_too(northwind):
    before = terms_version()
    Contact.objects.filter(customer=northwind).update(language="lv")
    assert terms_version() != before
    assert {c.language for c in terms_now().customer(northwind.pk).terms.contacts.values()} == {
        "lv"
    }
    before = terms_version()
    Contract.objects.filter(customer=northwind).update(hourly_rate=95)
    assert terms_version() != before


@pytest.mark.django_db
def test_a_new_service_and_reply_wording_are_read_at_once(northwind):
    known = terms_now()
    Service.objects.create(code="web.accessibility", names={"en": "Accessibility review"})
    ReplyWording.objects.create(verdict="in_scope", language="en", text="Thanks, {greeting}")
    fresh = terms_now()
    assert fresh is not known
    assert "web.accessibility" in fresh.services
    assert fresh.wordings[("in_scope", "en")] == "Thanks, {greeting}"


@pytest.mark.django_db
def test_the_recogniser_is_kept_when_only_a_contract_changed(northwind):
    catalogue = terms_now().catalogue
    Contract.objects.filter(customer=northwind).update(hourly_rate=95)
    assert terms_now().catalogue is catalogue


@pytest.mark.django_db
def test_a_top_up_bought_is_counted_by_the_next_decision_without_a_query_of_its_own(
    northwind, django_assert_num_queries
):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from contracts.models import TopUp
    from tickets.selectors import allowance_usage

    at = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    contract = Contract.objects.filter(customer=northwind).first()
    bought = TopUp.objects.filter(contract__customer=northwind).count()
    left = allowance_usage(customer=northwind, at=at).topup_minutes_left
    TopUp.objects.create(contract=contract, minutes=60, purchased_on=date(2026, 11, 2))
    TopUp.objects.create(contract=contract, minutes=30, purchased_on=date(2026, 12, 1))
    top_ups = terms_now().customer(northwind.pk).top_ups
    assert len(top_ups) == bought + 2
    with django_assert_num_queries(2):  # the tickets and the minutes; the top-ups are known
        usage = allowance_usage(customer=northwind, at=at, top_ups=top_ups)
    # The block bought in December is not there for November's work.
    assert usage == allowance_usage(customer=northwind, at=at)
    assert usage.topup_minutes_left == left + 60
