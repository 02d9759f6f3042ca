"""`make test` type-checks the code before any test runs, with the Django and DRF
stubs, strictly on the engine: a renamed field or a wrong argument fails first."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRICT_FLAGS = (
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "disallow_untyped_calls",
    "disallow_any_generics",
    "check_untyped_defs",
    "warn_return_any",
)


def make_target(name: str) -> list[str]:
    """The commands of one Makefile target, in order."""
    commands: list[str] = []
    inside = False
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{name}:"):
            inside = True
        elif inside and line.startswith("\t"):
            commands.append(line.strip())
        elif inside:
            break
    return commands


def mypy_config() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"].get("mypy", {})


def test_make_test_runs_mypy_after_ruff_and_before_the_tests():
    commands = make_target("test")
    mypy = [i for i, command in enumerate(commands) if "/mypy" in command]
    ruff = [i for i, command in enumerate(commands) if "/ruff" in command]
    pytest_ = [i for i, command in enumerate(commands) if "/pytest" in command]
    assert mypy, commands
    assert max(ruff) < mypy[0] < min(pytest_)


def test_mypy_checks_the_three_apps_with_the_django_and_drf_plugins():
    config = mypy_config()
    assert set(config.get("files", [])) == {"helpdesk", "contracts", "tickets"}
    assert "mypy_django_plugin.main" in config.get("plugins", [])
    assert "mypy_drf_plugin.main" in config.get("plugins", [])


def test_the_engine_is_checked_strictly():
    engine = [o for o in mypy_config().get("overrides", []) if o["module"] == "contracts.engine.*"]
    assert engine, "no override for contracts.engine.*"
    assert all(engine[0].get(flag) is True for flag in STRICT_FLAGS), engine[0]
