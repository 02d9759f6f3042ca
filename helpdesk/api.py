"""The REST API's own parts that no app owns: the JSON parser every endpoint
reads with, and the schema class that documents every endpoint's answers."""

from __future__ import annotations

import codecs
import math
import re

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError
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


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        # json reads 1e400 as infinity, which no field can store or compare.
        raise ValueError(f"{text} is too large a number")
    return number


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with a 400 what would otherwise crash: nesting
    deeper than ``MAX_JSON_DEPTH`` and numbers too large for a float."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            if json_depth(text) > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
            return json.loads(
                text,
                parse_constant=json.strict_constant if self.strict else None,
                parse_float=_finite_float,
            )
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
