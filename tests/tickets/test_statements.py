"""The monthly statement, worked out by hand for the three example customers:
each figure below is the arithmetic in its comment, to the cent."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from contracts.models import TopUp
from tests.tickets.test_ticket_flow import (
    AINO,
    HELSINKI,
    MAIL,
    PLUGIN,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 23 November, 10:00
    user,
)
from tickets import services
from tickets.models import Offer, TimeEntry, UptimeCredit
from tickets.services.statements import statement_close, statement_goodwill_show
from tickets.statements import (
    ADJUSTMENT,
    CREDIT,
    GOODWILL,
    OVERAGE,
    PAID_WORK,
    TOP_UP,
    customer_statement,
)

MIKKO = "mikko@northwind.example"
OLGA = "olga@volga-media.example"
IVAN = "ivan@volga-media.example"
JANIS = "janis@daugava.example"
NOVEMBER = date(2026, 11, 1)
DECEMBER_2 = datetime(2026, 12, 2, 9, 0, tzinfo=HELSINKI)
RIGA = ZoneInfo("Europe/Riga")
MOSCOW = ZoneInfo("Europe/Moscow")
TRAINING = (
    "Could you train our new colleague to use the control panel? One hour of training would do."
)


def log(ticket, technician, minutes: int, worked_on: date | None = None) -> None:
    services.time_entry_log(
        ticket_id=ticket.pk, technician=technician, minutes=minutes, worked_on=worked_on
    )


def accept(ticket) -> Offer:
    offer = ticket.offers.get(status=Offer.Status.PENDING)
    services.offer_answer(offer_id=offer.pk, accept=True, user=ticket.requester)
    offer.refresh_from_db()
    return offer


def figures(statement, kind: str) -> list[tuple]:
    return [
        (line.ticket_id, line.minutes, line.rate, line.amount) for line in statement.section(kind)
    ]


def totals(statement) -> list[tuple[str, Decimal]]:
    return [(total.currency, total.amount) for total in statement.totals]


@pytest.fixture
def northwind_month(northwind, volga, daugava, lead, technician):
    """Northwind in November 2026: EUR, 120 minutes and 10 tickets included,
    90.00 an hour past them, a 30-minute top-up bought for 40.00."""
    TopUp.objects.create(
        contract=northwind.contracts.get(),
        minutes=30,
        purchased_on=date(2026, 11, 2),
        price=Decimal("40.00"),
    )
    mail = file(SARA, MAIL)
    log(mail, technician, 100)  # allowance: 100 of 120
    log(mail, technician, 70)  # 20 allowance + 30 top-up + 20 past them all
    plugin = file(SARA, PLUGIN)  # paid: a fixed 60.00
    accept(plugin)
    log(plugin, technician, 45)  # under the fixed price: nothing more
    training = file(MIKKO, TRAINING)  # paid: 75.00 an hour
    assert accept(training).pricing == "hourly"
    log(training, technician, 50)  # 50 × 75 / 60 = 62.50
    courtesy = file(AINO, PLUGIN)
    services.decision_override(
        ticket_id=courtesy.pk, lead=lead, verdict="in_scope", reason="Promised at the meeting."
    )
    log(courtesy, technician, 30)  # goodwill: worth 30 × 90 / 60 = 45.00
    return {"mail": mail, "plugin": plugin, "training": training, "courtesy": courtesy}


@pytest.mark.django_db(transaction=True)
def test_northwinds_november_to_the_cent(northwind, northwind_month):
    t = northwind_month
    statement = customer_statement(northwind, NOVEMBER)

    assert statement.number == "NORTHWIND-2026-11"
    assert (statement.currency, statement.contract_reference) == ("EUR", "HOST-2026-014")
    allowance = statement.allowance
    assert (allowance.included_minutes, allowance.used_minutes) == (120, 120)
    assert (allowance.included_tickets, allowance.used_tickets) == (10, 1)
    assert (allowance.topup_bought_minutes, allowance.topup_drawn_minutes) == (30, 30)
    assert allowance.topup_left_minutes == 0
    assert figures(statement, PAID_WORK) == [
        (t["plugin"].pk, None, None, Decimal("60.00")),
        (t["training"].pk, 50, Decimal("75.00"), Decimal("62.50")),
    ]
    assert figures(statement, OVERAGE) == [(t["mail"].pk, 20, Decimal("90.00"), Decimal("30.00"))]
    assert [(line.minutes, line.amount) for line in statement.section(TOP_UP)] == [
        (30, Decimal("40.00"))
    ]
    assert statement.section(CREDIT) == () and statement.credits_pending == 0
    [goodwill] = statement.section(GOODWILL)
    assert (goodwill.ticket_id, goodwill.minutes, goodwill.amount, goodwill.worth) == (
        t["courtesy"].pk,
        30,
        Decimal("0.00"),
        Decimal("45.00"),
    )
    # 60.00 + 62.50 + 30.00 + 40.00
    assert totals(statement) == [("EUR", Decimal("192.50"))]


@pytest.mark.django_db(transaction=True)
def test_volgas_november_rounds_by_the_contract_and_deducts_its_credit(
    volga, northwind, technician
):
    """Volga: RUB, plugins at 4,000.00 an hour, SSL at a fixed 1,000.00; the
    contract rounds work up to 15 minutes."""
    contract = volga.contracts.get()
    contract.rounding_minutes = 15
    contract.save()
    plugin = file(OLGA, "Установите, пожалуйста, плагин WordPress для галереи на наш сайт.")
    assert accept(plugin).amount == Decimal("4000.00")
    log(plugin, technician, 25)  # rounded up to 30: 30 × 4000 / 60 = 2000.00
    ssl = file(IVAN, "Нужно установить SSL сертификат на сайт.")
    accept(ssl)
    UptimeCredit.objects.create(
        contract=contract,
        month=NOVEMBER,
        downtime_minutes=500,
        availability=Decimal("98.842"),
        credit_percent=Decimal("10"),
        computed_amount=Decimal("350.00"),
        amount=Decimal("350.00"),
        currency="RUB",
        confirmed_by=user(IVAN),
        confirmed_at=datetime(2026, 11, 23, 9, 0, tzinfo=MOSCOW),
    )

    statement = customer_statement(volga, NOVEMBER)

    assert figures(statement, PAID_WORK) == [
        (plugin.pk, 30, Decimal("4000.00"), Decimal("2000.00")),
        (ssl.pk, None, None, Decimal("1000.00")),
    ]
    assert [line.amount for line in statement.section(CREDIT)] == [Decimal("-350.00")]
    # 2000.00 + 1000.00 − 350.00
    assert totals(statement) == [("RUB", Decimal("2650.00"))]


@pytest.mark.django_db(transaction=True)
def test_daugavas_last_october_bills_a_third_of_a_cent_up_and_gives_goodwill(
    daugava, northwind, lead, technician
):
    """Daugava's contract ran through 2025: 60 minutes included, 70.00 an hour past them."""
    with time_machine.travel(datetime(2025, 10, 15, 11, 0, tzinfo=RIGA), tick=False):
        plugins = file(JANIS, "Lūdzu, atjauniniet spraudņus mūsu vietnē.")
        log(plugins, technician, 70)  # 60 allowance + 10 past it: 10 × 70 / 60 = 11.666… → 11.67
        seo = file(JANIS, "Lūdzu, uzlabojiet mūsu vietnes SEO un pozīcijas Google meklētājā.")
        services.decision_override(
            ticket_id=seo.pk, lead=lead, verdict="in_scope", reason="Part of the redesign deal."
        )
        log(seo, technician, 20)  # goodwill worth 20 × 70 / 60 = 23.333… → 23.33

    statement = customer_statement(daugava, date(2025, 10, 1))

    assert statement.number == "DAUGAVA-2025-10"
    assert (statement.allowance.used_minutes, statement.allowance.included_minutes) == (60, 60)
    assert figures(statement, OVERAGE) == [(plugins.pk, 10, Decimal("70.00"), Decimal("11.67"))]
    assert [(line.minutes, line.worth) for line in statement.section(GOODWILL)] == [
        (20, Decimal("23.33"))
    ]
    assert totals(statement) == [("EUR", Decimal("11.67"))]
    # A month with nothing billed still has a statement, at zero.
    assert totals(customer_statement(daugava, date(2025, 9, 1))) == [("EUR", Decimal("0.00"))]


