"""`make replies` (`manage.py replies PATH`) as a reviewer runs it: in a process of
its own, on a temporary database it fills from examples/, one file with every
automatic reply."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.db import connection

from contracts.engine.terms import LANGUAGES, Verdict
from contracts.models import Customer
from tickets.management.commands.replies import SECTIONS

ROOT = Path(__file__).resolve().parents[2]


def test_it_writes_every_verdict_in_every_language_and_every_notice(tmp_path, db):
    target = tmp_path / "replies.md"
    env = {**os.environ, "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "manage.py", "replies", str(target)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # On a database of its own: this test run's is still here, and still used.
    if connection.vendor == "sqlite":
        assert Path(connection.settings_dict["NAME"]).exists()
    assert Customer.objects.count() == 0
    text = target.read_text(encoding="utf-8")
    headings = re.findall(r"^### (.+)$", text, flags=re.MULTILINE)
    for verdict in Verdict:
        for language in LANGUAGES:
            assert any(
                h.startswith(f"{verdict.value} · ") and h.endswith(f" · {language}")
                for h in headings
            ), (verdict, language)
    for title, _entries in SECTIONS:
        assert f"\n## {title}\n" in text
    for kind in ("complaint", "compensation claim", "incident opened", "incident update"):
        for language in LANGUAGES:
            assert f"{kind} · {language}" in headings
    for language in LANGUAGES:
        assert f"incident resolved · {language}" in headings
        assert f"uptime credit · {language}" in headings
    # What an override tells the customer: each change of answer a lead can make.
    for language in LANGUAGES:
        assert f"paid_option → in_scope · {language}" in headings
        assert f"in_scope → paid_option · {language}" in headings
        assert f"paid_option → out_of_scope · {language}" in headings
    assert "in_scope → outside_hours · en" not in headings  # covered either way: no message
    # Every reply filled in: no placeholder left, no English left in another language.
    assert "{" not in text.replace("```", "") and "%(" not in text
    assert "Labdien, Jāni!" in text and "Здравствуйте, Анна!" in text
    # The ended contract's customer got one offer for three tickets.
    assert "offers made: 1" in text and text.count("offers made: 0") == 2
