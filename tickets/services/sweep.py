"""The periodic sweep: what a lost task left undone (a ticket without a
decision, an e-mail never sent) is done here, a batch at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.utils import timezone

from tickets.models import CreditNotice, IncidentNotice, Message, Ticket
from tickets.services.credits import credit_notice_email
from tickets.services.decisions import ticket_decide
from tickets.services.incident_notices import incident_notice_email
from tickets.services.mail import due_to_send, message_email, send_each

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
    """E-mail what is still unsent: tickets' messages, then incident and credit
    notices. Failed ones are left out and those tried often come last, so a few
    that keep failing never crowd out the rest."""
    now = timezone.now()
    outboxes = (
        (Message.objects.filter(kind__in=Message.EMAILED_KINDS), message_email, "message_id"),
        (IncidentNotice.objects.all(), incident_notice_email, "notice_id"),
        (CreditNotice.objects.all(), credit_notice_email, "notice_id"),
    )
    for rows, send, argument in outboxes:
        unsent = (
            rows.filter(due_to_send(now), created_at__lt=cutoff)
            .order_by("delivery_attempts", "created_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        reachable = send_each(unsent, partial(_send_one, send, argument), rows.model.__name__)
        if not reachable:
            return  # the rest would each wait on it too; the next sweep tries again


def _send_one(send: Callable[..., object], argument: str, pk: int) -> object:
    return send(**{argument: pk})
