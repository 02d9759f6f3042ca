"""The first minutes of a newcomer: `make run PORT=…`, e-mails in a folder rather
than in the terminal, and demo tickets filed on a weekday when asked."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from tickets.management.commands.demodata import TICKETS
from tickets.models import Ticket

ROOT = Path(__file__).resolve().parents[1]
HELSINKI = ZoneInfo("Europe/Helsinki")
SUNDAY_NOON = datetime(2026, 12, 6, 12, 0, tzinfo=HELSINKI)


def make_run(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("needs make")
    # -n prints the commands without running them; the stamp keeps the install out.
    done = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed-stamp", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_make_run_serves_on_the_port_given_and_links_follow_it():
    commands = make_run("PORT=8123")
    assert "runserver 127.0.0.1:8123" in commands
    # The e-mails' links and the printed address use the same port.
    assert commands.count("SITE_URL=http://127.0.0.1:8123") == 2


def test_make_run_serves_on_8000_by_default_and_can_file_the_demo_on_a_weekday():
    commands = make_run("DEMO_AT=weekday")
    assert "runserver 127.0.0.1:8000" in commands
    assert "demodata --at weekday" in commands


@pytest.mark.django_db(transaction=True)
def test_demodata_prints_the_logins_and_where_the_emails_are_not_the_emails(
    settings, tmp_path, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.SITE_URL = "http://127.0.0.1:8123"
    out = io.StringIO()
    with caplog.at_level(logging.INFO, logger="celery.app.trace"):
        call_command("demodata", stdout=out)
    printed = out.getvalue()
    lines = printed.splitlines()
    assert len(lines) < 25, printed
    # Nor does the log fill the terminal with the tasks that decided the tickets.
    assert not [r for r in caplog.records if r.name == "celery.app.trace"]
    assert "Log in at http://127.0.0.1:8123/" in printed
    assert f"E-mails the desk sends are written to {tmp_path / 'mail'}/" in printed
    assert "Subject:" not in printed and "Content-Type" not in printed
    written = list((tmp_path / "mail").glob("*.log"))
    assert written, "the demo's replies and notices are in the folder"
    # Their links use the address the server runs on.
    assert any("http://127.0.0.1:8123/" in path.read_text() for path in written)


def test_a_development_desk_writes_its_mail_to_var_mail():
    settings_code = (
        "import os; os.environ['DEBUG']='1'; os.environ.pop('EMAIL_BACKEND', None);"
        "import django; os.environ['DJANGO_SETTINGS_MODULE']='helpdesk.settings';"
        "from django.conf import settings;"
        "print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    )
    done = subprocess.run(
        [sys.executable, "-c", settings_code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    backend, folder = done.stdout.split()
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(folder) == ROOT / "var" / "mail"


@pytest.mark.django_db(transaction=True)
def test_demo_tickets_filed_as_on_a_weekday_are_decided_by_the_weekday(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path
    with time_machine.travel(SUNDAY_NOON, tick=False):
        call_command("demodata", "--at", "weekday", stdout=io.StringIO())
    # Today's demo tickets, not last month's work (filed then).
    today = Ticket.objects.filter(created_at__gte=datetime(2026, 12, 1, tzinfo=HELSINKI))
    filed = {ticket.created_at.astimezone(HELSINKI) for ticket in today}
    # Friday 10:00 before that Sunday.
    assert filed == {datetime(2026, 12, 4, 10, 0, tzinfo=HELSINKI)}
    assert today.count() == len(TICKETS)
    verdicts = set(today.values_list("verdict", flat=True))
    assert "outside_hours" not in verdicts
    assert "in_scope" in verdicts


@pytest.mark.django_db(transaction=True)
def test_demo_tickets_filed_on_a_sunday_are_mostly_outside_hours(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path
    with time_machine.travel(SUNDAY_NOON, tick=False):
        call_command("demodata", stdout=io.StringIO())
    assert "outside_hours" in set(Ticket.objects.values_list("verdict", flat=True))


def test_no_document_refers_to_files_outside_the_repository():
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
    for document in documents:
        text = document.read_text(encoding="utf-8")
        assert "](../" not in text and "](/" not in text, document
        assert "/work/" not in text and "/home/" not in text, document
