"""Learning customers' words: recognition phrases suggested from the tickets whose
service a technician had to name because the catalogue did not recognise it.

Pure, like the rest of the engine: examples and the catalogue in, suggestions
out. Nothing here changes recognition; a lead accepts or rejects each
suggestion, and only an accepted phrase enters the catalogue, so the same
request gets the same answer whoever is on duty.

A suggestion is a word or a short run of words (one to three) that:
- occurs in at least ``min_support`` examples of one service in one language,
  written by at least ``min_sources`` customers (one customer's signature or
  domain name is no phrase of the service);
- the catalogue does not already count for that service;
- collides with no other service: none of its words is a word of another
  service's names, phrases or everyday words, and it is not frequent in the
  examples of another service;
- and, the proof: a catalogue with the phrase added recognises at least
  ``min_support`` of those examples as the service that the catalogue alone
  did not, while no example of another service turns into this one.

The work is bounded: at most ``max_proofs`` candidates are tried against the
recogniser, best supported first; each try builds one and reads only the
examples with a word that it could match to the phrase (``_Reading.near``).
Two thousand examples take a few seconds.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from contracts.engine.matching import (
    FUZZY_CUTOFF,
    LATIN_LANGUAGES,
    LONGEST_WORD,
    ServiceMatcher,
    stem,
    words,
)
from contracts.engine.terms import ServiceEntry

MIN_SUPPORT = 3  # examples of a service that must contain a phrase
MIN_SOURCES = 2  # customers who must have written it
MAX_WORDS = 3  # the longest phrase suggested
MAX_PROOFS = 40  # candidates tried against the recogniser in one run
MAX_PER_GROUP = 12  # of which at most this many for one service and language
MAX_EXAMINED = 300  # runs of one service and language looked at, best supported first
COLLIDING_EXAMPLES = 2  # this many examples of another service make a phrase ambiguous
LONG_ROOT = 7  # a stem this long heads its inflections ("nimipalvel" -> "nimipalvelim")
SNIPPETS = 3

# Words that ask for something without saying what: frequent in every request,
# so a phrase of them would recognise nothing in particular. Stop words are
# skipped already (matching.words); negations are kept there, not here.
FILLER = frozenset(
    """
    not no cannot can don doesn isn won didn wasn aren
    need needs needed make do done change changed problem issue asap urgent today
    tomorrow yesterday morning possible regards best kind sincerely br
    не нет нужно надо сделать проблема срочно сегодня завтра вчера привет спасибо
    ei eikä tarvitsemme tarvitaan pitäisi pitaisi tehdä tehda ongelma kiireellinen tänään
    tanaan huomenna eilen terveisin ystävällisin ystavallisin
    nav ne nevar vajag vajadzētu vajadzetu izdarīt izdarit problēma problema steidzami šodien
    sodien rīt rit vakar ar cieņu cienu
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Example:
    """A ticket's text and the service a technician named for it."""

    service: str
    language: str
    text: str
    source: str = ""  # who wrote it (the customer), so one writer's habits are no phrase


@dataclass(frozen=True, slots=True)
class Suggestion:
    service: str
    language: str
    phrase: str  # in the customers' own spelling
    key: str  # its stems: one suggestion per key, however a word is inflected
    support: int  # examples of the service and language that contain it
    recognised: int  # of those, how many the catalogue with the phrase recognises
    examples: tuple[Example, ...]  # a few of those it recognises


@dataclass(frozen=True, slots=True)
class _Word:
    root: str
    surface: str


@lru_cache(maxsize=65536)
def root_of(word: str, language: str) -> str:
    """A folded word's stem as a phrase of ``language`` reads it; Cyrillic words
    are Russian and Latin words in a Russian phrase English, as the matcher has it."""
    if _CYRILLIC.search(word):
        return stem(word, "ru")
    return stem(word, language if language in LATIN_LANGUAGES else "en")


def _tokens(text: str, language: str) -> list[_Word]:
    """The meaningful words of a text with their stems and their spelling as written."""
    found = []
    for part in _TOKEN.findall(text.lower()):
        if len(part) > LONGEST_WORD:
            continue
        for word in words(part):
            if word not in FILLER and part not in FILLER and _LETTER.search(word):
                found.append(_Word(root_of(word, language), part))
    return found


