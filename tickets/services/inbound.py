"""E-mail in: one raw message, stored as it came before anything else, then read
and acted on: a new ticket, a reply, an internal note, a recorded bounce, the
"not a contact" answer, or nothing. Safe to run twice, also at once: the row is
unique by Message-ID and by the bytes' hash, and handled under its row lock.

The rules that read the message are in ``inbound_rules.py``; the limits on the
desk's own automatic e-mail in ``mail_limits.py``."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parseaddr

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.engine.scope import Decision, Reason
from contracts.engine.terms import Verdict
from contracts.models import Contact
from contracts.replies import render_reply
from contracts.selectors import current_catalogue, reply_wordings

# The module, not its names: tickets.attachments imports the services' errors.
from tickets import attachments
from tickets.inbound.mail import AutoKind, InboundMail
from tickets.inbound.reading import read_message
from tickets.models import InboundMessage, Message, Status, Ticket
from tickets.services.base import TicketError, one_line
from tickets.services.inbound_rules import (
    bounce_record,
    internal_note,
    mail_uploads,
    offer_answer_in,
    sender_contact,
    thread_ticket,
)
from tickets.services.intake import ticket_create
from tickets.services.long_text import long_mail_notice, mail_body_kept
from tickets.services.mail_limits import desk_addresses
from tickets.services.offers import offer_answer
from tickets.services.workflow import message_post

log = logging.getLogger(__name__)

Outcome = InboundMessage.Outcome
Reader = Callable[[bytes], InboundMail]


def mail_ingest(*, raw: bytes, reader: Reader | None = None) -> InboundMessage:
    """Store one raw e-mail, then act on it once. A message stored before is not
    acted on again: the answer is an unsaved row whose outcome is ``duplicate``.
    Raises only when the message could not be stored (the caller retries);
    a message that could not be handled is stored as ``failed``, for staff.

    ``reader`` turns the bytes into an ``InboundMail``: ``read_message`` unless
    given (the tests give ready values)."""
    inbound, fresh = _store(raw)
    if not fresh and inbound.outcome not in (Outcome.RECEIVED, Outcome.FAILED):
        return _duplicate(inbound)
    reader = reader or read_message
    try:
        mail = reader(raw)
    except Exception as exc:
        log.exception("could not read incoming e-mail %s", inbound.pk)
        return _settle_failed(inbound.pk, f"unreadable: {type(exc).__name__}: {exc}")
    try:
        return _handle(inbound.pk, mail)
    except Exception as exc:
        log.exception("could not handle incoming e-mail %s", inbound.pk)
        return _settle_failed(inbound.pk, f"{type(exc).__name__}: {exc}")


MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def _store(raw: bytes) -> tuple[InboundMessage, bool]:
    """The row of this message, and whether this call stored it. The raw bytes
    are on disk before the row is committed, under a name made of their hash."""
    sha = hashlib.sha256(raw).hexdigest()
    message_id, sender, subject = _envelope(raw)
    same = Q(sha256=sha) | (Q(message_id=message_id) if message_id else Q(pk__in=[]))
    existing = InboundMessage.objects.filter(same).first()
    if existing is not None:
        return existing, False
    inbound = InboundMessage(
        sha256=sha, message_id=message_id, sender=sender[:254], subject=subject[:250]
    )
    name = inbound.raw.field.generate_filename(inbound, "raw.eml")
    storage = inbound.raw.storage
    wrote = False
    if not storage.exists(name):
        stored = storage.save(name, ContentFile(raw))
        wrote = stored == name
        if not wrote:  # written at the same moment by another delivery
            storage.delete(stored)
    inbound.raw.name = name
    try:
        with transaction.atomic():
            inbound.save()
    except IntegrityError:
        existing = InboundMessage.objects.filter(same).first()
        if existing is None:
            raise
        if wrote and existing.sha256 != sha:  # the same Message-ID in other bytes
            storage.delete(name)
        return existing, False
    return inbound, True


def _envelope(raw: bytes) -> tuple[str, str, str]:
    """Message-ID, sender and subject from the headers alone: enough to find a
    duplicate and to list the message even if its body can never be read."""
    try:
        headers = BytesHeaderParser(policy=default_policy).parsebytes(raw)
        found = MESSAGE_ID.search(str(headers.get("Message-ID", "") or ""))
        sender = parseaddr(str(headers.get("From", "") or ""))[1].lower()
        subject = one_line(str(headers.get("Subject", "") or ""))
    except Exception:  # a header no parser can read: stored all the same
        return "", "", ""
    return (found.group(0) if found else ""), sender, subject


def _duplicate(inbound: InboundMessage) -> InboundMessage:
    return InboundMessage(
        pk=None,
        sha256=inbound.sha256,
        message_id=inbound.message_id,
        sender=inbound.sender,
        subject=inbound.subject,
        outcome=Outcome.DUPLICATE,
        detail=f"stored before as incoming e-mail {inbound.pk} ({inbound.outcome})",
        ticket=inbound.ticket,
    )


def _settle_failed(pk: int, detail: str) -> InboundMessage:
    InboundMessage.objects.filter(pk=pk).update(outcome=Outcome.FAILED, detail=detail[:2000])
    return InboundMessage.objects.get(pk=pk)


def _handle(pk: int, mail: InboundMail) -> InboundMessage:
    # Files written for a ticket that then rolls back are removed with it.
    with attachments.atomic_with_files():
        # One delivery handles the message; another waits here, then finds it done.
        inbound = InboundMessage.objects.select_for_update().get(pk=pk)
        if inbound.outcome not in (Outcome.RECEIVED, Outcome.FAILED):
            return _duplicate(inbound)
        inbound.sender = (inbound.sender or mail.sender).lower()[:254]
        inbound.subject = inbound.subject or one_line(mail.subject)[:250]
        inbound.message_id = inbound.message_id or _free_message_id(mail.message_id)
        outcome, detail, ticket, message = _act(inbound, mail)
        inbound.outcome, inbound.detail = outcome, detail[:2000]
        inbound.ticket, inbound.ticket_message = ticket, message
        inbound.quoted_text = mail.quoted_text if ticket is not None else ""
        inbound.save()
    return inbound


def _free_message_id(message_id: str) -> str:
    """The reader's Message-ID when the header parse found none, unless taken."""
    if not message_id or InboundMessage.objects.filter(message_id=message_id).exists():
        return ""
    return message_id


