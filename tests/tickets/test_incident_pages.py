"""The queue's incident pages: opening an incident, posting news, the all-clear,
the delivery of the notices, the review that only leads write; linking tickets;
and the queue list, where an incident is one row with its tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Service
from tests.tickets.test_queue import MONDAY_10, make_ticket, rows, user
from tickets import services
from tickets.models import Delivery, Incident, IncidentNotice, Status

pytestmark = pytest.mark.django_db

SARA = "sara@northwind.example"
TEXTS = {"en": "A power failure took our servers down.", "fi": "Sähkökatko kaatoi palvelimet."}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def availability() -> Service:
    return Service.objects.get(code="hosting.availability")


def outage(by, **kwargs) -> Incident:
    kwargs.setdefault("next_update_at", timezone.now() + timedelta(hours=1))
    return services.incident_open(
        by=by, title="Servers down", services=[availability()], texts=TEXTS, **kwargs
    )


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def open_form(**overrides) -> dict:
    data = {
        "open-title": "Mail servers down",
        "open-kind": "outage",
        "open-services": [str(Service.objects.get(code="hosting.email").pk)],
        "open-our_fault": "on",
        "open-owner": str(user("lead@scopedesk.example").pk),
        "open-next_update_at": local(timezone.now() + timedelta(hours=1)),
        "open-text_en": "Our mail servers do not accept mail.",
        "open-text_fi": "Postipalvelimemme eivät ota postia vastaan.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- who may see the pages ----------------------------------------------------------

PAGES = [
    ("queue:incidents", False, "get"),
    ("queue:incident-new", False, "get"),
    ("queue:incident-new", False, "post"),
    ("queue:incident", True, "get"),
    ("queue:incident-update", True, "post"),
    ("queue:incident-resolve", True, "post"),
    ("queue:incident-review", True, "post"),
]


@pytest.mark.parametrize(("name", "takes_id", "method"), PAGES)
def test_contacts_cannot_reach_the_queue_incident_pages(
    client, northwind, technician, name, takes_id, method
):
    incident = outage(technician)
    url = reverse(name, args=[incident.pk] if takes_id else [])
    response = getattr(client, method)(url, {"update-text_en": "x", "review-cause": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(user(SARA))
    response = getattr(client, method)(url, {"update-text_en": "x", "review-cause": "x"})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.updates.count() == 1 and incident.cause == "" and incident.is_open


def test_an_unknown_incident_is_a_404(client, technician):
    client.force_login(technician)
    assert client.get(reverse("queue:incident", args=[999])).status_code == 404
    response = client.post(reverse("queue:incident-update", args=[999]), {"update-text_en": "x"})
    assert response.status_code == 404


# --- opening, news, the all-clear ----------------------------------------------------


def test_a_technician_opens_an_incident_and_the_customers_are_told(
    client, northwind, volga, technician, lead, django_capture_on_commit_callbacks
):
    client.force_login(technician)
    page = client.get(reverse("queue:incident-new"))
    assert page.status_code == 200
    assert page.context["form"]["owner"].initial == technician  # me, unless I choose
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("queue:incident-new"), open_form())
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("queue:incident", args=[incident.pk])
    assert incident.owner == lead and incident.our_fault and incident.created_by == technician
    assert list(incident.services.values_list("code", flat=True)) == ["hosting.email"]
    assert incident.updates.get().texts == {
        "en": "Our mail servers do not accept mail.",
        "fi": "Postipalvelimemme eivät ota postia vastaan.",
    }
    told = sorted(m.to[0] for m in mail.outbox)
    assert told and told == sorted(
        IncidentNotice.objects.values_list("contact__user__email", flat=True)
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Mail servers down" in html and "Postipalvelimemme" in html
    assert "The incident is open. Every affected contact is being told now." in html


def test_chosen_customers_alone_are_told(client, northwind, volga, technician, lead):
    client.force_login(technician)
    client.post(reverse("queue:incident-new"), open_form(**{"open-customers": [str(volga.pk)]}))
    incident = Incident.objects.get()
    assert list(incident.customers.all()) == [volga]
    assert set(IncidentNotice.objects.values_list("contact__customer__slug", flat=True)) == {
        volga.slug
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"open-services": None}, "Tick at least one affected service."),
        (
            {"open-text_en": "", "open-text_fi": " "},
            "Write what customers should know, in at least one language.",
        ),
        ({"open-title": ""}, "This field is required."),
        ({"open-next_update_at": "tomorrow-ish"}, "Enter a valid date/time."),
    ],
)
def test_a_form_with_a_mistake_says_what_to_fix_and_keeps_what_was_typed(
    client, northwind, technician, lead, change, message
):
    client.force_login(technician)
    response = client.post(reverse("queue:incident-new"), open_form(**change))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Our mail servers do not accept mail." in html or "open-text_en" in change
    assert Incident.objects.count() == 0


def test_a_refusal_of_the_service_is_shown_beside_the_form(client, northwind, technician, lead):
    client.force_login(technician)
    past = local(timezone.now() - timedelta(hours=1))
    response = client.post(
        reverse("queue:incident-new"), open_form(**{"open-next_update_at": past})
    )
    assert response.status_code == 409
    assert "The next update is due in the future." in response.content.decode()
    assert Incident.objects.count() == 0


def test_an_update_then_the_all_clear_resolve_the_linked_tickets(
    client, northwind, technician, django_capture_on_commit_callbacks
):
    incident = outage(technician)
    ticket = make_ticket(northwind, subject="Nothing loads")
    services.incident_ticket_link(ticket_id=ticket.pk, incident_id=incident.pk, by=technician)
    client.force_login(technician)
    url = reverse("queue:incident-update", args=[incident.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"update-text_en": "Power is back; servers boot."})
    assert response.status_code == 302
    assert incident.updates.count() == 2

    later = timezone.now() + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        response = client.post(
            reverse("queue:incident-resolve", args=[incident.pk]),
            {"resolve-text_en": "All servers run again.", "resolve-resolved_at": ""},
        )
    assert response.status_code == 302
    incident.refresh_from_db()
    ticket.refresh_from_db()
    assert incident.resolved_at == later and ticket.status == Status.RESOLVED
    page = client.get(reverse("queue:incident", args=[incident.pk]))
    html = page.content.decode()
    assert "All servers run again." in html and "Power is back; servers boot." in html
    assert "Post an update" not in html and "Resolve and send the all-clear" not in html
    # Resolved is resolved: a second all-clear is refused, kindly.
    response = client.post(
        reverse("queue:incident-resolve", args=[incident.pk]), {"resolve-text_en": "Again"}
    )
    assert response.status_code == 409
    assert "The incident is already resolved." in response.content.decode()


def test_an_update_without_text_is_refused_with_the_reason(client, northwind, technician):
    incident = outage(technician)
    client.force_login(technician)
    response = client.post(
        reverse("queue:incident-update", args=[incident.pk]),
        {"update-text_en": "", "update-eta": local(timezone.now() + timedelta(hours=3))},
    )
    assert response.status_code == 400
    assert "Write what customers should know, in at least one language." in (
        response.content.decode()
    )
    assert incident.updates.count() == 1


def test_an_all_clear_before_the_start_is_refused(client, northwind, technician):
    incident = outage(technician)
    client.force_login(technician)
    response = client.post(
        reverse("queue:incident-resolve", args=[incident.pk]),
        {
            "resolve-text_en": "Fixed.",
            "resolve-resolved_at": local(incident.started_at - timedelta(hours=1)),
        },
    )
    assert response.status_code == 409
    assert "The end of an incident lies between its start and now." in response.content.decode()
    incident.refresh_from_db()
    assert incident.is_open


# --- the review: leads only -------------------------------------------------------------


def test_leads_write_the_review_and_technicians_read_it(client, northwind, technician, lead):
    incident = outage(technician)
    url = reverse("queue:incident-review", args=[incident.pk])
    client.force_login(technician)
    page = client.get(reverse("queue:incident", args=[incident.pk])).content.decode()
    assert 'name="review-cause"' not in page and "Leads write the review." in page
    response = client.post(url, {"review-cause": "Mine", "review-changes": "Mine"})
    assert response.status_code == 403
    assert "Only leads write the post-incident review." in response.content.decode()
    incident.refresh_from_db()
    assert incident.cause == ""

    client.force_login(lead)
    response = client.post(
        url, {"review-cause": "A UPS failed.", "review-changes": "Test the UPS monthly."}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.cause, incident.changes) == ("A UPS failed.", "Test the UPS monthly.")
    client.force_login(technician)
    page = client.get(reverse("queue:incident", args=[incident.pk])).content.decode()
    assert "A UPS failed." in page and "Test the UPS monthly." in page


# --- notices and tickets on the page: counts, states, a fixed number of queries -----------


def test_each_update_lists_its_notices_with_their_delivery_state(client, northwind, technician):
    incident = outage(technician)
    notices = list(incident.updates.get().notices.order_by("pk"))
    IncidentNotice.objects.filter(pk=notices[0].pk).update(
        delivery=Delivery.FAILED, delivery_error="550 mailbox unavailable"
    )
    IncidentNotice.objects.filter(pk__in=[n.pk for n in notices[1:]]).update(delivery=Delivery.SENT)
    client.force_login(technician)
    response = client.get(reverse("queue:incident", args=[incident.pk]))
    view = response.context["p"].updates[0]
    counts = {state: n for state, _label, n in view.counts}
    assert counts == {
        Delivery.FAILED: 1,
        Delivery.PENDING: 0,
        Delivery.SENDING: 0,
        Delivery.SENT: len(notices) - 1,
    }
    assert view.notices[0].pk == notices[0].pk  # the one that needs attention first
    html = response.content.decode()
    assert "550 mailbox unavailable" in html
    assert notices[0].contact.user.email in html and "Northwind" in html


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_incident_page_runs_the_same_queries_for_few_and_many_notices_and_tickets(
    client, northwind, volga, technician, lead
):
    incident = outage(technician)
    client.force_login(lead)
    url = reverse("queue:incident", args=[incident.pk])

    def more(n: int) -> None:
        services.incident_post_update(
            incident_id=incident.pk, by=technician, texts={"en": f"News {n}"}
        )
        for customer in (northwind, volga):
            ticket = make_ticket(customer, subject=f"Down {n}")
            services.incident_ticket_link(
                ticket_id=ticket.pk, incident_id=incident.pk, by=technician
            )

    more(0)
    client.get(url)  # warm the session and the content types
    few = _page_queries(client, url)
    for n in range(1, 8):
        more(n)
    many = _page_queries(client, url)
    assert few == many
    assert few <= 16
    assert IncidentNotice.objects.count() >= 40
    with CaptureQueriesContext(connection):
        page = client.get(url)
    assert len(page.context["p"].tickets) == 16


# --- the list of incidents --------------------------------------------------------------


def test_the_list_shows_open_incidents_first_then_the_resolved(client, northwind, technician):
    old = outage(technician)
    services.incident_resolve(incident_id=old.pk, by=technician, texts={"en": "Fixed."})
    Incident.objects.filter(pk=old.pk).update(title="Yesterday's outage")
    now_open = outage(technician)
    client.force_login(technician)
    response = client.get(reverse("queue:incidents"))
    assert [i.pk for i in response.context["open_incidents"]] == [now_open.pk]
    assert [i.pk for i in response.context["resolved"]] == [old.pk]
    html = response.content.decode()
    assert html.index("Servers down") < html.index("Yesterday&#x27;s outage")
    assert 'aria-current="page">Incidents' in html


def test_an_overdue_update_warning_links_to_the_queue_page(northwind, technician, lead):
    incident = outage(technician, owner=lead)
    mail.outbox.clear()
    assert services.incident_updates_watch(now=timezone.now() + timedelta(hours=2)) == 1
    assert reverse("queue:incident", args=[incident.pk]) in mail.outbox[0].body
    assert "/admin/" not in mail.outbox[0].body


# --- linking a ticket from its page -------------------------------------------------------


def test_a_technician_links_and_unlinks_a_ticket(client, northwind, technician):
    incident = outage(technician)
    ticket = make_ticket(northwind, subject="Site is down")
    client.force_login(technician)
    page = client.get(reverse("queue:ticket", args=[ticket.pk])).content.decode()
    assert "Servers down" in page and "Link" in page
    url = reverse("queue:ticket-incident", args=[ticket.pk])
    response = client.post(url, {"incident": incident.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Linked to the incident “Servers down”." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.incident == incident
    response = client.post(url, {"incident": ""})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.incident is None


def test_a_ticket_of_an_unaffected_customer_is_not_linked(client, northwind, volga, technician):
    incident = outage(technician, customers=[volga])
    ticket = make_ticket(northwind)
    client.force_login(technician)
    page = client.get(reverse("queue:ticket", args=[ticket.pk]))
    assert page.context["w"].incidents == []
    response = client.post(
        reverse("queue:ticket-incident", args=[ticket.pk]),
        {"incident": incident.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "This incident does not affect the ticket&#x27;s customer." in (
        response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.incident is None


# --- the queue: an incident is one row with its tickets ---------------------------------


def test_the_queue_shows_an_incident_as_one_row_and_leaves_its_tickets_out(
    client, northwind, technician
):
    incident = outage(technician)
    alone = make_ticket(northwind, subject="Something else")
    linked = [make_ticket(northwind, subject=f"Down {n}") for n in range(3)]
    for ticket in linked:
        services.incident_ticket_link(ticket_id=ticket.pk, incident_id=incident.pk, by=technician)
    client.force_login(technician)

    response = client.get(reverse("queue:list"))
    assert rows(response) == [alone.pk]
    assert response.context["queue"].counts["open"] == 1
    [row] = response.context["queue"].incidents
    assert row.pk == incident.pk and row.open_tickets == 3
    html = response.content.decode()
    assert "Servers down" in html and "3 tickets" in html

    response = client.get(reverse("queue:list") + "?incident=all")
    assert sorted(rows(response)) == sorted([alone.pk, *(t.pk for t in linked)])
    # Each says which incident it belongs to.
    assert response.content.decode().count('class="tag incident-tag"') == 3
    assert response.context["queue"].counts["open"] == 4
    response = client.get(reverse("queue:list") + f"?incident={incident.pk}&view=all")
    assert sorted(rows(response)) == sorted(t.pk for t in linked)
    # Nonsense is the default, never an error.
    response = client.get(reverse("queue:list") + "?incident=-1")
    assert rows(response) == [alone.pk]

    # Once the incident is resolved its tickets are ordinary history.
    services.incident_resolve(incident_id=incident.pk, by=technician, texts={"en": "Fixed."})
    response = client.get(reverse("queue:list") + "?view=all")
    assert sorted(rows(response)) == sorted([alone.pk, *(t.pk for t in linked)])
    assert response.context["queue"].incidents == []


def test_the_queue_runs_the_same_queries_with_few_and_many_incident_tickets(
    client, northwind, volga, technician
):
    first = outage(technician)
    second = outage(technician, customers=[volga])
    client.force_login(technician)
    urls = [reverse("queue:list"), reverse("queue:list") + "?incident=all&view=all"]

    def add(n: int) -> None:
        for k in range(n):
            for incident, customer in ((first, northwind), (second, volga)):
                ticket = make_ticket(customer, subject=f"Down {k}")
                services.incident_ticket_link(
                    ticket_id=ticket.pk, incident_id=incident.pk, by=technician
                )
            make_ticket(northwind, subject=f"Other {k}")

    add(2)
    client.get(urls[0])
    few = [_page_queries(client, url) for url in urls]
    add(20)
    many = [_page_queries(client, url) for url in urls]
    assert few == many
    assert max(few) <= 16


def test_the_editor_opens_incidents_through_the_queue_form_and_writes_the_review_itself(
    client, northwind, lead
):
    client.force_login(lead)
    response = client.get(reverse("admin:tickets_incident_add"))
    assert response.status_code == 302
    assert response.url == reverse("queue:incident-new")

    incident = outage(lead)
    url = reverse("admin:tickets_incident_change", args=[incident.pk])
    review = {"cause": "A failed UPS.", "changes": "A second UPS.", "_save": "1"}
    inline = {"updates-TOTAL_FORMS": "1", "updates-INITIAL_FORMS": "1"}
    inline["updates-0-id"] = str(incident.updates.get().pk)
    page = client.post(url, review | inline, follow=True)
    assert page.status_code == 200, page.content
    incident.refresh_from_db()
    assert (incident.cause, incident.changes, incident.title) == (
        "A failed UPS.",
        "A second UPS.",
        "Servers down",
    )