def _roots_joined(tokens: Iterable[_Word]) -> dict[str, str]:
    """Each stem -> the stem it is an inflection of: a long stem heads the longer
    stems that start with it (Finnish "nimipalvel", "nimipalvelim")."""
    roots = sorted({token.root for token in tokens}, key=lambda r: (len(r), r))
    joined: dict[str, str] = {}
    heads: set[str] = set()
    for root in roots:  # shortest first, so a head is known before its extensions
        head = next((root[:n] for n in range(LONG_ROOT, len(root)) if root[:n] in heads), None)
        joined[root] = head or root
        if head is None and len(root) >= LONG_ROOT:
            heads.add(root)
    return joined


@lru_cache(maxsize=65536)
def _all_roots(word: str) -> frozenset[str]:
    if _CYRILLIC.search(word):
        return frozenset({stem(word, "ru")})
    return frozenset(stem(word, language) for language in LATIN_LANGUAGES)


@dataclass
class _Candidate:
    service: str
    language: str
    roots: tuple[str, ...]
    phrase: str
    support: int
    holders: frozenset[int]  # the examples (indexes) that contain it


class _Group:
    """One service's examples in one language, read into stems."""

    def __init__(self, reading: _Reading, indexes: Sequence[int], language: str) -> None:
        self.indexes = indexes
        self.source = {i: reading.examples[i].source for i in indexes}
        read = [reading.tokens(i, language) for i in indexes]
        joined = _roots_joined(token for tokens in read for token in tokens)
        self.sequences = [[joined[token.root] for token in tokens] for tokens in read]
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        for tokens in read:
            for token in tokens:
                # The spelling whose own stem is the root is its plain form.
                plain = token.root == joined[token.root]
                spellings[joined[token.root]][token.surface] += 1 + plain
        self.spelling = {root: counts.most_common(1)[0][0] for root, counts in spellings.items()}

    def runs(self) -> dict[tuple[str, ...], set[int]]:
        """Each run of one to three stems -> the examples (their indexes in the
        whole list) that contain it."""
        holders: dict[tuple[str, ...], set[int]] = defaultdict(set)
        for index, sequence in zip(self.indexes, self.sequences, strict=True):
            for size in range(1, MAX_WORDS + 1):
                for start in range(len(sequence) - size + 1):
                    run = tuple(sequence[start : start + size])
                    if len(set(run)) == size:
                        holders[run].add(index)
        return holders


def suggest_phrases(
    examples: Iterable[Example],
    catalogue: Iterable[ServiceEntry],
    *,
    decided: Iterable[tuple[str, str, str]] = (),
    min_support: int = MIN_SUPPORT,
    min_sources: int = MIN_SOURCES,
    max_proofs: int = MAX_PROOFS,
) -> list[Suggestion]:
    """New recognition phrases per service and language, best first; ``decided``
    holds the (service, language, key) of those a lead has accepted or rejected,
    which are not suggested again."""
    entries = {entry.code: entry for entry in catalogue}
    examples = [e for e in examples if e.service in entries]
    matcher = ServiceMatcher(entries.values())
    recognised = [matcher.recognise(example.text).service for example in examples]
    by_group: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, example in enumerate(examples):
        if recognised[index] != example.service:  # nothing to learn from the others
            by_group[(example.service, example.language)].append(index)
    reading = _Reading(examples)
    catalogue_words = _CatalogueWords(entries.values())
    skip: dict[tuple[str, str], list[tuple[str, ...]]] = defaultdict(list)
    for code, language, key in decided:
        skip[(code, language)].append(tuple(key.split()))
    candidates: list[_Candidate] = []
    for (service, language), indexes in sorted(by_group.items()):
        if len(indexes) >= min_support:
            found = _candidates(
                _Group(reading, indexes, language),
                service=service,
                language=language,
                matcher=matcher,
                collides=_Collisions(reading, service, language, catalogue_words),
                skip=skip[(service, language)],
                min_support=min_support,
                min_sources=min_sources,
            )
            candidates.extend(found)
    candidates.sort(key=lambda c: (-c.support, -len(c.roots), c.service, c.language, c.phrase))
    return _proven(candidates[:max_proofs], reading, recognised, entries, min_support)


