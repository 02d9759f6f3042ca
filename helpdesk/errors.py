"""What Django itself answers when no view does: an unknown URL, a request it
cannot read (a wrong Host, a broken body), a crash. Under /api/ that is JSON like
every other API answer, ``{"detail": ...}`` in DRF's translated words; elsewhere
the desk's own kind pages (templates/404.html, 500.html)."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions

API_PREFIX = "/api/"


def _for_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(detail, status: int) -> JsonResponse:
    return JsonResponse({"detail": str(detail)}, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # A body read past the limit by a view, not the upload middleware (which
        # checks only what a request declares): the same kind page, or JSON.
        from tickets.attachments import text_too_large

        return text_too_large(request)
    if _for_api(request):
        return _json(exceptions.ParseError.default_detail, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return _json(exceptions.PermissionDenied.default_detail, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _for_api(request):
        return _json(exceptions.NotFound.default_detail, 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _for_api(request):
        return _json(exceptions.APIException.default_detail, 500)
    return defaults.server_error(request)
