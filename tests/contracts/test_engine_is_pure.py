"""The scope engine (contracts/engine/) takes plain values and returns a decision:
no models, no database, no settings, no clock, and nothing from ``tickets``.

Read statically, so a function-local import counts; and imported for real in a
fresh interpreter with no Django settings, which a pure module survives.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.imports import ROOT, imported_modules, module_name, python_files, within

ENGINE = python_files("contracts/engine")

# Each forbidden import, with why. Everything of contracts outside the engine is
# Django-bound (models, selectors, the wording layer), so the engine reaches
# none of it; the standard library and pure third-party libraries are fine.
FORBIDDEN = {
    "django.db": "the database",
    "django.conf": "the settings",
    "django.apps": "the app registry",
    "django.contrib": "Django's apps and their models",
    "django.utils.timezone": "the clock and the time-zone setting",
    "tickets": "the tickets app, which uses the engine, not the other way round",
    "helpdesk": "the project's wiring",
}


def forbidden_imports(path: Path) -> list[str]:
    found = []
    for name in sorted(imported_modules(path)):
        if within(name, "contracts") and not within(name, "contracts.engine"):
            if name != "contracts":  # "from contracts.engine import x" names the parent too
                found.append(f"{name} (contracts outside the engine)")
        elif "models" in name.split("."):
            found.append(f"{name} (models)")
        else:
            found.extend(
                f"{name} ({why})" for package, why in FORBIDDEN.items() if within(name, package)
            )
    return found


def test_the_engine_has_its_modules():
    assert {module_name(path) for path in ENGINE} >= {
        "contracts.engine.scope",
        "contracts.engine.terms",
        "contracts.engine.matching",
        "contracts.engine.hours",
        "contracts.engine.uptime",
    }


@pytest.mark.parametrize("path", ENGINE, ids=module_name)
def test_an_engine_module_imports_no_models_database_settings_or_tickets(path):
    assert forbidden_imports(path) == []


# Run in a fresh interpreter: import the module, then list what it pulled in.
# (Marking a string with django.utils.translation's gettext_lazy or gettext_noop
# would pass: that loads neither the settings nor the database, and translates
# only when the string is shown.)
PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
print("\\n".join(sorted(
    m for m in sys.modules
    if m.split(".")[0] in ("tickets", "helpdesk")
    or m.startswith(("django.db", "django.conf"))
    or "models" in m.split(".")
)))
"""


@pytest.mark.parametrize("path", ENGINE, ids=module_name)
def test_an_engine_module_imports_without_django_settings(path):
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, module_name(path)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []
