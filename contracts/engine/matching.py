"""Recognising the catalogue service that a customer's free text asks for.

Pure and fast: the index is built once from the catalogue; ``recognise`` then
reads a text in English, Russian, Finnish or Latvian and names a service only
when the evidence is clear. A confidently wrong answer is worse than none, since
none sends the ticket to a technician for review.

How it reads a text:
- words are lower-cased, ``ё`` read as ``е``, Latin diacritics folded (``ā`` as
  ``a``, ``ä`` as ``a``: people type Latvian and Finnish without them too),
  hyphenated compounds split (``ssh-avain``), punctuation dropped and stop words
  skipped, as are runs of letters too long to be a word (a hex dump); negations
  (``not``, ``не``, ``ei``) are kept, since "сайт не работает" and "сайт
  работает" are different requests;
- every catalogue word is reduced to its stem in its own language (Snowball for
  English, Russian and Finnish; a light suffix stripper for Latvian, which
  Snowball lacks), and a customer's word is stemmed the same way, so
  ``сайта``/``сайт``, ``laskun``/``lasku`` and ``spraudni``/``spraudnis`` meet.
  Latin catalogue words with long stems are stemmed in all three Latin languages
  too, for the names that customers inflect in their own (``Googlessa``);
- a word also meets a catalogue stem that it extends by what a stemmer left of an
  inflection (``направьте``/``направить``), a long stem that heads it (Finnish
  compounds: ``sähköpostiosoite``), a stem or word that ends it
  (``tuontiskripti``, ``поддомен``), or a word whose last letters inflection
  changed (``varmenne``/``varmenteen``); an unknown word is matched to a known
  one with two neighbouring letters swapped (``dwon``), or to the closest known
  one when only a letter or two differ (``plugn``, ``сертефикат``);
- each catalogue phrase and name, and a few everyday words per service (the
  technical ones customers use too: MX, SPF, 502, SMTP, cPanel), are
  scored by how much of their weight the text contains, rare words weighing
  more; a service wins when its best phrase is nearly complete and it leads the
  runner-up clearly. Further phrases count only for words not counted yet, so a
  word that the catalogue repeats in four languages is one piece of evidence, not
  four. The subject line, the writer's own summary, is one more piece of evidence
  for the service it names.
- a text is read in clauses (``read_clauses``). What a clause says the request
  is *not* about ("this is not about email", "не про почту", "kyse ei ole
  sähköpostista", "tas nav par e-pastu") is no evidence at all. A clause that
  says something works or was fine, or thanks for past work, everything before
  the last "but now" ("after we changed the DNS everything was fine, but now the
  shop shows 502"), and the subject of a reply or forward ("Re: plugin") are
  context: they add to a service that the request itself gives evidence for, but
  name no service of their own. Texts with none of the marker words (most) skip
  this at the cost of a set look-up;
- Russian written in Latin letters ("sait ne rabotaet, pomogite") is recognised
  by two of its common words and read back in Cyrillic word by word, except the
  words the catalogue knows as written ("wordpress", "502"); two swapped letters
  are a typo of a known word ("dwon", "emial");
- a service marked ``always_covered`` (a complaint, a compensation claim) is a
  request *about* another service, which the text names too ("we were down six
  hours, we want compensation"): when one of them is clearly asked for, with
  evidence nearly as strong as any other service has, it wins over the service
  the text talks about.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

from contracts.engine.quotes import names_earlier_message
from contracts.engine.terms import ServiceEntry

MIN_SCORE = 0.75  # the best phrase must be at least this complete
MIN_LEAD = 0.35  # and the winner this far ahead of the runner-up
EXTRA_PHRASE = 0.3  # what each further, mostly present phrase of a service adds
MAX_EXTRA = 0.9
MIN_SUBJECT_SCORE = 0.5  # a subject line is short: half a phrase names a service there
SUBJECT_BONUS = EXTRA_PHRASE  # the subject is one more piece of evidence, no more
FUZZY_CUTOFF = 84
# From this length on, a word with two neighbouring letters swapped passes FUZZY_CUTOFF.
FUZZY_TAKES_SWAP = 7
SHORT_EXTENSION = 3  # letters a stemmer may leave of an inflection (направьт/направ)
LONG_STEM = 7  # a stem this long may head a compound word (sähköpo-stiosoit)
TAIL_STEM = 5  # a stem this long may end a compound word (tuonti-skript)
INFLECTED_HEAD = 6  # letters two forms of a word share when inflection changed the end
# A run of letters longer than this is no word of the four languages (Finnish
# compounds, the longest, stop near 60 letters) but a hex dump, a key or a pasted
# blob: it names no service and is skipped, so that its cost and the caches'
# memory stay bounded whatever a customer pastes.
LONGEST_WORD = 64

STOP_WORDS = frozenset(
    """
    a an the is are was were be been am i me my we our us you your it its this that these those
    to of in on at for from with by and or but so if as do does did have has had can could would
    will should please hi hello hey thanks thank regards dear team there here any some
    again also just now still since get got need want help what when why how which who one
    в во на и с со у к по о об от до за из для что это как мы наш наша наше наши мой моя мое мои
    вы ваш ни но а же ли бы то так уже еще пожалуйста здравствуйте добрый день спасибо
    есть был была было были нам нас мне меня можно нужно надо очень все всё
    ja on se ne me te he olen ovat oli oma meidän minun teidän kiitos hei moi
    voisitteko voitteko että kun jos mutta tai myös nyt vielä vain
    un ir ar uz no par lai ka bet vai jau vēl arī mūsu mans mana jūsu lūdzu paldies labdien
    sveiki man mums jums tas tā šis šī kas
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

