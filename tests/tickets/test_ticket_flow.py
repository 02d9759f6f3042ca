"""A ticket from intake to decision, on the embedded set-up (tasks in-process)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import translation

from tickets import services
from tickets.models import Message, Offer, Status, Ticket, TimeEntry
from tickets.services import intake

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=HELSINKI)
SARA = "sara@northwind.example"
AINO = "aino@northwind.example"
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."


def user(email: str):
    return get_user_model().objects.get(email=email)


def file(email: str, text: str, *, at: datetime | None = None, **kwargs) -> Ticket:
    """File a ticket (at the moment ``at``, if given); in the embedded set-up it is
    decided when the transaction commits."""
    with time_machine.travel(at or datetime.now(HELSINKI), tick=False):
        ticket = services.ticket_create(
            requester=user(email), subject=kwargs.pop("subject", "Help"), body=text, **kwargs
        )
    ticket.refresh_from_db()
    return ticket


@pytest.fixture(autouse=True)
def monday_morning():
    """The clock runs from Monday 23 November 2026, 10:00 in Helsinki."""
    with time_machine.travel(MONDAY_10, tick=False):
        yield


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


@pytest.mark.django_db(transaction=True)
def test_a_covered_ticket_is_decided_in_scope_with_its_sla(desk):
    ticket = file(SARA, MAIL)
    assert ticket.verdict == "in_scope"
    assert ticket.service.code == "hosting.email"
    assert ticket.status == Status.OPEN
    # Normal priority: 8 support hours for the first response, from Monday 10:00.
    assert ticket.first_response_due == datetime(2026, 11, 23, 18, 0, tzinfo=HELSINKI)
    decision = ticket.decisions.get()
    assert decision.is_current and decision.decided_by is None
    assert decision.clause_snapshot["text"]["en"].startswith("Setting up mailboxes")
    reply = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    assert reply.decision == decision and reply.emailed_at is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [SARA]
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert sent.extra_headers["In-Reply-To"] == ticket.message_id


@pytest.mark.django_db(transaction=True)
def test_the_scope_check_of_a_new_ticket_runs_a_fixed_number_of_queries(
    desk, django_assert_num_queries
):
    file(SARA, MAIL)  # the terms are read once per process and version, not per ticket
    ticket = Ticket.objects.create(
        customer=desk, requester=user(SARA), subject="Help", body=MAIL, language="en"
    )
    # The outer block holds the reply's e-mail (after the commit, a task of its
    # own) out of the count. Nine: the transaction's start and end, the ticket and
    # customer locked with the terms' version read, the month's tickets and
    # minutes, open incidents, the decision, the ticket and the reply. Nothing
    # about offers: a ticket not yet decided has none.
    with transaction.atomic(), django_assert_num_queries(9):
        services.ticket_decide(ticket_id=ticket.pk)
    assert Ticket.objects.get(pk=ticket.pk).verdict == "in_scope"


@pytest.mark.django_db(transaction=True)
def test_a_paid_request_gets_an_offer_and_waits_for_the_customer(desk):
    ticket = file(SARA, PLUGIN)
    assert (ticket.verdict, ticket.status) == ("paid_option", Status.AWAITING_DECISION)
    offer = ticket.offers.get()
    assert (offer.amount, offer.currency, offer.pricing, offer.status) == (
        Decimal("60.00"),
        "EUR",
        "fixed",
        Offer.Status.PENDING,
    )
    assert "/offers/" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_running_the_check_twice_changes_nothing(desk):
    ticket = file(SARA, PLUGIN)
    assert services.ticket_decide(ticket_id=ticket.pk) is None
    assert ticket.decisions.count() == 1
    assert ticket.messages.filter(kind=Message.Kind.AUTOMATIC).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_automatic_reply_to_one_decision_is_impossible(desk):
    ticket = file(SARA, MAIL)
    decision = ticket.decisions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(ticket=ticket, kind="automatic", body="again", decision=decision)


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_ticket_queues_nothing(desk):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_create(requester=user(SARA), subject="x", body=MAIL)
        raise RuntimeError("the request failed after the ticket was saved")
    assert not Ticket.objects.exists()
    assert not mail.outbox


@pytest.mark.django_db(transaction=True)
def test_the_sweep_decides_a_ticket_whose_task_was_lost(desk, monkeypatch):
    monkeypatch.setattr(intake, "queue_after_commit", lambda *task: None)
    ticket = file(SARA, MAIL)
    assert ticket.decided_at is None
    with time_machine.travel(MONDAY_10 + timedelta(seconds=30), tick=False):
        assert services.tickets_decide_forgotten() == 0  # not a minute old yet
    with time_machine.travel(MONDAY_10 + timedelta(minutes=2), tick=False):
        assert services.tickets_decide_forgotten() == 1
    ticket.refresh_from_db()
    assert ticket.verdict == "in_scope"
    assert ticket.decisions.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_last_included_ticket_is_in_scope_and_the_next_over_allowance(desk):
    # Northwind has 10 included tickets a month.
    verdicts = [file(SARA, MAIL).verdict for _ in range(11)]
    assert verdicts == ["in_scope"] * 10 + ["over_allowance"]


@pytest.mark.django_db(transaction=True)
def test_the_managers_hear_at_80_and_100_percent_once(desk):
    for _ in range(12):
        file(SARA, MAIL)
    notices = [m for m in mail.outbox if m.to == [AINO]]
    assert len(notices) == 2  # 80 % and 100 % of the tickets, once each


@pytest.mark.django_db(transaction=True)
def test_outside_hours_the_sla_clock_starts_at_the_opening(desk):
    ticket = file(SARA, MAIL, at=SATURDAY_10)
    assert ticket.verdict == "outside_hours"
    assert ticket.sla_started_at == datetime(2026, 11, 30, 8, 0, tzinfo=HELSINKI)


@pytest.mark.django_db(transaction=True)
def test_accepting_an_offer_puts_the_ticket_in_the_queue(desk):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.first_response_due is not None
    with pytest.raises(services.TicketError):
        services.offer_answer(offer_id=offer.pk, accept=False, user=user(SARA))


@pytest.mark.django_db(transaction=True)
def test_declining_an_offer_resolves_the_ticket_kindly(desk):
    ticket = file(SARA, PLUGIN)
    services.offer_answer(offer_id=ticket.offers.get().pk, accept=False, user=user(SARA))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert "Thank you" in ticket.messages.last().body


@pytest.mark.django_db(transaction=True)
def test_an_expired_offer_cannot_be_accepted(desk):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    assert services.offers_expire(now=offer.expires_at + timedelta(seconds=1)) == 1
    with pytest.raises(services.TicketError):
        services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))


@pytest.mark.django_db(transaction=True)
def test_an_offer_left_unanswered_lapses_and_closes_the_request_kindly(desk):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    assert services.offers_expire(now=offer.expires_at - timedelta(seconds=1)) == 0
    assert services.offers_expire(now=offer.expires_at + timedelta(seconds=1)) == 1
    ticket.refresh_from_db()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED
    assert ticket.status == Status.RESOLVED
    assert "we are glad to help" in ticket.messages.last().body
    assert services.offers_expire(now=offer.expires_at + timedelta(days=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_answering_after_the_expiry_lapses_the_offer_and_says_so(desk):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    with (
        time_machine.travel(offer.expires_at + timedelta(minutes=1), tick=False),
        pytest.raises(services.TicketError, match="expired"),
    ):
        services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    offer.refresh_from_db()
    assert offer.status == Offer.Status.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_logging_time_on_an_unanswered_offer_is_refused(desk, technician):
    ticket = file(SARA, PLUGIN)
    with pytest.raises(services.TicketError, match="not answered the offer"):
        services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=30)


@pytest.mark.django_db(transaction=True)
def test_a_lead_override_allows_goodwill_time(desk, lead, technician):
    ticket = file(SARA, PLUGIN)
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict="in_scope", reason="Our mistake last week."
    )
    [entry] = services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=20)
    assert entry.kind == TimeEntry.Kind.GOODWILL
    current = ticket.decisions.get(is_current=True)
    assert (current.decided_by, current.is_override) == (lead, True)
    assert current.supersedes.verdict == "paid_option"


@pytest.mark.django_db(transaction=True)
def test_a_technician_cannot_override(desk, technician):
    ticket = file(SARA, PLUGIN)
    with pytest.raises(services.TicketError, match="Only a lead"):
        services.decision_override(
            ticket_id=ticket.pk, lead=technician, verdict="in_scope", reason="Please."
        )


@pytest.mark.django_db(transaction=True)
def test_an_override_needs_a_reason(desk, lead):
    ticket = file(SARA, PLUGIN)
    with pytest.raises(services.TicketError, match="why"):
        services.decision_override(ticket_id=ticket.pk, lead=lead, verdict="in_scope", reason=" ")


@pytest.mark.django_db(transaction=True)
def test_covered_time_is_rounded_and_counted_then_billable_past_the_allowance(desk, technician):
    ticket = file(SARA, MAIL)
    entries = services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=130)
    # 120 included minutes; the rest is billable.
    assert [(e.kind, e.counted_minutes) for e in entries] == [
        (TimeEntry.Kind.ALLOWANCE, 120),
        (TimeEntry.Kind.BILLABLE, 10),
    ]


@pytest.mark.django_db(transaction=True)
def test_changing_the_service_makes_a_new_decision(desk, technician):
    ticket = file(SARA, MAIL)
    services.ticket_change_service(ticket_id=ticket.pk, service="web.cms_plugins", by=technician)
    ticket.refresh_from_db()
    assert ticket.verdict == "paid_option"
    assert ticket.decisions.count() == 2
    assert ticket.decisions.get(is_current=True).supersedes is not None
    assert ticket.messages.filter(kind=Message.Kind.AUTOMATIC).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("start", "target"),
    [("resolved", "waiting_on_customer"), ("closed", "open"), ("awaiting_decision", "open")],
)
def test_a_status_change_that_makes_no_sense_is_refused(desk, technician, start, target):
    ticket = file(SARA, MAIL)
    Ticket.objects.filter(pk=ticket.pk).update(status=start)
    with pytest.raises(services.TicketError, match="cannot be set"):
        services.ticket_change_status(ticket_id=ticket.pk, status=target)


@pytest.mark.django_db(transaction=True)
def test_waiting_on_the_customer_pauses_the_clock(desk, technician):
    ticket = file(SARA, MAIL)
    due = ticket.resolution_due
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_on_customer")
    with time_machine.travel(MONDAY_10 + timedelta(hours=3), tick=False):
        services.message_post(ticket_id=ticket.pk, author=user(SARA), body="Here you are.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolution_due == due + timedelta(hours=2)


def test_retry_countdowns_stay_below_the_visibility_timeout(settings):
    """A retried task waits at most its longest countdown and then runs; both
    together must stay under the visibility timeout, or the broker delivers the
    task a second time while it still waits."""
    from helpdesk.celery import app

    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = [task for name, task in app.tasks.items() if name.startswith("tickets.")]
    assert ours
    for task in ours:
        longest_wait = max(getattr(task, "retry_backoff_max", 0), task.default_retry_delay)
        assert longest_wait + settings.CELERY_TASK_TIME_LIMIT < visibility, task.name
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


@pytest.mark.django_db(transaction=True)
def test_covered_time_stops_at_the_clauses_minutes_per_request(desk, technician):
    # Northwind covers "checking server-side causes of a slow site, up to 30 minutes".
    ticket = file(SARA, "Our site is very slow since this morning, pages load slowly.")
    assert (ticket.verdict, ticket.service.code) == ("in_scope", "hosting.performance")
    services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=20)
    with pytest.raises(services.TicketError, match="up to 30 minutes, and 10 are left"):
        services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=15)
    services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=10)
    assert sum(e.minutes for e in ticket.time_entries.all()) == 30


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [("fi", "Valitkaa prioriteetiksi"), ("ru", "Выберите один из приоритетов")],
)
def test_a_refused_ticket_is_explained_in_the_active_language(desk, language, words):
    with translation.override(language), pytest.raises(services.TicketError) as refused:
        services.ticket_create(requester=user(SARA), subject="x", body=MAIL, priority="whenever")
    assert words in str(refused.value)
