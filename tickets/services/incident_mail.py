"""An incident's notices e-mailed in batches: one task and one mail connection
for many contacts, each notice still claimed and sent on its own."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.mail import EmailMessage, get_connection
from django.db.models import prefetch_related_objects

from tickets.models import Incident, IncidentNotice
from tickets.services.incident_notices import notice_email
from tickets.services.mail import _server_unreachable, deliver_once


def incident_notices_email(*, notice_ids: Sequence[int]) -> int:
    """E-mail a batch of notices over one connection: each at least once and
    never twice (``deliver_once``), so a batch run again skips what was sent.
    A notice that cannot go now does not hold up the rest, unless the mail
    server is unreachable; the batch then raises for its task to retry (the
    sweep is the safety net). The number this call sent."""
    rows = IncidentNotice.objects.select_related(
        "update__incident__owner", "contact__user", "contact__customer"
    )
    connection = get_connection()
    incidents: dict[int, Incident] = {}

    def build(notice: IncidentNotice) -> EmailMessage:
        # A batch's notices are of one update: its incident and services are read once.
        update = notice.update
        if update.incident_id not in incidents:
            prefetch_related_objects([update.incident], "services")
            incidents[update.incident_id] = update.incident
        update.incident = incidents[update.incident_id]
        message = notice_email(notice)
        message.connection = connection
        return message

    sent, failure = 0, None
    try:
        for notice_id in notice_ids:
            try:
                sent += deliver_once(rows, notice_id, build=build)
            except Exception as exc:
                failure = exc
                if _server_unreachable(exc):
                    break
    finally:
        connection.close()
    if failure is not None:
        raise failure
    return sent