LATIN_LANGUAGES = ("en", "fi", "lv")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # a hyphen splits: "ssh-avain", "e-pasts"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NOT = re.compile(r"\b(?:ca|wo)n[’']t\b|n[’']t\b")  # "doesn't", "can't" -> "not"

# Where a clause ends: sentence and clause punctuation, a spaced dash, and the
# conjunctions that turn to another matter ("the mail is fine, but the site...").
_CLAUSE_END = re.compile(
    r"[.;:!?\n()\"«»“”,]+|\s[-–—]+\s|[–—]+"
    r"|\b(?:but|however|instead|но|а|однако|зато|mutta|vaan|kuitenkin|bet|taču|tomēr|nevis)\b"
)
# "Not about X": the words after it, to the end of its clause, name what the
# request is not about. They are no evidence at all.
_NOT_ABOUT = re.compile(
    r"\bnot\s+(?:about|regarding|concerning|related\s+to|the|an?|our|my|your)\b"
    r"|\bnothing\s+to\s+do\s+with\b|\b(?:problem|issue)\s+is\s+not\b"
    r"|\bне\s+(?:про|о|об|насч[её]т|по\s+поводу|касается|относится\s+к|связан\w*\s+с)\b"
    r"|\b(?:речь|вопрос|дело|проблема|обращение)\s+не\s+(?:о|об|в|по|с)\b"
    r"|\b(?:kyse|kysymys|asia|ongelma|vika)\s+ei\s+ole\b|\bei\s+ole\s+kyse\b"
    r"|\bei\s+(?:koske|liity)\b"
    r"|\bnav\s+(?:par|saistīt\w*\s+ar)\b|\b(?:runa|jautājums|problēma|lieta)\s+nav\s+(?:par|ar)\b"
)
# "The certificate is not the problem": the whole clause names what it is not about.
_NOT_THE_PROBLEM = re.compile(
    r"\b(?:is|are|was|were)\s+not\s+(?:the\s+|a\s+)?(?:problem|issue|cause)\b"
    r"|\bни\s+при\s+ч[её]м\b|\bei\s+ole\s+(?:se\s+)?ongelma\b|\bnav\s+(?:tā\s+)?problēma\b"
)
# A clause that says something works ("after we changed the DNS everything was
# fine", "почта работает нормально") or thanks for past work is context, not the request.
_WORKS = re.compile(
    r"\bthank(?:s|\s+you)\s+for\b|\bспасибо\s+за\b|\bkiitos\s+\w+(?:sta|stä)\b|\bpaldies\s+par\b|"
    r"\b(?:works?|worked|working|is|are|was|were|seems?|been)\s+(?:fine|ok|okay|well|normally"
    r"|perfectly)\b|\beverything\s+(?:is|was|worked)\b|\bno\s+(?:problems?|issues?)\b"
    r"|\bработа\w*\s+(?:нормально|хорошо|отлично|исправно|без\s+проблем)"
    r"|\b(?:нормально|хорошо|отлично|исправно)\s+работа\w*|\bв\s+порядке\b"
    r"|\bвс[её]\s+(?:было\s+)?(?:хорошо|нормально)\b|\bбез\s+проблем\b"
    r"|\btoimi\w*\s+(?:ihan\s+)?(?:hyvin|normaalisti|moitteett\w*|ongelmitta)\b"
    r"|\b(?:on|oli|ovat|olivat)\s+kunnossa\b|\bkaikki\s+(?:on|oli)\s+(?:hyvin|kunnossa)\b"
    r"|\b(?:strādā|darbojas|darbojās|strādāja)\s+(?:normāli|labi)\b|\b(?:ir|bija)\s+kārtībā\b"
    r"|\bviss\s+(?:ir|bija)\s+(?:labi|kārtībā)\b|\bbez\s+problēmām\b"
)
# A negation in a clause: "not working fine" is no statement that something works.
_NEGATED = re.compile(r"\b(?:not|no|never|не|нет|ei|eikä|nav|ne|nē|nekas)\b")
# "..., but now the shop shows 502": what came before is the story so far.
_NOW = re.compile(
    r"\b(?:but|and)\s+(?:now|today|this\s+morning|since\s+(?:today|yesterday|this))\b"
    r"|\b(?:но|а|и)\s+(?:теперь|сейчас|сегодня|с\s+утра|со\s+вчерашнего)\b"
    r"|\b(?:mutta|ja)\s+(?:nyt|tänään|tänä\s+aamuna)\b|\b(?:bet|taču|un)\s+(?:tagad|šodien|šorīt)\b"
)
# Words that each of the three needs, so that a clause without any is not
# scanned at all: most requests cost a set look-up rather than three scans.
_NOT_ABOUT_WORDS = frozenset(
    """not nothing при про о об насчет насчёт поводу касается относится связан связано связана
    связаны речь вопрос дело проблема обращение kyse kysymys asia ongelma vika koske liity
    par saistīts saistīta saistīti saistītas runa jautājums problēma lieta""".split()  # noqa: SIM905
)
_WORKS_WORDS = frozenset(
    """fine ok okay well normally perfectly everything problems issues thank thanks
    нормально хорошо отлично исправно порядке проблем спасибо hyvin normaalisti
    moitteettomasti moitteetta ongelmitta kunnossa kiitos normāli labi kārtībā problēmām
    paldies""".split()  # noqa: SIM905
)
_NOW_WORDS = frozenset(
    """now today morning since теперь сейчас сегодня утра вчерашнего nyt tänään aamuna tagad
    šodien šorīt""".split()  # noqa: SIM905
)

