"""Celery tasks: each takes ids, calls one service, and is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tickets import services
from tickets.inbound.imap import mailboxes_poll
from tickets.report_figures import reports_refresh

# acks_late and reject_on_worker_lost come from settings: a killed worker's task
# is delivered again, and the services make the second run a no-op.
RETRY = {
    "autoretry_for": (Exception,),
    "retry_backoff": 2,
    "retry_backoff_max": settings.CELERY_TASK_RETRY_BACKOFF_MAX,
    "max_retries": 8,
}


# Every task has a hard limit (the worker kills it) and a soft one before it (an
# exception inside the task, so a transaction rolls back cleanly). One ticket or
# one e-mail takes well under a second; a sweep walks up to 500 of them.
ONE_ITEM = {
    "time_limit": min(60, settings.CELERY_TASK_TIME_LIMIT),
    "soft_time_limit": min(45, settings.CELERY_TASK_SOFT_TIME_LIMIT),
}
SWEEP = {
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
}
# Each task's queue is in settings.CELERY_TASK_ROUTES.


@shared_task(**RETRY, **ONE_ITEM)
def check_scope(ticket_id: int) -> None:
    services.ticket_decide(ticket_id=ticket_id)


@shared_task(**RETRY, **ONE_ITEM)
def send_message_email(message_id: int) -> None:
    services.message_email(message_id=message_id)


@shared_task(**RETRY, **SWEEP)
def send_incident_notices(notice_ids: list[int]) -> int:
    """A batch of an update's notices, over one mail connection."""
    return services.incident_notices_email(notice_ids=notice_ids)


@shared_task(**SWEEP)
def watch_incident_updates() -> int:
    return services.incident_updates_watch()


@shared_task(**SWEEP)
def sweep_undecided() -> int:
    """Check tickets whose scope-check task was lost (broker down, worker killed)."""
    return services.tickets_decide_forgotten()


@shared_task(**SWEEP)
def expire_offers() -> int:
    """Hourly, what lapses with the customer's time to answer: offers past their
    expiry, and refused tickets left unanswered for REFUSED_TICKET_OPEN_DAYS."""
    return services.offers_expire() + services.refused_tickets_close()


@shared_task(**SWEEP)
def watch_sla() -> int:
    return services.sla_watch()


@shared_task(**RETRY, **ONE_ITEM)
def send_credit_notice(notice_id: int) -> None:
    services.credit_notice_email(notice_id=notice_id)


@shared_task(**SWEEP)
def compute_uptime_credits() -> int:
    """Daily: the credits of the month just ended. A customer west of UTC ends it
    later than we do, and is found by a later day's run; each run is a no-op for
    what an earlier one did."""
    return services.credits_compute_month(month=services.previous_month(timezone.now()))


# A poll stops starting new batches well before its soft limit; what it leaves
# is taken by the next one.
POLL = {
    "time_limit": min(180, settings.CELERY_TASK_TIME_LIMIT),
    "soft_time_limit": min(150, settings.CELERY_TASK_SOFT_TIME_LIMIT),
}


@shared_task(**POLL)
def poll_mailboxes() -> int:
    """Take in the new messages of the IMAP mailboxes (INBOUND_IMAP_URL)."""
    return mailboxes_poll(seconds=POLL["soft_time_limit"] * 0.6)


@shared_task(**SWEEP)
def refresh_reports() -> int:
    """This month's and last month's report figures, worked out again."""
    return reports_refresh()
