"""A customer's text longer than a ticket's body takes. Nothing typed is cut
silently: the portal and the API refuse it and say by how much (the portal keeps
the text in the form), and an e-mail, which cannot be sent back, is kept whole
as an attached text file, with a note in the thread that says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.models import Message, Ticket
from tickets.services.queueing import SEND_MESSAGE_EMAIL, queue_after_commit

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # the stubs are a development dependency

# What a contact may write in one go: about ten pages. Longer texts (logs, dumps)
# are files; the scope check reads the body, and a person must too.
BODY_MAX = 20_000
# The API takes more (monitoring systems post their logs) and refuses a longer
# text with a 400 that names the limit, in DRF's {max_length} form.
API_BODY_MAX = 50_000
API_BODY_TOO_LONG: dict[str, str | StrPromise] = {
    "max_length": gettext_lazy(
        "The text can be at most {max_length} characters. Nothing was saved; send a "
        "longer text, such as a log, as an attached file."
    )
}
# The name of the attached file that keeps a long e-mail's whole text.
FULL_TEXT_NAME = "full-text.txt"


def number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def too_long(count: int) -> str:
    """Why a text is refused, with the limit and its length, in the active language."""
    return _(
        "Your text is %(count)s characters long, and one message can take at most "
        "%(limit)s. Nothing is lost: your text is still here. Please shorten it, or "
        "put the long part (a log, for example) into a file and attach it."
    ) % {"count": number(count), "limit": number(BODY_MAX)}


def mail_body_kept(body: str) -> tuple[str, SimpleUploadedFile | None]:
    """An e-mail's text as a ticket keeps it: a text within the limit as it is;
    a longer one cut at the limit, at a line end where there is one near, with the
    whole text as a file to attach."""
    if len(body) <= BODY_MAX:
        return body, None
    cut = body.rfind("\n", BODY_MAX - 2000, BODY_MAX - 10)
    shown = body[: cut if cut > 0 else BODY_MAX - 10].rstrip() + "\n[…]"
    full = SimpleUploadedFile(FULL_TEXT_NAME, body.encode("utf-8"), "text/plain")
    return shown, full


def long_mail_notice(ticket: Ticket, count: int) -> Message:
    """Tell the customer, in the thread and by e-mail, that their message was long
    and where the rest of it is."""
    with translation.override(ticket.language):
        body = _(
            "Your e-mail was %(count)s characters long, more than one message here "
            "shows (%(limit)s). Nothing is lost: the message shows its beginning, and "
            "the whole text is attached as %(file)s, where our technicians read it."
        ) % {"count": number(count), "limit": number(BODY_MAX), "file": FULL_TEXT_NAME}
    message = Message.objects.create(ticket=ticket, kind=Message.Kind.AUTOMATIC, body=body)
    queue_after_commit(SEND_MESSAGE_EMAIL, message.pk)
    return message
