"""Small helpers that more than one test module needs."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import yaml
from django.contrib.auth import get_user_model
from django.core.management import ManagementUtility
from rest_framework.test import APIClient

from contracts.engine import terms
from contracts.engine.scope import Catalogue

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_manage(capsys, *args: str) -> tuple[int, str, str]:
    """Run a command as `manage.py` does: its exit status, standard output and error.

    manage.py closes the database connections when a command ends; here that would
    close the connection that holds the test's transaction, so it is left open."""
    with mock.patch("django.db.connections.close_all"):
        try:
            ManagementUtility(["manage.py", *args]).execute()
        except SystemExit as exit:
            code = exit.code
        else:
            code = 0
    out, err = capsys.readouterr()
    return code, out, err


def api(user_or_email) -> APIClient:
    """An API client authenticated as a user, or as the user with that e-mail."""
    user = user_or_email
    if isinstance(user_or_email, str):
        user = get_user_model().objects.get(email=user_or_email)
    client = APIClient()
    client.force_authenticate(user)
    return client


def example_catalogue() -> Catalogue:
    """The example catalogue (examples/services.yaml), everyday words included,
    read straight from the file: for the pure engine's tests, without a database."""
    data = yaml.safe_load((EXAMPLES / "services.yaml").read_text(encoding="utf-8"))
    return Catalogue(
        terms.ServiceEntry(
            code=s["code"],
            names=s["name"],
            phrases={lang: tuple(p) for lang, p in s["phrases"].items()},
            everyday_words={lang: tuple(w) for lang, w in s.get("everyday_words", {}).items()},
            always_covered=s.get("always_covered", False),
        )
        for s in data["services"]
    )
