"""Small helpers that more than one test module needs."""

from __future__ import annotations

from unittest import mock

from django.core.management import ManagementUtility


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
