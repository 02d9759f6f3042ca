"""Settings come from the environment, and a bad value stops start-up by name."""

from __future__ import annotations

import os
import secrets
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


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("REDIS_URL", "junk"),
        ("REDIS_URL", "localhost:6379"),
        ("REDIS_URL", "http://redis:6379/0"),
        ("REDIS_URL", "redis://redis:port/0"),
        ("LOG_LEVEL", "LOUD"),
        ("SITE_URL", "notaurl"),
        ("SITE_URL", "desk.example.com"),
        ("SITE_URL", "ftp://desk.example.com"),
        ("SITE_URL", "https://"),
        ("SITE_URL", "https://desk.example.com/?from=mail"),
        ("OFFER_EXPIRY_DAYS", "-1"),
        ("OFFER_EXPIRY_DAYS", "0"),
        ("METRICS_ALLOWED_IPS", "prometheus.internal"),
        ("EMAIL_TIMEOUT", "0"),
        ("EMAIL_TIMEOUT", "soon"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("CELERY_TASK_SOFT_TIME_LIMIT", "300"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_it(variable, value):
    result = start(**{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}={value!r}: " in result.stderr


def setting(name: str, **env: str) -> str:
    """The value a setting takes at start-up with these variables."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="helpdesk.settings")
    code = (
        f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("variable", "value", "name", "expected"),
    [
        ("SITE_URL", "https://desk.example.com/", "SITE_URL", "https://desk.example.com"),
        ("SITE_URL", "http://10.0.0.5:8000/desk", "SITE_URL", "http://10.0.0.5:8000/desk"),
        ("LOG_LEVEL", "warning", "LOGGING['root']['level']", "WARNING"),
        ("OFFER_EXPIRY_DAYS", "1", "OFFER_EXPIRY_DAYS", "1"),
        (
            "REDIS_URL",
            "rediss://:secret@cache.example:6380/1",
            "CACHES['default']['LOCATION']",
            "rediss://:secret@cache.example:6380/1",
        ),
        (
            "REDIS_URL",
            "unix:///run/redis/redis.sock",
            "CELERY_BROKER_URL",
            "redis+socket:///run/redis/redis.sock",
        ),
        (
            "REDIS_URL",
            "unix:///run/redis/redis.sock",
            "CACHES['default']['LOCATION']",
            "unix:///run/redis/redis.sock",
        ),
    ],
)
def test_a_good_value_is_taken(variable, value, name, expected):
    assert setting(name, **{variable: value}) == expected


def test_production_believes_one_proxy_by_default_and_none_when_told():
    production = {"SCOPEDESK_PRODUCTION": "1", "SECRET_KEY": secrets.token_urlsafe(50)}
    assert setting("TRUSTED_PROXY_COUNT", **production) == "1"
    assert setting("SECURE_PROXY_SSL_HEADER", **production) == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert setting("REST_FRAMEWORK['NUM_PROXIES']", **production) == "1"
    direct = {**production, "TRUSTED_PROXY_COUNT": "0"}
    assert setting("SECURE_PROXY_SSL_HEADER", **direct) == "None"
    assert setting("TRUSTED_PROXY_COUNT") == "0"


def test_mail_gives_up_on_a_silent_server():
    assert setting("EMAIL_TIMEOUT") == "30"
    assert setting("EMAIL_TIMEOUT", EMAIL_TIMEOUT="10") == "10"


def test_production_requires_a_secret_key():
    result = start(SCOPEDESK_PRODUCTION="1", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("debug", ["", "0"])
def test_it_refuses_to_start_without_a_secret_key_unless_debug(debug):
    """A key from the repository would let anyone sign an offer link."""
    result = start(SECRET_KEY="", DEBUG=debug, SCOPEDESK_PRODUCTION="")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_a_debug_desk_without_a_key_keeps_a_random_one_of_its_own():
    kept = ROOT / "var" / "secret_key"
    key = setting("SECRET_KEY", SECRET_KEY="", DEBUG="1")
    assert key == kept.read_text().strip()
    assert len(key) >= 50
    assert kept.stat().st_mode & 0o077 == 0
    assert setting("SECRET_KEY", SECRET_KEY="", DEBUG="1") == key


def test_the_embedded_defaults_start():
    result = start(SECRET_KEY="", DEBUG="1")
    assert result.returncode == 0, result.stderr
