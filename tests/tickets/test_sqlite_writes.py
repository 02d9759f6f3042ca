"""The embedded set-up (SQLite) under parallel writes: customers rating and replying
on the same ticket at once get an answer or a clean refusal, never a 500
"database is locked". Runs on a real database file, as the embedded desk does:
an in-memory database shares one cache between connections and locks otherwise.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from tests.tickets.test_ticket_flow import (
    MAIL,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
    user,
)
from tickets import services
from tickets.models import Rating

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded set-up's SQLite"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
ROUNDS = 5


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


def _post_together(requests: list[tuple[str, dict]]) -> list[int]:
    """POST each (url, data) as Sara, all at the same moment, each in its own
    thread and database connection; the status codes."""
    sara = user(SARA)
    barrier = threading.Barrier(len(requests), timeout=30)
    statuses = [0] * len(requests)

    def post(i: int, url: str, data: dict) -> None:
        client = APIClient()
        client.force_authenticate(sara)
        client.raise_request_exception = False  # a crash is a 500, as a browser sees it
        try:
            barrier.wait()
            statuses[i] = client.post(url, data, format="json").status_code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=post, args=(i, url, data)) for i, (url, data) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def test_the_tests_write_to_a_database_file_as_the_embedded_desk_does():
    assert not connection.is_in_memory_db()


def test_ratings_and_replies_at_once_are_answered_or_refused_never_a_500(desk, technician):
    for _ in range(ROUNDS):
        ticket = file(SARA, MAIL)
        services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
        base = f"/api/v1/tickets/{ticket.pk}"
        requests = [
            (f"{base}/rate/", {"score": 5}) if i % 2 else (f"{base}/reply/", {"body": "Thanks!"})
            for i in range(THREADS)
        ]
        statuses = _post_together(requests)
        assert all(s in (200, 400) for s in statuses), statuses
        # Replies reopen the ticket, so a rating may come too late; each reply lands.
        assert statuses[::2] == [200] * (THREADS // 2), statuses
        assert Rating.objects.filter(ticket=ticket).count() <= 1
        assert ticket.messages.filter(body="Thanks!").count() == THREADS // 2
