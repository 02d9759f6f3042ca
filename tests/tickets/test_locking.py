"""One lock order everywhere: the ticket first, then its offers.

Answering an offer (or letting it lapse) and resolving, overriding or re-deciding
its ticket touch the same two rows. Taken in opposite orders by two transactions,
PostgreSQL finds a deadlock and aborts one of them: a 500 for the customer or the
technician. SQLite locks the whole database, so these run on PostgreSQL only.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
import time_machine
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tests.tickets.test_ticket_flow import (
    MONDAY_10,
    PLUGIN,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
    user,
)
from tickets import services
from tickets.models import Offer, Status

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and deadlocks: PostgreSQL only (SQLite locks the whole file)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 30


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


def _together(*calls: Callable[[], object]) -> list[BaseException | None]:
    """Run the calls at the same moment, each in its own thread and database
    connection; what each raised (a refusal, a deadlock), or None."""
    barrier = threading.Barrier(len(calls), timeout=30)
    outcomes: list[BaseException | None] = [None] * len(calls)

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # reported to the test below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_accepting_an_offer_while_its_ticket_is_resolved_never_deadlocks(desk, technician):
    sara = user(SARA)
    tickets = [file(SARA, PLUGIN) for _ in range(ROUNDS)]
    for ticket in tickets:
        offer = ticket.offers.get()
        outcomes = _together(
            partial(services.offer_answer, offer_id=offer.pk, accept=True, user=sara),
            partial(services.ticket_change_status, ticket_id=ticket.pk, status="resolved"),
        )
        # Whoever comes second may be refused kindly (the offer was withdrawn);
        # nothing else may go wrong: no "deadlock detected".
        assert [o for o in outcomes if o and not isinstance(o, services.TicketError)] == []
        ticket.refresh_from_db()
        offer.refresh_from_db()
        # Either order ends consistently: resolved, the offer accepted first or
        # withdrawn before the customer's answer came.
        assert ticket.status == Status.RESOLVED
        assert offer.status in (Offer.Status.ACCEPTED, Offer.Status.WITHDRAWN)
        assert (offer.status == Offer.Status.WITHDRAWN) == isinstance(
            outcomes[0], services.TicketError
        )


# --- the order itself, statement by statement ---------------------------------------

# A statement that locks rows of a table: SELECT ... FOR UPDATE, or UPDATE.
_LOCKS = re.compile(
    r'^\s*(?:SELECT .*? FROM "(?P<selected>\w+)".* FOR UPDATE|UPDATE "(?P<updated>\w+)")'
)


def _first_lock_of(queries: CaptureQueriesContext, table: str) -> int | None:
    for i, query in enumerate(queries.captured_queries):
        match = _LOCKS.match(query["sql"])
        if match and table in (match["selected"], match["updated"]):
            return i
    return None


def _answer(accept: bool):
    return lambda t, staff: services.offer_answer(
        offer_id=t.offers.get().pk, accept=accept, user=user(SARA)
    )


def _answer_too_late(t, staff):
    late = time_machine.travel(MONDAY_10 + timedelta(days=365), tick=False)
    with late, pytest.raises(services.TicketError):
        services.offer_answer(offer_id=t.offers.get().pk, accept=True, user=user(SARA))


PATHS = {
    "accept": _answer(True),
    "decline": _answer(False),
    "accept too late": _answer_too_late,
    "expire": lambda t, staff: services.offer_expire(offer_id=t.offers.get().pk),
    "expire the lapsed": lambda t, staff: services.offers_expire(
        now=MONDAY_10 + timedelta(days=365)
    ),
    "resolve": lambda t, staff: services.ticket_change_status(ticket_id=t.pk, status="resolved"),
    "override": lambda t, staff: services.decision_override(
        ticket_id=t.pk, lead=staff, verdict="in_scope", reason="Goodwill."
    ),
    "new service": lambda t, staff: services.ticket_change_service(
        ticket_id=t.pk, service="hosting.email", by=staff
    ),
}


@pytest.mark.parametrize("path", PATHS)
def test_every_path_locks_the_ticket_before_its_offer(desk, lead, path):
    ticket = file(SARA, PLUGIN)
    with CaptureQueriesContext(connection) as queries:
        PATHS[path](ticket, lead)
    ticket_lock = _first_lock_of(queries, "tickets_ticket")
    offer_lock = _first_lock_of(queries, "tickets_offer")
    assert offer_lock is not None, "the path touched no offer: the test lost its point"
    assert ticket_lock is not None and ticket_lock < offer_lock, [
        q["sql"][:120] for q in queries.captured_queries
    ]
