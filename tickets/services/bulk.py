"""Changes to many tickets at once (the queue's bulk form and the API): each
ticket goes through the same function as one ticket would, and those that the
change does not suit are left as they were and named."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.engine import terms
from tickets.models import Status, Ticket
from tickets.services.base import TicketError
from tickets.services.workflow import ticket_change_priority, ticket_change_status

MAX_BULK = 200


def tickets_assign(*, ticket_ids: list[int], assignee: User | None) -> int:
    """Assign several tickets to one member of staff (or to nobody) at once; the
    number assigned. One UPDATE, so the tickets change together or not at all."""
    if assignee is not None and not (assignee.is_staff and assignee.is_active):
        raise TicketError(_("Tickets can be assigned to staff only."))
    if not ticket_ids:
        raise TicketError(_("Select at least one ticket first."))
    if len(ticket_ids) > MAX_BULK:
        raise TicketError(_("Assign at most %(n)d tickets at a time.") % {"n": MAX_BULK})
    return Ticket.objects.filter(pk__in=ticket_ids).update(
        assignee=assignee, updated_at=timezone.now()
    )


def _check_bulk(ticket_ids: list[int]) -> None:
    if not ticket_ids:
        raise TicketError(_("Select at least one ticket first."))
    if len(ticket_ids) > MAX_BULK:
        raise TicketError(_("Change at most %(n)d tickets at a time.") % {"n": MAX_BULK})


def tickets_change_status(*, ticket_ids: list[int], status: str) -> tuple[int, list[int]]:
    """Set several tickets' status, each as ``ticket_change_status`` would (the
    SLA clock, offers, resolution follow). A ticket the change does not suit (a
    closed one, a move no person may make) is left as it was; returns the number
    changed and the numbers left."""
    _check_bulk(ticket_ids)
    changed, left = 0, []
    for ticket_id in ticket_ids:
        try:
            with transaction.atomic():
                before = Ticket.objects.values_list("status", flat=True).get(pk=ticket_id)
                if before != status:
                    ticket_change_status(ticket_id=ticket_id, status=status)
                    changed += 1
        except (TicketError, Ticket.DoesNotExist):
            left.append(ticket_id)
    return changed, left


def tickets_change_priority(
    *, ticket_ids: list[int], priority: str, by: User
) -> tuple[int, list[int]]:
    """Set several tickets' priority, each as ``ticket_change_priority`` would (a
    new decision, due times following it); closed tickets are left as they were."""
    _check_bulk(ticket_ids)
    if priority not in terms.PRIORITIES:
        raise TicketError(_("Unknown priority."))
    changed, left = 0, []
    for ticket_id in ticket_ids:
        try:
            with transaction.atomic():
                before = Ticket.objects.values_list("priority", flat=True).get(pk=ticket_id)
                if before != priority:
                    ticket_change_priority(ticket_id=ticket_id, priority=priority, by=by)
                    changed += 1
        except (TicketError, Ticket.DoesNotExist):
            left.append(ticket_id)
    return changed, left


def tickets_close(*, ticket_ids: list[int]) -> tuple[int, list[int]]:
    """Resolve several tickets at once (the queue's "close"); those resolved or
    closed already stay as they are and count as left."""
    _check_bulk(ticket_ids)
    done = set(
        Ticket.objects.filter(pk__in=ticket_ids, status__in=Status.DONE).values_list(
            "pk", flat=True
        )
    )
    still_open = [pk for pk in ticket_ids if pk not in done]
    if not still_open:
        return 0, sorted(done)
    changed, left = tickets_change_status(ticket_ids=still_open, status=Status.RESOLVED)
    return changed, sorted(done) + left