# Latvian noun, adjective and verb endings, diacritics folded, longest first (after
# the light stemmer of Kreslins, "A stemming algorithm for Latvian", 1996).
_LATVIAN_ENDINGS = sorted(
    """ajiem ajai ajam ajos ajas iem aja ais ai ei am em im um us as es os ij is ie u a i e o s
    ties iet it at et ot t""".split(),  # noqa: SIM905
    key=len,
    reverse=True,
)

Term = tuple[str, str]  # (language, stem)


@dataclass(frozen=True, slots=True)
class Recognition:
    service: str | None  # the service recognised with confidence, else None
    confidence: float  # 0..1 for the best candidate
    candidates: tuple[tuple[str, float], ...]  # best first, at most three


# Stop words as typed without diacritics too: "ludzu", "musu", "meidan".
_FOLDED_STOP_WORDS = STOP_WORDS | {
    "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    for w in STOP_WORDS
    if not _CYRILLIC.search(w)
}


@lru_cache(maxsize=65536)
def _meaningful(part: str) -> str | None:
    """A lower-cased word folded (Cyrillic keeps ``й`` but reads ``ё`` as ``е``;
    Latin letters lose their diacritics), or None for a stop word."""
    if part in STOP_WORDS or len(part) < 2:
        return None
    folded = part.replace("ё", "е")
    if not _CYRILLIC.search(folded):
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return None if folded in _FOLDED_STOP_WORDS else folded


