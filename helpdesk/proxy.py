"""The client's address behind the proxies named by TRUSTED_PROXY_COUNT.

Each trusted proxy appends the address it was reached from to X-Forwarded-For,
so the client is the TRUSTED_PROXY_COUNT-th entry from the right; whatever
stands left of it the client wrote itself and is not believed. DRF's throttles
count the same way (REST_FRAMEWORK["NUM_PROXIES"]).
"""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """For django-axes (AXES_CLIENT_IP_CALLABLE): without it every login behind the
    proxy comes from the proxy's address, and one attacker's failures lock a
    username out for everyone."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop]
    if not settings.TRUSTED_PROXY_COUNT or not hops:
        return remote
    candidate = hops[-min(settings.TRUSTED_PROXY_COUNT, len(hops))]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
