"""The layout of tickets/services: the tasks import the services and never the
reverse, and each module stays small enough to read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tickets.services

PACKAGE = "tickets.services"
SERVICES = Path(tickets.services.__file__).parent
MODULES = sorted(SERVICES.glob("*.py"))
MAX_LINES = 350


def imported_names(path: Path) -> set[str]:
    """Every module (and module.name) the file imports, at its top or inside a
    function, with relative imports resolved."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = PACKAGE.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def test_the_services_are_a_package_of_several_modules():
    assert len(MODULES) > 5


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_service_imports_the_tasks(path):
    """tickets.tasks imports the services; a service queues a task by its name."""
    tasks = sorted(
        name
        for name in imported_names(path)
        if name == "tickets.tasks" or name.startswith("tickets.tasks.")
    )
    assert tasks == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_service_module_is_over_350_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it by concern"
