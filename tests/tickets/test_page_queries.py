"""The pages read most run the same number of queries for 5 tickets as for 50:
the queue's list and the tickets API, unfiltered, by verdict, by customer and by
text, and a page deep in the list. (The ticket page and the portal's lists have
theirs in test_queue_ticket.py and test_portal/test_queries.py.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.helpers import api
from tests.tickets.test_queue import make_ticket
from tickets.models import Message
from tickets.queue.selectors import shown

pytestmark = pytest.mark.django_db

FILTERS = ["", "?verdict=paid_option", "?customer=northwind", "?q=printer"]
SECOND_PAGE = {"/queue/": "?view=all&page=2", "/api/v1/tickets/": "?page=2"}


def add(customers, count: int) -> None:
    for n in range(count):
        ticket = make_ticket(
            customers[n % 2],
            subject=("The printer is out of paper", "Mail is slow")[n % 2],
            verdict=("in_scope", "paid_option", "needs_review")[n % 3],
        )
        Message.objects.create(ticket=ticket, kind=Message.Kind.PUBLIC, body="On it.")


def counted(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("base", ["/queue/", "/api/v1/tickets/"])
def test_the_list_runs_as_many_queries_for_50_tickets_as_for_5(
    client, northwind, daugava, technician, base
):
    client.force_login(technician)
    reader = client if base == "/queue/" else api(technician)
    urls = [base + query for query in FILTERS]
    deeper = base + SECOND_PAGE[base]
    add([northwind, daugava], 5)
    reader.get(base)  # warm the session and the content types
    few = [counted(reader, url) for url in urls]
    add([northwind, daugava], 25)  # a second page
    few.append(counted(reader, deeper))
    add([northwind, daugava], 25)
    many = [counted(reader, url) for url in [*urls, deeper]]
    assert few == many
    assert max(few) <= 16, few


def test_the_queue_counts_no_further_than_its_cap(
    client, northwind, daugava, technician, monkeypatch
):
    # A million tickets are not needed to see it: the cap is a setting of the queue.
    monkeypatch.setattr("tickets.queue.selectors.COUNT_CAP", 3)
    add([northwind, daugava], 5)
    client.force_login(technician)
    for url in ("/queue/?view=all", "/queue/?verdict=in_scope&verdict=paid_option"):
        queue = client.get(url).context["queue"]
        assert queue.total == "3+"
        assert queue.page.paginator.capped
    (all_tickets,) = [
        count
        for view, count, _ in client.get("/queue/?view=all").context["queue"].tabs
        if view.key == "all"
    ]
    assert all_tickets == "3+"
    # Under the cap the count is exact.
    queue = client.get("/queue/?customer=northwind&verdict=in_scope").context["queue"]
    assert queue.total == "1"
    assert not queue.page.paginator.capped


@pytest.mark.parametrize(
    ("language", "under", "over"),
    [
        ("en", "9,876", "10,000+"),
        ("ru", "9\xa0876", "10\xa0000+"),
        ("fi", "9\xa0876", "10\xa0000+"),
        ("lv", "9\xa0876", "10\xa0000+"),
    ],
)
def test_counts_are_written_as_the_readers_language_groups_digits(language, under, over):
    with translation.override(language):
        assert (shown(9_876), shown(10_001)) == (under, over)
