"""Health probes and metrics: wiring only, the desk's own figures come from tickets.

/healthz says the process answers; /readyz that it can serve (database, Redis,
migrations, a live worker); /metrics is for Prometheus, from allowed addresses.
ProbeMiddleware answers all three first, before the host check and the HTTPS
redirect: load balancers and Prometheus reach a container by its address, over
plain HTTP.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterator

import prometheus_client
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

# A worker writes the time here on beat's schedule (helpdesk.heartbeat, every 20 s).
HEARTBEAT_KEY = "scopedesk:worker-heartbeat"
HEARTBEAT_MAX_AGE = 60  # seconds: a worker or beat that missed three beats is gone
OK = "ok"


def heartbeat_record(*, now: float | None = None) -> None:
    cache.set(HEARTBEAT_KEY, time.time() if now is None else now, timeout=None)


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": OK})


def readyz(request: HttpRequest) -> HttpResponse:
    """Each check answers "ok" or what is wrong, in a few words (no host names:
    anyone may ask)."""
    checks = {"database": database_check()}
    checks["migrations"] = migrations_check() if checks["database"] == OK else "unknown"
    if settings.REDIS_URL:
        checks["redis"], checks["worker"] = redis_and_worker_check()
    ready = all(result == OK for result in checks.values())
    return JsonResponse(
        {"status": OK if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return "unreachable"
    return OK


def migrations_check() -> str:
    # The migration modules are imported once; later probes take a few milliseconds.
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        return "unknown"
    return f"{len(unapplied)} not applied" if unapplied else OK


def redis_and_worker_check() -> tuple[str, str]:
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:
        return "unreachable", "unknown"
    if beat is None:
        return OK, "no heartbeat seen"
    age = time.time() - beat
    if age > HEARTBEAT_MAX_AGE:
        return OK, f"last heartbeat {int(age)} s ago"
    return OK, OK


class DeskCollector(Collector):
    """The desk's own gauges, computed when Prometheus scrapes: the same from
    every web process."""

    def collect(self) -> Iterator[Metric]:
        from tickets.selectors import desk_backlog

        now = timezone.now()
        backlog = desk_backlog(now=now)
        oldest = (
            (now - backlog.oldest_undecided_at).total_seconds()
            if backlog.oldest_undecided_at
            else 0
        )
        yield GaugeMetricFamily(
            "scopedesk_tickets_awaiting_decision",
            "Tickets whose scope check has not run yet.",
            value=backlog.undecided,
        )
        yield GaugeMetricFamily(
            "scopedesk_oldest_ticket_awaiting_decision_seconds",
            "Age of the oldest ticket whose scope check has not run yet (0 when none).",
            value=max(oldest, 0),
        )
        yield GaugeMetricFamily(
            "scopedesk_emails_waiting",
            "Replies and automatic replies not e-mailed yet.",
            value=backlog.emails_waiting,
        )
        yield GaugeMetricFamily(
            "scopedesk_emails_failed",
            "Replies and automatic replies that could not be e-mailed for good.",
            value=backlog.emails_failed,
        )
        yield GaugeMetricFamily(
            "scopedesk_sla_overdue",
            "Open tickets past an SLA deadline.",
            value=backlog.sla_overdue,
        )


DESK_REGISTRY = prometheus_client.CollectorRegistry(auto_describe=False)
DESK_REGISTRY.register(DeskCollector())


def metrics_allowed(request: HttpRequest) -> bool:
    """Only from METRICS_ALLOWED_IPS, and never through the proxy: a request that
    came through it carries X-Forwarded-For and the proxy's own address."""
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.METRICS_ALLOWED_IPS)


def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    # Under several web processes (PROMETHEUS_MULTIPROC_DIR set) the request
    # metrics are added up from their files.
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(registry)
    body += prometheus_client.generate_latest(DESK_REGISTRY)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics,
}


class ProbeMiddleware:
    """First in MIDDLEWARE, so no host check, HTTPS redirect or session runs before it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is None or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        response = probe(request)
        response["Cache-Control"] = "no-store"
        return response
