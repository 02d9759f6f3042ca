"""The technicians' queue: who may see it, the saved views and filters, bulk
assignment, and that it stays safe and fast whatever is in the tickets."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.models import Customer, Service
from tickets import services
from tickets.models import CannedReply, Message, ScopeDecision, Status, Ticket
from tickets.queue.selectors import SAVED_VIEWS, SLA_SHORTCUTS

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
SARA = "sara@northwind.example"
AINO = "aino@northwind.example"
OLGA = "olga@volga-media.example"
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"

# Things people paste into tickets that must never run in a technician's browser.
XSS = [
    "<script>alert('subject')</script>",
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(2)"><circle r="1"/></svg>',
    '<a href="javascript:alert(3)">click me</a>',
    "[markdown link](javascript:alert(4))",
    '"><iframe src="javascript:alert(5)"></iframe>',
    "javascript:alert(6)",
    '<div hx-get="/queue/" hx-trigger="load">htmx</div>',
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_morning():
    """The clock stands at Monday 23 November 2026, 10:00 in Helsinki."""
    with time_machine.travel(MONDAY_10, tick=False):
        yield


def user(email: str):
    return get_user_model().objects.get(email=email)


def make_ticket(
    customer: Customer,
    *,
    subject: str = "Help",
    verdict: str = "in_scope",
    priority: str = "normal",
    status: str = Status.OPEN,
    assignee=None,
    service: str | None = "hosting.email",
    due_in: timedelta | None = timedelta(hours=4),
    body: str = "Please help.",
) -> Ticket:
    """A decided ticket written straight to the database: fast, for lists of many."""
    now = timezone.now()
    picked = Service.objects.get(code=service) if service else None
    ticket = Ticket.objects.create(
        customer=customer,
        contract=customer.contracts.order_by("-valid_from").first(),
        requester=customer.contacts.select_related("user").first().user,
        subject=subject,
        body=body,
        service=picked,
        priority=priority,
        status=status,
        assignee=assignee,
        verdict=verdict,
        decided_at=now,
        sla_started_at=now if due_in is not None else None,
        first_response_due=now + due_in if due_in is not None else None,
        resolution_due=now + 3 * due_in if due_in is not None else None,
    )
    earlier = ScopeDecision.objects.create(
        ticket=ticket, verdict="needs_review", reason="unclear", is_current=False
    )
    ScopeDecision.objects.create(
        ticket=ticket,
        verdict=verdict,
        reason="clause",
        service=picked,
        clause_snapshot={}
        if verdict == "needs_review"
        else {"text": f"Clause wording for {subject}", "coverage": "included"},
        supersedes=earlier,
    )
    return ticket


def rows(response) -> list[int]:
    """The ticket numbers of the list, in the order shown."""
    return [row.ticket.pk for row in response.context["queue"].rows]


class SafeHtml(HTMLParser):
    """Collects whatever in a page could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value}>")
            if name.startswith("hx-") and tag == "div" and value == "/queue/":
                self.problems.append(f"<{tag} {name}> from a ticket")
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.problems.append("<script> without a static src")
        if tag in ("iframe", "svg", "object", "embed"):
            self.problems.append(f"<{tag}>")


def assert_nothing_runs(response) -> None:
    parser = SafeHtml()
    parser.feed(response.content.decode())
    assert parser.problems == []


# --- who may see the queue ---------------------------------------------------------


QUEUE_PAGES = [
    ("queue:list", False, "get"),
    ("queue:customers", False, "get"),
    ("queue:bulk-assign", False, "post"),
    ("queue:ticket", True, "get"),
    ("queue:reply", True, "post"),
    ("queue:note", True, "post"),
    ("queue:assign", True, "post"),
    ("queue:status", True, "post"),
    ("queue:priority", True, "post"),
    ("queue:service", True, "post"),
    ("queue:time", True, "post"),
    ("queue:override", True, "post"),
]


