"""Queueing Celery work from a service, once the transaction commits.

The tasks import the services, so a service never imports ``tickets.tasks``: it
names a task by the name it is registered under, and the task is taken from the
Celery app's registry (``TicketsConfig.ready`` imports ``tickets.tasks``, so every
process that sets Django up has it). It is queued with the task's own
``apply_async``, not ``app.send_task``: both are routed by name
(``CELERY_TASK_ROUTES``), but only ``apply_async`` honours
``CELERY_TASK_ALWAYS_EAGER``, which runs the task in-process in the embedded
set-up (no ``REDIS_URL``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from celery import Task
from django.db import transaction

from helpdesk.celery import app

log = logging.getLogger(__name__)

CHECK_SCOPE = "tickets.tasks.check_scope"
SEND_MESSAGE_EMAIL = "tickets.tasks.send_message_email"
SEND_INCIDENT_NOTICES = "tickets.tasks.send_incident_notices"

# A broker that is down must answer fast: filing a ticket or posting a reply never
# fails or hangs on it. What could not be queued, the periodic sweep finds.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2}


def queue_after_commit(task_name: str, *args: int) -> None:
    """Queue the task once the current transaction commits (at once outside one),
    so the worker finds the rows it is given. The name is looked up now: a name
    that is no task fails inside the transaction, not after its commit."""
    task = app.tasks[task_name]
    transaction.on_commit(lambda: _publish(task, args))


def queue_batches_after_commit(task_name: str, ids: Sequence[int], *, size: int) -> None:
    """Queue the task once per batch of ``size`` ids (a list, in their order),
    once the transaction commits: thousands of rows cost a few dozen publishes."""
    task = app.tasks[task_name]
    batches = [list(ids[start : start + size]) for start in range(0, len(ids), size)]

    def publish_all() -> None:
        for batch in batches:
            if not _publish(task, (batch,)):
                return  # the broker is down: the rest would each wait too; the sweep sends them

    transaction.on_commit(publish_all)


def _publish(task: Task, args: tuple[Any, ...]) -> bool:
    try:
        task.apply_async(args=list(args), retry=True, retry_policy=RETRY_POLICY)
    except Exception:  # the broker's errors vary by transport
        log.warning("could not queue %s%r; the sweep will", task.name, args)
        return False
    return True