@pytest.mark.django_db(transaction=True)
def test_a_requester_reads_only_their_own_tickets_lines(northwind, northwind_month):
    t = northwind_month
    sara = customer_statement(northwind, NOVEMBER, requester_id=user(SARA).pk)
    assert {line.ticket_id for line in sara.lines} == {t["mail"].pk, t["plugin"].pk}
    mikko = customer_statement(northwind, NOVEMBER, requester_id=user(MIKKO).pk)
    assert {line.ticket_id for line in mikko.lines} == {t["training"].pk}
    assert mikko.for_requester and totals(mikko) == [("EUR", Decimal("62.50"))]


@pytest.mark.django_db(transaction=True)
def test_a_lead_can_hide_the_goodwill_line_until_the_month_is_closed(
    northwind, northwind_month, lead
):
    statement_goodwill_show(customer=northwind, month=NOVEMBER, show=False)
    statement = customer_statement(northwind, NOVEMBER)
    assert statement.section(GOODWILL) == () and not statement.show_goodwill
    assert totals(statement) == [("EUR", Decimal("192.50"))]  # goodwill is never charged
    with time_machine.travel(DECEMBER_2, tick=False):
        statement_close(customer=northwind, month=NOVEMBER, user=lead)
        with pytest.raises(services.TicketError, match="closed"):
            statement_goodwill_show(customer=northwind, month=NOVEMBER, show=True)