def _candidates(
    group: _Group,
    *,
    service: str,
    language: str,
    matcher: ServiceMatcher,
    collides: _Collisions,
    skip: Sequence[tuple[str, ...]],
    min_support: int,
    min_sources: int,
) -> list[_Candidate]:
    """The runs of one service's examples in one language worth trying."""
    runs = group.runs()
    found: list[_Candidate] = []
    # The best supported first; of two runs found together, the longer, which
    # says more and recognises the same examples.
    ranked = sorted(runs, key=lambda r: (-len(runs[r]), -len(r), r))
    for run in ranked[:MAX_EXAMINED]:
        holders = runs[run]
        if len(holders) < min_support or len(found) >= MAX_PER_GROUP:
            break
        phrase = " ".join(group.spelling[root] for root in run)
        if _decided(run, skip) or len({group.source[i] for i in holders}) < min_sources:
            continue
        if collides(run, phrase, support=len(holders)):
            continue
        if matcher.recognise(phrase).service == service:
            continue  # the catalogue counts it already
        found.append(_Candidate(service, language, run, phrase, len(holders), frozenset(holders)))
    return found


class _Reading:
    """The examples read into stems once per language, and which examples hold
    each stem (or, for a long stem, a word that it heads)."""

    def __init__(self, examples: Sequence[Example]) -> None:
        self.examples = examples
        self._tokens: dict[str, list[list[_Word]]] = {}
        self._holding: dict[str, dict[str, set[int]]] = {}
        self._with_word: dict[str, set[int]] | None = None

    def tokens(self, index: int, language: str) -> list[_Word]:
        if language not in self._tokens:
            self._tokens[language] = [_tokens(e.text, language) for e in self.examples]
        return self._tokens[language][index]

    def near(self, phrase_words: Iterable[str]) -> set[int]:
        """The examples with a word that a recogniser could match to one of these:
        every way the matcher has (the same word, a stem it starts or that ends
        it, an inflection, a compound, a typo) leaves the first four letters of
        the phrase's word in the text's word, or is a typo within the matcher's
        own limit. A superset, so that a proof on these alone misses nothing."""
        if self._with_word is None:
            self._with_word = defaultdict(set)
            for index, example in enumerate(self.examples):
                for word in words(example.text):
                    self._with_word[word].add(index)
        found: set[int] = set()
        for wanted in phrase_words:
            for word, indexes in self._with_word.items():
                if wanted[:4] in word or (
                    word[0] == wanted[0] and fuzz.ratio(word, wanted) >= FUZZY_CUTOFF
                ):
                    found |= indexes
        return found

    def holding(self, run: tuple[str, ...], language: str) -> set[int]:
        """The examples that hold every stem of the run, read in the language."""
        if language not in self._holding:
            holding: dict[str, set[int]] = defaultdict(set)
            for index in range(len(self.examples)):
                for root in {token.root for token in self.tokens(index, language)}:
                    holding[root].add(index)
                    for length in range(LONG_ROOT, len(root)):
                        holding[root[:length]].add(index)
            self._holding[language] = holding
        found = [self._holding[language].get(root, set()) for root in run]
        return set.intersection(*found) if found else set()


class _CatalogueWords:
    """Which services' names, phrases and everyday words hold a word, in any
    inflection and in every language a Latin word may be read in."""

    def __init__(self, entries: Iterable[ServiceEntry]) -> None:
        self.exact: dict[str, set[str]] = defaultdict(set)
        self.longer: dict[str, set[tuple[str, int]]] = defaultdict(set)  # head -> (code, length)
        for entry in entries:
            texts = [*entry.names.values()]
            for phrases in (*entry.phrases.values(), *entry.everyday_words.values()):
                texts.extend(phrases)
            for root in {r for text in texts for word in words(text) for r in _all_roots(word)}:
                self.exact[root].add(entry.code)
                for length in range(1, len(root)):
                    self.longer[root[:length]].add((entry.code, len(root)))

    def services_of(self, word: str) -> set[str]:
        found: set[str] = set()
        for root in _all_roots(word):
            found |= self.exact.get(root, set())
            for length in range(1, len(root)):  # a catalogue word this one inflects
                if _inflects(length, len(root)):
                    found |= self.exact.get(root[:length], set())
            for code, length in self.longer.get(root, ()):  # one that inflects this one
                if _inflects(len(root), length):
                    found.add(code)
        return found


