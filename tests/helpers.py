"""Small helpers that more than one test module needs."""

from __future__ import annotations

from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import ManagementUtility
from rest_framework.test import APIClient


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
