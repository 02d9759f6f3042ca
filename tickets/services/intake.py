"""Intake: a contact's new ticket, saved at once; its scope check runs after the commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.models import Service

# The module, not its names: tickets.attachments imports the services' errors.
from tickets import attachments
from tickets.models import Ticket
from tickets.services.base import NotAllowed, TicketError, one_line
from tickets.services.queueing import CHECK_SCOPE, queue_after_commit


class NotAContact(NotAllowed):
    pass


def ticket_create(
    *,
    requester: User,
    subject: str,
    body: str,
    service: str | None = None,
    priority: str = "normal",
    channel: str = "portal",
    uploads: Iterable[UploadedFile] = (),
) -> Ticket:
    """Save a contact's ticket, with its files, at once; the scope check runs
    after the commit."""
    contact = getattr(requester, "contact", None)
    if contact is None:
        raise NotAContact(_("Only a customer's contacts can open tickets."))
    picked = None
    if service:
        picked = Service.objects.filter(code=service).first()
        if picked is None:
            raise TicketError(_("There is no service '%(code)s'.") % {"code": service})
    if priority not in terms.PRIORITIES:
        raise TicketError(
            _("Priority must be one of %(choices)s.") % {"choices": ", ".join(terms.PRIORITIES)}
        )
    # The ticket and its files are saved together, or neither is.
    with attachments.atomic_with_files():
        ticket = Ticket.objects.create(
            customer_id=contact.customer_id,
            requester=requester,
            subject=one_line(subject),
            body=body,
            picked_service=picked,
            priority=priority,
            channel=channel,
            language=contact.reply_language,
        )
        attachments.attachments_add(ticket_id=ticket.pk, uploaded_by=requester, uploads=uploads)
        queue_after_commit(CHECK_SCOPE, ticket.pk)
    return ticket
