"""`manage.py demodata`: what `make run` starts the desk with."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from contracts.models import Customer
from tickets.management.commands.demodata import (
    LAST_MONTHS_WORK,
    OPEN_INCIDENT,
    PASSWORD,
    PAST_OUTAGE,
    STAFF,
    TICKETS,
    last_month,
)
from tickets.models import (
    Delivery,
    Incident,
    IncidentNotice,
    IncidentUpdate,
    Message,
    Ticket,
    UptimeCredit,
)
from tickets.statements import GOODWILL, OVERAGE, PAID_WORK, customer_statement

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_loads_the_examples_staff_and_decided_tickets_and_prints_the_logins():
    out = io.StringIO()
    call_command("demodata", stdout=out)
    printed = out.getvalue()
    for username, _, _ in STAFF:
        assert username in printed
    assert "sara@northwind.example" in printed and PASSWORD in printed
    assert Ticket.objects.count() == len(TICKETS) + len(LAST_MONTHS_WORK)
    # Every demo ticket was decided and answered, as a filed ticket is.
    assert not Ticket.objects.filter(decided_at=None).exists()
    assert not Ticket.objects.exclude(messages__kind="automatic").exists()
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="sara@northwind.example", password=PASSWORD)
    assert get_user_model().objects.get(username="lead").groups.filter(name="Leads").exists()


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            Ticket,
            Message,
            get_user_model(),
            Incident,
            IncidentUpdate,
            IncidentNotice,
            UptimeCredit,
        )
    )


def test_running_it_again_changes_nothing():
    call_command("demodata", stdout=io.StringIO())
    before = counts()
    sent = len(mail.outbox)
    call_command("demodata", stdout=io.StringIO())
    assert counts() == before
    assert len(mail.outbox) == sent


# Northwind's three contacts and Volga's two have hosting.availability and
# hosting.dns in a valid contract; Daugava's contract has ended.
AFFECTED = {
    "aino@northwind.example": "fi",
    "mikko@northwind.example": "fi",
    "sara@northwind.example": "en",
    "ivan@volga-media.example": "ru",
    "olga@volga-media.example": "ru",
}


def test_it_shows_an_outage_resolved_last_month_with_its_history_and_review():
    call_command("demodata", stdout=io.StringIO())
    past = Incident.objects.get(title=PAST_OUTAGE)
    month = last_month(timezone.now())
    helsinki = ZoneInfo("Europe/Helsinki")
    assert past.started_at.astimezone(helsinki).date().replace(day=1) == month
    assert past.resolved_at - past.started_at == timedelta(hours=3)
    assert [s.code for s in past.services.all()] == ["hosting.availability"]
    assert past.cause and past.changes
    updates = list(past.updates.all())
    assert [u.kind for u in updates] == ["opened", "update", "resolved"]
    for update in updates:
        assert set(update.texts) == {"en", "ru", "fi", "lv"}
        assert past.started_at <= update.posted_at <= past.resolved_at
        notices = update.notices.select_related("contact__user")
        assert {n.contact.user.email: n.language for n in notices} == AFFECTED
        assert {n.delivery for n in notices} == {Delivery.SENT}
        assert all(
            update.posted_at <= n.emailed_at <= update.posted_at + timedelta(minutes=1)
            for n in notices
        )
    # History is not news: nobody is e-mailed now about last month's outage.
    assert not [m for m in mail.outbox if PAST_OUTAGE in m.subject]


def test_last_months_outage_earns_northwind_its_credit_for_a_lead_to_confirm():
    """Three hours down in a month: Northwind's 99.9 % promise is missed (10 % of
    its 400.00 EUR fee); Volga's 99.5 % is kept."""
    call_command("demodata", stdout=io.StringIO())
    credit = UptimeCredit.objects.get()
    assert credit.contract.customer.slug == "northwind"
    assert credit.month == last_month(timezone.now())
    assert credit.downtime_minutes == 180
    assert str(credit.computed_amount) == "40.00" and credit.currency == "EUR"
    assert not credit.is_confirmed


def test_it_shows_an_open_incident_its_contacts_were_told_of_in_their_language():
    call_command("demodata", stdout=io.StringIO())
    now = Incident.objects.get(title=OPEN_INCIDENT)
    assert now.is_open and now.kind == Incident.Kind.DEGRADED
    (opening,) = now.updates.all()
    assert set(opening.texts) == {"en", "ru", "fi", "lv"}
    assert opening.next_update_at > timezone.now()
    assert opening.eta > timezone.now()
    told = {m.to[0] for m in mail.outbox if OPEN_INCIDENT in m.subject}
    assert told == set(AFFECTED)
    aino = next(
        m for m in mail.outbox if m.to == ["aino@northwind.example"] and OPEN_INCIDENT in m.subject
    )
    assert opening.texts["fi"] in aino.body


def test_last_month_is_the_calendar_month_before_in_helsinki():
    helsinki = ZoneInfo("Europe/Helsinki")
    assert last_month(datetime(2026, 12, 6, 12, 0, tzinfo=helsinki)).isoformat() == "2026-11-01"
    assert last_month(datetime(2026, 1, 1, 0, 30, tzinfo=helsinki)).isoformat() == "2025-12-01"
    # 22:30 UTC on 31 January is already 1 February in Helsinki.
    with time_machine.travel(datetime(2026, 1, 31, 22, 30, tzinfo=ZoneInfo("UTC"))):
        assert last_month(timezone.now()).isoformat() == "2026-01-01"


def test_last_months_work_gives_its_statement_paid_work_overage_and_goodwill():
    call_command("demodata", stdout=io.StringIO())
    month = last_month(timezone.now())
    statement = customer_statement(Customer.objects.get(slug="northwind"), month)
    assert {line.kind for line in statement.lines} == {PAID_WORK, OVERAGE, GOODWILL}
    assert statement.allowance.used_minutes == statement.allowance.included_minutes
    assert [total.amount for total in statement.totals] != [Decimal("0.00")]
