"""Reading a contract or catalogue file: the YAML, and values at key paths.

Every problem is collected with its key path (``contracts[0].clauses[2].price``)
rather than stopping at the first, so one round of fixes makes a file load.
``ContractFileError`` carries them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from contracts.engine import terms


class ContractFileError(Exception):
    """A file that cannot be loaded; ``problems`` are (key path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(
            f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
            for path, message in self.problems
        )


_MISSING = object()


class Reader:
    """Reads values at key paths and collects what is wrong with them."""

    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, path: str, message: str) -> None:
        # A required key that is missing is noticed both by its mapping and by the
        # reader of its value; say it once.
        if (path, message) not in self.problems:
            self.problems.append((path, message))

    def mapping(
        self, value: Any, path: str, *, required: Iterable[str] = (), allowed: Iterable[str] = ()
    ) -> dict | None:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping of keys, found {_kind(value)}")
            return None
        required, allowed = set(required), set(allowed) | set(required)
        for key in value:
            if key not in allowed:
                self.problem(key_path(path, key), f"unknown key; expected one of {_list(allowed)}")
        for key in sorted(required - set(value)):
            self.problem(key_path(path, key), "is required")
        return value

    def items(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, f"expected a list, found {_kind(value)}")
            return []
        return value

    def text(self, value: Any, path: str, *, required: bool = True, max_length: int = 200) -> str:
        if value is None or value is _MISSING:
            if required:
                self.problem(path, "is required")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(path, f"expected text, found {_kind(value)}")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(path, "must not be empty")
        if max_length and len(text) > max_length:
            self.problem(path, f"is longer than {max_length} characters")
        return text

    def number(
        self, value: Any, path: str, *, required: bool = False, maximum: int | None = None
    ) -> int | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(path, f"expected a whole number of 0 or more, found {value!r}")
            return None
        if maximum is not None and value > maximum:
            self.problem(path, f"must be at most {maximum}")
            return None
        return value

    def money(self, value: Any, path: str, *, required: bool = True) -> Decimal | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, f"expected an amount of money like 90.00, found {value!r}")
            return None
        if amount < 0 or not amount.is_finite():
            self.problem(path, f"must not be negative, found {value}")
            return None
        return amount.quantize(Decimal("0.01"))

    def percent(self, value: Any, path: str, *, places: int = 3) -> Decimal | None:
        if value is None or isinstance(value, bool):
            return self.money(value, path)
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, f"expected a percentage like 99.95, found {value!r}")
            return None
        if not amount.is_finite() or not 0 <= amount <= 100:
            self.problem(path, f"must be between 0 and 100, found {value}")
            return None
        return amount.quantize(Decimal(1).scaleb(-places))

    def day(self, value: Any, path: str, *, required: bool = True) -> date | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
                self.problem(path, f"{value!r} is not a date: there is no such day")
            else:
                self.problem(path, f"expected a date like 2026-01-31, found {value!r}")
            return None

    def choice(self, value: Any, path: str, choices: Iterable[str], *, default: str) -> str:
        if value is None:
            return default
        choices = list(choices)
        if value not in choices:
            self.problem(path, f"{value!r} is not one of {_list(choices)}")
            return default
        return value

    def duration(self, value: Any, path: str, *, required: bool = True) -> str:
        if value is None:
            if required:
                self.problem(path, "is required")
            return ""
        try:
            return str(terms.parse_duration(value))
        except terms.TermsError as exc:
            self.problem(path, str(exc))
            return ""

    def flag(self, value: Any, path: str, *, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, f"expected true or false, found {value!r}")
            return default
        return value


def key_path(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "text", type(None): "nothing"}.get(
        type(value), type(value).__name__
    )


def _list(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, but a value that it cannot construct is a YAML error
    with its line, not a bare ValueError (and a 500 in the admin's import)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # `!!int abc`, `!!bool maybe`, a time of 25:00 and the like.
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r} as {tag}", node.start_mark
            ) from exc


def _timestamp_or_text(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date that does not exist, like 2026-02-30, stays text: the reader then
    names its key path (``expected a date like 2026-01-31, found '2026-02-30'``)."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def parse_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: builds no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        # An unclosed bracket is found only at the end; name where it was opened too.
        opened = getattr(exc, "context_mark", None)
        context = getattr(exc, "context", None)
        if opened is not None and context:
            problem += f"; {context} at line {opened.line + 1}, column {opened.column + 1}"
        raise ContractFileError("", [("", f"{where}not valid YAML ({problem})")]) from None
