"""Recognising the catalogue service that a customer's free text asks for.

Pure and fast: the index is built once from the catalogue; ``recognise`` then
reads a text in English, Russian, Finnish or Latvian and names a service only
when the evidence is clear. A confidently wrong answer is worse than none, since
none sends the ticket to a technician for review.

How it reads a text:
- words are lower-cased, ``ё`` read as ``е``, diacritics folded (``ā`` as ``a``,
  ``ä`` as ``a``, ``й`` as ``и``), punctuation dropped and stop words skipped;
- a word is compared by its first five letters, which absorbs most inflection
  in all four languages (``сайта``/``сайт``, ``sivustomme``/``sivusto``,
  ``vietnē``/``vietne``); an unknown word is matched to the closest known one
  when only a letter or two differ (``plugn``, ``sertifikat``);
- each catalogue phrase and name, and a few everyday words per service, are
  scored by how much of their weight the text contains, rare words weighing
  more; a service wins when its best phrase is nearly complete and it leads the
  runner-up clearly.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from contracts.terms import ServiceEntry

KEY_LENGTH = 5
MIN_SCORE = 0.75  # the best phrase must be at least this complete
MIN_LEAD = 0.35  # and the winner this far ahead of the runner-up
FUZZY_CUTOFF = 84

STOP_WORDS = frozenset(
    """
    a an the is are was were be been am i me my we our us you your it its this that these those
    to of in on at for from with by and or but so if as do does did have has had can could would
    will should please hi hello hey thanks thank regards dear team there here not no any some
    again also just now still since get got need want help what when why how which who one
    в во на и с со у к по о об от до за из для что это как мы наш наша наше наши мой моя мое мои
    вы ваш не ни но а же ли бы то так уже еще пожалуйста здравствуйте добрый день спасибо
    есть был была было были нам нас мне меня можно нужно надо очень все всё
    ja on ei en et se ne me te he olen ovat oli oma meidän minun teidän kiitos hei moi
    voisitteko voitteko että kun jos mutta tai myös nyt vielä vain
    un ir nav ar uz no par lai ka bet vai jau vēl arī mūsu mans mana jūsu lūdzu paldies labdien
    sveiki man mums jums tas tā šis šī kas
    """.split()  # noqa: SIM905 (a word list reads better as text)
)

# Everyday words customers use for each service, beside the catalogue's phrases.
# Keyed by service code; ignored for codes that the catalogue does not have.
EVERYDAY_WORDS: dict[str, tuple[str, ...]] = {
    "hosting.availability": (
        "down",
        "offline",
        "unreachable",
        "white page",
        "error 500",
        "503",
        "502",
        "не открывается",
        "недоступен",
        "упал сайт",
        "ei aukea",
        "alhaalla",
        "nedarbojas",
        "nav pieejama",
    ),
    "hosting.email": (
        "email",
        "e-mail",
        "mail",
        "inbox",
        "почта",
        "письма",
        "ящик",
        "sähköposti",
        "posti",
        "e-pasts",
        "e-pastu",
        "vēstules",
    ),
    "hosting.dns": ("dns", "nameserver", "домен", "domain", "verkkotunnus", "domēns"),
    "hosting.ssl": ("ssl", "https", "certificate", "сертификат", "varmenne", "sertifikāts"),
    "hosting.backup_restore": (
        "backup",
        "restore",
        "бэкап",
        "восстановить",
        "palauttaa",
        "varmuuskopio",
        "atjaunot",
    ),
    "hosting.performance": (
        "slow",
        "slowly",
        "медленно",
        "тормозит",
        "hidas",
        "hitaasti",
        "lēni",
        "lēna",
    ),
    "hosting.access": (
        "password",
        "login",
        "ftp",
        "ssh",
        "пароль",
        "salasana",
        "parole",
        "pieslēgties",
    ),
    "billing.invoice": ("invoice", "bill", "счет", "оплата", "lasku", "rēķins", "rēķinu"),
    "web.cms_plugins": (
        "plugin",
        "wordpress",
        "woocommerce",
        "theme",
        "плагин",
        "тема",
        "lisäosa",
        "teema",
        "spraudnis",
        "tēma",
    ),
    "web.script_debugging": (
        "php",
        "script",
        "code",
        "bug",
        "скрипт",
        "код",
        "koodi",
        "skripti",
        "skripts",
        "kods",
    ),
    "web.migration": ("migrate", "migration", "перенос", "перенести", "siirto", "pārcelt"),
    "web.development": (
        "new page",
        "redesign",
        "new feature",
        "новую страницу",
        "дизайн",
        "ulkoasu",
        "dizains",
        "jaunu lapu",
    ),
    "marketing.seo": ("seo", "google ranking", "яндекс", "продвижение", "hakukone", "google"),
    "consulting.training": (
        "training",
        "teach",
        "научите",
        "обучение",
        "koulutus",
        "opastus",
        "apmācība",
    ),
    "thirdparty.software": (
        "laptop",
        "printer",
        "excel",
        "outlook",
        "windows",
        "ноутбук",
        "принтер",
        "tulostin",
        "printeris",
        "dators",
    ),
}

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Recognition:
    service: str | None  # the service recognised with confidence, else None
    confidence: float  # 0..1 for the best candidate
    candidates: tuple[tuple[str, float], ...]  # best first, at most three


def _fold(word: str) -> str:
    word = word.replace("ё", "е")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The meaningful words of a text, lower-cased and folded."""
    found = []
    for raw in _WORD.findall(text.lower()):
        for part in raw.split("-") if len(raw) > 12 else (raw,):
            if part in STOP_WORDS or len(part) < 2:
                continue
            folded = _fold(part)
            if folded not in STOP_WORDS:
                found.append(folded)
    return found


