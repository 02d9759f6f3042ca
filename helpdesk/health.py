"""Health probes and metrics: wiring only.

A worker records a heartbeat on beat's schedule; /readyz will read it.
"""

from __future__ import annotations

import time

from django.core.cache import cache

# A worker writes the time here on beat's schedule (helpdesk.heartbeat, every 20 s).
HEARTBEAT_KEY = "scopedesk:worker-heartbeat"


def heartbeat_record(*, now: float | None = None) -> None:
    cache.set(HEARTBEAT_KEY, time.time() if now is None else now, timeout=None)
