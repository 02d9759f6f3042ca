"""Where ticket attachments are kept: a folder that no URL serves."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class AttachmentStorage(FileSystemStorage):
    """Files under ``settings.ATTACHMENTS_DIR``, read only by the download view,
    which checks who may see the ticket."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @cached_property
    def base_location(self):
        return settings.ATTACHMENTS_DIR

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "ATTACHMENTS_DIR":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)