def words(text: str) -> list[str]:
    """The meaningful words of a text, lower-cased and folded, in order; runs of
    letters longer than ``LONGEST_WORD`` are left out."""
    return _meaningful_of(_WORD.findall(_NOT.sub(" not", text.lower())))


def _meaningful_of(parts: Iterable[str]) -> list[str]:
    found = (_meaningful(part) for part in parts if len(part) <= LONGEST_WORD)
    return [word for word in found if word is not None]


def read_clauses(text: str) -> tuple[str, str]:
    """A text split into what it asks (the foreground) and what it mentions on
    the way (the background), both lower-cased; what it says it is *not* about
    is left out of both.

    A clause is background when it says that something works or was fine, and so
    is everything before the last "but now"; the words after "not about" (``не
    про``, ``kyse ei ole``, ``nav par``) up to the end of their clause are dropped."""
    lowered = _NOT.sub(" not", text.lower())
    said = set(_WORD.findall(lowered))
    if all(markers.isdisjoint(said) for markers in (_NOT_ABOUT_WORDS, _WORKS_WORDS, _NOW_WORDS)):
        return lowered, ""  # most requests
    cut = 0
    if not _NOW_WORDS.isdisjoint(said):
        cut = max((now.start() for now in _NOW.finditer(lowered)), default=0)
    asked: list[str] = []
    mentioned = [clause for clause, _ in _clauses(lowered[:cut])]
    for clause, clause_words in _clauses(lowered[cut:]):
        works = not _WORKS_WORDS.isdisjoint(clause_words) and _WORKS.search(clause)
        (mentioned if works and not _NEGATED.search(clause) else asked).append(clause)
    return " ".join(asked), " ".join(mentioned)


def _clauses(text: str) -> Iterator[tuple[str, list[str]]]:
    """The clauses of a lower-cased text and their words, each without what it says
    it is not about."""
    for clause in _CLAUSE_END.split(text):
        clause_words = _WORD.findall(clause)
        if not _NOT_ABOUT_WORDS.isdisjoint(clause_words):
            denied = _NOT_ABOUT.search(clause)
            if _NOT_THE_PROBLEM.search(clause):
                clause = ""
            elif denied:
                clause = clause[: denied.start()]
        yield clause, clause_words