@pytest.mark.django_db(transaction=True)
def test_a_month_is_closed_only_once_it_is_over(northwind, northwind_month, lead):
    with pytest.raises(services.TicketError, match="once it is over"):
        statement_close(customer=northwind, month=NOVEMBER, user=lead)
    with time_machine.travel(DECEMBER_2, tick=False):
        statement_close(customer=northwind, month=NOVEMBER, user=lead)
        with pytest.raises(services.TicketError, match="closed already"):
            statement_close(customer=northwind, month=NOVEMBER, user=lead)


@pytest.mark.django_db(transaction=True)
def test_a_closed_statement_stays_as_sent_and_later_changes_go_to_the_next_open_month(
    northwind, northwind_month, lead, technician
):
    t = northwind_month
    with time_machine.travel(DECEMBER_2, tick=False):
        statement_close(customer=northwind, month=NOVEMBER, user=lead)
        sent = customer_statement(northwind, NOVEMBER)
        # The training took 80 minutes, not 50: the entry is corrected, and a late
        # entry for 25 November adds 10 minutes past the allowance on the mail ticket.
        entry = TimeEntry.objects.get(ticket=t["training"])
        entry.minutes = entry.counted_minutes = 80
        entry.save()
        log(t["mail"], technician, 10, worked_on=date(2026, 11, 25))

        again = customer_statement(northwind, NOVEMBER)
        assert again.lines == sent.lines and again.is_closed
        assert totals(again) == [("EUR", Decimal("192.50"))]
        assert again.closed_by == lead.username

        december = customer_statement(northwind, date(2026, 12, 1))
        assert [
            (line.ticket_id, line.of_kind, line.corrects, line.minutes, line.amount)
            for line in december.section(ADJUSTMENT)
        ] == [
            (t["mail"].pk, OVERAGE, "2026-11", 10, Decimal("15.00")),  # 10 × 90 / 60
            (t["training"].pk, PAID_WORK, "2026-11", 30, Decimal("37.50")),  # 30 × 75 / 60
        ]
        assert totals(december) == [("EUR", Decimal("52.50"))]

    # December closed with those adjustments: January carries none of them again,
    # only what changes after December was sent.
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=HELSINKI), tick=False):
        statement_close(customer=northwind, month=date(2026, 12, 1), user=lead)
        assert customer_statement(northwind, date(2027, 1, 1)).section(ADJUSTMENT) == ()
        entry.minutes = entry.counted_minutes = 90
        entry.save()
        [late] = customer_statement(northwind, date(2027, 1, 1)).section(ADJUSTMENT)
        assert (late.corrects, late.minutes, late.amount) == ("2026-11", 10, Decimal("12.50"))


@pytest.mark.django_db(transaction=True)
def test_only_a_lead_closes_a_month(northwind, northwind_month, technician):
    with time_machine.travel(DECEMBER_2, tick=False):
        with pytest.raises(services.NotAllowed, match="Only a lead"):
            statement_close(customer=northwind, month=NOVEMBER, user=technician)
        assert not customer_statement(northwind, NOVEMBER).is_closed
