"""Files on tickets: what may be uploaded, and how it is served back.

Files are stored under a random name outside any served folder, and only ever
sent back as downloads with ``X-Content-Type-Options: nosniff``: a customer's
HTML or SVG never runs in anyone's browser.

A refused upload leaves nothing behind: a request larger than a ticket's files
may be together is refused unread (``UploadLimitMiddleware``), every file's type,
size and the ticket's count are checked before any file is written, and files
written in a transaction that rolls back are removed (``atomic_with_files``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tickets.models import Attachment, Message, Ticket
from tickets.services import TicketError

log = logging.getLogger(__name__)

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
    size = upload.size or 0  # an upload always knows its size; File allows None
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise AttachmentRefused(
            _("%(name)s is %(size)s; a file can be at most %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            }
        )
    if size == 0:
        raise AttachmentRefused(_("%(name)s is empty.") % {"name": name})
    return ALLOWED_TYPES[extension]


def too_many_files(limit: int) -> str:
    return _("A ticket can have at most %(n)d files; please put more into a zip file.") % {
        "n": limit
    }


# The files written inside the innermost ``atomic_with_files`` block, for the block
# around it to take over.
_written: ContextVar[list[str] | None] = ContextVar("attachment_files_written", default=None)


def _storage():
    return Attachment._meta.get_field("file").storage


def _delete_files(names: Iterable[str]) -> None:
    """Remove files of a rolled-back transaction; a file that cannot be removed is
    logged, so that the error that rolled back is the one raised."""
    for name in names:
        try:
            _storage().delete(name)
        except OSError:
            log.exception("could not remove the attachment file %s of a rolled-back upload", name)


def _write_file(attachment: Attachment, upload: UploadedFile, written: list[str]) -> None:
    """Write the upload under the attachment's random name, noted in ``written``
    before the write: one that fails half-way leaves part of a file."""
    field = Attachment._meta.get_field("file")
    name = field.generate_filename(attachment, "upload")
    written.append(name)
    stored = _storage().save(name, upload, max_length=field.max_length)
    if stored != name:
        written.append(stored)
    attachment.file = stored


@contextmanager
def atomic_with_files() -> Iterator[list[str]]:
    """``transaction.atomic()`` that also removes the attachment files written in it
    (their names go into the list it gives) when it rolls back.

    A file system takes no part in a transaction, and Django calls back on commit
    but never on rollback. Writing the files only on commit would leave a
    committed row without its file whenever that write failed (a full disk), and
    a row without its file is worse than a file without a row. So the files are
    written first, noted, and removed here when the block rolls back: when an
    exception leaves it (a failed COMMIT included) or it was marked for rollback.
    A block inside another hands its files on to the outer one, whose rollback
    then removes them too. Views open this block, not a plain ``atomic()``: inside
    a plain one that rolled back later, the files would stay."""
    outer = _written.get()
    written: list[str] = []
    token = _written.set(written)
    try:
        with transaction.atomic():
            yield written
            kept = not transaction.get_rollback()
    except BaseException:
        _delete_files(written)
        raise
    finally:
        _written.reset(token)
    if not kept:
        _delete_files(written)
    elif outer is not None:
        outer.extend(written)


def attachments_add(
    *,
    ticket_id: int,
    uploaded_by: User,
    uploads: Iterable[UploadedFile],
    message: Message | None = None,
) -> list[Attachment]:
    """Add files to a ticket, all or none: every file and the ticket's count are
    checked before the first file is written."""
    uploads = list(uploads)
    if not uploads:
        return []
    content_types = [attachment_check(upload) for upload in uploads]
    with atomic_with_files() as written:
        # The row lock makes two uploads at once count each other's files.
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if ticket.attachments.count() + len(uploads) > settings.ATTACHMENTS_PER_TICKET:
            raise AttachmentRefused(too_many_files(settings.ATTACHMENTS_PER_TICKET))
        added = []
        for upload, content_type in zip(uploads, content_types, strict=True):
            attachment = Attachment(
                ticket=ticket,
                message=message,
                name=PurePath(upload.name or "").name[:200],
                content_type=content_type,
                size=upload.size or 0,
                uploaded_by=uploaded_by,
            )
            _write_file(attachment, upload, written)
            attachment.save()
            added.append(attachment)
    return added


def attachment_add(
    *,
    ticket_id: int,
    uploaded_by: User,
    upload: UploadedFile,
    message: Message | None = None,
) -> Attachment:
    (attachment,) = attachments_add(
        ticket_id=ticket_id, uploaded_by=uploaded_by, uploads=[upload], message=message
    )
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


# --- the request's size --------------------------------------------------------


def upload_request_limit() -> int:
    """The largest request that may carry files: a ticket's files at their largest,
    and the form's other fields at theirs."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return settings.ATTACHMENT_MAX_BYTES * settings.ATTACHMENTS_PER_TICKET + fields


class UploadLimitMiddleware:
    """Refuse a request body that is larger than the desk takes, or that carries
    more files than a ticket may have, before any of it is read into files.

    Django limits the fields of a form (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not the
    files, and the API's JSON parser reads a body of any size into memory. The
    declared length is checked first; a multipart form is then read here, so that
    ``DATA_UPLOAD_MAX_NUMBER_FILES`` stops it at the first file too many, with a
    clear answer instead of Django's bare 400: JSON under /api/, a kind page
    elsewhere (the form's text cannot be shown again: it was never read)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self._refusal(request) or self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body without a valid length either
        multipart = request.content_type == "multipart/form-data"
        limit = upload_request_limit() if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return _too_large(request, multipart, limit)
        if multipart and request.method == "POST":
            try:
                request.POST  # noqa: B018 (reading it is the point)
            except TooManyFilesSent:
                return _refused(request, too_many_files(settings.ATTACHMENTS_PER_TICKET), 400)
            except RequestDataTooBig:
                # The files are within the limit here: the form's text is what is too large.
                return text_too_large(request)
            except TooManyFieldsSent:
                return _too_large(request, multipart, limit)
        return None


def text_too_large(request: HttpRequest) -> HttpResponse:
    """A form's text larger than Django reads (``DATA_UPLOAD_MAX_MEMORY_SIZE``): a
    kind page in the reader's language rather than a bare 400. The text was never
    read, so it cannot be shown again; the browser usually still has it."""
    message = _(
        "Your text is larger than we can take at once: at most %(size)s. It was not "
        "saved, so please go back (your browser usually still has it) and put the "
        "long part, such as a log, into a file and attach it."
    ) % {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)}
    return _refused(request, message, 413)


def _too_large(request: HttpRequest, multipart: bool, limit: int) -> HttpResponse:
    if multipart:
        message = _(
            "What you sent is larger than we can take at once: a ticket takes at most "
            "%(n)d files of up to %(size)s each. Please go back and leave some files "
            "out, or send them later with a reply."
        ) % {
            "n": settings.ATTACHMENTS_PER_TICKET,
            "size": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
        }
    elif request.path.startswith("/api/"):
        message = _("The request is too large: it can be at most %(size)s.") % {
            "size": filesizeformat(limit)
        }
    else:
        return text_too_large(request)
    return _refused(request, message, 413)


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    # Back to the page the form was on, if it was one of ours.
    back = request.META.get("HTTP_REFERER", "")
    try:
        ours = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except DisallowedHost:
        ours = False
    context = {"message": message, "back": back if ours else ""}
    return render(request, "upload_refused.html", context, status=status)