# Words that only Russian written in Latin letters has: two of them in a text with
# no Cyrillic letter make it read as Russian.
_TRANSLIT_MARKERS = frozenset(
    """ne net nas nam nashi nash nasha nashe u menya mne pozhaluysta pozhalujsta pozhalusta
    pomogite zdravstvuyte zdravstvujte dobryy dobryj dobriy privet spasibo srochno ochen uzhe
    eto chto kak vy my rabotaet rabotayet otkryvaetsya prihodit prikhodit mozhno nuzhno
    segodnya vchera utra""".split()  # noqa: SIM905
)
# Latin letters back to Cyrillic, longest first (the common informal spellings).
_TO_CYRILLIC = (
    ("shch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ts", "ц"), ("tz", "ц"), ("yu", "ю"), ("ju", "ю"), ("ya", "я"), ("ja", "я"),
    ("yo", "ё"), ("jo", "ё"), ("ye", "е"), ("'", "ь"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"), ("e", "е"),
    ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"), ("f", "ф"),
    ("h", "х"), ("c", "к"), ("q", "к"), ("x", "кс"), ("y", "ы"),
)  # fmt: skip
_LATIN_SPELLING = re.compile("|".join(re.escape(latin) for latin, _ in _TO_CYRILLIC))
_CYRILLIC_OF = dict(_TO_CYRILLIC)
_SHORT_I = re.compile(r"(?<=[аеёиоуыэюя])[иы](?=[^аеёиоуыэюя]|$)")  # "sait", "moy"


@lru_cache(maxsize=65536)
def cyrillic_reading(word: str) -> str:
    """A Russian word written in Latin letters, back in Cyrillic: "rabotaet" ->
    "работает", "sayt" -> "сайт". Letters it does not know are kept."""
    spelled = _LATIN_SPELLING.sub(lambda m: _CYRILLIC_OF[m.group()], word)
    return _SHORT_I.sub("й", spelled)


def _latvian_stem(word: str) -> str:
    for ending in _LATVIAN_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


_snowball = {
    "en": snowballstemmer.stemmer("english"),
    "ru": snowballstemmer.stemmer("russian"),
    "fi": snowballstemmer.stemmer("finnish"),
}
_snowball_lock = threading.Lock()  # a Snowball stemmer keeps its word in itself


def stem(word: str, language: str) -> str:
    """The stem of a folded word in one of the four languages."""
    if language == "lv":
        return _latvian_stem(word)
    with _snowball_lock:
        stemmed: str = _snowball[language].stemWord(word)
        return stemmed


def _languages_of(word: str) -> tuple[str, ...]:
    return ("ru",) if _CYRILLIC.search(word) else LATIN_LANGUAGES


def _inflection_left(shorter: int) -> int:
    """How many letters a stemmer may leave of an inflection after a stem this long:
    more after a longer stem ("добав-ля", "направ-ьт"), but "lisä" is no "lisäos"."""
    return min(SHORT_EXTENSION, shorter - 3)


class _Parts:
    """Known strings of at least ``shortest`` letters, found inside a word: "поддомен"
    holds "домен", "tuontiskriptimme" holds "skript".

    A word of n letters has about n²/2 parts; trying each made a long word cost
    seconds to minutes. A known string starts with one of the known openings and is
    no longer than the longest known one, so only parts that pass both tests are
    looked up: linear in the word's length, and the same parts found."""

    def __init__(self, known: Iterable[str], shortest: int) -> None:
        self.shortest = shortest
        self.known = frozenset(part for part in known if len(part) >= shortest)
        self.openings = frozenset(part[:shortest] for part in self.known)
        self.longest = max(map(len, self.known), default=0)

    def within(self, word: str, skip: int) -> Iterator[str]:
        """The known parts of a word that start at or after its letter ``skip``."""
        for start in range(skip, len(word) - self.shortest + 1):
            if word[start : start + self.shortest] not in self.openings:
                continue
            for end in range(start + self.shortest, min(start + self.longest, len(word)) + 1):
                if word[start:end] in self.known:
                    yield word[start:end]


@dataclass(frozen=True, slots=True)
class _Phrase:
    code: str
    weights: tuple[float, ...]  # a weight per word of the phrase
    total: float


class _Stems:
    """The catalogue's stems in one language, indexed for the ways a customer's
    word may meet them."""

    def __init__(self, stems: Iterable[str]) -> None:
        self.stems = frozenset(stems)
        self.longest = max(map(len, self.stems), default=0)
        self.tails = _Parts(self.stems, TAIL_STEM)
        # A stem shortened by what a stemmer may leave of an inflection -> the stem.
        self.shortened: dict[str, set[str]] = defaultdict(set)
        for term_stem in self.stems:
            for cut in range(1, SHORT_EXTENSION + 1):
                head = term_stem[:-cut]
                if len(head) >= 5 and cut <= _inflection_left(len(head)):
                    self.shortened[head].add(term_stem)

    def meeting(self, word_stem: str) -> set[str]:
        found = {word_stem} & self.stems
        found |= self.shortened.get(word_stem, set())
        for length in range(4, min(len(word_stem), self.longest + 1)):
            head = word_stem[:length]
            if head in self.stems and (
                length >= LONG_STEM or len(word_stem) - length <= _inflection_left(length)
            ):
                found.add(head)
        found.update(self.tails.within(word_stem, 3))
        return found


class ServiceMatcher:
    def __init__(self, catalogue: Iterable[ServiceEntry]) -> None:
        catalogue = tuple(catalogue)
        self.first = frozenset(entry.code for entry in catalogue if entry.always_covered)
        texts: list[tuple[str, list[tuple[str, Term]]]] = []
        for code, language, text in self._texts(catalogue):
            slots = [(word, self._own_term(word, language)) for word in dict.fromkeys(words(text))]
            if slots:
                texts.append((code, slots))
        self.codes = frozenset(code for code, _ in texts)
        services_with: dict[Term, set[str]] = defaultdict(set)
        for code, slots in texts:
            for _, term in slots:
                services_with[term].add(code)
        total = max(len(self.codes), 1)
        # A word that names one service is strong evidence; one shared by many is weak.
        weight = {t: math.log(1 + total / len(c)) for t, c in services_with.items()}

        self._phrases: list[_Phrase] = []
        self._slots_with: dict[Term, list[tuple[int, int]]] = defaultdict(list)
        surface: dict[str, set[Term]] = defaultdict(set)
        for code, slots in texts:
            weights = tuple(weight[term] for _, term in slots)
            for slot, (word, term) in enumerate(slots):
                terms = self._all_terms(word, term)
                surface[word] |= terms
                for alternative in terms:
                    self._slots_with[alternative].append((len(self._phrases), slot))
            self._phrases.append(_Phrase(code, weights, sum(weights)))

        by_language: dict[str, set[str]] = defaultdict(set)
        for language, term_stem in self._slots_with:
            by_language[language].add(term_stem)
        self._stems = {language: _Stems(stems) for language, stems in by_language.items()}
        self._surface = {word: frozenset(terms) for word, terms in surface.items()}
        self._surface_parts = _Parts(self._surface, TAIL_STEM)
        # A catalogue word without up to two last letters -> the word ("varmen(ne)").
        self._heads: dict[str, set[str]] = defaultdict(set)
        for word in self._surface:
            for cut in range(3):
                if len(word) - cut >= INFLECTED_HEAD:
                    self._heads[word[: len(word) - cut]].add(word)
        self._vocabulary: dict[str, list[str]] = defaultdict(list)  # by first letter
        for word in sorted(self._surface):
            self._vocabulary[word[0]].append(word)
        self._hits = lru_cache(maxsize=65536)(self._find_hits)

    @staticmethod
    def _texts(catalogue: Iterable[ServiceEntry]) -> Iterator[tuple[str, str, str]]:
        """(service code, language, text) for every name, phrase and everyday word."""
        for entry in catalogue:
            for language, name in entry.names.items():
                yield entry.code, language, name
            for language, language_phrases in entry.phrases.items():
                for phrase in language_phrases:
                    yield entry.code, language, phrase
            for language, everyday in entry.everyday_words.items():
                for phrase in everyday:
                    yield entry.code, language, phrase

    @staticmethod
    def _own_term(word: str, language: str) -> Term:
        """A catalogue word's stem in the language of its phrase. Latin words in a
        Russian phrase ("fatal error", "wordpress") are read as English, as are those
        of a language without a stemmer here."""
        if _CYRILLIC.search(word):
            return ("ru", stem(word, "ru"))
        language = language if language in LATIN_LANGUAGES else "en"
        return (language, stem(word, language))

    @staticmethod
    def _all_terms(word: str, own: Term) -> set[Term]:
        """A Latin word may be a name or a loan that customers inflect in their own
        language ("Googlessa", "WordPressiin"): it is stemmed in each of them. Short
        stems stay in their own language: Latvian "tēm(a)" is not English "them"."""
        if own[0] == "ru":
            return {own}
        others = {(language, stem(word, language)) for language in LATIN_LANGUAGES}
        return {own, *(term for term in others if len(term[1]) >= TAIL_STEM)}

    def terms_of(self, word: str) -> frozenset[Term]:
        """The catalogue terms that a folded word of a customer's text stands for."""
        found = set(self._surface.get(word, ()))
        for language in _languages_of(word):
            stems = self._stems.get(language)
            if stems is not None:
                found.update((language, s) for s in stems.meeting(stem(word, language)))
        for tail in self._surface_parts.within(word, 2):
            found |= self._surface[tail]
        for length in range(max(INFLECTED_HEAD, len(word) - 4), len(word) + 1):
            for known in self._heads.get(word[:length], ()):
                found |= self._surface[known]
        if found or len(word) < 4:
            return frozenset(found)
        if len(word) < FUZZY_TAKES_SWAP:
            swapped = self._swapped(word)
            if swapped or len(word) < 5:
                return swapped
        # A small typo of a known word ("plugn", "сертефикат"); typos seldom hit the
        # first letter, and "blogin" is no typo of "login".
        match = process.extractOne(
            word, self._vocabulary.get(word[0], ()), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        return self._surface[match[0]] if match else frozenset()

    def _read(self, text: str) -> list[str]:
        """The meaningful words of a lower-cased text; Russian written in Latin
        letters ("sait ne rabotaet") is read in Cyrillic, word by word, except the
        words that the catalogue knows as they are ("wordpress", "502")."""
        parts = _WORD.findall(text)
        if len(_TRANSLIT_MARKERS.intersection(parts)) < 2 or _CYRILLIC.search(text):
            return _meaningful_of(parts)
        read = []
        for part in parts:
            known = _meaningful(part)
            read.append(part if known and self._hits(known) else cyrillic_reading(part))
        return _meaningful_of(read)

    def _swapped(self, word: str) -> frozenset[Term]:
        """The terms of a known word that this one is with two neighbouring letters
        swapped ("dwon", "sivsuto"), the commonest typo. A swap costs the fuzzy
        ratio two edits, too many for a short word, yet keeps every letter; the
        first letter stays, as below."""
        for i in range(1, len(word) - 1):
            known = self._surface.get(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
            if known:
                return known
        return frozenset()

    def _find_hits(self, word: str) -> tuple[tuple[int, int], ...]:
        """The (phrase, word of the phrase) pairs that a customer's word fills."""
        return tuple(
            {hit for term in self.terms_of(word) for hit in self._slots_with.get(term, ())}
        )

    def scores(self, text: str) -> dict[str, float]:
        """Each service's score for a text; see ``_scores``."""
        return self._scores(words(text))

    def _scores(self, text_words: Iterable[str]) -> dict[str, float]:
        """Each service's score: its most complete phrase, plus a little for every
        other phrase that the text mostly contains with words not yet counted."""
        matched: dict[int, dict[int, str]] = defaultdict(dict)  # phrase -> slot -> word
        for word in dict.fromkeys(text_words):
            for index, slot in self._hits(word):
                matched[index].setdefault(slot, word)
        # Per service: the most complete phrase is the best, and of two complete ones
        # the shorter, so that the longer one's other words count as more evidence.
        by_service: dict[str, list[tuple[float, int, int]]] = defaultdict(list)
        for index, slots in matched.items():
            phrase = self._phrases[index]
            # Rounded, so that two complete phrases tie whatever the float sums say.
            coverage = round(sum(phrase.weights[slot] for slot in slots) / phrase.total, 6)
            by_service[phrase.code].append((-coverage, len(slots), index))
        scores = {}
        for code, found in by_service.items():
            found.sort()
            best, _, best_index = found[0]
            counted = set(matched[best_index].values())
            extra = 0.0
            for coverage, _, index in found[1:]:
                used = set(matched[index].values())
                if -coverage >= 0.5 and not used <= counted:
                    extra += EXTRA_PHRASE
                    counted |= used
            scores[code] = -best + min(extra, MAX_EXTRA)
        return scores

    def _asked_first(self, first: list[tuple[str, float]], scores: dict[str, float]) -> bool:
        """Whether the text clearly asks for one complaint or claim, with evidence
        nearly as strong as for any other service."""
        score = first[0][1]
        others = (s for code, s in scores.items() if code not in self.first)
        # Up to one further phrase behind: a claim usually describes the outage at
        # length ("the site was down all Tuesday"), and its own words are few.
        return (
            score >= MIN_SCORE
            and score - _second(first) >= MIN_LEAD
            and score + EXTRA_PHRASE + 1e-9 >= max(others, default=0.0)
        )

    def recognise(self, text: str, *, subject: str = "") -> Recognition:
        """The service that a request asks for. The subject is read with the text,
        and as the writer's own summary it counts once more for the one service it
        clearly names, even with half a phrase ("Не могу зайти в панель").

        What the text mentions on the way (``read_clauses``) supports a service
        that the request itself asks for, but names none of its own."""
        asked, mentioned = (self._read(part) for part in read_clauses(text))
        if names_earlier_message(subject):
            # "Re: ..." names the earlier conversation, not this message's request.
            subject_words: list[str] = []
            mentioned += self._read(" ".join(read_clauses(subject)))
        else:
            subject_words = self._read(read_clauses(subject)[0])
        scores = self._scores([*subject_words, *asked, *mentioned])
        if mentioned:
            in_request = self._scores([*subject_words, *asked])
            if not in_request:
                # Only mentions: a technician reads it.
                return Recognition(None, 0.0, tuple((c, round(s, 3)) for c, s in _ranked(scores)))
            scores = {code: score for code, score in scores.items() if code in in_request}
        in_subject = _ranked(self._scores(subject_words)) if subject_words else []
        if in_subject:
            (named, score), runner_up = in_subject[0], _second(in_subject)
            # Only for a service that the text asks for with a whole phrase: the
            # subject tips the balance, it does not make a guess confident.
            clear = score >= MIN_SUBJECT_SCORE and score - runner_up >= MIN_LEAD
            if clear and scores.get(named, 0.0) >= MIN_SCORE:
                scores[named] += SUBJECT_BONUS
        ranked = _ranked(scores)
        if not ranked:
            return Recognition(None, 0.0, ())
        first = _ranked({c: s for c, s in scores.items() if c in self.first}) if self.first else []
        if first and self._asked_first(first, scores):
            # A complaint or claim names the service it is about: only the other
            # complaints and claims compete with it.
            ranked = [first[0], *(item for item in ranked if item[0] != first[0][0])][:3]
            (code, score), runner_up = first[0], _second(first)
        else:
            (code, score), runner_up = ranked[0], _second(ranked)
        confidence = min(1.0, score) * min(1.0, (score - runner_up) / MIN_LEAD)
        confident = score >= MIN_SCORE and score - runner_up >= MIN_LEAD
        candidates = tuple((c, round(s, 3)) for c, s in ranked)
        return Recognition(code if confident else None, round(max(confidence, 0.0), 3), candidates)


def _ranked(scores: dict[str, float]) -> list[tuple[str, float]]:
    """The three best services, best first; ties in code order, so the result is stable."""
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:3]


def _second(ranked: list[tuple[str, float]]) -> float:
    return ranked[1][1] if len(ranked) > 1 else 0.0
