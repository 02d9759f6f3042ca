"""The periodic sweep: what a lost task left undone (a ticket without a
decision, an e-mail never sent) is done here, a batch at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.db.models import QuerySet
from django.utils import timezone

from tickets.models import CreditNotice, IncidentNotice, Message, Ticket
from tickets.services.credits import credit_notice_email
from tickets.services.decisions import ticket_decide
from tickets.services.incident_mail import incident_notices_email
from tickets.services.mail import _server_unreachable, due_to_send, message_email, send_each

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
    outboxes: tuple[tuple[QuerySet, Callable[[list[int]], bool]], ...] = (
        (
            Message.objects.filter(kind__in=Message.EMAILED_KINDS),
            partial(send_each, send=lambda pk: message_email(message_id=pk), what="message"),
        ),
        (IncidentNotice.objects.all(), _incident_notices_send),
        (
            CreditNotice.objects.all(),
            partial(send_each, send=lambda pk: credit_notice_email(notice_id=pk), what="notice"),
        ),
    )
    for rows, send in outboxes:
        unsent = list(
            rows.filter(due_to_send(now), created_at__lt=cutoff)
            .order_by("delivery_attempts", "created_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        if unsent and not send(unsent):
            return  # the rest would each wait on it too; the next sweep tries again


def _incident_notices_send(ids: list[int]) -> bool:
    """The batch path that an update's own task takes: one mail connection for
    all. False when the mail server is unreachable."""
    try:
        incident_notices_email(notice_ids=ids)
    except Exception as exc:
        log.exception("could not e-mail every incident notice of %s", ids)
        return not _server_unreachable(exc)
    return True
