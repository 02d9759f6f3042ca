"""An incident on the production set-up: PostgreSQL, Redis and a prefork Celery
worker (see conftest.py). The services run here, in the test process, with tasks
going to the desk's worker as they do from the web side; customers file their
tickets through the API over HTTP.

Runs only with REDIS_URL set and the test database on PostgreSQL; elsewhere it
skips, as test_worker.py does.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from contracts.models import Service
from tests.tickets.conftest import needs_live_desk, wait_until
from tickets import services
from tickets.models import Incident, IncidentUpdate, Message, Status, Ticket, TimeEntry
from tickets.selectors import allowance_usage

pytestmark = [pytest.mark.worker, needs_live_desk, pytest.mark.django_db(transaction=True)]

# The example customers' contacts whose contract includes hosting.availability
# today, and their languages (Daugava's contract has ended: not affected).
AFFECTED = {
    "aino@northwind.example": "fi",
    "mikko@northwind.example": "fi",
    "sara@northwind.example": "en",
    "ivan@volga-media.example": "ru",
    "olga@volga-media.example": "ru",
}
OPENING = {
    "en": "A power failure in our data centre took the servers down.",
    "ru": "Из-за сбоя питания в нашем дата-центре отключились серверы.",
    "fi": "Konesalimme sähkökatko kaatoi palvelimet.",
    "lv": "Elektrības pārtraukums mūsu datu centrā apturēja serverus.",
}
NEWS = {
    "en": "Power is back; the servers are starting one by one.",
    "ru": "Питание восстановлено, серверы запускаются один за другим.",
    "fi": "Sähköt ovat palanneet, ja palvelimet käynnistyvät yksi kerrallaan.",
    "lv": "Elektrība ir atjaunota, serveri tiek palaisti pa vienam.",
}
ALL_CLEAR = {
    "en": "Every server runs again.",
    "ru": "Все серверы снова работают.",
    "fi": "Kaikki palvelimet toimivat taas.",
    "lv": "Visi serveri atkal darbojas.",
}
DOWN = {
    "en": "Our website is down, visitors get 502 bad gateway.",
    "ru": "Сайт не работает, сервер не отвечает, ошибка 502.",
    "fi": "Sivusto ei toimi ja palvelin ei vastaa.",
}
SUBJECTS = {
    IncidentUpdate.Kind.OPENED: "We have a problem: %(title)s",
    IncidentUpdate.Kind.UPDATE: "Update: %(title)s",
    IncidentUpdate.Kind.RESOLVED: "Resolved: %(title)s",
}
TITLE = "Servers down"


@pytest.fixture
def desk_broker(live_desk):
    """Tasks queued in this process go to the desk's own Redis, and so to its
    worker, as they do from its web side."""
    from helpdesk.celery import app

    def switch(url: str) -> None:
        app.conf.broker_url = url
        # Derived from the first broker_url read; None derives them again.
        app.conf.broker_write_url = app.conf.broker_read_url = None
        # Connections made so far lead to the old broker.
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    before = app.conf.broker_url
    switch(live_desk.redis.url)
    yield
    switch(before)


def incident_mails(live_desk, incident: Incident) -> list:
    reference = f"<incident-{incident.pk}@scopedesk>"
    return [m for m in live_desk.mails() if m["References"] == reference]


def wait_for_notices(live_desk, update: IncidentUpdate, *, timeout: float = 60) -> dict:
    """Wait until every notice of ``update`` has reached the mailbox; then each
    contact's one mail of it, by address."""
    ids = set(update.notices.values_list("message_id", flat=True))
    assert len(ids) == len(AFFECTED)

    def arrived():
        live_desk.assert_no_task_failures()
        found = [m for m in live_desk.mails() if m["Message-ID"] in ids]
        return found if {m["Message-ID"] for m in found} == ids else None

    found = wait_until(
        arrived,
        timeout=timeout,
        what=f"the {update.kind} notices to reach all {len(ids)} contacts",
        detail=live_desk.logs,
    )
    by_address = Counter(m["To"] for m in found)
    assert by_address == dict.fromkeys(AFFECTED, 1), by_address
    return {m["To"]: m for m in found}


def assert_each_in_its_language(mails: dict, kind: str, texts: dict[str, str]) -> None:
    for address, lang in AFFECTED.items():
        message = mails[address]
        with translation.override(lang):
            assert message["Subject"] == gettext(SUBJECTS[kind]) % {"title": TITLE}, address
        assert texts[lang] in message.get_content(), (address, message.get_content()[:300])


