"""Incidents: speaking first, once to each affected contact, in their language;
news and the all-clear to the same people; an owner warned when news is late."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from contracts.models import Service
from tests.tickets.test_ticket_flow import MAIL, MONDAY_10, file, user
from tickets import services
from tickets.models import Delivery, Incident, IncidentNotice, Status
from tickets.selectors import incident_customers, incidents_visible_to
from tickets.services import NotAllowed, TicketError

pytestmark = pytest.mark.django_db(transaction=True)

# Contacts whose contract includes hosting.availability today: Northwind's three
# and Volga's two; Daugava's contract has ended.
AFFECTED = {
    "aino@northwind.example": "fi",
    "mikko@northwind.example": "fi",
    "sara@northwind.example": "en",
    "ivan@volga-media.example": "ru",
    "olga@volga-media.example": "ru",
}
MANAGERS = {"aino@northwind.example", "ivan@volga-media.example"}
TEXTS = {
    "en": "A power failure in our data centre took the servers down.",
    "fi": "Konesalimme sähkökatko kaatoi palvelimet.",
}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def availability() -> Service:
    return Service.objects.get(code="hosting.availability")


def open_outage(by, **kwargs) -> Incident:
    kwargs.setdefault("next_update_at", timezone.now() + timedelta(hours=1))
    return services.incident_open(
        by=by, title="Servers down", services=[availability()], texts=TEXTS, **kwargs
    )


def notices_to(update) -> dict[str, str]:
    return {
        n.contact.user.email: n.language for n in update.notices.select_related("contact__user")
    }


def test_opening_tells_every_affected_contact_once_in_their_language_managers_first(
    northwind, volga, daugava, technician
):
    incident = open_outage(technician)
    opening = incident.updates.get()
    assert notices_to(opening) == AFFECTED
    order = [n.contact.user.email for n in opening.notices.order_by("pk")]
    assert set(order[:2]) == MANAGERS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(AFFECTED)
    assert set(opening.notices.values_list("delivery", flat=True)) == {Delivery.SENT}

    aino = next(m for m in mail.outbox if m.to == ["aino@northwind.example"])
    assert aino.subject == "Meillä on ongelma: Servers down"
    assert "Tämä on meidän vikamme" in aino.body
    assert TEXTS["fi"] in aino.body
    assert (
        aino.extra_headers["Message-ID"]
        == opening.notices.get(contact__user__email="aino@northwind.example").message_id
    )
    ivan = next(m for m in mail.outbox if m.to == ["ivan@volga-media.example"])
    # No Russian text was written: the English one, with a word that ours follows.
    assert TEXTS["en"] in ivan.body and "переводим" in ivan.body
    sara = next(m for m in mail.outbox if m.to == ["sara@northwind.example"])
    assert "This is our fault, and we are sorry" in sara.body
    assert "You will hear from us again by" in sara.body
    assert reverse("portal:incident", args=[incident.pk]) in sara.body


def test_an_update_and_the_all_clear_go_once_to_the_same_people(northwind, volga, technician):
    incident = open_outage(technician)
    mail.outbox.clear()
    services.incident_post_update(
        incident_id=incident.pk, by=technician, texts={"en": "Power is back, servers boot."}
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(AFFECTED)
    mail.outbox.clear()
    with time_machine.travel(MONDAY_10 + timedelta(hours=2), tick=False):
        services.incident_resolve(
            incident_id=incident.pk, by=technician, texts={"en": "All servers run again."}
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(AFFECTED)
    sara = next(m for m in mail.outbox if m.to == ["sara@northwind.example"])
    assert sara.subject == "Resolved: Servers down"
    assert "The problem lasted 2 h 0 min" in sara.body
    with pytest.raises(TicketError):
        services.incident_resolve(incident_id=incident.pk, by=technician, texts={"en": "Again"})
    assert IncidentNotice.objects.count() == 3 * len(AFFECTED)


def test_resolving_resolves_the_linked_tickets_without_a_message_each(northwind, technician):
    incident = open_outage(technician)
    tickets = [file("sara@northwind.example", MAIL, subject=f"Down {n}") for n in range(3)]
    for ticket in tickets:
        services.incident_ticket_link(ticket_id=ticket.pk, incident_id=incident.pk, by=technician)
    messages_before = sum(t.messages.count() for t in tickets)
    services.incident_resolve(incident_id=incident.pk, by=technician, texts={"en": "Fixed."})
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
    assert sum(t.messages.count() for t in tickets) == messages_before


def test_a_ticket_of_an_unaffected_customer_cannot_be_linked(northwind, daugava, technician):
    incident = open_outage(technician, customers=[northwind])
    other = file("janis@daugava.example", MAIL)
    with pytest.raises(TicketError):
        services.incident_ticket_link(ticket_id=other.pk, incident_id=incident.pk, by=technician)


def test_chosen_customers_are_the_only_ones_told(northwind, volga, technician):
    incident = open_outage(technician, customers=[volga])
    assert set(incident_customers(incident)) == {volga}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ivan@volga-media.example",
        "olga@volga-media.example",
    ]


def test_each_contact_sees_only_the_incidents_that_affect_them(
    northwind, volga, daugava, technician
):
    everyone = open_outage(technician)
    volga_only = open_outage(technician, customers=[volga])
    assert set(incidents_visible_to(user("sara@northwind.example"))) == {everyone}
    assert set(incidents_visible_to(user("olga@volga-media.example"))) == {everyone, volga_only}
    assert set(incidents_visible_to(user("janis@daugava.example"))) == set()
    assert set(incidents_visible_to(technician)) == {everyone, volga_only}
    # The two readings of "affected" agree.
    for incident in (everyone, volga_only):
        for customer in (northwind, volga, daugava):
            contact_user = customer.contacts.first().user
            assert (incident in incidents_visible_to(contact_user)) == (
                customer in incident_customers(incident)
            )


def test_only_staff_open_incidents_and_every_update_says_something(northwind):
    with pytest.raises(NotAllowed):
        open_outage(user("aino@northwind.example"))


def test_an_empty_update_or_a_past_next_update_is_refused(northwind, technician):
    incident = open_outage(technician)
    with pytest.raises(TicketError):
        services.incident_post_update(incident_id=incident.pk, by=technician, texts={"en": " "})
    with pytest.raises(TicketError):
        services.incident_post_update(
            incident_id=incident.pk,
            by=technician,
            texts={"en": "News"},
            next_update_at=timezone.now() - timedelta(minutes=1),
        )


def test_the_owner_is_warned_once_when_the_promised_update_is_late(northwind, technician, lead):
    incident = open_outage(technician, owner=lead)
    mail.outbox.clear()
    assert services.incident_updates_watch() == 0
    late = timezone.now() + timedelta(hours=1, minutes=1)
    assert services.incident_updates_watch(now=late) == 1
    assert services.incident_updates_watch(now=late) == 0
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert "Servers down" in mail.outbox[0].subject
    # A new update keeps its own promise; posting it cancels the old one's warning.
    services.incident_post_update(
        incident_id=incident.pk,
        by=lead,
        texts={"en": "Still on it."},
        next_update_at=late + timedelta(hours=1),
    )
    assert services.incident_updates_watch(now=late + timedelta(hours=2)) == 1


def test_a_notice_whose_mail_server_was_down_is_sent_by_the_sweep_once(
    northwind, technician, settings
):
    settings.EMAIL_BACKEND = "tests.tickets.test_mail_delivery.DownMailServer"
    incident = open_outage(technician)
    notices = incident.updates.get().notices.all()
    assert set(notices.values_list("delivery", flat=True)) == {Delivery.PENDING}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(MONDAY_10 + timedelta(minutes=5), tick=False):
        services.tickets_decide_forgotten()
        services.tickets_decide_forgotten()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        e for e in AFFECTED if e.endswith("northwind.example")
    )
    assert set(notices.values_list("delivery", flat=True)) == {Delivery.SENT}