Acted = tuple[str, str, Ticket | None, Message | None]


def _act(inbound: InboundMessage, mail: InboundMail) -> Acted:
    if mail.bounce is not None:
        detail, ticket = bounce_record(mail.bounce)
        return Outcome.BOUNCE_RECORDED, detail, ticket, None
    sender = inbound.sender
    if sender in desk_addresses():
        return Outcome.IGNORED_AUTO, "from the desk's own address", None, None
    contact = sender_contact(sender)
    if contact is None:
        if mail.auto != AutoKind.HUMAN:
            return Outcome.IGNORED_AUTO, f"automatic ({mail.auto}), not a contact", None, None
        replied = _not_authorized_reply(inbound, mail)
        detail = "answered" if replied else "already answered today, or no address"
        return Outcome.NOT_AUTHORIZED, detail, None, None
    ticket, done = thread_ticket(mail, contact)
    if mail.auto != AutoKind.HUMAN:
        # An out-of-office or a robot's answer: on the ticket for the record,
        # never a new ticket, never a reopened one, never answered.
        target = ticket or done
        if target is None:
            return Outcome.IGNORED_AUTO, f"automatic ({mail.auto}), joins no ticket", None, None
        note = internal_note(target, _auto_note(mail))
        return Outcome.NOTE_ADDED, f"automatic ({mail.auto})", target, note
    body = mail.new_text.strip() or mail.text.strip() or _("(The e-mail had no text.)")
    uploads, refused = mail_uploads(mail, ticket=ticket)
    # A text too long for a message is kept whole as a file, ahead of the others.
    length = len(body)
    body, full_text = mail_body_kept(body)
    if full_text is not None:
        uploads.insert(0, full_text)
        room = settings.ATTACHMENTS_PER_TICKET - (ticket.attachments.count() if ticket else 0)
        while len(uploads) > max(room, 1):
            left_out = uploads.pop()
            refused.append(
                _("%(name)s: %(reason)s")
                % {
                    "name": left_out.name,
                    "reason": attachments.too_many_files(settings.ATTACHMENTS_PER_TICKET),
                }
            )
    if ticket is not None:
        message = message_post(ticket_id=ticket.pk, author=contact.user, body=body, uploads=uploads)
        detail = _answer_offer(ticket, contact, body)
        _note_refused(ticket, refused)
        if full_text is not None:
            long_mail_notice(ticket, length)
        return Outcome.REPLY_ADDED, detail, ticket, message
    subject = one_line(mail.subject) or _("(no subject)")
    new = ticket_create(
        requester=contact.user,
        subject=subject[:200],
        body=body,
        channel="email",
        uploads=uploads,
    )
    detail = ""
    if done is not None:
        detail = f"follows up on #{done.pk}"
        internal_note(
            new,
            _(
                "This e-mail answers ticket #%(old)s, which is done and no longer "
                "reopens by e-mail, so it opened this new ticket."
            )
            % {"old": done.pk},
        )
    _note_refused(new, refused)
    if full_text is not None:
        long_mail_notice(new, length)
    return Outcome.TICKET_CREATED, detail, new, None


