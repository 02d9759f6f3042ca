"""What an incoming e-mail means for the desk: the ticket it answers, a clear yes
or no to an offer, a bounce of our own e-mail, the files it may bring. Used by
``inbound.py``, which stores the message and acts on it."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Contact

# The module, not its names: tickets.attachments imports the services' errors.
from tickets import attachments
from tickets.inbound.mail import Bounce, InboundMail
from tickets.models import (
    CreditNotice,
    Delivery,
    InboundMessage,
    IncidentNotice,
    Message,
    Status,
    Ticket,
)
from tickets.selectors import tickets_visible_to

SUBJECT_REFERENCE = re.compile(r"\[#(\d{1,12})\]")


def sender_contact(sender: str) -> Contact | None:
    """The contact who writes from this address (case-insensitive), if any."""
    address = parseaddr(sender)[1]
    if not address:
        return None
    return (
        Contact.objects.select_related("user", "customer")
        .filter(user__email__iexact=address, user__is_active=True)
        .order_by("pk")
        .first()
    )


def thread_ticket(mail: InboundMail, contact: Contact) -> tuple[Ticket | None, Ticket | None]:
    """The ticket the e-mail joins, and a done ticket it answers too late to
    reopen (a new ticket names it). Named by In-Reply-To/References (an e-mail
    the desk sent or received for it), else by ``[#id]`` in the subject; only
    ever one of the contact's own customer's tickets that they may see."""
    named: list[int] = []
    ids = [mid for mid in (*mail.in_reply_to, *mail.references) if mid]
    if ids:
        named += Ticket.objects.filter(message_id__in=ids).values_list("pk", flat=True)
        named += Message.objects.filter(message_id__in=ids).values_list("ticket_id", flat=True)
        named += (
            InboundMessage.objects.filter(message_id__in=ids, ticket__isnull=False)
            .values_list("ticket_id", flat=True)
            .distinct()
        )
    match = SUBJECT_REFERENCE.search(mail.subject)
    if match:
        named.append(int(match.group(1)))
    if not named:
        return None, None
    # A staff member who is also a contact sees every ticket: the customer too.
    mine = tickets_visible_to(contact.user).filter(customer_id=contact.customer_id)
    found = {t.pk: t for t in mine.filter(pk__in=named)}
    ticket = next((found[pk] for pk in named if pk in found), None)
    if ticket is None:
        return None, None
    if ticket.status == Status.CLOSED or (
        ticket.status == Status.RESOLVED
        and ticket.resolved_at is not None
        and ticket.resolved_at < timezone.now() - timedelta(days=settings.REOPEN_DAYS)
    ):
        return None, ticket
    return ticket, None


# A clear answer on the first line, per language (English is understood always).
# Anything else, "yes, but…" included, is a reply for the technician.
OFFER_WORDS: dict[str, tuple[set[str], set[str]]] = {
    "en": (
        {"yes", "yes please", "yes go ahead", "go ahead", "ok go ahead", "i accept", "accept",
         "yes i accept", "agreed"},
        {"no", "no thanks", "no thank you", "i decline", "decline", "no i decline"},
    ),
    "ru": (
        {"да", "да согласен", "да согласна", "согласен", "согласна", "да пожалуйста",
         "принимаю", "да принимаю"},
        {"нет", "нет спасибо", "не надо", "отказываюсь", "нет не надо"},
    ),
    "fi": (
        {"kyllä", "kyllä kiitos", "kyllä sopii", "sopii", "hyväksyn", "kyllä hyväksyn"},
        {"ei", "ei kiitos", "en hyväksy", "ei tarvitse"},
    ),
    "lv": (
        {"jā", "jā lūdzu", "jā piekrītu", "piekrītu", "jā paldies"},
        {"nē", "nē paldies", "nepiekrītu", "nē nevajag"},
    ),
}  # fmt: skip


def offer_answer_in(text: str, language: str) -> bool | None:
    """True for a clear yes on the first line, False for a clear no, else None."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    words = " ".join(re.sub(r"[,.!;:]+", " ", first.lower()).split())
    for lang in dict.fromkeys((language, "en")):
        yes, no = OFFER_WORDS.get(lang, (set(), set()))
        if words in yes:
            return True
        if words in no:
            return False
    return None


def bounce_record(bounce: Bounce) -> tuple[str, Ticket | None]:
    """Mark the e-mail that bounced (a ticket's message, an incident or credit
    notice) failed with the diagnostic, and flag the contact of a hard bounce.
    What happened, for the record, and the ticket it concerns."""
    now = timezone.now()
    ticket = None
    found = ""
    for model in (Message, IncidentNotice, CreditNotice):
        row = model.objects.filter(message_id=bounce.original_message_id).first()
        if row is None:
            continue
        found = f"{model.__name__} {row.pk}"
        if isinstance(row, Message):
            ticket = row.ticket
        if bounce.permanent:
            model.objects.filter(pk=row.pk).update(
                delivery=Delivery.FAILED,
                delivery_lease_until=None,
                delivery_error=f"Bounced: {bounce.diagnostic}"[:1000],
            )
        break
    flagged = 0
    if bounce.permanent and bounce.recipient:
        flagged = Contact.objects.filter(user__email__iexact=bounce.recipient).update(
            bounced_at=now, bounce_reason=bounce.diagnostic[:1000]
        )
    kind = "hard" if bounce.permanent else "soft"
    detail = f"{kind} bounce for {bounce.recipient or '?'} of {found or 'an unknown e-mail'}"
    if flagged:
        detail += "; contact flagged"
    if ticket is not None:
        internal_note(
            ticket,
            _("The e-mail to %(address)s could not be delivered: %(diagnostic)s")
            % {"address": bounce.recipient, "diagnostic": bounce.diagnostic},
        )
    return detail, ticket


def internal_note(ticket: Ticket, body: str) -> Message:
    """A note for the technicians from the desk itself, never e-mailed."""
    return Message.objects.create(
        ticket=ticket, kind=Message.Kind.INTERNAL, body=body, delivery=Delivery.NOT_EMAILED
    )


def mail_uploads(
    mail: InboundMail, *, ticket: Ticket | None
) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The e-mail's files as uploads within the attachment limits, and why each
    other file was left out (for a note on the ticket: the message is kept).
    Images shown in the body (a signature's logo) are not files the sender sent."""
    room = settings.ATTACHMENTS_PER_TICKET - (ticket.attachments.count() if ticket else 0)
    uploads: list[SimpleUploadedFile] = []
    refused: list[str] = []
    for part in mail.attachments:
        if part.inline:
            continue
        upload = SimpleUploadedFile(part.filename or "attachment", part.content, part.content_type)
        try:
            attachments.attachment_check(upload)
        except attachments.AttachmentRefused as exc:
            refused.append(str(exc))
            continue
        if len(uploads) >= room:
            refused.append(
                _("%(name)s: %(reason)s")
                % {
                    "name": upload.name,
                    "reason": attachments.too_many_files(settings.ATTACHMENTS_PER_TICKET),
                }
            )
            continue
        uploads.append(upload)
    return uploads, refused
