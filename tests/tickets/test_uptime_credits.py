"""Uptime from incidents and the monthly credit records: which incidents count
for a contract, computing a month (again and again), a lead's confirmation, and
the e-mail to the customer's managers in their language, once."""

from __future__ import annotations

import smtplib
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail

from contracts.models import Contract, Service
from tickets import services
from tickets.models import CreditNotice, Delivery, Incident, UptimeCredit
from tickets.uptime import contract_uptime

pytestmark = pytest.mark.django_db

HEL = zoneinfo.ZoneInfo("Europe/Helsinki")
MSK = zoneinfo.ZoneInfo("Europe/Moscow")
APRIL = date(2026, 4, 1)
IN_MAY = datetime(2026, 5, 3, 9, 0, tzinfo=UTC)  # April is over everywhere


def incident(
    owner,
    start: datetime,
    end: datetime | None,
    *,
    title: str = "Web servers down",
    kind: str = Incident.Kind.OUTAGE,
    services: tuple[str, ...] = ("hosting.availability",),
    customers=(),
    opened: datetime | None = None,
) -> Incident:
    row = Incident.objects.create(
        title=title,
        kind=kind,
        started_at=start,
        detected_at=start,
        resolved_at=end,
        owner=owner,
        created_by=owner,
    )
    row.services.set(Service.objects.filter(code__in=services))
    row.customers.set(customers)
    if opened is not None:
        Incident.objects.filter(pk=row.pk).update(created_at=opened)
    return row


def hel(*args: int) -> datetime:
    return datetime(*args, tzinfo=HEL)  # type: ignore[misc]


@pytest.fixture
def northwind_contract(northwind) -> Contract:
    return northwind.contracts.get()


@pytest.fixture
def two_overlapping(northwind, lead):
    """75 minutes down in April (10:00–10:40 and 10:30–11:15): 99.826 %, 40 EUR."""
    incident(lead, hel(2026, 4, 7, 10, 0), hel(2026, 4, 7, 10, 40), customers=[northwind])
    incident(lead, hel(2026, 4, 7, 10, 30), hel(2026, 4, 7, 11, 15), title="Mail down")


# --- which incidents count -------------------------------------------------------


def test_overlapping_incidents_count_once(northwind_contract, two_overlapping):
    month = contract_uptime(northwind_contract, APRIL, now=IN_MAY)
    assert (month.downtime_minutes, month.availability) == (75, Decimal("99.826"))
    assert (month.credit_percent, month.credit, month.currency) == (
        Decimal("10.00"),
        Decimal("40.00"),
        "EUR",
    )


def test_an_incident_naming_no_customer_affects_contracts_including_its_service(
    northwind, volga, lead
):
    incident(lead, hel(2026, 4, 7, 10, 0), hel(2026, 4, 7, 12, 0))
    for customer in (northwind, volga):
        assert contract_uptime(customer.contracts.get(), APRIL, now=IN_MAY).downtime_minutes == 120


def test_an_incident_of_a_service_the_contract_does_not_include_is_not_its_downtime(
    northwind, volga, lead
):
    # Plugins are paid work under both contracts, SSL paid under Volga's only.
    incident(lead, hel(2026, 4, 7, 10, 0), hel(2026, 4, 7, 12, 0), services=("web.cms_plugins",))
    incident(lead, hel(2026, 4, 8, 10, 0), hel(2026, 4, 8, 11, 0), services=("hosting.ssl",))
    assert contract_uptime(northwind.contracts.get(), APRIL, now=IN_MAY).downtime_minutes == 60
    assert contract_uptime(volga.contracts.get(), APRIL, now=IN_MAY).downtime_minutes == 0


def test_an_incident_naming_other_customers_is_not_this_ones(northwind, volga, lead):
    incident(lead, hel(2026, 4, 7, 10, 0), hel(2026, 4, 7, 12, 0), customers=[volga])
    assert contract_uptime(northwind.contracts.get(), APRIL, now=IN_MAY).downtime_minutes == 0
    assert contract_uptime(volga.contracts.get(), APRIL, now=IN_MAY).downtime_minutes == 120


def test_a_degraded_service_is_no_downtime(northwind_contract, lead):
    incident(lead, hel(2026, 4, 7, 10, 0), hel(2026, 4, 7, 18, 0), kind=Incident.Kind.DEGRADED)
    assert contract_uptime(northwind_contract, APRIL, now=IN_MAY).downtime_minutes == 0


