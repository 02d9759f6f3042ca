"""The monthly statement's pages: the portal's (a manager's whole statement, a
requester's own lines), the leads' in the queue (closing a month, hiding the
goodwill), and the CSV of both."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from tests.tickets.test_ticket_flow import (
    HELSINKI,
    MAIL,
    PLUGIN,
    SARA,
    file,
    monday_morning,  # noqa: F401 - autouse: the clock stands at Monday 23 November, 10:00
    user,
)
from tickets import services
from tickets.models import Statement, UptimeCredit

AINO = "aino@northwind.example"  # Northwind's manager, reads Finnish
MIKKO = "mikko@northwind.example"  # a fellow requester of Sara's
IVAN = "ivan@volga-media.example"  # Volga's manager
DECEMBER_2 = datetime(2026, 12, 2, 10, 0, tzinfo=HELSINKI)
PORTAL = "/portal/statement/"
NOVEMBER = "/queue/statements/northwind/2026-11/"


@pytest.fixture
def month(northwind, volga, daugava, lead, technician):
    return a_month_of_work(lead, technician)


def a_month_of_work(lead, technician) -> dict:
    """Northwind's November: Sara's covered work past the allowance (30 min at
    90.00), her accepted plugin (60.00 fixed) and 20 min of goodwill; Mikko's
    accepted plugin (60.00). Volga's manager accepted a plugin of his own, paid by
    the hour."""
    covered = file(SARA, MAIL, subject="Mail is not arriving")
    services.time_entry_log(ticket_id=covered.pk, technician=technician, minutes=150)
    paid = file(SARA, PLUGIN, subject="Sara's shop plugin")
    services.offer_answer(offer_id=paid.offers.get().pk, accept=True)
    services.time_entry_log(ticket_id=paid.pk, technician=technician, minutes=45)
    mikkos = file(MIKKO, PLUGIN, subject="Mikko's own plugin")
    services.offer_answer(offer_id=mikkos.offers.get().pk, accept=True)
    granted = file(SARA, PLUGIN, subject="A plugin on the house")
    services.decision_override(
        ticket_id=granted.pk, lead=lead, verdict="in_scope", reason="Our mistake."
    )
    services.time_entry_log(ticket_id=granted.pk, technician=technician, minutes=20)
    ivans = file(IVAN, PLUGIN, subject="Volga's private plugin")
    services.offer_answer(offer_id=ivans.offers.get().pk, accept=True)
    services.time_entry_log(ticket_id=ivans.pk, technician=technician, minutes=30)
    return {"covered": covered, "paid": paid, "mikkos": mikkos, "granted": granted}


def logged_in(client, who):
    client.force_login(user(who) if isinstance(who, str) else who)
    return client


def statement_of(response) -> str:
    """The statement itself, without the page around it (its form tokens change)."""
    html = response.content.decode()
    return html[html.index("<article") : html.index("</article>")]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- the portal ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_manager_reads_every_line_of_the_month_in_their_language(month, client):
    html = logged_in(client, AINO).get(PORTAL).content.decode()
    for subject in ("Mail is not arriving", "Sara&#x27;s shop plugin", "Mikko&#x27;s own plugin"):
        assert subject in html
    assert "A plugin on the house" in html  # the courtesy line, at no charge
    assert "NORTHWIND-2026-11" in html and "HOST-2026-014" in html
    assert "165,00 EUR" in html  # Aino reads Finnish: 60 + 60 + 45, with a decimal comma
    assert "45,00 EUR" in html and "30 min" in html  # 30 minutes past the allowance at 90.00
    assert reverse("portal:ticket", args=[month["mikkos"].pk]) in html
    assert "Volga" not in html


@pytest.mark.django_db(transaction=True)
def test_the_statement_speaks_plainly_and_says_the_credit_is_none(month, client):
    contact = user(AINO).contact
    contact.language = "en"
    contact.save()
    html = logged_in(client, AINO).get(PORTAL).content.decode()
    assert "Work you asked for and accepted" in html
    assert "Work past your monthly allowance" in html
    assert "Given at no charge, as a courtesy" in html
    assert "worth 30.00 EUR, at no charge" in html
    assert "None this month" in html and "being checked" not in html
    assert "2 h of 2 h" in html  # the allowance's time, used of included
    assert "This month is still open" in html


@pytest.mark.django_db(transaction=True)
def test_an_uptime_credit_is_being_checked_until_a_lead_confirms_it(month, client, lead):
    credit = UptimeCredit.objects.create(
        contract=month["covered"].contract,
        month=date(2026, 11, 1),
        downtime_minutes=300,
        availability="99.327",
        credit_percent=10,
        computed_amount="40.00",
        amount="40.00",
        currency="EUR",
    )
    logged_in(client, SARA)  # a requester reads nothing of credits
    assert "being checked" not in client.get(PORTAL).content.decode()
    # Aino reads Finnish: "being checked" is "tarkistetaan".
    html = logged_in(client, AINO).get(PORTAL, {"month": "2026-11"}).content.decode()
    assert "hyvitystä tarkistetaan" in html and "-40,00" not in html and "165,00 EUR" in html
    services.credit_confirm(credit_id=credit.pk, lead=lead)
    html = client.get(PORTAL, {"month": "2026-11"}).content.decode()
    assert "tarkistetaan" not in html
    assert "99,327" in html and "-40,00 EUR" in html and "125,00 EUR" in html


@pytest.mark.django_db(transaction=True)
def test_a_requester_reads_only_their_own_tickets_lines(month, client):
    page = logged_in(client, SARA).get(PORTAL)
    html = page.content.decode()
    assert "Mail is not arriving" in html and "Sara&#x27;s shop plugin" in html
    assert "Mikko" not in html
    assert "only the work on your own tickets" in html
    assert "Total for your tickets" in html and "105.00 EUR" in html  # 60 + 45 + 0
    assert "165.00" not in html and "Total for the month" not in html
    assert "Uptime credit" not in html and "Support included in your contract" not in html
    rows = csv_rows(client.get(PORTAL, {"format": "csv"}))
    assert not any("Mikko" in cell for row in rows for cell in row)
    assert rows[-1][0] == "total" and rows[-1][6] == "105.00"


@pytest.mark.django_db(transaction=True)
def test_the_portal_never_shows_another_customers_statement(month, client):
    html = logged_in(client, AINO).get(PORTAL, {"customer": "volga"}).content.decode()
    assert "NORTHWIND-2026-11" in html and "Volga" not in html
    rows = csv_rows(client.get(PORTAL, {"format": "csv", "customer": "volga"}))
    assert "Volga's private plugin" not in str(rows)
    ivans = logged_in(client, IVAN).get(PORTAL).content.decode()
    assert "VOLGA-MEDIA-2026-11" in ivans and "Volga&#x27;s private plugin" in ivans
    assert "Mail is not arriving" not in ivans and "Northwind" not in ivans


@pytest.mark.django_db(transaction=True)
def test_the_month_chips_lead_back_but_not_past_this_month(month, client):
    html = logged_in(client, SARA).get(PORTAL).content.decode()
    assert "?month=2026-10" in html and "?month=2026-12" not in html
    october = client.get(PORTAL, {"month": "2026-10"}).content.decode()
    assert "NORTHWIND-2026-10" in october and "?month=2026-11" in october
    assert "Nothing to charge this month" in october
    # No month, a future one or nonsense: this month.
    for asked in ("2027-03", "November", "2026-13"):
        assert "NORTHWIND-2026-11" in client.get(PORTAL, {"month": asked}).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_csv_has_a_row_per_line_and_a_total(month, client):
    response = logged_in(client, AINO).get(PORTAL, {"month": "2026-11", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="NORTHWIND-2026-11.csv"'
    header, *lines, total = csv_rows(response)
    assert header == [
        "kind",
        "ticket",
        "subject",
        "service",
        "minutes",
        "rate",
        "amount",
        "currency",
        "corrects",
    ]
    assert [(row[0], row[2], row[4], row[5], row[6]) for row in lines] == [
        ("paid_work", "Sara's shop plugin", "", "", "60.00"),
        ("paid_work", "Mikko's own plugin", "", "", "60.00"),
        ("overage", "Mail is not arriving", "30", "90.00", "45.00"),
        ("goodwill", "A plugin on the house", "20", "", "0.00"),
    ]
    assert total == ["total", "", "", "", "", "", "165.00", "EUR", ""]


@pytest.mark.django_db(transaction=True)
def test_the_portal_statement_runs_a_fixed_number_of_queries(
    month, client, technician, django_assert_max_num_queries
):
    logged_in(client, AINO)
    with django_assert_max_num_queries(30) as few:
        client.get(PORTAL)
    for n in range(6):
        ticket = file(MIKKO, MAIL, subject=f"More mail trouble {n}")
        services.offer_answer(offer_id=ticket.offers.get().pk, accept=True)  # past the allowance
        services.time_entry_log(ticket_id=ticket.pk, technician=technician, minutes=15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(PORTAL).content.decode()
    assert "More mail trouble 5" in html


# --- the queue -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_only_leads_reach_the_statements(month, client, technician):
    logged_in(client, technician)
    for url in ("/queue/statements/", NOVEMBER, NOVEMBER + "?format=csv"):
        response = client.get(url)
        assert response.status_code == 403
        assert b"This page is for leads" in response.content
    assert client.post(NOVEMBER + "close/").status_code == 403
    assert client.post(NOVEMBER + "goodwill/", {"show": "0"}).status_code == 403
    assert not Statement.objects.exists()
    assert b"/queue/statements/" not in client.get("/queue/").content  # no link in the nav
    assert logged_in(client, AINO).get("/queue/statements/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_lead_lists_the_months_statements_with_their_totals(month, client, lead):
    html = logged_in(client, lead).get("/queue/statements/", {"month": "2026-11"}).content.decode()
    assert "Northwind Webshop Oy" in html and "165.00 EUR" in html
    assert "NORTHWIND-2026-11" in html and "VOLGA-MEDIA-2026-11" in html
    assert NOVEMBER in html and "Open" in html and "Closed" not in html
    assert 'href="/queue/statements/"' in client.get("/queue/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_month_is_closed_only_once_it_is_over(month, client, lead):
    logged_in(client, lead)
    assert "Close this month" not in client.get(NOVEMBER).content.decode()
    response = client.post(NOVEMBER + "close/", follow=True)
    assert "A month can be closed once it is over." in response.content.decode()
    assert not Statement.objects.filter(closed_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_a_closed_month_stays_as_it_was_sent(month, client, lead, technician):
    with time_machine.travel(DECEMBER_2, tick=False):
        logged_in(client, lead)
        assert "Close this month" in client.get(NOVEMBER).content.decode()
        response = client.post(NOVEMBER + "close/", follow=True)
        html = response.content.decode()
        assert "The statement for November 2026 is closed and final." in html
        assert "this statement is final" in html and "Close this month" not in html
        before = statement_of(logged_in(client, SARA).get(PORTAL, {"month": "2026-11"}))
        assert "this statement is final; later corrections appear on next month" in before

        # Late work for November, logged in December.
        services.time_entry_log(
            ticket_id=month["covered"].pk,
            technician=technician,
            minutes=30,
            worked_on=date(2026, 11, 30),
        )
        assert statement_of(client.get(PORTAL, {"month": "2026-11"})) == before
        december = client.get(PORTAL).content.decode()
        assert "Corrections to earlier months" in december
        assert "Corrects November 2026" in december and "45.00 EUR" in december
        again = logged_in(client, lead).post(NOVEMBER + "close/", follow=True)
        assert "closed already" in again.content.decode()


@pytest.mark.django_db(transaction=True)
def test_hidden_goodwill_leaves_the_customers_statement_but_not_the_leads(month, client, lead):
    logged_in(client, lead)
    response = client.post(NOVEMBER + "goodwill/", {"show": "0"}, follow=True)
    html = response.content.decode()
    assert "The goodwill is now hidden from the customer" in html
    assert "A plugin on the house" in html and "Hidden from the customer" in html
    assert "Show goodwill to the customer" in html
    assert "A plugin on the house" not in logged_in(client, SARA).get(PORTAL).content.decode()
    assert "A plugin on the house" not in logged_in(client, AINO).get(PORTAL).content.decode()
    logged_in(client, lead).post(NOVEMBER + "goodwill/", {"show": "1"})
    assert "A plugin on the house" in logged_in(client, AINO).get(PORTAL).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_queue_csv_and_an_unknown_customer_or_month(month, client, lead):
    logged_in(client, lead)
    rows = csv_rows(client.get(NOVEMBER, {"format": "csv"}))
    assert rows[-1] == ["total", "", "", "", "", "", "165.00", "EUR", ""]
    assert client.get("/queue/statements/nobody/2026-11/").status_code == 404
    assert client.get("/queue/statements/northwind/November/").status_code == 404