class _Collisions:
    """Whether a phrase speaks of another service too: a word of its catalogue
    entry, or words frequent in its examples."""

    def __init__(
        self, reading: _Reading, service: str, language: str, catalogue: _CatalogueWords
    ) -> None:
        self.reading, self.service, self.language = reading, service, language
        self.catalogue = catalogue

    def __call__(self, run: tuple[str, ...], phrase: str, *, support: int) -> bool:
        if any(self.catalogue.services_of(word) - {self.service} for word in words(phrase)):
            return True
        examples = self.reading.examples
        counts = Counter(
            examples[i].service
            for i in self.reading.holding(run, self.language)
            if examples[i].service != self.service
        )
        most = max(counts.values(), default=0)
        return most >= COLLIDING_EXAMPLES or sum(counts.values()) * 2 >= support


def _decided(run: tuple[str, ...], decided: Sequence[tuple[str, ...]]) -> bool:
    """Whether a lead decided on this phrase already, in whatever inflection."""
    return any(
        len(key) == len(run) and all(any(_same_word(a, b) for b in key) for a in run)
        for key in decided
    )


def _same_word(one: str, other: str) -> bool:
    """Whether two stems are forms of one word: one starts the other, and is
    long enough for the rest to be an inflection."""
    short, long = sorted((one, other), key=len)
    return long.startswith(short) and _inflects(len(short), len(long))


def _inflects(short: int, long: int) -> bool:
    """Whether a stem of ``long`` letters may be an inflection of one of ``short``
    that starts it: equal, a few letters more ("palvel", "palvelim"), or any
    length after a long stem, which heads its compounds too ("nimipalvel")."""
    return long == short or (short >= 4 and long - short <= 3) or short >= LONG_ROOT


def _proven(
    candidates: Sequence[_Candidate],
    reading: _Reading,
    recognised: Sequence[str | None],
    entries: Mapping[str, ServiceEntry],
    min_support: int,
) -> list[Suggestion]:
    """The candidates that make the recogniser right on their examples and wrong
    on none, each adding examples that a better one has not already won."""
    won: dict[tuple[str, str], set[int]] = defaultdict(set)
    proven = []
    for candidate in candidates:
        code, language = candidate.service, candidate.language
        if candidate.holders <= won[(code, language)]:
            continue  # a better phrase recognises these already
        newly = _recognised_with(candidate, reading, recognised, entries)
        if newly is None or len(newly) < min_support:
            continue
        gained = set(newly) - won[(code, language)]
        if not gained:
            continue
        won[(code, language)] |= gained
        proven.append(
            Suggestion(
                service=code,
                language=language,
                phrase=candidate.phrase,
                key=" ".join(candidate.roots),
                support=candidate.support,
                recognised=len(newly),
                examples=tuple(reading.examples[i] for i in newly[:SNIPPETS]),
            )
        )
    proven.sort(key=lambda s: (s.service, s.language, -s.recognised, -s.support, s.phrase))
    return proven


def _recognised_with(
    candidate: _Candidate,
    reading: _Reading,
    recognised: Sequence[str | None],
    entries: Mapping[str, ServiceEntry],
) -> list[int] | None:
    """The examples of the candidate's service and language that a catalogue with
    the phrase added recognises and the catalogue alone does not; None when it
    would turn an example of another service into this one."""
    code, language = candidate.service, candidate.language
    entry = entries[code]
    phrases = {**entry.phrases, language: (*entry.phrases.get(language, ()), candidate.phrase)}
    extended = ServiceMatcher(
        replace(entry, phrases=phrases) if c == code else e for c, e in entries.items()
    )
    newly = []
    for index in sorted(reading.near(words(candidate.phrase))):
        example = reading.examples[index]
        if recognised[index] == code or extended.recognise(example.text).service != code:
            continue
        if example.service != code:
            return None
        if example.language == language:
            newly.append(index)
    return newly
