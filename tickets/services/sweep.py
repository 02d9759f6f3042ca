"""The periodic sweep: what a lost task left undone (a ticket without a
decision, an e-mail never sent) is done here, a batch at a time."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from tickets.models import IncidentNotice, Message, Ticket
from tickets.services.decisions import ticket_decide
from tickets.services.incident_notices import incident_notice_email
from tickets.services.mail import _server_unreachable, due_to_send, message_email

log = logging.getLogger(__name__)

SWEEP_BATCH = 500  # tickets and e-mails the sweep takes up at a time


def tickets_decide_forgotten(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Decide tickets that have waited over a minute without a decision."""
    cutoff = timezone.now() - older_than
    ids = list(
        Ticket.objects.filter(decided_at=None, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    decided = 0
    for ticket_id in ids:
        # One ticket that cannot be decided (or mailed) must not hold up the rest.
        try:
            decided += ticket_decide(ticket_id=ticket_id) is not None
        except Exception:
            log.exception("the sweep could not decide ticket %s", ticket_id)
    _email_unsent(cutoff)
    return decided


def _email_unsent(cutoff: datetime) -> None:
    """E-mail what is still unsent: tickets' messages, then incident notices.
    Failed ones are left out and those tried often come last, so a few that keep
    failing never crowd out the rest."""
    now = timezone.now()
    outboxes = (
        (Message.objects.filter(kind__in=Message.EMAILED_KINDS), message_email, "message_id"),
        (IncidentNotice.objects.all(), incident_notice_email, "notice_id"),
    )
    for rows, send, argument in outboxes:
        unsent = (
            rows.filter(due_to_send(now), created_at__lt=cutoff)
            .order_by("delivery_attempts", "created_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        for pk in unsent:
            try:
                send(**{argument: pk})
            except Exception as exc:
                log.exception("the sweep could not e-mail %s %s", rows.model.__name__, pk)
                if _server_unreachable(exc):
                    return  # the rest would each wait on it too; the next sweep tries again