def _answer_offer(ticket: Ticket, contact: Contact, body: str) -> str:
    """A clear yes or no on the first line answers the pending offer."""
    if ticket.status != Status.AWAITING_DECISION:
        return ""
    offer = ticket.offers.filter(status="pending").first()
    if offer is None:
        return ""
    accept = offer_answer_in(body, ticket.language)
    if accept is None:
        return "offer left to a technician: no clear yes or no"
    try:
        offer_answer(offer_id=offer.pk, accept=accept, user=contact.user)
    except TicketError as exc:
        return f"offer not answered: {exc}"
    return "offer accepted" if accept else "offer declined"


def _note_refused(ticket: Ticket, refused: list[str]) -> None:
    if refused:
        internal_note(
            ticket,
            _("Files in the e-mail that were not attached:") + "\n" + "\n".join(refused),
        )


def _auto_note(mail: InboundMail) -> str:
    return _("Automatic e-mail from %(sender)s: %(subject)s") % {
        "sender": mail.sender,
        "subject": one_line(mail.subject),
    } + ("\n\n" + mail.text.strip() if mail.text.strip() else "")


def _not_authorized_reply(inbound: InboundMessage, mail: InboundMail) -> bool:
    """Tell a stranger, once a day per address, who can open tickets. True if
    this message is the one answered."""
    if not inbound.sender:
        return False
    today = timezone.localdate()
    try:
        with transaction.atomic():
            InboundMessage.objects.filter(pk=inbound.pk).update(not_authorized_replied_on=today)
    except IntegrityError:  # this address had its answer today
        return False
    inbound.not_authorized_replied_on = today
    decision = Decision(Verdict.NOT_AUTHORIZED, Reason.UNKNOWN_SENDER, settings.LANGUAGE_CODE)
    at = timezone.now()
    text = render_reply(decision, at=at, catalogue=current_catalogue(), wordings=reply_wordings())
    with translation.override(decision.language):
        subject = one_line(_("Re: %(subject)s") % {"subject": mail.subject})[:200]
    thread = mail.message_id
    headers = {"Auto-Submitted": "auto-replied"}
    if thread:
        headers.update({"In-Reply-To": thread, "References": thread})
    reply = EmailMessage(subject=subject, body=text.text, to=[inbound.sender], headers=headers)
    transaction.on_commit(lambda: _send_quietly(reply))
    return True


def _send_quietly(reply: EmailMessage) -> None:
    try:
        reply.send()
    except Exception:
        log.exception("could not send the not-a-contact answer to %s", reply.to)
