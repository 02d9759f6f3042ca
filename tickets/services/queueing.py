"""Queueing Celery work from a service, after the transaction commits."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def queue_scope_check(ticket_id: int) -> None:
    """Publish the scope check; if the broker is down, the periodic sweep will
    find the ticket, so filing never fails or hangs on it."""
    from tickets.tasks import check_scope

    try:
        check_scope.apply_async(
            args=[ticket_id],
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2},
        )
    except Exception:  # the broker's errors vary by transport
        log.warning("could not queue the scope check of ticket %s; the sweep will", ticket_id)


def queue_email(message_id: int) -> None:
    from tickets.tasks import send_message_email

    try:
        send_message_email.apply_async(
            args=[message_id],
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2},
        )
    except Exception:
        log.warning("could not queue the e-mail of message %s; the sweep will", message_id)
