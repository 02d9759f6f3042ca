"""Settings come from the environment, and a bad value stops start-up by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(**env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("CELERY_TASK_TIME_LIMIT", "five"),
        ("CELERY_VISIBILITY_TIMEOUT", "120"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = start(**{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_requires_a_secret_key():
    result = start(SCOPEDESK_PRODUCTION="1", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_embedded_defaults_start():
    result = start()
    assert result.returncode == 0, result.stderr
