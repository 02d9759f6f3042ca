"""Celery: each task on its own queue, every queue consumed, every task time-limited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import tickets.tasks  # noqa: F401 - registers the tasks
from helpdesk.celery import app

QUEUE_OF = {
    "tickets.tasks.check_scope": "scope",
    "tickets.tasks.send_message_email": "mail",
    "tickets.tasks.send_incident_notices": "mail",
    "tickets.tasks.watch_incident_updates": "periodic",
    "tickets.tasks.sweep_undecided": "periodic",
    "tickets.tasks.expire_offers": "periodic",
    "tickets.tasks.watch_sla": "periodic",
    "tickets.tasks.send_credit_notice": "mail",
    "tickets.tasks.compute_uptime_credits": "periodic",
    "tickets.tasks.poll_mailboxes": "periodic",
    "tickets.tasks.refresh_reports": "periodic",
    "helpdesk.heartbeat": "periodic",
}
ROOT = Path(__file__).resolve().parent.parent


def our_tasks() -> dict:
    return {
        name: task
        for name, task in app.tasks.items()
        if name.startswith(("tickets.", "contracts.", "helpdesk."))
    }


def queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


@pytest.mark.parametrize(("name", "queue"), QUEUE_OF.items())
def test_each_task_is_routed_to_its_queue(name, queue):
    assert name in app.tasks
    assert queue_of(name) == queue


def test_every_task_of_ours_has_a_queue_named_here():
    assert set(our_tasks()) == set(QUEUE_OF)


def test_a_worker_started_without_a_queue_list_consumes_every_queue_a_task_goes_to():
    consumed = {queue.name for queue in app.amqp.queues.consume_from.values()}
    assert consumed == {"scope", "mail", "periodic"}
    assert {queue_of(name) for name in app.tasks} <= consumed


@pytest.mark.parametrize(("name", "queue"), QUEUE_OF.items())
def test_a_task_is_delivered_to_its_own_queue_only(name, queue):
    """The queues a message reaches are those bound to its exchange with its routing key."""
    route = app.amqp.router.route({}, name)
    reached = {
        bound.name
        for bound in app.amqp.queues.values()
        if bound.exchange.name == route["queue"].exchange.name
        and bound.routing_key == route["queue"].routing_key
    }
    assert reached == {queue}


def test_every_task_has_a_time_limit_and_a_soft_one_before_it():
    for name, task in our_tasks().items():
        assert task.time_limit, name
        assert task.soft_time_limit, name
        assert task.soft_time_limit < task.time_limit, name


def test_every_scheduled_task_is_one_of_ours_and_expires_before_piling_up():
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in QUEUE_OF
        assert 0 < entry["options"]["expires"] <= entry["schedule"]


@pytest.mark.parametrize(
    "name",
    [
        "tickets.tasks.check_scope",
        "tickets.tasks.send_message_email",
    ],
)
def test_one_ticket_or_one_email_holds_a_worker_a_minute_at_most(name):
    """Not the sweeps' five minutes: a stalled check would hold the scope queue."""
    assert app.tasks[name].time_limit <= 60


def test_a_process_that_never_imports_the_tasks_can_queue_them_by_name():
    """The services queue tasks by name (they never import tickets.tasks): setting
    Django up, as the web process does, must register every name they queue."""
    code = (
        "import django\n"
        "django.setup()\n"
        "from helpdesk.celery import app\n"
        "from tickets.services import queueing\n"
        "print(all(name in app.tasks for name in"
        " (queueing.CHECK_SCOPE, queueing.SEND_MESSAGE_EMAIL)))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
