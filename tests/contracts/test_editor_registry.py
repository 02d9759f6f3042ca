"""Every page the admin registers: who may open it, and what its list costs.

The admin is the contract editor; it is for admins and leads. Technicians work
in the queue, so every admin page refuses them plainly (a 403 that says why),
never with the login form again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from itertools import count

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Model
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from contracts.engine import terms
from contracts.models import (
    Clause,
    Contact,
    Contract,
    Customer,
    ReplyWording,
    Service,
    SlaTarget,
    TopUp,
    UptimeCredit,
)
from tickets.models import CannedReply, InboundMessage, Incident, IncidentUpdate, Ticket
from tickets.models import UptimeCredit as TicketsUptimeCredit

pytestmark = pytest.mark.django_db

NO_ACCESS = "The contract editor is for leads and admins"
_serial = count()


# --- one row of each registered model, each with its own related rows ----------


def _user(prefix: str, **extra):
    n = next(_serial)
    return get_user_model().objects.create_user(f"{prefix}{n}", f"{prefix}{n}@example.com", **extra)


def _service() -> Service:
    n = next(_serial)
    return Service.objects.create(
        code=f"test.service_{n}", names={"en": f"Service {n}", "fi": f"Palvelu {n}"}, position=n
    )


def _customer() -> Customer:
    n = next(_serial)
    return Customer.objects.create(
        name=f"Customer {n}",
        slug=f"customer-{n}",
        country="FI",
        timezone=("Europe/Helsinki", "Europe/Riga", "UTC")[n % 3],
        account_manager=_user("manager", is_staff=True),
    )


def _contract() -> Contract:
    customer = _customer()
    return Contract.objects.create(
        customer=customer,
        reference=f"REF-{customer.slug}",
        title="Hosting",
        valid_from=date(2026, 1, 1),
        hourly_rate=90,
        included_minutes=120,
        included_tickets=10,
        support_hours={"mon-fri": "08:00-18:00"},
    )


def _contact() -> Contact:
    customer = _customer()
    return Contact.objects.create(customer=customer, user=_user("contact"), name="A contact")


def _clause() -> Clause:
    return Clause.objects.create(
        contract=_contract(),
        service=_service(),
        coverage="paid",
        pricing="fixed",
        price=60,
        text={"en": "Installing a plugin."},
    )


def _ticket() -> Ticket:
    contract = _contract()
    contact = Contact.objects.create(
        customer=contract.customer, user=_user("requester"), name="A requester"
    )
    return Ticket.objects.create(
        customer=contract.customer,
        contract=contract,
        requester=contact.user,
        assignee=_user("tech", is_staff=True),
        service=_service(),
        subject="Mail is not arriving",
        body="Since yesterday.",
        verdict="in_scope",
    )


def _inbound() -> InboundMessage:
    n = next(_serial)
    return InboundMessage.objects.create(
        sha256=f"{n:064x}",
        message_id=f"<m{n}@example.com>",
        raw=f"mail/{n}.eml",
        sender=f"sender{n}@example.com",
        subject="Mail is not arriving",
        outcome=InboundMessage.Outcome.TICKET_CREATED,
        ticket=_ticket(),
    )


def _incident() -> Incident:
    lead = _user("lead", is_staff=True)
    incident = Incident.objects.create(
        title=f"Servers down {next(_serial)}",
        started_at=timezone.now(),
        detected_at=timezone.now(),
        owner=lead,
        created_by=lead,
    )
    incident.services.set([_service()])
    incident.customers.set([_customer()])
    IncidentUpdate.objects.create(incident=incident, texts={"en": "We are on it."}, posted_by=lead)
    return incident


def _credit() -> TicketsUptimeCredit:
    return TicketsUptimeCredit.objects.create(
        contract=_contract(),
        month=date(2026, 10, 1),
        downtime_minutes=300,
        availability="99.327",
        credit_percent=10,
        computed_amount="40.00",
        amount="40.00",
        currency="EUR",
    )


def _reply_wording() -> ReplyWording:
    # One per verdict and language: at most 8 × 4 of them can exist.
    n = next(_serial) % (len(terms.Verdict) * len(terms.LANGUAGES))
    verdicts, languages = [v.value for v in terms.Verdict], list(terms.LANGUAGES)
    return ReplyWording.objects.create(
        verdict=verdicts[n % len(verdicts)],
        language=languages[n // len(verdicts)],
        text="Hello {name}.",
    )


def _login_record(model: type[Model]) -> Model:
    n = next(_serial)
    attempt = {"get_data": "", "post_data": "", "failures_since_start": 1}
    return model.objects.create(
        username=f"someone{n}@example.com",
        ip_address="192.0.2.1",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/accounts/login/",
        **(attempt if model is AccessAttempt else {}),
    )


ROW: dict[str, Callable[[], Model]] = {
    "contracts.Service": _service,
    "contracts.Customer": _customer,
    "contracts.Contact": _contact,
    "contracts.Contract": _contract,
    "contracts.Clause": _clause,
    "contracts.SlaTarget": lambda: SlaTarget.objects.create(
        contract=_contract(), priority="urgent", first_response="30m", resolution="4h"
    ),
    "contracts.UptimeCredit": lambda: UptimeCredit.objects.create(
        contract=_contract(), below=99.5, credit_percent=10
    ),
    "contracts.TopUp": lambda: TopUp.objects.create(
        contract=_contract(), minutes=120, purchased_on=date(2026, 1, 1)
    ),
    "contracts.ReplyWording": _reply_wording,
    "tickets.CannedReply": lambda: CannedReply.objects.create(
        title=f"Canned {next(_serial)}", body="We are on it."
    ),
    "tickets.Ticket": _ticket,
    "tickets.Incident": _incident,
    "tickets.InboundMessage": _inbound,
    "tickets.UptimeCredit": _credit,
    "tickets.CustomerAllowance": lambda: _contract().customer,
    "auth.User": lambda: _user("someone"),
    "auth.Group": lambda: Group.objects.create(name=f"Group {next(_serial)}"),
    "authtoken.TokenProxy": lambda: Token.objects.create(user=_user("api")),
    "axes.AccessAttempt": lambda: _login_record(AccessAttempt),
    "axes.AccessLog": lambda: _login_record(AccessLog),
    "axes.AccessFailureLog": lambda: _login_record(AccessFailureLog),
}
# Reply wordings run out at one per verdict and language.
MOST = {"contracts.ReplyWording": len(terms.Verdict) * len(terms.LANGUAGES)}
REGISTERED = sorted(model._meta.label for model in admin.site._registry)

# What a lead may open: the contract editor, canned replies, tickets (read only) and
# the allowance page. Users, API tokens and login records are for admins alone.
EDITOR = {"changelist", "add", "change"}
LEAD_MAY = {
    **{label: EDITOR for label in ROW if label.startswith("contracts.")},
    "tickets.CannedReply": EDITOR,
    "tickets.Ticket": {"changelist", "change"},
    "tickets.Incident": EDITOR,
    "tickets.InboundMessage": {"changelist", "change"},  # the mail log, read-only
    "tickets.UptimeCredit": {"changelist", "change"},
    "tickets.CustomerAllowance": {"changelist", "change"},
    "auth.User": set(),
    "auth.Group": set(),
    "authtoken.TokenProxy": set(),
    "axes.AccessAttempt": set(),
    "axes.AccessLog": set(),
    "axes.AccessFailureLog": set(),
}
# Pages that send the lead to the one place where that is done.
OPENED_ELSEWHERE = {("tickets.Incident", "add"): "queue:incident-new"}


def model_of(label: str) -> type[Model]:
    return next(model for model in admin.site._registry if model._meta.label == label)


def pages(label: str) -> dict[str, str]:
    """The list, add and change page of one registered model, with a row to change."""
    model = model_of(label)
    row = ROW[label]()
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    return {
        "changelist": reverse(f"{name}_changelist"),
        "add": reverse(f"{name}_add"),
        "change": reverse(f"{name}_change", args=[row.pk]),
    }


def test_every_registered_model_is_covered_here():
    assert sorted(ROW) == REGISTERED
    assert sorted(LEAD_MAY) == REGISTERED


# --- who may open what ------------------------------------------------------------


@pytest.mark.parametrize("label", REGISTERED)
def test_a_technician_opens_no_page_of_any_model(client, technician, label):
    client.force_login(technician)
    before = model_of(label)._default_manager.count()
    for view, address in pages(label).items():
        response = client.get(address)
        assert response.status_code == 403, (view, address)
        assert NO_ACCESS in response.content.decode(), (view, address)
        assert client.post(address, {}).status_code == 403, (view, address)
    assert model_of(label)._default_manager.count() == before + 1  # only the fixture's row


@pytest.mark.parametrize("label", REGISTERED)
def test_a_lead_opens_the_pages_of_the_editor_and_no_others(client, lead, label):
    client.force_login(lead)
    for view, address in pages(label).items():
        response = client.get(address)
        if view not in LEAD_MAY[label]:
            assert response.status_code == 403, (view, address)
        elif (label, view) in OPENED_ELSEWHERE:
            assert response.url == reverse(OPENED_ELSEWHERE[label, view]), (view, address)
        else:
            assert response.status_code == 200, (view, address)


@pytest.mark.parametrize("label", REGISTERED)
def test_an_admin_opens_every_list(client, admin_user, label):
    client.force_login(admin_user)
    assert client.get(pages(label)["changelist"]).status_code == 200


def test_a_technician_is_told_where_to_work_instead_of_asked_to_log_in_again(client, technician):
    client.force_login(technician)
    for address in (reverse("admin:index"), reverse("admin:login"), "/admin/no/such/page/"):
        response = client.get(address)
        assert response.status_code == 403, address
        content = response.content.decode()
        assert NO_ACCESS in content
        assert reverse("queue:list") in content
        assert 'name="password"' not in content
        assert response["Cache-Control"].startswith("max-age=0")


def test_a_contact_is_refused_too_and_pointed_to_their_tickets(client, northwind):
    client.force_login(get_user_model().objects.get(email="sara@northwind.example"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 403
    assert reverse("portal:tickets") in response.content.decode()


def test_someone_not_logged_in_is_asked_to_log_in(client):
    response = client.get(reverse("admin:contracts_contract_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert client.get(reverse("admin:login")).status_code == 200


def test_a_lead_and_an_admin_open_the_index(client, lead, admin_user):
    for user in (lead, admin_user):
        client.force_login(user)
        assert client.get(reverse("admin:index")).status_code == 200


def test_the_editor_link_is_shown_only_to_those_it_lets_in(technician, lead, admin_user):
    def nav(user) -> str:
        request = RequestFactory().get("/queue/")
        request.user = user
        return render_to_string("nav.html", request=request)

    editor = reverse("admin:index")
    assert editor not in nav(technician)
    assert editor in nav(lead)
    assert editor in nav(admin_user)


# --- what a list costs --------------------------------------------------------------


def _list_queries(client, address: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("label", REGISTERED)
def test_every_list_runs_as_many_queries_for_50_rows_as_for_5(client, admin_user, label):
    address = pages(label)["changelist"]  # one row
    client.force_login(admin_user)
    client.get(address)  # the session, the content types
    for _ in range(4):
        ROW[label]()
    few, shown = _list_queries(client, address)
    assert shown >= 5
    for _ in range(min(50, MOST.get(label, 50)) - 5):
        ROW[label]()
    many, shown = _list_queries(client, address)
    assert shown >= min(50, MOST.get(label, 50))
    assert many == few, f"{label}: {few} queries for 5 rows, {many} for {shown}"
