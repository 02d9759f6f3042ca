"""API throttles that never turn a cache outage into a refused request.

The counts live in Redis; when Redis is down, filing a ticket must still answer
(the broker outage delays the scope check, nothing else), so the throttle lets
the request through and says so in the log.
"""

from __future__ import annotations

import logging

from rest_framework import throttling

log = logging.getLogger(__name__)


class _FailOpen(throttling.BaseThrottle):
    """Put first among the bases: allow_request wraps the rate throttle's own."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache backend's errors vary
            log.warning("the throttle's cache is unavailable; letting the request through")
            return True


class AnonRateThrottle(_FailOpen, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FailOpen, throttling.UserRateThrottle):
    pass
