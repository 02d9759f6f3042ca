"""A ticket's life in the queue: status, assignment (one or many), priority,
service, messages, and the customer's rating (a call for a manager is in
escalations.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.learning import recognition_example_keep
from contracts.models import Service

# The module, not its names: tickets.attachments imports the services' errors.
from tickets import attachments
from tickets.models import Message, Rating, ScopeDecision, Status, Ticket
from tickets.services.base import NotAllowed, TicketError, _locked, _refuse_if_closed
from tickets.services.decisions import _redecide
from tickets.services.offers import _withdraw_pending_offers
from tickets.services.queueing import SEND_MESSAGE_EMAIL, queue_after_commit
from tickets.sla import sla_pause, sla_recompute, sla_resume, sla_terms_for_ticket

log = logging.getLogger(__name__)


# The status changes a person may make; the rest follow from decisions and offers.
MANUAL_TRANSITIONS = {
    Status.NEW: {Status.OPEN, Status.RESOLVED},
    Status.OPEN: {Status.WAITING_ON_CUSTOMER, Status.RESOLVED},
    Status.WAITING_ON_CUSTOMER: {Status.OPEN, Status.RESOLVED},
    Status.AWAITING_DECISION: {Status.RESOLVED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


# A customer's reply brings back to the desk a ticket that waited on them or was
# resolved; the portal's thank-you says so.
REOPENED_BY_CUSTOMER_REPLY = (Status.WAITING_ON_CUSTOMER, Status.RESOLVED)


def customer_reply_reopens(ticket: Ticket) -> bool:
    """Whether a reply from the customer would bring the ticket back to the desk."""
    return ticket.status in REOPENED_BY_CUSTOMER_REPLY


def ticket_assign(*, ticket_id: int, assignee: User | None) -> Ticket:
    if assignee is not None and not assignee.is_staff:
        raise TicketError(_("Tickets can be assigned to staff only."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee", "updated_at"])
    return ticket


def ticket_change_status(*, ticket_id: int, status: str) -> Ticket:
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _move(ticket, Status(status))
        ticket.save()
    return ticket


def _move(ticket: Ticket, status: Status) -> None:
    current = Status(ticket.status)
    if status == current:
        return
    if status not in MANUAL_TRANSITIONS[current]:
        raise TicketError(
            _("A ticket that is %(current)s cannot be set to %(new)s.")
            % {"current": current.label, "new": status.label}
        )
    now = timezone.now()
    if status == Status.WAITING_ON_CUSTOMER:
        sla_pause(ticket, at=now)
    elif current == Status.WAITING_ON_CUSTOMER and ticket.contract_id:
        sla_resume(ticket, sla_terms_for_ticket(ticket), at=now)
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        # Resolved without an answer: the offer is withdrawn, so a late accept
        # cannot reopen it behind the technicians' back.
        _withdraw_pending_offers(ticket=ticket)
    elif current == Status.RESOLVED:
        ticket.resolved_at = None
    ticket.status = status


def message_post(
    *,
    ticket_id: int,
    author: User,
    body: str,
    internal: bool = False,
    uploads: Iterable[UploadedFile] = (),
) -> Message:
    """A reply or an internal note, with its files. A technician's reply is
    e-mailed to the requester; a customer's reply brings a waiting or resolved
    ticket back."""
    if not body.strip():
        raise TicketError(_("Write something first."))
    from_customer = not author.is_staff
    if internal and from_customer:
        raise NotAllowed(_("Only staff write internal notes."))
    # The message and its files are saved together, or neither is.
    with attachments.atomic_with_files():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        kind = Message.Kind.INTERNAL if internal else Message.Kind.PUBLIC
        # The customer's own words and internal notes are not e-mailed.
        delivery = (
            Message.Delivery.NOT_EMAILED if internal or from_customer else Message.Delivery.PENDING
        )
        message = Message.objects.create(
            ticket=ticket, kind=kind, author=author, body=body, delivery=delivery
        )
        attachments.attachments_add(
            ticket_id=ticket.pk, uploaded_by=author, uploads=uploads, message=message
        )
        if from_customer:
            if customer_reply_reopens(ticket):
                _move(ticket, Status.OPEN)
                ticket.save()
            # emailed_at NULL reads "waiting to be e-mailed" (the metrics too).
            Message.objects.filter(pk=message.pk).update(emailed_at=message.created_at)
        elif not internal:
            if ticket.first_responded_at is None:
                ticket.first_responded_at = message.created_at
                ticket.save(update_fields=["first_responded_at", "updated_at"])
            queue_after_commit(SEND_MESSAGE_EMAIL, message.pk)
    return message


def ticket_change_priority(*, ticket_id: int, priority: str, by: User) -> Ticket:
    """A new priority is a new decision, in the name of whoever changed it; the SLA
    due times follow the new priority, keeping the time already paused. A lead's
    override stands: only the due times move."""
    if priority not in terms.PRIORITIES:
        raise TicketError(_("Unknown priority."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        ticket.priority = priority
        current = ticket.decisions.select_related("service").filter(is_current=True).first()
        if current is not None and not current.is_override:
            # The service a person named stays named; the engine's own guess is made again.
            named = current.service.code if current.service_confirmed and current.service else None
            _redecide(ticket, decided_by=by, service=named)
        elif ticket.sla_started_at is not None and ticket.contract_id:
            sla_recompute(ticket, sla_terms_for_ticket(ticket))
        ticket.save()
    return ticket


def ticket_change_service(*, ticket_id: int, service: str, by: User) -> ScopeDecision:
    """A technician names the service: the ticket gets a new decision for it, and
    the text is kept as an example when the catalogue did not recognise it."""
    picked = Service.objects.filter(code=service).first()
    if picked is None:
        raise TicketError(_("There is no such service."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        ticket.picked_service = picked
        ticket.save(update_fields=["picked_service", "updated_at"])
        record = _redecide(ticket, decided_by=by, service=service)
        # What the catalogue missed, kept for a lead to learn from; recognition
        # itself changes only with a phrase that a lead accepts.
        recognition_example_keep(
            service=picked,
            language=ticket.language,
            subject=ticket.subject,
            text=ticket.body,
            customer=ticket.customer,
            ticket_ref=ticket.pk,
            by=by,
        )
        return record


def ticket_rate(*, ticket_id: int, user: User, score: int, comment: str = "") -> Rating:
    """The customer rates the help on a resolved ticket, once."""
    if not 1 <= score <= 5:
        raise TicketError(_("Choose a rating from 1 to 5."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.status not in Status.DONE:
            raise TicketError(_("You can rate the help once the ticket is resolved."))
        if Rating.objects.filter(ticket=ticket).exists():
            raise TicketError(_("Thank you, this ticket has been rated already."))
        return Rating.objects.create(
            ticket=ticket, score=score, comment=comment.strip(), rated_by=user
        )


# Verdicts under which the desk does no work: a ticket that ends on one without
# a word from a person at the desk had no help to rate.
NOTHING_TO_RATE = (terms.Verdict.OUT_OF_SCOPE.value, terms.Verdict.NOT_AUTHORIZED.value)


def rating_invited(ticket: Ticket) -> bool:
    """Whether the customer is asked "How did we do?": only once the ticket is
    really resolved, never beside a refusal that closed by itself."""
    if ticket.status not in Status.DONE:
        return False
    return ticket.first_responded_at is not None or ticket.verdict not in NOTHING_TO_RATE


def refused_tickets_close(*, now: datetime | None = None) -> int:
    """Close the refused (out of scope) tickets whose customer has not answered
    in REFUSED_TICKET_OPEN_DAYS since the refusal or the last message; the
    number closed. Each is locked and checked again, so two runs never close one
    twice, and a reply that came in meanwhile keeps its ticket open."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REFUSED_TICKET_OPEN_DAYS)
    due = _refused_and_quiet(Ticket.objects.all(), cutoff).values_list("pk", flat=True)
    closed = 0
    for ticket_id in list(due[:500]):
        with transaction.atomic():
            ticket = _refused_and_quiet(Ticket.objects.select_for_update(), cutoff).filter(
                pk=ticket_id
            )
            ticket = ticket.first()
            if ticket is None:
                continue
            ticket.status = Status.RESOLVED
            ticket.resolved_at = now
            ticket.save()
            with translation.override(ticket.language):
                body = _(
                    "We have not heard back from you, so we have closed this request. If "
                    "there is anything else we can do, just write to us here; we are glad "
                    "to help."
                )
            message = Message.objects.create(ticket=ticket, kind=Message.Kind.AUTOMATIC, body=body)
            queue_after_commit(SEND_MESSAGE_EMAIL, message.pk)
            closed += 1
    return closed


