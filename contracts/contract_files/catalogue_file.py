"""What the catalogue file says: services by code, with names, phrases and everyday
words per language, and whether every contract covers them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from contracts.contract_files.reading import Reader, key_path
from contracts.engine import terms
from contracts.models import service_code_validator


def read_catalogue(reader: Reader, data: Any) -> list[dict]:
    """The services of a parsed catalogue file as plain values; problems go to the reader."""
    root = reader.mapping(data, "", required=["services"])
    services = []
    seen: set[str] = set()
    for i, item in enumerate(reader.items(root.get("services") if root else None, "services")):
        path = f"services[{i}]"
        entry = reader.mapping(
            item,
            path,
            required=["code", "name"],
            allowed=["phrases", "everyday_words", "always_covered"],
        )
        if entry is None:
            continue
        code = reader.text(entry.get("code"), f"{path}.code", max_length=64)
        try:
            service_code_validator(code)
        except ValidationError:
            reader.problem(f"{path}.code", f"{code!r}: use lower-case words joined by dots")
        if code in seen:
            reader.problem(f"{path}.code", f"{code!r} is given twice")
        seen.add(code)
        names = _per_language(reader, entry.get("name"), f"{path}.name", str)
        if names is not None and "en" not in names:
            reader.problem(f"{path}.name.en", "is required")
        phrases = _per_language(reader, entry.get("phrases") or {}, f"{path}.phrases", list)
        everyday_words = _per_language(
            reader, entry.get("everyday_words") or {}, f"{path}.everyday_words", list
        )
        services.append(
            {
                "code": code,
                "names": names,
                "phrases": phrases,
                "everyday_words": everyday_words,
                "always_covered": reader.flag(
                    entry.get("always_covered"), f"{path}.always_covered", default=False
                ),
                "position": i,
            }
        )
    return services


def _per_language(reader: Reader, value: Any, path: str, kind: type) -> dict | None:
    entries = reader.mapping(value, path, allowed=terms.LANGUAGES)
    if entries is None:
        return None
    clean: dict[str, str | list[str]] = {}
    for language, item in entries.items():
        if kind is list:
            items = reader.items(item, key_path(path, language))
            if not all(isinstance(p, str) and p.strip() for p in items):
                reader.problem(key_path(path, language), "expected a list of phrases")
            clean[language] = [str(p).strip() for p in items]
        else:
            clean[language] = reader.text(item, key_path(path, language))
    return clean
