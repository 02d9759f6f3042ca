"""docker/compose.yaml agrees with the settings (Docker cannot run here: it is read)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
DESK = [name for name, service in SERVICES.items() if "build" in service]
SETTINGS_SOURCE = (ROOT / "helpdesk" / "settings.py").read_text()
READ_ELSEWHERE = {"PROMETHEUS_MULTIPROC_DIR"}  # by prometheus_client, see helpdesk/health.py


def command(name: str) -> list[str]:
    return shlex.split(SERVICES[name].get("command", ""))


def test_the_desk_runs_web_migrate_beat_and_a_worker_per_queue():
    assert set(DESK) == {"migrate", "web", "beat", "worker-scope", "worker-mail", "worker-periodic"}
    consumed = {
        command(name)[command(name).index("-Q") + 1] for name in DESK if "worker" in command(name)
    }
    assert consumed == {queue.name for queue in settings.CELERY_TASK_QUEUES}


@pytest.mark.parametrize("name", DESK)
def test_every_variable_it_sets_is_a_setting_the_desk_reads(name):
    for variable in SERVICES[name]["environment"]:
        assert variable in READ_ELSEWHERE or re.search(rf'"{variable}"', SETTINGS_SOURCE), variable


@pytest.mark.parametrize("name", DESK)
def test_attachments_are_kept_on_a_named_volume(name):
    directory = SERVICES[name]["environment"]["ATTACHMENTS_DIR"]
    assert f"attachments:{directory}" in SERVICES[name]["volumes"]
    assert "attachments" in COMPOSE["volumes"]


def test_the_web_server_is_published_for_one_proxy_on_the_host():
    web = SERVICES["web"]
    assert web["ports"] == ["127.0.0.1:8000:8000"]
    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert web["environment"]["SCOPEDESK_PRODUCTION"] == "1"
    assert "/healthz" in " ".join(web["healthcheck"]["test"])


def test_mail_is_sent_over_smtp_with_a_timeout():
    environment = SERVICES["worker-mail"]["environment"]
    assert environment["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert "EMAIL_TIMEOUT" in environment
