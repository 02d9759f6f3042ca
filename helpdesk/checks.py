"""The project's own system checks (``manage.py check --deploy``)."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import Error, register
from django.core.files.storage import storages


@register(deploy=True)
def static_files_collected(app_configs=None, **kwargs) -> list[Error]:
    """With DEBUG off, pages name their styles and scripts through the manifest
    that ``collectstatic`` writes; without it every page answers 500. Gunicorn
    runs no checks, so this is said where an operator looks before going live."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.read_manifest() is not None:
        return []
    return [
        Error(
            "Static files have not been collected: with DEBUG off every page would answer 500.",
            hint="Run `manage.py collectstatic --noinput` (the Docker image does it when built).",
            id="helpdesk.E001",
        )
    ]