def test_maintenance_counts_only_when_announced_too_late(northwind_contract, lead):
    start = hel(2026, 4, 12, 2, 0)
    kind = Incident.Kind.MAINTENANCE
    incident(lead, start, start + timedelta(hours=1), kind=kind, opened=start - timedelta(days=3))
    assert contract_uptime(northwind_contract, APRIL, now=IN_MAY).downtime_minutes == 0
    incident(
        lead,
        start + timedelta(days=1),
        start + timedelta(days=1, minutes=30),
        kind=kind,
        opened=start + timedelta(days=1) - timedelta(hours=5),
    )
    assert contract_uptime(northwind_contract, APRIL, now=IN_MAY).downtime_minutes == 30


def test_an_open_incident_counts_until_now_and_spills_into_the_next_month(northwind_contract, lead):
    incident(lead, hel(2026, 4, 30, 23, 0), None)
    assert contract_uptime(northwind_contract, APRIL, now=IN_MAY).downtime_minutes == 60
    may = contract_uptime(northwind_contract, date(2026, 5, 1), now=hel(2026, 5, 1, 1, 30))
    assert may.downtime_minutes == 90


# --- the month's records --------------------------------------------------------


def test_it_records_the_credit_owed_once(northwind, volga, daugava, two_overlapping):
    assert services.credits_compute_month(month=APRIL, now=IN_MAY) == 1
    credit = UptimeCredit.objects.get()
    assert (credit.contract.reference, credit.month, credit.downtime_minutes) == (
        "HOST-2026-014",
        APRIL,
        75,
    )
    assert (credit.availability, credit.credit_percent) == (Decimal("99.826"), Decimal("10"))
    assert (credit.computed_amount, credit.amount, credit.currency) == (
        Decimal("40.00"),
        Decimal("40.00"),
        "EUR",
    )
    assert credit.confirmed_at is None
    assert services.credits_compute_month(month=APRIL, now=IN_MAY) == 0
    assert UptimeCredit.objects.count() == 1


def test_a_month_not_over_in_the_customers_time_zone_waits(northwind_contract, two_overlapping):
    # 23:30 UTC on 30 April is already May in Helsinki, 02:30 on the 1st.
    assert services.credits_compute_month(month=APRIL, now=hel(2026, 4, 30, 23, 59)) == 0
    assert services.credits_compute_month(month=APRIL, now=hel(2026, 5, 1, 0, 0)) == 1


def test_a_late_incident_updates_an_unconfirmed_credit(northwind, lead, two_overlapping):
    services.credits_compute_month(month=APRIL, now=IN_MAY)
    incident(lead, hel(2026, 4, 20, 8, 0), hel(2026, 4, 20, 18, 0), customers=[northwind])
    assert services.credits_compute_month(month=APRIL, now=IN_MAY) == 0
    credit = UptimeCredit.objects.get()
    assert (credit.downtime_minutes, credit.amount) == (675, Decimal("100.00"))


def test_a_confirmed_credit_never_changes(northwind, lead, two_overlapping):
    services.credits_compute_month(month=APRIL, now=IN_MAY)
    credit = UptimeCredit.objects.get()
    services.credit_confirm(credit_id=credit.pk, lead=lead)
    incident(lead, hel(2026, 4, 20, 8, 0), hel(2026, 4, 20, 18, 0), customers=[northwind])
    Incident.objects.all().update(kind=Incident.Kind.DEGRADED)
    services.credits_compute_month(month=APRIL, now=IN_MAY)
    credit.refresh_from_db()
    assert (credit.downtime_minutes, credit.amount) == (75, Decimal("40.00"))


def test_no_record_when_no_credit_is_owed(northwind, volga, daugava, lead):
    incident(lead, hel(2026, 4, 7, 10, 0), hel(2026, 4, 7, 10, 30))  # 99.93 %: met
    assert services.credits_compute_month(month=APRIL, now=IN_MAY) == 0
    assert not UptimeCredit.objects.exists()


def test_the_beat_task_computes_the_month_just_ended(northwind_contract, two_overlapping):
    from tickets.tasks import compute_uptime_credits

    assert services.previous_month(IN_MAY) == APRIL
    assert services.previous_month(datetime(2026, 1, 1, 1, 30, tzinfo=UTC)) == date(2025, 12, 1)
    import time_machine

    with time_machine.travel(IN_MAY, tick=False):
        assert compute_uptime_credits() == 1
        assert compute_uptime_credits() == 0


# --- confirming ----------------------------------------------------------------


@pytest.fixture
def credit(northwind, two_overlapping) -> UptimeCredit:
    services.credits_compute_month(month=APRIL, now=IN_MAY)
    return UptimeCredit.objects.get()


def test_only_a_lead_confirms(credit, technician):
    with pytest.raises(services.NotAllowed):
        services.credit_confirm(credit_id=credit.pk, lead=technician)
    credit.refresh_from_db()
    assert credit.confirmed_at is None


