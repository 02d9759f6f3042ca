"""An update's notices e-mailed in batches: one connection for the batch, each
notice once, and one that cannot go does not hold up the rest."""

from __future__ import annotations

import smtplib

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends import locmem

from tests.tickets.test_incidents import open_outage
from tests.tickets.test_ticket_flow import MONDAY_10
from tickets import services
from tickets.models import Delivery, IncidentNotice

pytestmark = pytest.mark.django_db(transaction=True)

MIKKO = "mikko@northwind.example"


class PickyMailServer(locmem.EmailBackend):
    """Takes every e-mail but Mikko's, which it refuses with ``CODE``; counts the
    connections opened."""

    CODE = 550
    opened = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).opened += 1

    def send_messages(self, messages):
        for message in messages:
            if MIKKO in message.to:
                raise smtplib.SMTPRecipientsRefused({MIKKO: (self.CODE, b"no")})
        return super().send_messages(messages)


class BusyForMikko(PickyMailServer):
    CODE = 450


class DownMailServer(locmem.EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def unsent(northwind, volga, technician, settings) -> list[int]:
    """The opening notices of an incident, none sent yet (the server was down)."""
    settings.EMAIL_BACKEND = "tests.tickets.test_mail_delivery.DownMailServer"
    incident = open_outage(technician)
    notices = IncidentNotice.objects.filter(update__incident=incident).order_by("pk")
    assert set(notices.values_list("delivery", flat=True)) == {Delivery.PENDING}
    mail.outbox.clear()
    return list(notices.values_list("pk", flat=True))


def test_a_batch_sends_over_one_connection_each_notice_once(unsent, settings):
    settings.EMAIL_BACKEND = "tests.tickets.test_incident_mail.PickyMailServer"
    PickyMailServer.opened = 0
    assert services.incident_notices_email(notice_ids=unsent) == 4
    assert PickyMailServer.opened == 1
    # Mikko's address is refused for good: failed, and the others went all the same.
    assert IncidentNotice.objects.get(contact__user__email=MIKKO).delivery == Delivery.FAILED
    assert len(mail.outbox) == 4 and MIKKO not in {m.to[0] for m in mail.outbox}
    # Run again (a redelivered task): nothing goes twice.
    assert services.incident_notices_email(notice_ids=unsent) == 0
    assert len(mail.outbox) == 4


def test_a_notice_to_try_later_does_not_hold_up_the_rest_and_the_batch_retries(unsent, settings):
    settings.EMAIL_BACKEND = "tests.tickets.test_incident_mail.BusyForMikko"
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        services.incident_notices_email(notice_ids=unsent)
    assert len(mail.outbox) == 4
    assert IncidentNotice.objects.get(contact__user__email=MIKKO).delivery == Delivery.PENDING
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.incident_notices_email(notice_ids=unsent) == 1
    assert sorted(m.to[0] for m in mail.outbox).count(MIKKO) == 1


def test_an_unreachable_server_stops_the_batch_at_once(unsent, settings):
    settings.EMAIL_BACKEND = "tests.tickets.test_incident_mail.DownMailServer"
    with pytest.raises(ConnectionRefusedError):
        services.incident_notices_email(notice_ids=unsent)
    attempts = IncidentNotice.objects.filter(pk__in=unsent).values_list(
        "delivery_attempts", flat=True
    )
    # Only the first notice was tried, at opening and again now; the others wait
    # for the retry or the sweep.
    assert sorted(attempts) == [0] * (len(unsent) - 1) + [2]


def test_a_batch_reads_the_incident_once_not_once_a_notice(unsent, settings):
    """Three queries a notice (claim, read, mark sent): thousands of contacts are
    e-mailed at the rate the mail server allows, not the database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with CaptureQueriesContext(connection) as queries:
        assert services.incident_notices_email(notice_ids=unsent) == len(unsent)
    assert len(queries) <= 3 * len(unsent) + 1, [q["sql"][:60] for q in queries]
