"""/healthz, /readyz and /metrics: what load balancers and Prometheus are told."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from helpdesk.health import heartbeat_record
from tickets import services
from tickets.models import Message, Status, Ticket

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture
def with_redis(settings):
    """REDIS_URL set: /readyz also asks the cache and wants a worker's heartbeat.
    (The cache itself is whatever the run uses: Redis in CI, memory otherwise.)"""
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def without_redis(settings):
    """The embedded set-up: no Redis to ask, no worker to expect."""
    settings.REDIS_URL = ""


def test_healthz_answers_without_the_database():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_probes_answer_over_plain_http_and_by_address_in_production(
    settings, db, without_redis
):
    """Load balancers probe a container by its address, without TLS."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["desk.example.com"]
    client = Client(HTTP_HOST="10.1.2.3:8000")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/portal/").status_code == 400  # the host check holds elsewhere


def test_readyz_names_each_check(db, without_redis):
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok"},
    }


def test_readyz_is_unavailable_while_a_migration_is_not_applied(db, without_redis):
    MigrationRecorder.Migration.objects.filter(app="tickets").order_by("-id").first().delete()
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 not applied"
    assert response.json()["status"] == "unavailable"


def test_readyz_with_redis_wants_a_heartbeat_from_the_last_minute(db, with_redis):
    heartbeat_record(now=time.time() - 5)
    response = Client().get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "redis": "ok",
        "worker": "ok",
    }


def test_readyz_is_unavailable_when_the_heartbeat_is_stale(db, with_redis):
    heartbeat_record(now=time.time() - 90)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("last heartbeat 9")


def test_readyz_is_unavailable_when_no_worker_ever_beat(db, with_redis):
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "no heartbeat seen"


def test_the_heartbeat_task_records_the_time(db, with_redis):
    from helpdesk.celery import heartbeat

    heartbeat.apply()
    assert Client().get("/readyz").json()["checks"]["worker"] == "ok"


@pytest.mark.parametrize(
    "meta",
    [
        {"REMOTE_ADDR": "203.0.113.9"},
        {"REMOTE_ADDR": "10.0.0.8"},
        # Through the proxy on this machine: its address, with the client's beside it.
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"},
    ],
)
def test_metrics_are_refused_to_other_addresses(db, meta):
    response = Client().get("/metrics", **meta)
    assert response.status_code == 403
    assert b"scopedesk_" not in response.content


def test_metrics_are_served_to_an_allowed_network(db, settings):
    from ipaddress import ip_network

    settings.METRICS_ALLOWED_IPS = [ip_network("10.0.0.0/8")]
    assert Client().get("/metrics", REMOTE_ADDR="10.0.0.8").status_code == 200
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def gauges(client: Client) -> dict[str, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        name: float(value)
        for name, value in (
            line.split(" ")
            for line in response.content.decode().splitlines()
            if line.startswith("scopedesk_")
        )
    }


def test_metrics_count_the_desks_backlog(northwind):
    sara = get_user_model().objects.get(email="sara@northwind.example")

    def ticket(**fields) -> Ticket:
        # In a test transaction nothing commits, so no scope check runs.
        created = services.ticket_create(requester=sara, subject="Help", body="Mail is down")
        Ticket.objects.filter(pk=created.pk).update(**fields)
        return created

    with time_machine.travel(NOW, tick=False):
        oldest = ticket(created_at=NOW - timedelta(hours=2))
        ticket(created_at=NOW - timedelta(minutes=5))
        decided = {"decided_at": NOW, "verdict": "in_scope"}
        ticket(**decided, status=Status.OPEN, first_response_due=NOW - timedelta(minutes=1))
        ticket(**decided, status=Status.NEW, first_response_due=NOW - timedelta(hours=3))
        ticket(**decided, status=Status.OPEN, first_response_due=NOW + timedelta(minutes=1))
        ticket(**decided, status=Status.RESOLVED, first_response_due=NOW - timedelta(hours=1))
        Message.objects.create(ticket=oldest, kind=Message.Kind.PUBLIC, body="Hello")
        Message.objects.create(ticket=oldest, kind=Message.Kind.AUTOMATIC, body="Covered")
        Message.objects.create(
            ticket=oldest,
            kind=Message.Kind.INTERNAL,
            body="Note",
            delivery=Message.Delivery.NOT_EMAILED,
        )
        Message.objects.create(
            ticket=oldest,
            kind=Message.Kind.PUBLIC,
            body="Sent",
            emailed_at=NOW,
            delivery=Message.Delivery.SENT,
        )
        Message.objects.create(
            ticket=oldest,
            kind=Message.Kind.PUBLIC,
            body="Bad address",
            delivery=Message.Delivery.FAILED,
            delivery_error="550 no such user",
        )

        values = gauges(Client())

    assert values["scopedesk_tickets_awaiting_decision"] == 2
    assert values["scopedesk_oldest_ticket_awaiting_decision_seconds"] == 7200
    assert values["scopedesk_emails_waiting"] == 2
    assert values["scopedesk_emails_failed"] == 1
    assert values["scopedesk_sla_overdue"] == 2


def test_metrics_with_an_empty_desk_are_zero(db):
    values = gauges(Client())
    assert values == {
        "scopedesk_tickets_awaiting_decision": 0,
        "scopedesk_oldest_ticket_awaiting_decision_seconds": 0,
        "scopedesk_emails_waiting": 0,
        "scopedesk_emails_failed": 0,
        "scopedesk_sla_overdue": 0,
    }


def test_metrics_carry_the_request_metrics_of_django_prometheus(db):
    Client().get("/healthz")
    Client().get("/accounts/login/")
    body = Client().get("/metrics").content.decode()
    assert "django_http_requests_total_by_view_transport_method_total" in body
