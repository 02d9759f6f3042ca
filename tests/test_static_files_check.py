"""With DEBUG off, every page needs the manifest that collectstatic writes;
`check --deploy` says so before the desk goes live without it."""

from __future__ import annotations

from django.core import checks
from django.core.management import call_command

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def deploy_errors() -> list[str]:
    return [m.id for m in checks.run_checks(include_deployment_checks=True) if m.is_serious()]


def use_manifest_storage(settings, static_root) -> None:
    settings.STATIC_ROOT = static_root
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}


def test_check_deploy_reports_static_files_that_were_never_collected(settings, tmp_path):
    use_manifest_storage(settings, tmp_path / "static")

    assert "helpdesk.E001" in deploy_errors()


def test_check_deploy_is_content_once_collectstatic_has_run(settings, tmp_path):
    use_manifest_storage(settings, tmp_path / "static")
    call_command("collectstatic", interactive=False, verbosity=0)

    assert "helpdesk.E001" not in deploy_errors()


def test_the_embedded_set_up_without_a_manifest_is_not_reported(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"  # the tests' storage keeps no manifest

    assert "helpdesk.E001" not in deploy_errors()