def test_an_incident_speaks_first_answers_its_tickets_and_resolves_them(
    live_desk, desk_broker, catalogue, northwind, volga, daugava, technician
):
    availability = Service.objects.get(code="hosting.availability")
    usage_before = {
        c.slug: allowance_usage(customer=c, at=timezone.now()) for c in (northwind, volga)
    }

    opened = timezone.now()
    incident = services.incident_open(
        by=technician,
        title=TITLE,
        services=[availability],
        texts=OPENING,
        eta=opened + timedelta(hours=3),
        next_update_at=opened + timedelta(hours=1),
    )
    opening = incident.updates.get()
    mails = wait_for_notices(live_desk, opening, timeout=60)
    took = max(m.emailed_at for m in opening.notices.all()) - opened
    assert took < timedelta(seconds=60)
    assert_each_in_its_language(mails, IncidentUpdate.Kind.OPENED, OPENING)

    update = services.incident_post_update(
        incident_id=incident.pk,
        by=technician,
        texts=NEWS,
        next_update_at=timezone.now() + timedelta(hours=1),
    )
    assert_each_in_its_language(
        wait_for_notices(live_desk, update), IncidentUpdate.Kind.UPDATE, NEWS
    )

    # Thirty tickets about it, from every affected contact, through the API.
    users = get_user_model().objects
    apis = {
        address: live_desk.api(Token.objects.get_or_create(user=users.get(email=address))[0].key)
        for address in AFFECTED
    }
    addresses = [list(AFFECTED)[n % len(AFFECTED)] for n in range(30)]

    def file(n: int):
        address = addresses[n]
        return address, apis[address].file(f"Down {n}", DOWN[AFFECTED[address]])

    with ThreadPoolExecutor(6) as pool:
        filed = list(pool.map(file, range(30)))
    assert [a.status for _, a in filed] == [201] * 30, [a for _, a in filed if a.status != 201]
    ids = [a.data["id"] for _, a in filed]
    wait_until(
        lambda: (
            live_desk.assert_no_task_failures()
            or not Ticket.objects.filter(pk__in=ids, decided_at=None).exists()
        ),
        timeout=60,
        what="the 30 tickets' decisions",
        detail=live_desk.logs,
    )
    tickets = Ticket.objects.filter(pk__in=ids)
    assert {(t.incident_id, t.verdict, t.status) for t in tickets} == {
        (incident.pk, "in_scope", Status.OPEN)
    }
    replies = Message.objects.filter(ticket__in=ids, kind=Message.Kind.AUTOMATIC)
    assert Counter(replies.values_list("ticket_id", flat=True)) == dict.fromkeys(ids, 1)
    for (address, _answer), ticket_id in zip(filed, ids, strict=True):
        body = replies.get(ticket_id=ticket_id).body
        assert NEWS[AFFECTED[address]] in body, (address, body[:300])
        assert OPENING[AFFECTED[address]] not in body  # the latest news, not the first

    # Work on them is logged, and none of it, nor any ticket, is charged.
    for ticket_id in ids[:5]:
        [entry] = services.time_entry_log(ticket_id=ticket_id, technician=technician, minutes=25)
        assert entry.kind == TimeEntry.Kind.INCLUDED
    for customer in (northwind, volga):
        assert allowance_usage(customer=customer, at=timezone.now()) == usage_before[customer.slug]

    # Each reply e-mailed once, to the ticket's requester.
    reply_ids = set(replies.values_list("message_id", flat=True))
    wait_until(
        lambda: {m["Message-ID"] for m in live_desk.mails()} >= reply_ids,
        timeout=60,
        what="the 30 replies to be e-mailed",
        detail=live_desk.logs,
    )

    services.incident_resolve(incident_id=incident.pk, by=technician, texts=ALL_CLEAR)
    resolved = incident.updates.get(kind=IncidentUpdate.Kind.RESOLVED)
    assert_each_in_its_language(
        wait_for_notices(live_desk, resolved), IncidentUpdate.Kind.RESOLVED, ALL_CLEAR
    )
    assert set(tickets.values_list("status", flat=True)) == {Status.RESOLVED}

    # Nothing more comes: no message per resolved ticket, nothing sent twice.
    live_desk.assert_no_task_failures()
    assert Message.objects.filter(ticket__in=ids).count() == 30
    sent = Counter(m["Message-ID"] for m in live_desk.mails())
    assert not [mid for mid, n in sent.items() if n > 1], "an e-mail went out twice"
    assert len(incident_mails(live_desk, incident)) == 3 * len(AFFECTED)
    ticket_mails = [m for m in live_desk.mails() if m["Message-ID"] in reply_ids]
    assert len(ticket_mails) == 30
    print(f"\nfirst notices to all {len(AFFECTED)} contacts {took.total_seconds():.1f} s after")