def refused_ticket_closes_at(ticket: Ticket) -> datetime | None:
    """When a refused ticket waiting on the customer closes by itself unless
    something new comes (the rule of ``refused_tickets_close``); else None."""
    if ticket.status != Status.WAITING_ON_CUSTOMER or ticket.verdict != "out_of_scope":
        return None
    moments = [
        ticket.created_at,
        ticket.messages.exclude(kind=Message.Kind.INTERNAL).aggregate(at=Max("created_at"))["at"],
        ticket.decisions.aggregate(at=Max("created_at"))["at"],
    ]
    last = max(at for at in moments if at is not None)
    return last + timedelta(days=settings.REFUSED_TICKET_OPEN_DAYS)


def _refused_and_quiet(tickets, cutoff: datetime):
    """Refused tickets still waiting on the customer, with neither a decision nor a
    message (other than an internal note) since ``cutoff``."""
    recent_message = Message.objects.filter(ticket=OuterRef("pk"), created_at__gt=cutoff).exclude(
        kind=Message.Kind.INTERNAL
    )
    recent_decision = ScopeDecision.objects.filter(ticket=OuterRef("pk"), created_at__gt=cutoff)
    return tickets.filter(
        status=Status.WAITING_ON_CUSTOMER, verdict=terms.Verdict.OUT_OF_SCOPE.value
    ).filter(~Exists(recent_message), ~Exists(recent_decision))
