"""The queue for a working day: tabs that match the work, search by the people a
ticket names, changes on the list's rows and on many rows at once, views each
technician saves, the keyboard, the new-tickets banner, and the "outside hours"
note that goes once someone has answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.tickets.test_queue import (
    AINO,
    SARA,
    make_ticket,
    monday_morning,  # noqa: F401 - autouse: Monday 23 November 2026, 10:00 in Helsinki
    rows,
    user,
)
from tickets import services
from tickets.models import SavedView, ScopeDecision, Status, Ticket
from tickets.queue.selectors import TABS, VIEWS

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def onlooker(django_user_model):
    """Staff, but in neither staff group: reads the queue, changes nothing."""
    return django_user_model.objects.create_user(
        "onlooker", "onlooker@scopedesk.example", "onlooker-pass", is_staff=True
    )


# --- tabs ----------------------------------------------------------------------------


def test_the_tabs_are_the_work(client, northwind, technician, lead):
    assert [tab.key for tab in TABS] == [
        "mine",
        "unassigned",
        "open",
        "ours",
        "theirs",
        "due",
        "review",
        "all",
    ]
    new = make_ticket(northwind, status=Status.NEW, due_in=timedelta(hours=5))
    ours = make_ticket(northwind, assignee=lead, due_in=timedelta(hours=5))
    waiting = make_ticket(northwind, status=Status.WAITING_ON_CUSTOMER, assignee=technician)
    offered = make_ticket(
        northwind, status=Status.AWAITING_DECISION, verdict="paid_option", due_in=None
    )
    overdue = make_ticket(northwind, due_in=timedelta(minutes=-10), assignee=technician)
    soon = make_ticket(northwind, due_in=timedelta(minutes=45))
    done = make_ticket(northwind, status=Status.RESOLVED)
    client.force_login(technician)
    url = reverse("queue:list")
    assert set(rows(client.get(url, {"view": "ours"}))) == {new.pk, ours.pk, overdue.pk, soon.pk}
    assert set(rows(client.get(url, {"view": "theirs"}))) == {waiting.pk, offered.pk}
    assert rows(client.get(url, {"view": "due"})) == [overdue.pk, soon.pk]
    assert set(rows(client.get(url, {"view": "mine"}))) == {waiting.pk, overdue.pk}
    assert done.pk in rows(client.get(url, {"view": "all"}))
    response = client.get(url, {"view": "ours"})
    counts = response.context["queue"].counts
    assert (counts["ours"], counts["theirs"], counts["due"], counts["mine"]) == (4, 2, 2, 2)
    html = response.content.decode()
    assert 'aria-current="page"' in html and "Our turn" in html
    assert "Waiting for the customer" in html and "Due soon or overdue" in html
    # The lead's "mine" is the lead's own.
    client.force_login(lead)
    assert rows(client.get(url, {"view": "mine"})) == [ours.pk]


def test_each_tab_count_is_what_the_tab_lists(client, northwind, technician):
    for status in Status:
        make_ticket(northwind, status=status, due_in=timedelta(minutes=30))
        make_ticket(northwind, status=status, due_in=timedelta(minutes=-30), assignee=technician)
    client.force_login(technician)
    url = reverse("queue:list")
    counts = client.get(url, {"view": "all"}).context["queue"].counts
    for tab in TABS:
        listed = client.get(url, {"view": tab.key}).context["queue"].page.paginator.count
        assert counts[tab.key] == listed, tab.key
    # The tab and the same filter chosen by hand list the same tickets.
    by_hand = client.get(url, {"sla": "due"}).context["queue"].page.paginator.count
    assert by_hand == counts["due"]
    assert VIEWS["due"].params == {"sla": ["due"]}


def test_rows_show_the_requester_the_customer_and_the_last_activity(client, northwind, technician):
    ticket = make_ticket(northwind, subject="Mailbox full")
    Ticket.objects.filter(pk=ticket.pk).update(requester=user(SARA))
    client.force_login(technician)
    html = client.get(reverse("queue:list")).content.decode()
    assert f'title="{SARA}">Sara Berg</span>' in html
    assert '<strong class="customer">Northwind Webshop Oy</strong>' in html
    assert "Last activity" in html and "under a minute ago" in html
    services.message_post(ticket_id=ticket.pk, author=technician, body="On it.")
    row = client.get(reverse("queue:list")).context["queue"].rows[0]
    assert row.ticket.last_activity == ticket.messages.get().created_at
    assert row.requester_name == "Sara Berg"


# --- search ----------------------------------------------------------------------------


def test_search_finds_by_number_requester_customer_and_text(client, northwind, daugava, technician):
    sara = make_ticket(northwind, subject="Mailbox full", body="The inbox says quota.")
    Ticket.objects.filter(pk=sara.pk).update(requester=user(SARA))
    other = make_ticket(northwind, subject="Backup question")
    latvian = make_ticket(daugava, subject="Pasts nedarbojas")
    client.force_login(technician)
    url = reverse("queue:list")

    def found(q: str) -> set[int]:
        return set(rows(client.get(url, {"q": q})))

    assert found(f"#{other.pk}") == {other.pk}
    assert found(str(other.pk)) >= {other.pk}
    assert found("sara@northwind") == {sara.pk}
    assert found("SARA BERG") == {sara.pk}
    assert found("Daugavas") == {latvian.pk}
    assert found("northwind webshop") == {sara.pk, other.pk}
    assert found("quota") == {sara.pk}
    assert found("backup") == {other.pk}
    assert found("nobody like this") == set()


# --- inline changes on a row -------------------------------------------------------------


def test_a_row_is_changed_in_place(client, northwind, technician, lead):
    ticket = make_ticket(northwind, verdict="needs_review", service=None)
    client.force_login(technician)

    def change(field: str, value: str):
        return client.post(
            reverse("queue:row-change", args=[ticket.pk, field]),
            {f"row-{ticket.pk}-{field}": value},
            headers=HTMX,
        )

    response = change("assignee", "lead")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith(f'<tr id="row-{ticket.pk}"') and "<html" not in html
    assert '<option value="lead" selected>' in html
    response = change("priority", "high")
    assert response.status_code == 200
    response = change("status", Status.WAITING_ON_CUSTOMER)
    assert response.status_code == 200
    response = change("service", "hosting.email")
    assert response.status_code == 200
    ticket.refresh_from_db()
    assert ticket.assignee == lead
    assert ticket.priority == "high"
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert ticket.service.code == "hosting.email"
    assert ticket.decisions.get(is_current=True).decided_by == technician
    # A change no person may make is said on the row, and nothing changes.
    response = change("status", Status.CLOSED)
    assert response.status_code == 409
    assert 'class="row-error small" role="alert"' in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    assert change("assignee", SARA).status_code == 400


def test_a_row_change_reads_its_own_row_among_the_whole_forms_values(client, northwind, technician):
    """htmx sends the values of the bulk form that holds every row: the other
    rows' selects must not decide this row's change."""
    one, two = make_ticket(northwind), make_ticket(northwind)
    client.force_login(technician)
    response = client.post(
        reverse("queue:row-change", args=[one.pk, "assignee"]),
        {
            f"row-{one.pk}-assignee": "tech",
            f"row-{two.pk}-assignee": "",
            "assignee": "",  # the bulk bar's own select
            "tickets": [two.pk],
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.assignee, two.assignee) == (technician, None)


def test_without_javascript_a_row_change_goes_back_to_the_list(client, northwind, technician):
    ticket = make_ticket(northwind)
    client.force_login(technician)
    back = reverse("queue:list") + "?view=unassigned"
    response = client.post(
        reverse("queue:row-change", args=[ticket.pk, "assignee"]),
        {f"row-{ticket.pk}-assignee": "tech", "next": back},
    )
    assert response["Location"] == back
    ticket.refresh_from_db()
    assert ticket.assignee == technician


def test_row_changes_need_the_ticket_permission_and_the_csrf_token(
    client, northwind, technician, onlooker
):
    ticket = make_ticket(northwind)
    url = reverse("queue:row-change", args=[ticket.pk, "assignee"])
    client.force_login(onlooker)
    response = client.post(url, {f"row-{ticket.pk}-assignee": "onlooker"}, headers=HTMX)
    assert response.status_code == 403
    assert "You may not change tickets." in response.content.decode()
    client.force_login(user(AINO))
    assert client.post(url, {f"row-{ticket.pk}-assignee": "tech"}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(technician)
    assert strict.post(url, {f"row-{ticket.pk}-assignee": "tech"}, headers=HTMX).status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert client.post(
        reverse("queue:row-change", args=[ticket.pk, "verdict"]), {"row-verdict": "in_scope"}
    ).status_code in (403, 404)


# --- bulk changes -----------------------------------------------------------------------


def test_bulk_status_priority_and_close(client, northwind, technician):
    one, two = make_ticket(northwind), make_ticket(northwind)
    closed = make_ticket(northwind, status=Status.CLOSED)
    client.force_login(technician)
    url = reverse("queue:bulk-change")
    response = client.post(
        url,
        {"tickets": [one.pk, two.pk], "action": "priority", "priority": "urgent"},
        follow=True,
    )
    assert "Priority changed on 2 of the selected tickets." in response.content.decode()
    assert set(Ticket.objects.filter(priority="urgent").values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }
    response = client.post(
        url,
        {"tickets": [one.pk, closed.pk], "action": "status", "status": "waiting_on_customer"},
        follow=True,
    )
    html = response.content.decode()
    assert "Status changed on 1 of the selected tickets." in html
    assert f"Left as they were (the change does not suit them): #{closed.pk}." in html
    response = client.post(url, {"tickets": [one.pk, two.pk, closed.pk], "action": "close"})
    assert response["Location"] == reverse("queue:list")
    assert Ticket.objects.get(pk=one.pk).status == Status.RESOLVED
    assert Ticket.objects.get(pk=two.pk).status == Status.RESOLVED
    assert Ticket.objects.get(pk=closed.pk).status == Status.CLOSED
    response = client.post(url, {"action": "close"}, follow=True)
    assert "Select at least one ticket first." in response.content.decode()


def test_bulk_changes_need_the_ticket_permission_and_the_csrf_token(
    client, northwind, technician, onlooker
):
    ticket = make_ticket(northwind)
    data = {"tickets": [ticket.pk], "action": "close"}
    client.force_login(onlooker)
    assert client.post(reverse("queue:bulk-change"), data).status_code == 403
    client.force_login(user(AINO))
    assert client.post(reverse("queue:bulk-change"), data).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(technician)
    assert strict.post(reverse("queue:bulk-change"), data).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_the_bulk_services_change_each_ticket_as_one_change_would(northwind, technician):
    one, two = make_ticket(northwind), make_ticket(northwind)
    assert services.tickets_change_priority(
        ticket_ids=[one.pk, two.pk], priority="high", by=technician
    ) == (2, [])
    # Already as asked: nothing to change, nothing refused.
    assert services.tickets_change_priority(
        ticket_ids=[one.pk], priority="high", by=technician
    ) == (0, [])
    assert services.tickets_close(ticket_ids=[one.pk]) == (1, [])
    assert services.tickets_close(ticket_ids=[one.pk, two.pk]) == (1, [one.pk])
    one.refresh_from_db()
    assert one.resolved_at is not None
    with pytest.raises(services.TicketError):
        services.tickets_change_status(ticket_ids=[], status=Status.OPEN)
    with pytest.raises(services.TicketError):
        services.tickets_change_priority(ticket_ids=[two.pk], priority="whenever", by=technician)


# --- saved views --------------------------------------------------------------------------


def test_a_technician_saves_lists_and_deletes_their_own_views(client, northwind, technician, lead):
    mail = make_ticket(northwind, subject="Mailbox full", priority="high")
    client.force_login(technician)
    response = client.post(
        reverse("queue:view-save"),
        {"name": "Urgent mail", "query": "q=mailbox&priority=high&page=3&password=x"},
    )
    view = SavedView.objects.get(user=technician)
    assert view.query == "q=mailbox&priority=high"  # the page and unknown keys are left out
    assert response["Location"] == reverse("queue:list") + "?q=mailbox&priority=high"
    html = client.get(reverse("queue:list")).content.decode()
    assert "?q=mailbox&amp;priority=high" in html and "Urgent mail" in html
    assert rows(client.get(reverse("queue:list") + "?" + view.query)) == [mail.pk]
    # Saved again under the same name: the view follows, no second one.
    client.post(
        reverse("queue:view-save"), {"name": "Urgent mail", "query": "view=mine"}, follow=True
    )
    assert SavedView.objects.get(user=technician).query == "view=mine"

    # The lead sees none of it and cannot delete it.
    client.force_login(lead)
    assert "Urgent mail" not in client.get(reverse("queue:list")).content.decode()
    response = client.post(reverse("queue:view-delete", args=[view.pk]))
    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()

    client.force_login(technician)
    response = client.post(reverse("queue:view-delete", args=[view.pk]), follow=True)
    assert "View “Urgent mail” deleted." in response.content.decode()
    assert not SavedView.objects.exists()


def test_a_view_needs_a_name(client, technician):
    client.force_login(technician)
    response = client.post(reverse("queue:view-save"), {"name": "  ", "query": "view=mine"})
    assert response.status_code == 302
    assert not SavedView.objects.exists()


# --- keyboard and refresh ---------------------------------------------------------------


def test_the_keyboard_shortcuts_are_listed_on_the_list_and_the_ticket_page(
    client, northwind, technician
):
    ticket = make_ticket(northwind)
    client.force_login(technician)
    for url in (reverse("queue:list"), reverse("queue:ticket", args=[ticket.pk])):
        html = client.get(url).content.decode()
        assert '<dialog id="shortcuts-help"' in html
        for key in ("j", "k", "a", "r", "n", "e", "x", "/", "?"):
            assert f"<kbd>{key}</kbd>" in html, key
        assert 'data-show-keys aria-keyshortcuts="?"' in html
    row = client.get(reverse("queue:list")).content.decode()
    assert f'data-url="{reverse("queue:ticket", args=[ticket.pk])}"' in row
    assert 'data-me="tech"' in row


def test_the_refresh_counts_the_tickets_filed_since_the_list_was_drawn(
    client, northwind, technician
):
    first = make_ticket(northwind)
    client.force_login(technician)
    page = client.get(reverse("queue:list"))
    assert page.context["queue"].newest == first.pk
    html = page.content.decode()
    assert f'hx-get="{reverse("queue:news")}?since={first.pk}"' in html
    assert 'hx-trigger="every 20s, queue-poll"' in html
    news = reverse("queue:news")
    assert client.get(news, {"since": first.pk}).content.decode().strip() == ""
    make_ticket(northwind)
    make_ticket(northwind)
    make_ticket(northwind, status=Status.RESOLVED)
    html = client.get(news, {"since": first.pk}, headers=HTMX).content.decode()
    assert "2 new tickets" in html and "data-show-new" in html
    assert client.get(news, {"since": "x"}).content.decode().strip() == ""
    client.force_login(user(AINO))
    assert client.get(news, {"since": 0}).status_code == 403


# --- outside hours ----------------------------------------------------------------------


def test_the_outside_hours_note_goes_once_a_technician_has_replied(client, northwind, technician):
    ticket = make_ticket(northwind, verdict="outside_hours", due_in=None)
    Ticket.objects.filter(pk=ticket.pk).update(requester=user(SARA))
    monday_8 = timezone.now() + timedelta(days=6, hours=-2)
    ScopeDecision.objects.filter(ticket=ticket, is_current=True).update(starts_at=monday_8)
    portal = Client()
    portal.force_login(user(SARA))
    portal_url = reverse("portal:ticket", args=[ticket.pk])
    assert "We start on Sunday" in portal.get(portal_url).content.decode()
    client.force_login(technician)
    list_url, page_url = reverse("queue:list"), reverse("queue:ticket", args=[ticket.pk])
    assert "Outside hours — work starts Sunday 08:00" in client.get(list_url).content.decode()
    assert "Work starts" in client.get(page_url).content.decode()
    # An internal note is no answer to the customer.
    services.message_post(ticket_id=ticket.pk, author=technician, body="Look", internal=True)
    assert "work starts" in client.get(list_url).content.decode()
    services.message_post(ticket_id=ticket.pk, author=technician, body="We are on it now.")
    assert "work starts" not in client.get(list_url).content.decode()
    assert "Work starts" not in client.get(page_url).content.decode()
    # The portal's card has said the same since before this queue: under way, no start time.
    assert "We start on" not in portal.get(portal_url).content.decode()


def test_a_staff_member_with_no_group_still_reads_the_queue(client, northwind, onlooker):
    make_ticket(northwind, subject="Mail is down")
    client.force_login(onlooker)
    assert "Mail is down" in client.get(reverse("queue:list")).content.decode()
    assert get_user_model().objects.get(username="onlooker").is_staff
