"""What a module imports, read from its source without running it.

The import tests (the engine is pure, contracts never imports tickets) read every
import statement, including those inside functions and under ``TYPE_CHECKING``,
since a function-local import is how a forbidden dependency usually sneaks in.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_files(package: str) -> list[Path]:
    """Every .py file under a package directory of the project, e.g. "contracts/engine"."""
    return sorted((ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """The dotted names a file imports. ``from a.b import c`` gives both ``a.b`` and
    ``a.b.c`` (c may be a module); relative imports are made absolute; a call to
    ``importlib.import_module`` or ``apps.get_model`` with a literal name counts too."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return set(_names(tree, package=_package(path)))


def _package(path: Path) -> str:
    name = module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _names(tree: ast.AST, *, package: str) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, level=node.level, package=package)
            if base:
                yield base
            yield from (f"{base}.{alias.name}".lstrip(".") for alias in node.names)
        elif isinstance(node, ast.Call) and node.args:
            called = node.func.attr if isinstance(node.func, ast.Attribute) else None
            called = called or (node.func.id if isinstance(node.func, ast.Name) else None)
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            if called in {"import_module", "__import__"}:
                yield first.value
            elif called == "get_model":
                # apps.get_model("tickets", "Ticket") or get_model("tickets.Ticket")
                yield first.value.split(".")[0] + ".models"


def _absolute(module: str | None, *, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".")
    base = parts[: len(parts) - (level - 1)]
    return ".".join([*base, module] if module else base)


def within(name: str, package: str) -> bool:
    """Whether a dotted name is the package or something inside it."""
    return name == package or name.startswith(package + ".")