def test_a_lead_confirms_and_the_manager_hears_once_in_her_language(
    credit, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.credit_confirm(credit_id=credit.pk, lead=lead)
    credit.refresh_from_db()
    assert (credit.amount, credit.confirmed_by, credit.reason) == (Decimal("40.00"), lead, "")
    notice = CreditNotice.objects.get()
    assert (notice.contact.email, notice.language, notice.delivery) == (
        "aino@northwind.example",
        "fi",
        Delivery.SENT,
    )
    [sent] = mail.outbox
    assert sent.to == ["aino@northwind.example"]
    assert sent.extra_headers["Message-ID"] == notice.message_id
    assert sent.body.startswith("Hei Aino,")
    assert "40,00 EUR" in sent.body and "99,826" in sent.body and "75" in sent.body
    assert "99,9 %" in sent.body  # the target as the contract writes it
    assert "huhtikuu" in sent.subject.lower()  # April, in Finnish
    assert "Pahoittelemme" in sent.body  # her language, not the desk's
    assert "Web servers down" in sent.body and "Mail down" in sent.body
    # Sending again, as a retried task or the sweep would: nothing more goes out.
    assert services.credit_notice_email(notice_id=notice.pk) is False
    assert services.tickets_decide_forgotten(older_than=timedelta(0)) == 0
    assert len(mail.outbox) == 1


def test_an_adjusted_credit_needs_a_reason(credit, lead):
    with pytest.raises(services.TicketError, match="why"):
        services.credit_confirm(credit_id=credit.pk, lead=lead, amount=Decimal("60"), reason=" ")
    credit.refresh_from_db()
    assert credit.confirmed_at is None
    with pytest.raises(services.TicketError, match="amount of money"):
        services.credit_confirm(credit_id=credit.pk, lead=lead, amount=Decimal("-1"), reason="x")


def test_an_adjusted_credit_tells_the_reason(credit, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.credit_confirm(
            credit_id=credit.pk,
            lead=lead,
            amount=Decimal("60"),
            reason="Kassa oli poissa käytöstä koko ruuhka-ajan.",
        )
    credit.refresh_from_db()
    assert (credit.computed_amount, credit.amount) == (Decimal("40.00"), Decimal("60.00"))
    [sent] = mail.outbox
    assert "60,00 EUR" in sent.body and "40,00 EUR" in sent.body
    assert "Kassa oli poissa käytöstä koko ruuhka-ajan." in sent.body


def test_the_same_amount_needs_no_reason(credit, lead):
    services.credit_confirm(credit_id=credit.pk, lead=lead, amount=Decimal("40.0"))
    credit.refresh_from_db()
    assert credit.amount == Decimal("40.00") and credit.confirmed_at is not None


def test_a_confirmed_credit_cannot_be_confirmed_again(credit, lead):
    services.credit_confirm(credit_id=credit.pk, lead=lead)
    with pytest.raises(services.TicketError, match="confirmed already"):
        services.credit_confirm(credit_id=credit.pk, lead=lead, amount=Decimal("1"), reason="x")
    credit.refresh_from_db()
    assert credit.amount == Decimal("40.00")
    assert CreditNotice.objects.count() == 1


def test_volgas_manager_reads_it_in_russian(volga, lead, django_capture_on_commit_callbacks):
    start = datetime(2026, 4, 10, 2, 0, tzinfo=MSK)
    incident(lead, start, start + timedelta(hours=5), customers=[volga], title="Сбой сервера")
    services.credits_compute_month(month=APRIL, now=IN_MAY)
    credit = UptimeCredit.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.credit_confirm(credit_id=credit.pk, lead=lead)
    [sent] = mail.outbox
    assert sent.to == ["ivan@volga-media.example"]  # the manager, not the requester
    assert CreditNotice.objects.get().language == "ru"
    assert "350,00 RUB" in sent.body.replace("\xa0", " ")
    assert "Сбой сервера" in sent.body
    assert "апрел" in sent.subject.lower()
    assert "Приносим извинения" in sent.body


class DownMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("down")


def test_a_notice_the_server_could_not_take_is_sent_by_the_sweep(
    credit, lead, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    with django_capture_on_commit_callbacks(execute=True):
        services.credit_confirm(credit_id=credit.pk, lead=lead)
    notice = CreditNotice.objects.get()
    assert notice.delivery == Delivery.PENDING and notice.delivery_attempts >= 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.tickets_decide_forgotten(older_than=timedelta(0))
    notice.refresh_from_db()
    assert notice.delivery == Delivery.SENT
    services.tickets_decide_forgotten(older_than=timedelta(0))
    assert len(mail.outbox) == 1
