"""What happens to a ticket after its first decision: technicians' changes, a
lead's override, the offer link, the SLA watch and the allowance notices."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from tests.tickets.test_portal.helpers import logged_in
from tests.tickets.test_ticket_flow import (
    AINO,
    HELSINKI,
    MAIL,
    MONDAY_10,
    PLUGIN,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 10:00
    user,
)
from tickets import services
from tickets.models import Message, Offer, Status, Ticket
from tickets.services import intake

DNS = "Our DNS records for shop.northwind.example need a new MX entry, please."
SITE_DOWN = "Our website is down, visitors get an error 503 since this morning!"


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


def automatic_replies(ticket: Ticket) -> int:
    return ticket.messages.filter(kind=Message.Kind.AUTOMATIC).count()


@pytest.mark.django_db(transaction=True)
def test_a_service_named_before_the_check_runs_leaves_the_check_nothing_to_do(
    desk, technician, monkeypatch
):
    monkeypatch.setattr(intake, "queue_after_commit", lambda *task: None)  # a slow broker
    ticket = file(SARA, MAIL)
    services.ticket_change_service(ticket_id=ticket.pk, service="hosting.email", by=technician)
    # The queued check arrives late, or the sweep finds the ticket: both do nothing.
    assert services.ticket_decide(ticket_id=ticket.pk) is None
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        assert services.tickets_decide_forgotten() == 0
    assert ticket.decisions.count() == 1
    assert automatic_replies(ticket) == 1


@pytest.mark.django_db(transaction=True)
def test_naming_the_service_the_engine_found_changes_nothing_for_the_customer(desk, technician):
    ticket = file(SARA, MAIL)
    mail.outbox.clear()
    services.ticket_change_service(ticket_id=ticket.pk, service="hosting.email", by=technician)
    ticket.refresh_from_db()
    current = ticket.decisions.get(is_current=True)
    assert (current.verdict, current.decided_by, current.service_confirmed) == (
        "in_scope",
        technician,
        True,
    )
    assert ticket.decisions.count() == 2
    assert automatic_replies(ticket) == 1 and not mail.outbox
    assert ticket.status == Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_a_priority_change_is_a_new_decision_and_moves_the_clock(desk, technician):
    ticket = file(SARA, MAIL)
    assert ticket.first_response_due == datetime(2026, 11, 23, 18, 0, tzinfo=HELSINKI)
    services.ticket_change_priority(ticket_id=ticket.pk, priority="urgent", by=technician)
    ticket.refresh_from_db()
    # Northwind's urgent target: a first response within 30 minutes.
    assert ticket.first_response_due == datetime(2026, 11, 23, 10, 30, tzinfo=HELSINKI)
    current = ticket.decisions.get(is_current=True)
    assert (current.verdict, current.decided_by) == ("in_scope", technician)
    assert current.supersedes.decided_by is None
    assert automatic_replies(ticket) == 1


@pytest.mark.django_db(transaction=True)
def test_a_priority_change_keeps_the_offer_the_customer_holds(desk, technician):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    services.ticket_change_priority(ticket_id=ticket.pk, priority="high", by=technician)
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert offer.decision == ticket.decisions.get(is_current=True)
    services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    [entry] = services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=30)
    assert entry.kind == "billable"


@pytest.mark.django_db(transaction=True)
def test_a_priority_change_leaves_a_leads_override_standing(desk, lead, technician):
    ticket = file(SARA, PLUGIN)
    services.decision_override(
        ticket_id=ticket.pk, lead=lead, verdict="in_scope", reason="Promised at the meeting."
    )
    services.ticket_change_priority(ticket_id=ticket.pk, priority="urgent", by=technician)
    ticket.refresh_from_db()
    current = ticket.decisions.get(is_current=True)
    assert (current.verdict, current.is_override, current.decided_by) == ("in_scope", True, lead)
    assert ticket.priority == "urgent"


@pytest.mark.django_db(transaction=True)
def test_a_new_service_keeps_the_clock_and_the_wait_for_the_customer(desk, technician):
    ticket = file(SARA, MAIL)
    started = ticket.sla_started_at
    with time_machine.travel(MONDAY_10 + timedelta(hours=1), tick=False):
        services.ticket_change_status(ticket_id=ticket.pk, status="waiting_on_customer")
    with time_machine.travel(MONDAY_10 + timedelta(hours=2), tick=False):
        services.ticket_change_service(ticket_id=ticket.pk, service="hosting.dns", by=technician)
    ticket.refresh_from_db()
    assert ticket.verdict == "in_scope" and ticket.service.code == "hosting.dns"
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert ticket.sla_started_at == started
    assert ticket.sla_paused_at == MONDAY_10 + timedelta(hours=1)
    # Another service is another answer: the customer hears of it.
    assert automatic_replies(ticket) == 2


@pytest.mark.django_db(transaction=True)
def test_a_covered_request_wrongly_turned_away_comes_back_when_the_service_is_corrected(
    desk, technician
):
    ticket = file(SARA, MAIL)
    services.ticket_change_service(ticket_id=ticket.pk, service="marketing.seo", by=technician)
    ticket.refresh_from_db()
    assert (ticket.verdict, ticket.status) == ("out_of_scope", Status.WAITING_ON_CUSTOMER)
    assert ticket.resolved_at is None
    services.ticket_change_service(ticket_id=ticket.pk, service="hosting.email", by=technician)
    ticket.refresh_from_db()
    assert (ticket.verdict, ticket.status, ticket.resolved_at) == ("in_scope", Status.OPEN, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "change",
    [
        lambda t, tech, lead: services.ticket_change_service(
            ticket_id=t.pk, service="hosting.dns", by=tech
        ),
        lambda t, tech, lead: services.ticket_change_priority(
            ticket_id=t.pk, priority="urgent", by=tech
        ),
        lambda t, tech, lead: services.decision_override(
            ticket_id=t.pk, lead=lead, verdict="out_of_scope", reason="Too late."
        ),
        lambda t, tech, lead: services.time_entry_log(ticket_id=t.pk, technician=tech, minutes=5),
        lambda t, tech, lead: services.message_post(ticket_id=t.pk, author=tech, body="Hello"),
    ],
    ids=["service", "priority", "override", "time", "reply"],
)
def test_a_closed_ticket_takes_no_more_changes(desk, technician, lead, change):
    ticket = file(SARA, MAIL)
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    services.ticket_change_status(ticket_id=ticket.pk, status="closed")
    with pytest.raises(services.TicketError, match="closed"):
        change(ticket, technician, lead)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.decisions.count()) == (Status.CLOSED, 1)


REFUSED = [
    (start, target)
    for start, allowed in services.MANUAL_TRANSITIONS.items()
    for target in Status
    if target != start and target not in allowed
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("start", "target"), REFUSED, ids=[f"{s}->{t}" for s, t in REFUSED])
def test_every_status_change_that_makes_no_sense_is_refused(desk, technician, start, target):
    ticket = file(SARA, MAIL)
    Ticket.objects.filter(pk=ticket.pk).update(status=start)
    with pytest.raises(services.TicketError, match="cannot be set"):
        services.ticket_change_status(ticket_id=ticket.pk, status=target)
    ticket.refresh_from_db()
    assert ticket.status == start


@pytest.mark.django_db(transaction=True)
def test_resolving_a_ticket_that_awaits_an_answer_withdraws_the_offer(desk, technician):
    ticket = file(SARA, PLUGIN)
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    offer = ticket.offers.get()
    assert offer.status == Offer.Status.WITHDRAWN
    with pytest.raises(services.TicketError, match="withdrawn this offer"):
        services.offer_answer(offer_id=offer.pk, accept=True, user=user(SARA))
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


class BrokenMailServer:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.mark.django_db(transaction=True)
def test_the_sweep_mails_what_could_not_be_mailed_once_the_server_is_back(desk, settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    first, second = file(SARA, MAIL), file(SARA, DNS)
    unsent = Message.objects.filter(ticket__in=[first, second], emailed_at=None)
    assert unsent.count() == 2
    with time_machine.travel(MONDAY_10 + timedelta(minutes=2), tick=False):
        services.tickets_decide_forgotten()  # one failure does not stop the rest
    assert unsent.count() == 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(MONDAY_10 + timedelta(minutes=3), tick=False):
        services.tickets_decide_forgotten()
    assert unsent.count() == 0
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"[#{t.pk}] {t.subject}" for t in (first, second)
    )


# --- the e-mailed offer link ---------------------------------------------------


def link_path(offer: Offer, action: str) -> str:
    return "/" + services.offer_link(offer, action).split("/", 3)[3]


@pytest.mark.django_db(transaction=True)
def test_the_offer_link_asks_before_it_answers_and_answers_once(desk):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    browser = Client()
    page = browser.get(link_path(offer, "accept"))
    assert page.status_code == 200
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING
    assert browser.post(link_path(offer, "accept")).status_code == 200
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED
    again = browser.post(link_path(offer, "decline"))
    assert again.status_code == 409
    assert "already been answered" in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_tampered_offer_link_answers_nothing(desk):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    path = link_path(offer, "decline")
    forged = path.replace(path.split(":")[-1].rstrip("/"), "x" * 43)
    response = Client().post(forged)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_an_offer_link_past_its_days_has_expired(desk, settings):
    ticket = file(SARA, PLUGIN)
    offer = ticket.offers.get()
    path = link_path(offer, "accept")
    later = MONDAY_10 + timedelta(days=settings.OFFER_EXPIRY_DAYS, minutes=1)
    with time_machine.travel(later, tick=False):
        response = Client().post(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING  # the expiry task lapses it, kindly


@pytest.mark.django_db(transaction=True)
def test_an_offer_from_a_new_decision_on_an_old_ticket_runs_from_the_decision(
    desk, technician, settings
):
    ticket = file(SARA, MAIL, at=MONDAY_10 - timedelta(days=20))
    mail.outbox.clear()
    # Today a technician finds it is a plugin install: a paid decision, and an offer.
    services.ticket_change_service(ticket_id=ticket.pk, service="web.cms_plugins", by=technician)
    offer = ticket.offers.get()
    expires = MONDAY_10 + timedelta(days=settings.OFFER_EXPIRY_DAYS)
    assert (offer.status, offer.expires_at) == (Offer.Status.PENDING, expires)
    assert services.offers_expire() == 0
    # The portal asks for an answer by that day, and the e-mailed link still answers.
    page = logged_in(user(SARA)).get(reverse("portal:ticket", args=[ticket.pk])).content.decode()
    with translation.override("en"):
        assert f"<dd>{formats.date_format(expires.date(), 'DATE_FORMAT')}</dd>" in page
    [sent] = mail.outbox
    accept = re.search(r"/offers/[^/\s]+/", sent.body).group()
    assert Client().post(accept).status_code == 200
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED


# --- the SLA watch ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_assignee_is_warned_before_each_deadline_once_and_breaches_are_marked(desk, technician):
    ticket = file(SARA, MAIL)  # first response due 18:00, resolution Thursday 10:00
    services.ticket_assign(ticket_id=ticket.pk, assignee=technician)
    mail.outbox.clear()

    def watch(at: datetime) -> list[str]:
        with time_machine.travel(at, tick=False):
            services.sla_watch()
        sent = [m.body for m in mail.outbox if m.to == [technician.email]]
        mail.outbox.clear()
        return sent

    assert watch(datetime(2026, 11, 23, 17, 0, tzinfo=HELSINKI)) == []
    [warning] = watch(datetime(2026, 11, 23, 17, 40, tzinfo=HELSINKI))
    assert "first response" in warning and "18:00" in warning
    assert watch(datetime(2026, 11, 23, 17, 45, tzinfo=HELSINKI)) == []

    with time_machine.travel(datetime(2026, 11, 23, 17, 50, tzinfo=HELSINKI), tick=False):
        services.message_post(ticket_id=ticket.pk, author=technician, body="On it.")
    mail.outbox.clear()
    ticket.refresh_from_db()
    due = ticket.resolution_due
    [warning] = watch(due - timedelta(minutes=20))
    assert "resolved" in warning
    assert watch(due - timedelta(minutes=10)) == []

    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert services.sla_watch() == 1
        assert services.sla_watch() == 0
    ticket.refresh_from_db()
    assert ticket.sla_breached_at == due + timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_a_deadline_moved_by_a_priority_change_is_warned_of_again(desk, technician):
    ticket = file(SARA, MAIL)
    services.ticket_assign(ticket_id=ticket.pk, assignee=technician)
    with time_machine.travel(datetime(2026, 11, 23, 17, 40, tzinfo=HELSINKI), tick=False):
        services.sla_watch()
        services.ticket_change_priority(ticket_id=ticket.pk, priority="high", by=technician)
    ticket.refresh_from_db()
    # High: a first response within 2 support hours of 10:00, so 12:00 — already past.
    assert ticket.first_response_due == datetime(2026, 11, 23, 12, 0, tzinfo=HELSINKI)
    services.ticket_change_priority(ticket_id=ticket.pk, priority="low", by=technician)
    ticket.refresh_from_db()
    mail.outbox.clear()
    with time_machine.travel(ticket.first_response_due - timedelta(minutes=15), tick=False):
        services.sla_watch()
    assert [m.to for m in mail.outbox] == [[technician.email]]


@pytest.mark.django_db(transaction=True)
def test_a_round_the_clock_clause_counts_the_sla_through_the_night(desk):
    saturday_night = datetime(2026, 11, 28, 23, 0, tzinfo=HELSINKI)
    ticket = file(SARA, SITE_DOWN, at=saturday_night, priority="urgent")
    assert (ticket.verdict, ticket.service.code) == ("in_scope", "hosting.availability")
    assert ticket.first_response_due == saturday_night + timedelta(minutes=30)
    assert ticket.resolution_due == saturday_night + timedelta(hours=4)


# --- allowance notices ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_account_manager_and_the_managers_hear_of_minutes_once_per_threshold(
    desk, technician, django_user_model
):
    account_manager = django_user_model.objects.create_user(
        "am", email="am@desk.example", is_staff=True
    )
    desk.account_manager = account_manager
    desk.save()
    ticket = file(SARA, MAIL)
    mail.outbox.clear()
    # Northwind includes 120 minutes a month: 100 is over 80 %, 20 more makes 100 %.
    services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=100)
    services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=20)
    services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=15)
    to_manager = [m for m in mail.outbox if m.to == [AINO]]
    to_account_manager = [m for m in mail.outbox if m.to == ["am@desk.example"]]
    assert len(to_manager) == 2 and len(to_account_manager) == 2
    assert "100/120" in to_manager[0].body  # in Aino's Finnish
    assert "minutes" in to_account_manager[0].body
    assert all(m.extra_headers["Auto-Submitted"] == "auto-generated" for m in mail.outbox)
