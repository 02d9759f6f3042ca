"""Mixed requests: a text that asks for two things, split into its parts.

"Our mail is down — and please also install plugin X" is two requests: one
covered, one paid. Answering both with one verdict either makes the outage
wait on an offer or does the plugin for free, so the text is cut where a
sentence ends or a joining word ("and also", "а также", "lisäksi", "turklāt")
starts a new request, and each piece is recognised on its own.

A split counts only when it is confident: every piece that names anything
names one service clearly, at least two services are named, and the whole
text does not clearly name a service that none of the pieces asks for. A piece
with no catalogue word at all ("Hi Sara here", "Thanks!") belongs to no part.
Anything less and the caller judges the text as one request, as before.
Pure: no Django, no database, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.engine.matching import Recognition, ServiceMatcher

# Words that start a further request, per language, longest first within each so
# that "and also" is cut as one joint, not as "and" + "also". Plain "and" / "и" /
# "ja" / "un" are not among them: they join words far more often than requests.
JOINING_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "and while you're at it",
        "while you are at it",
        "while you're at it",
        "another thing",
        "and also",
        "as well as",
        "in addition",
        "besides that",
        "apart from that",
        "also",
        "plus",
    ),
    "ru": (
        "и заодно",
        "а также",
        "кроме того",
        "и ещё",
        "и еще",
        "помимо этого",
        "и также",
        "заодно",
        "также",
        "ещё",
        "еще",
    ),
    "fi": ("ja lisäksi", "ja myös", "sen lisäksi", "lisäksi", "sekä", "myös"),
    "lv": ("un vēl", "un arī", "kā arī", "turklāt", "bez tam", "vēl"),
}

# A text of more pieces is a long story, not a few requests: it is judged whole,
# and its cost stays that of one recognition.
MAX_PIECES = 20

_JOINTS = sorted({w for words in JOINING_WORDS.values() for w in words}, key=len, reverse=True)
# A sentence end (not the dots of "shop.example.com"), a semicolon, a line break
# or a dash between words ends a piece; so does a joining word standing as a word
# of its own (not the "also" of "alsowhatever", not "ещё" inside a word).
_SPLIT = re.compile(
    r"[.!?;]+(?=\s|$)\s*|\n+|\s+[—–-]+\s+|(?<![^\W_])(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in _JOINTS)
    + r")(?![^\W_])",
    re.IGNORECASE | re.UNICODE,
)


@dataclass(frozen=True, slots=True)
class Segment:
    """One request in a mixed text: its words and the service it clearly names."""

    text: str
    service: str
    confidence: float


def segments(text: str) -> list[str]:
    """The pieces of a text between sentence ends and joining words, stripped,
    empty ones left out."""
    pieces = (piece.strip(" ,:—–-\t") for piece in _SPLIT.split(text))
    return [piece for piece in pieces if piece]


def split_request(text: str, matcher: ServiceMatcher, whole: Recognition) -> tuple[Segment, ...]:
    """The parts of a mixed request, in the order the text asks for them; empty
    when the text asks for one thing, or when the split is not confident."""
    pieces = segments(text)
    if not 2 <= len(pieces) <= MAX_PIECES:
        return ()
    found: dict[str, list[str]] = {}
    confidence: dict[str, float] = {}
    previous: str | None = None
    for piece in pieces:
        recognised = matcher.recognise(piece)
        service = recognised.service
        if service is None and recognised.candidates and previous is not None:
            # A piece that says more about the request before it ("It says 502.")
            # belongs to it when together they still name that service.
            recognised = matcher.recognise(" ".join([*found[previous], piece]))
            service = previous if recognised.service == previous else None
        if service is None:
            if recognised.candidates:
                return ()  # a request we cannot place: no confident split
            continue  # a greeting, a thank-you, a name
        found.setdefault(service, []).append(piece)
        confidence[service] = min(confidence.get(service, 1.0), recognised.confidence)
        previous = service
    if len(found) < 2 or (whole.service is not None and whole.service not in found):
        return ()
    return tuple(
        Segment(". ".join(texts), service, confidence[service]) for service, texts in found.items()
    )