@pytest.mark.parametrize(("name", "takes_ticket", "method"), QUEUE_PAGES)
def test_it_sends_anonymous_visitors_to_log_in(client, northwind, name, takes_ticket, method):
    ticket = make_ticket(northwind)
    url = reverse(name, args=[ticket.pk] if takes_ticket else [])
    response = getattr(client, method)(url, {"body": "x", "assignee": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_expired_session_sends_htmx_to_the_login_page(client, northwind):
    ticket = make_ticket(northwind)
    page = reverse("queue:ticket", args=[ticket.pk])
    response = client.post(
        reverse("queue:reply", args=[ticket.pk]),
        {"reply-body": "x"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
    assert not Message.objects.exists()


@pytest.mark.parametrize(("name", "takes_ticket", "method"), QUEUE_PAGES)
def test_it_turns_customers_contacts_away(client, northwind, name, takes_ticket, method):
    ticket = make_ticket(northwind)  # the contact's own organisation's ticket
    client.force_login(user(AINO))
    url = reverse(name, args=[ticket.pk] if takes_ticket else [])
    response = getattr(client, method)(
        url, {"body": "x", "assignee": "", "tickets": [ticket.pk], "minutes": 5}
    )
    assert response.status_code == 403
    # Aino reads the desk in Finnish: "this page is for the support team".
    assert "tarkoitettu tukitiimille" in response.content.decode()
    assert not Message.objects.filter(ticket=ticket).exists()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_a_contact_is_pointed_to_their_own_tickets(client, northwind):
    client.force_login(user(SARA))
    response = client.get(reverse("queue:list"))
    assert reverse("portal:tickets") in response.content.decode()


def test_it_shows_the_queue_to_technicians_and_leads(client, northwind, technician, lead):
    make_ticket(northwind, subject="Mail is down")
    for member in (technician, lead):
        client.force_login(member)
        response = client.get(reverse("queue:list"))
        assert response.status_code == 200
        assert "Mail is down" in response.content.decode()


# --- the list ----------------------------------------------------------------------


def test_it_sorts_open_tickets_by_sla_due_with_unstarted_clocks_last(client, northwind, technician):
    later = make_ticket(northwind, due_in=timedelta(hours=6))
    sooner = make_ticket(northwind, due_in=timedelta(minutes=30))
    waiting = make_ticket(
        northwind, verdict="paid_option", status=Status.AWAITING_DECISION, due_in=None
    )
    breached = make_ticket(northwind, due_in=timedelta(minutes=-35))
    make_ticket(northwind, status=Status.RESOLVED)
    client.force_login(technician)
    response = client.get(reverse("queue:list"))
    assert rows(response) == [breached.pk, sooner.pk, later.pk, waiting.pk]


def test_each_row_shows_the_verdict_badge_the_clause_and_the_time_left(
    client, northwind, technician
):
    make_ticket(northwind, subject="Soon", due_in=timedelta(hours=1, minutes=10))
    make_ticket(northwind, subject="Late", due_in=timedelta(minutes=-35))
    make_ticket(northwind, subject="Later", due_in=timedelta(days=2, hours=3))
    client.force_login(technician)
    html = client.get(reverse("queue:list")).content.decode()
    assert '<span class="badge in_scope">In scope</span>' in html
    assert "Clause wording for Soon" in html
    assert '<span class="sla soon"' in html and "1 h 10 min left" in html
    assert '<span class="sla breached"' in html and "Breached 35 min ago" in html
    assert "2 d 3 h left" in html


def test_an_undecided_or_unclear_ticket_says_what_the_technician_should_do(
    client, northwind, technician
):
    make_ticket(northwind, verdict="needs_review", service=None)
    client.force_login(technician)
    html = client.get(reverse("queue:list")).content.decode()
    assert "Needs review" in html
    assert "The service is unclear: choose it to decide the ticket." in html


def test_the_saved_views_show_mine_unassigned_and_awaiting_decision(
    client, northwind, technician, lead
):
    mine = make_ticket(northwind, assignee=technician)
    theirs = make_ticket(northwind, assignee=lead)
    nobodys = make_ticket(northwind)
    offered = make_ticket(
        northwind, verdict="paid_option", status=Status.AWAITING_DECISION, due_in=None
    )
    unclear = make_ticket(northwind, verdict="needs_review")
    done = make_ticket(northwind, status=Status.RESOLVED, assignee=technician)
    client.force_login(technician)
    url = reverse("queue:list")
    assert set(rows(client.get(url, {"view": "mine"}))) == {mine.pk}
    assert set(rows(client.get(url, {"view": "unassigned"}))) == {
        nobodys.pk,
        offered.pk,
        unclear.pk,
    }
    assert rows(client.get(url, {"view": "awaiting"})) == [offered.pk]
    assert rows(client.get(url, {"view": "review"})) == [unclear.pk]
    assert set(rows(client.get(url, {"view": "all"}))) == {
        mine.pk,
        theirs.pk,
        nobodys.pk,
        offered.pk,
        unclear.pk,
        done.pk,
    }
    response = client.get(url)
    assert done.pk not in rows(response)
    counts = response.context["queue"].counts
    assert (counts["open"], counts["mine"], counts["unassigned"], counts["awaiting"]) == (
        5,
        1,
        3,
        1,
    )
    assert "all" not in counts  # the whole history is counted only when it is shown
    assert client.get(f"{url}?view=all").context["queue"].counts["all"] == 6


def test_it_filters_by_customer_verdict_priority_service_and_text(
    client, northwind, daugava, technician
):
    mail = make_ticket(northwind, subject="Mailbox full", priority="high")
    paid = make_ticket(northwind, subject="Plugin", verdict="paid_option", service=None)
    latvian = make_ticket(daugava, subject="Pasts nedarbojas: Почта не работает")
    client.force_login(technician)
    url = reverse("queue:list")
    assert set(rows(client.get(url, {"customer": "northwind"}))) == {mail.pk, paid.pk}
    assert rows(client.get(url, {"verdict": "paid_option"})) == [paid.pk]
    assert rows(client.get(url, {"priority": "high"})) == [mail.pk]
    assert set(rows(client.get(url, {"service": "hosting.email"}))) == {mail.pk, latvian.pk}
    assert rows(client.get(url, {"q": "Почта"})) == [latvian.pk]
    assert rows(client.get(url, {"q": f"#{paid.pk}"})) == [paid.pk]
    both = client.get(url, {"verdict": ["paid_option", "in_scope"]})
    assert set(rows(both)) == {mail.pk, paid.pk, latvian.pk}


def test_the_customer_filter_suggests_customers_as_one_types(
    client, northwind, daugava, technician
):
    """A desk has thousands of customers: the page carries the chosen one only,
    and the filter's list suggests those matching what is typed."""
    make_ticket(northwind)
    client.force_login(technician)
    html = client.get(reverse("queue:list")).content.decode()
    assert 'list="filter-customer-list"' in html and "Daugavas" not in html
    chosen = client.get(reverse("queue:list"), {"customer": "northwind"})
    assert chosen.context["queue"].customer == northwind
    assert '<option value="northwind">Northwind Webshop Oy</option>' in chosen.content.decode()

    def suggested(text: str) -> list[str]:
        response = client.get(reverse("queue:customers"), {"customer": text})
        assert response.status_code == 200
        return re.findall(r'<option value="([^"]+)">', response.content.decode())

    assert suggested("daug") == ["daugava"]  # by name
    assert suggested("WEBSHOP") == ["northwind"]
    assert suggested("") == ["northwind", "daugava"]  # by name: Northwind, SIA Daugavas
    assert suggested("nobody") == []


def test_it_filters_breached_and_due_soon_tickets(client, northwind, technician):
    breached = make_ticket(northwind, due_in=timedelta(minutes=-5))
    soon = make_ticket(northwind, due_in=timedelta(minutes=90))
    make_ticket(northwind, due_in=timedelta(hours=5))
    client.force_login(technician)
    url = reverse("queue:list")
    assert rows(client.get(url, {"sla": "breached"})) == [breached.pk]
    assert rows(client.get(url, {"sla": "due_soon"})) == [soon.pk]
    counts = client.get(url).context["queue"].counts
    assert (counts["breached"], counts["due_soon"]) == (1, 1)


def test_every_count_is_the_number_of_tickets_its_view_lists(client, northwind, technician, lead):
    for assignee in (technician, lead, None):
        make_ticket(northwind, assignee=assignee)
        make_ticket(northwind, assignee=assignee, due_in=timedelta(minutes=-5))
        make_ticket(northwind, assignee=assignee, due_in=timedelta(minutes=30))
        make_ticket(northwind, assignee=assignee, verdict="needs_review")
        make_ticket(
            northwind, assignee=assignee, status=Status.AWAITING_DECISION, verdict="paid_option"
        )
        make_ticket(northwind, assignee=assignee, status=Status.RESOLVED)
    client.force_login(technician)
    url = reverse("queue:list")
    counts = client.get(url, {"view": "all"}).context["queue"].counts
    assert counts["all"] == Ticket.objects.count() == 18
    for view in SAVED_VIEWS:
        listed = client.get(url, {"view": view.key}).context["queue"].page.paginator.count
        assert counts[view.key] == listed, view.key
    for shortcut in SLA_SHORTCUTS:
        listed = client.get(url, shortcut.params).context["queue"].page.paginator.count
        assert counts[shortcut.key] == listed, shortcut.key


def test_it_orders_by_priority_most_urgent_first(client, northwind, technician):
    low = make_ticket(northwind, priority="low", due_in=timedelta(minutes=10))
    urgent = make_ticket(northwind, priority="urgent", due_in=timedelta(hours=3))
    high = make_ticket(northwind, priority="high")
    client.force_login(technician)
    response = client.get(reverse("queue:list"), {"ordering": "priority"})
    assert rows(response) == [urgent.pk, high.pk, low.pk]


def test_it_pages_through_many_tickets(client, northwind, technician):
    for n in range(30):
        make_ticket(northwind, subject=f"Ticket {n}", due_in=timedelta(minutes=10 + n))
    client.force_login(technician)
    first = client.get(reverse("queue:list"))
    second = client.get(reverse("queue:list"), {"page": 2})
    assert len(rows(first)) == 25 and len(rows(second)) == 5
    assert not set(rows(first)) & set(rows(second))
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()


def test_the_filter_form_updates_only_the_results_in_place(client, northwind, technician):
    make_ticket(northwind, subject="Mailbox full")
    client.force_login(technician)
    response = client.get(
        reverse("queue:list"),
        {"q": "mailbox", "view": "open"},
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="queue-results"' in html and "Mailbox full" in html
    assert 'id="queue-tabs" class="tabs" aria-label="Saved views" hx-swap-oob="true"' in html


def test_an_empty_view_says_so(client, northwind, technician):
    client.force_login(technician)
    html = client.get(reverse("queue:list"), {"view": "mine"}).content.decode()
    assert "Nothing assigned to you right now." in html
    html = client.get(reverse("queue:list"), {"q": "nothing like this"}).content.decode()
    assert "No ticket matches these filters." in html


# --- the filters can never become an oracle -----------------------------------------


def test_filters_outside_the_allow_list_are_ignored(client, northwind, technician, lead):
    """A parameter that names a related column (a password hash, an e-mail) is no
    filter: the list is the same whatever its value, so it reveals nothing."""
    make_ticket(northwind, assignee=lead)
    make_ticket(northwind, assignee=technician)
    client.force_login(technician)
    url = reverse("queue:list")
    everything = rows(client.get(url))
    for name in (
        "assignee__password",
        "assignee__password__startswith",
        "requester__email__startswith",
        "customer__contacts__user__password__startswith",
        "body__regex",
    ):
        for value in ("pbkdf2_sha256", "zzz", "l", "."):
            response = client.get(url, {name: value})
            assert response.status_code == 200
            assert rows(response) == everything, (name, value)


def test_ordering_outside_the_allow_list_is_ignored_and_said(client, northwind, technician):
    a = make_ticket(northwind, due_in=timedelta(hours=1))
    b = make_ticket(northwind, due_in=timedelta(hours=2))
    client.force_login(technician)
    url = reverse("queue:list")
    for ordering in ("assignee__password", "-assignee__password", "requester__email", "body"):
        response = client.get(url, {"ordering": ordering})
        assert response.status_code == 200
        assert rows(response) == [a.pk, b.pk]
        assert "were not understood and were left out: Order" in response.content.decode()


def test_bad_filter_values_are_left_out_with_a_notice(client, northwind, technician):
    ticket = make_ticket(northwind)
    client.force_login(technician)
    response = client.get(
        reverse("queue:list"), {"verdict": "<script>x</script>", "customer": "nobody"}
    )
    assert response.status_code == 200
    assert rows(response) == [ticket.pk]
    html = response.content.decode()
    assert "were not understood" in html and "Verdict" in html and "Customer" in html
    assert "<script>x</script>" not in html


def test_the_assignee_filter_matches_staff_only(client, northwind, technician):
    make_ticket(northwind, assignee=technician)
    client.force_login(technician)
    url = reverse("queue:list")
    assert len(rows(client.get(url, {"assignee": "tech"}))) == 1
    # A contact's username (their e-mail) is never a match, assigned or not.
    assert rows(client.get(url, {"assignee": SARA})) == []


# --- bulk assignment ------------------------------------------------------------------


def test_a_technician_assigns_several_tickets_at_once(client, northwind, technician, lead):
    one, two, three = (make_ticket(northwind) for _ in range(3))
    client.force_login(technician)
    back = reverse("queue:list") + "?view=unassigned"
    response = client.post(
        reverse("queue:bulk-assign"),
        {"tickets": [one.pk, two.pk], "assignee": "lead", "next": back},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == back
    assert "2 tickets assigned to lead." in response.content.decode()
    assert set(Ticket.objects.filter(assignee=lead).values_list("pk", flat=True)) == {
        one.pk,
        two.pk,
    }
    three.refresh_from_db()
    assert three.assignee is None
    response = client.post(
        reverse("queue:bulk-assign"), {"tickets": [one.pk], "assignee": ""}, follow=True
    )
    assert "1 ticket is now unassigned." in response.content.decode()
    one.refresh_from_db()
    assert one.assignee is None


def test_bulk_assignment_refuses_non_staff_and_empty_selections(client, northwind, technician):
    ticket = make_ticket(northwind)
    client.force_login(technician)
    url = reverse("queue:bulk-assign")
    response = client.post(url, {"tickets": [ticket.pk], "assignee": SARA}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    response = client.post(url, {"assignee": "tech"}, follow=True)
    assert "Select at least one ticket first." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_bulk_assignment_never_redirects_elsewhere(client, northwind, technician):
    ticket = make_ticket(northwind)
    client.force_login(technician)
    response = client.post(
        reverse("queue:bulk-assign"),
        {"tickets": [ticket.pk], "assignee": "tech", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("queue:list")


def test_the_bulk_assign_service_assigns_staff_only(northwind, technician):
    ticket = make_ticket(northwind)
    with pytest.raises(services.TicketError):
        services.tickets_assign(ticket_ids=[ticket.pk], assignee=user(SARA))
    assert services.tickets_assign(ticket_ids=[ticket.pk], assignee=technician)
    ticket.refresh_from_db()
    assert ticket.assignee == technician


# --- safe and fast whatever is in the tickets ----------------------------------------


def test_nothing_from_a_ticket_runs_in_the_list(client, northwind, technician):
    northwind.name = "<script>alert('customer')</script> Oy"
    northwind.save()
    for text in XSS:
        make_ticket(northwind, subject=text[:200], body=text)
    client.force_login(technician)
    response = client.get(reverse("queue:list"))
    html = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert_nothing_runs(response)


def _list_queries(client, url: str, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return len(queries)


def test_the_list_runs_the_same_number_of_queries_for_5_and_50_tickets(
    client, northwind, daugava, technician, lead
):
    client.force_login(technician)
    urls = [
        reverse("queue:list"),
        reverse("queue:list") + "?view=all",
        reverse("queue:list") + "?view=mine&ordering=priority",
        reverse("queue:list") + "?customer=northwind&verdict=in_scope&q=help&sla=due_soon",
        reverse("queue:list") + "?incident=all&view=all",
        reverse("queue:list") + "?view=ours",
        reverse("queue:list") + "?view=theirs&ordering=-updated",
        reverse("queue:list") + "?view=due",
        reverse("queue:list") + "?q=northwind",  # the requester, the customer, the text
        reverse("queue:list") + "?q=sara%40northwind.example&assignee=none",
    ]

    # An open incident stands for its tickets above the list: they cost no query each.
    outage = services.incident_open(
        by=technician,
        title="Servers down",
        services=[Service.objects.get(code="hosting.availability")],
        texts={"en": "Our servers are down."},
    )

    def add(count: int) -> None:
        for n in range(count):
            linked = make_ticket(northwind, subject=f"Down {n}")
            services.incident_ticket_link(ticket_id=linked.pk, incident_id=outage.pk, by=technician)
            make_ticket(
                (northwind, daugava)[n % 2],
                assignee=(technician, lead, None)[n % 3],
                verdict=("in_scope", "paid_option", "needs_review")[n % 3],
                priority=("urgent", "high", "normal", "low")[n % 4],
                service=("hosting.email", None)[n % 2],
                due_in=timedelta(minutes=30 + 7 * n),
            )

    htmx = {"HX-Request": "true", "HX-Target": "queue-results"}
    add(5)
    client.get(urls[0])  # warm the session and the content types
    few = [_list_queries(client, url) for url in urls] + [_list_queries(client, urls[3], **htmx)]
    add(45)
    many = [_list_queries(client, url) for url in urls] + [_list_queries(client, urls[3], **htmx)]
    assert few == many
    # 17: the technician's own saved views are one query of the whole page, and a
    # page reads its ids before its rows (tickets/paging.py). A search by name or
    # words reads the matching customers and contacts first: one more.
    counted = list(zip([*urls, urls[3]], few, strict=True))
    assert max(n for url, n in counted if "q=" not in url) <= 17
    assert max(n for url, n in counted if "q=" in url) <= 18


# --- canned replies in the admin ----------------------------------------------------


def test_leads_edit_canned_replies_and_technicians_only_use_them(client, technician, lead):
    # Technicians pick canned replies on the ticket page; the admin is closed to them.
    client.force_login(technician)
    assert client.get(reverse("admin:tickets_cannedreply_changelist")).status_code == 403
    assert client.get(reverse("admin:tickets_cannedreply_add")).status_code == 403
    client.force_login(lead)
    response = client.post(
        reverse("admin:tickets_cannedreply_add"),
        {"title": "Looking into it", "language": "", "body": "We are on it.", "position": 0},
    )
    assert response.status_code == 302
    assert CannedReply.objects.get().title == "Looking into it"


def test_tickets_are_read_only_in_the_admin(client, northwind, lead):
    ticket = make_ticket(northwind)
    client.force_login(lead)
    response = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert response.status_code == 200
    assert reverse("queue:ticket", args=[ticket.pk]) in response.content.decode()
    response = client.post(
        reverse("admin:tickets_ticket_change", args=[ticket.pk]), {"subject": "Changed"}
    )
    assert response.status_code == 403