def _key(word: str) -> str:
    return word[:KEY_LENGTH]


class ServiceMatcher:
    def __init__(self, catalogue: Iterable[ServiceEntry]) -> None:
        catalogue = list(catalogue)
        phrases: list[tuple[str, frozenset[str]]] = []
        for entry in catalogue:
            texts = [*entry.names.values(), *EVERYDAY_WORDS.get(entry.code, ())]
            for language_phrases in entry.phrases.values():
                texts.extend(language_phrases)
            for text in texts:
                keys = frozenset(_key(w) for w in words(text))
                if keys:
                    phrases.append((entry.code, keys))
        self.codes = frozenset(code for code, _ in phrases)
        services_with: dict[str, set[str]] = defaultdict(set)
        for code, keys in phrases:
            for key in keys:
                services_with[key].add(code)
        total = max(len(self.codes), 1)
        # A word that names one service is strong evidence; one shared by many is weak.
        self._weight = {k: math.log(1 + total / len(c)) for k, c in services_with.items()}
        self._phrases = [(code, keys, sum(self._weight[k] for k in keys)) for code, keys in phrases]
        self._phrases_with: dict[str, list[int]] = defaultdict(list)
        for index, (_, keys, _) in enumerate(self._phrases):
            for key in keys:
                self._phrases_with[key].append(index)
        self._vocabulary = sorted({w for t in self._all_texts(catalogue) for w in words(t)})
        self._known = {_key(w) for w in self._vocabulary}
        self._closest = lru_cache(maxsize=65536)(self._closest_key)

    @staticmethod
    def _all_texts(catalogue: Iterable[ServiceEntry]) -> Iterable[str]:
        for entry in catalogue:
            yield from entry.names.values()
            yield from EVERYDAY_WORDS.get(entry.code, ())
            for language_phrases in entry.phrases.values():
                yield from language_phrases

    def _closest_key(self, word: str) -> str | None:
        """The key of the known word that this one is a small typo of, if any."""
        if _key(word) in self._known:
            return _key(word)
        if len(word) < 5:
            return None
        match = process.extractOne(
            word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
        )
        return _key(match[0]) if match else None

    def keys(self, text: str) -> set[str]:
        return {key for w in words(text) if (key := self._closest(w)) is not None}

    def scores(self, text: str) -> dict[str, float]:
        """Each service's score: its most complete phrase, plus a little for every
        other phrase that the text mostly contains."""
        keys = self.keys(text)
        matched: dict[int, float] = defaultdict(float)
        for key in keys:
            weight = self._weight[key]
            for index in self._phrases_with.get(key, ()):
                matched[index] += weight
        best: dict[str, float] = {}
        extra: dict[str, float] = defaultdict(float)
        for index, weight in matched.items():
            code, _, total = self._phrases[index]
            coverage = weight / total
            if coverage > best.get(code, 0.0):
                if best.get(code, 0.0) >= 0.5:
                    extra[code] += 0.3
                best[code] = coverage
            elif coverage >= 0.5:
                extra[code] += 0.3
        return {code: best[code] + min(extra[code], 0.9) for code in best}

    def recognise(self, text: str) -> Recognition:
        ranked = sorted(self.scores(text).items(), key=lambda item: (-item[1], item[0]))[:3]
        if not ranked:
            return Recognition(None, 0.0, ())
        (code, score), runner_up = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
        confidence = min(1.0, score) * min(1.0, (score - runner_up) / MIN_LEAD)
        confident = score >= MIN_SCORE and score - runner_up >= MIN_LEAD
        candidates = tuple((c, round(s, 3)) for c, s in ranked)
        return Recognition(code if confident else None, round(max(confidence, 0.0), 3), candidates)
