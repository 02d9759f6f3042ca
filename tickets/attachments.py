"""Files on tickets: what may be uploaded, and how it is served back.

Files are stored under a random name outside any served folder, and only ever
sent back as downloads with ``X-Content-Type-Options: nosniff``: a customer's
HTML or SVG never runs in anyone's browser.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tickets.models import Attachment, Message, Ticket
from tickets.services import TicketError

# The kinds of file people send a helpdesk: screenshots, documents, logs, archives.
# The content type we serve is ours, never the uploader's claim.
ALLOWED_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".log": "text/plain",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xml": "application/xml",
    ".har": "application/json",
    ".eml": "message/rfc822",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    # Saved pages and drawings are welcome as evidence, but only ever downloaded.
    ".html": "application/octet-stream",
    ".htm": "application/octet-stream",
    ".svg": "application/octet-stream",
}


class AttachmentRefused(TicketError):
    pass


def attachment_check(upload: UploadedFile) -> str:
    """The content type to store for an upload, or a refusal that says why."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name.lower()).suffix
    if extension not in ALLOWED_TYPES:
        raise AttachmentRefused(
            _("%(name)s cannot be attached: we accept %(types)s files.")
            % {"name": name or _("This file"), "types": ", ".join(sorted(ALLOWED_TYPES))}
        )
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentRefused(
            _("%(name)s is %(size)s; a file can be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            }
        )
    if upload.size == 0:
        raise AttachmentRefused(_("%(name)s is empty.") % {"name": name})
    return ALLOWED_TYPES[extension]


def attachment_add(
    *,
    ticket_id: int,
    uploaded_by: AbstractBaseUser,
    upload: UploadedFile,
    message: Message | None = None,
) -> Attachment:
    content_type = attachment_check(upload)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if ticket.attachments.count() >= settings.ATTACHMENTS_PER_TICKET:
            raise AttachmentRefused(
                _("A ticket can have at most %(n)d files; please put more into a zip file.")
                % {"n": settings.ATTACHMENTS_PER_TICKET}
            )
        attachment = Attachment(
            ticket=ticket,
            message=message,
            name=PurePath(upload.name).name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=uploaded_by,
        )
        attachment.file.save("upload", upload, save=False)
        try:
            attachment.save()
        except Exception:
            # A row that was never written must not leave its file behind.
            attachment.file.delete(save=False)
            raise
    return attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download that no browser renders or sniffs."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
