"""A query compiled once and run with new values gives what the queryset gives."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db.models import Count

from helpdesk.compiled import CompiledQuery
from tests.tickets.test_ticket_flow import MAIL, SARA, file
from tickets.models import Ticket

NOVEMBER_2 = datetime(2026, 11, 2, 9, tzinfo=UTC)
NOVEMBER_20 = datetime(2026, 11, 20, 9, tzinfo=UTC)


def _by_customer(*, customer: int, after: datetime, before: datetime, excluding: int):
    return (
        Ticket.objects.filter(customer=customer, created_at__gte=after, created_at__lt=before)
        .exclude(pk=excluding)
        .order_by()
        .values_list("customer")
        .annotate(n=Count("pk"))
        .values_list("n")
    )


@pytest.mark.django_db(transaction=True)
def test_each_run_takes_its_own_values_and_matches_the_queryset(northwind, volga):
    first = file(SARA, MAIL, at=NOVEMBER_2)
    file(SARA, MAIL, at=NOVEMBER_20)
    query = CompiledQuery(
        _by_customer, customer=int, after=datetime, before=datetime, excluding=int
    )
    cases = [
        dict(customer=northwind.pk, after=NOVEMBER_2, before=NOVEMBER_20, excluding=0),
        dict(
            customer=northwind.pk,
            after=NOVEMBER_2,
            before=datetime(2026, 12, 1, tzinfo=UTC),
            excluding=0,
        ),
        dict(
            customer=northwind.pk,
            after=NOVEMBER_2,
            before=datetime(2026, 12, 1, tzinfo=UTC),
            excluding=first.pk,
        ),
        dict(
            customer=volga.pk,
            after=NOVEMBER_2,
            before=datetime(2026, 12, 1, tzinfo=UTC),
            excluding=0,
        ),
    ]

    got = [query.rows(**values) for values in cases]

    assert got == [[(1,)], [(2,)], [(1,)], []]
    assert got == [list(_by_customer(**values)) for values in cases]


@pytest.mark.django_db
def test_a_value_the_query_does_not_use_is_refused_when_it_is_compiled():
    def by_day(*, day: date, requester: int):
        return Ticket.objects.filter(created_at__date=day).values_list("pk")

    with pytest.raises(ValueError, match="requester: not a parameter"):
        CompiledQuery(by_day, day=date, requester=int).rows(day=date(2026, 11, 2), requester=1)
