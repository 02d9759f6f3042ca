"""The REST API's own parts that no app owns: the token authentication, the JSON
parser and the filter backend every endpoint reads with (the schema class is in
``schema``)."""

from __future__ import annotations

import codecs
import math
import re

from django.conf import settings
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import authentication, parsers, serializers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils import json

# No request of ours nests deeper than a few levels (a contract's support hours,
# a service's phrases per language). Python's json recurses once per level and
# dies with RecursionError near 1,000, so a body is refused long before that.
MAX_JSON_DEPTH = 32

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside
    strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if bracket.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _has_nul(value) -> bool:
    """Whether a parsed JSON value holds a NUL character in any string or key:
    PostgreSQL stores no NUL in text or jsonb and answers such a write with an
    error. The nesting is already bounded, so the recursion is too."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        # json reads 1e400 as infinity, which no field can store or compare.
        raise ValueError(f"{text} is too large a number")
    return number


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with a 400 what would otherwise crash: nesting
    deeper than ``MAX_JSON_DEPTH``, numbers too large for a float, and NUL
    characters, which PostgreSQL refuses to store."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            if json_depth(text) > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
            data = json.loads(
                text,
                parse_constant=json.strict_constant if self.strict else None,
                parse_float=_finite_float,
            )
            if _has_nul(data):
                raise ValueError("text may not hold a NUL character (\\u0000)")
            return data
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, reading the user's contact and customer in the
    same query as the token: nearly every API request asks for them (who may see
    what, a new ticket's customer and language), each a query of its own otherwise.
    A staff user has no contact, and reads as having none."""

    def authenticate_credentials(self, key):
        token = (
            self.get_model()
            .objects.select_related("user__contact__customer")
            .filter(key=key)
            .first()
        )
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # refused in DRF's words
        return token.user, token


# --- filters -------------------------------------------------------------------------


def _query_names(filterset) -> list[str]:
    """The query parameters a filter set reads (a date range reads two)."""
    names = []
    for name, field in filterset.form.fields.items():
        suffixes = getattr(field.widget, "suffixes", None)
        names += [f"{name}_{suffix}" if suffix else name for suffix in suffixes or [""]]
    return names


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing a filter named without a value
    (``?status=``) with a 400 instead of ignoring it: the schema documents each
    filter's values, and an empty one is none of them."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            blank = [
                name for name in _query_names(filterset) if "" in request.query_params.getlist(name)
            ]
            if blank:
                message = serializers.CharField.default_error_messages["blank"]
                raise ValidationError({name: [message] for name in blank})
        return filterset
