"""The queue in a real Chromium, as a technician works it for a day: the tabs, the
search, an inline assignment, a bulk close, the ? overlay, j/k and a on the
keyboard, a saved view, the banner that says a new ticket came in while the
page was open, and the out-of-hours note that goes once a technician has replied."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SARA
from tests.tickets.test_queue import make_ticket
from tickets.models import SavedView, ScopeDecision, Status, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def day(northwind, daugava, technician, lead) -> dict[str, Ticket]:
    """A morning's queue: Sara's mail problem, two unassigned tickets, one of the
    lead's, one waiting for the customer."""
    sara = make_ticket(northwind, subject="Mailbox full", due_in=timedelta(minutes=50))
    Ticket.objects.filter(pk=sara.pk).update(requester=get_user_model().objects.get(email=SARA))
    return {
        "sara": sara,
        "backup": make_ticket(northwind, subject="Backup restore", due_in=timedelta(hours=3)),
        "latvian": make_ticket(daugava, subject="Pasts nedarbojas", due_in=timedelta(hours=5)),
        "leads": make_ticket(northwind, subject="DNS change", assignee=lead),
        "waiting": make_ticket(
            northwind, subject="Which plugin?", status=Status.WAITING_ON_CUSTOMER
        ),
    }


def row(page, ticket: Ticket):
    return page.locator(f"#row-{ticket.pk}")


def test_a_technician_works_the_queue_from_the_keyboard_and_the_rows(browse, day, technician):
    tab = browse(31)
    page = tab.page
    tab.goto("/queue/")
    tab.log_in("tech", "tech-pass")
    expect(page.get_by_role("heading", name="Queue", exact=True)).to_be_visible()
    tabs = page.locator("#queue-tabs")
    expect(tabs.get_by_role("link", name=re.compile(r"^Our turn"))).to_contain_text("4")
    expect(tabs.get_by_role("link", name=re.compile(r"^Waiting for the customer"))).to_contain_text(
        "1"
    )
    expect(row(page, day["sara"])).to_contain_text("Sara Berg")
    expect(row(page, day["sara"])).to_contain_text("Northwind Webshop Oy")
    tab.shot("queue-tabs")

    # The customer's turn: only the ticket that waits for them.
    tabs.get_by_role("link", name=re.compile(r"^Waiting for the customer")).click()
    expect(page).to_have_url(re.compile(r"view=theirs"))
    expect(page.locator(".queue-table tbody tr")).to_have_count(1)
    expect(row(page, day["waiting"])).to_be_visible()
    tab.shot("queue-customers-turn")

    # / goes to the search; the requester's name finds her ticket.
    tab.goto("/queue/")
    page.keyboard.press("/")
    search = page.locator("#filter-q")
    expect(search).to_be_focused()
    page.keyboard.type("sara berg")
    expect(page.locator(".queue-table tbody tr")).to_have_count(1)
    expect(row(page, day["sara"])).to_be_visible()
    # Typing j in the box is text, not a shortcut.
    page.keyboard.type(" j")
    expect(search).to_have_value("sara berg j")
    tab.shot("queue-search")

    # The customer filter suggests the customers matching what is typed (a desk
    # has thousands: the page carries none of them); Enter filters by the one named.
    tab.goto("/queue/")
    page.get_by_text("Filters", exact=True).click()
    customer = page.locator("#filter-customer")
    customer.press_sequentially("daug")
    expect(page.locator("#filter-customer-list option")).to_have_count(1)
    expect(page.locator("#filter-customer-list option")).to_have_attribute("value", "daugava")
    customer.fill("daugava")
    customer.press("Enter")
    expect(page).to_have_url(re.compile(r"customer=daugava"))
    expect(page.locator(".queue-table tbody tr")).to_have_count(1)
    expect(row(page, day["latvian"])).to_be_visible()
    tab.shot("queue-customer-filter")

    # The ? overlay lists every shortcut.
    tab.goto("/queue/")
    page.keyboard.press("?")
    help = page.locator("#shortcuts-help")
    expect(help).to_be_visible()
    for text in ("Next / previous ticket", "Assign to me", "Reply", "Internal note", "Resolve"):
        expect(help).to_contain_text(text)
    tab.shot("queue-shortcuts")
    page.keyboard.press("Escape")
    expect(help).to_be_hidden()

    # j j k lands on the first row; a assigns it to me, in place.
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    first = page.locator(".queue-table tbody tr").first
    expect(first).to_have_class(re.compile(r"\bcurrent\b"))
    number = int(first.get_attribute("data-ticket"))
    with page.expect_response(lambda response: "/row/assignee/" in response.url):
        page.keyboard.press("a")
    expect(row(page, Ticket.objects.get(pk=number)).locator("[data-field=assignee]")).to_have_value(
        "tech"
    )
    expect(row(page, Ticket.objects.get(pk=number))).to_have_class(re.compile(r"\bcurrent\b"))
    assert Ticket.objects.get(pk=number).assignee == technician
    tab.shot("queue-keyboard-assign")

    # An inline assignment keeps the row's selection.
    backup = row(page, day["backup"])
    backup.locator("input[name=tickets]").check()
    with page.expect_response(lambda response: "/row/assignee/" in response.url):
        backup.locator("[data-field=assignee]").select_option("lead")
    expect(page.locator(f"#row-{day['backup'].pk} [data-field=assignee]")).to_have_value("lead")
    expect(page.locator(f"#row-{day['backup'].pk} input[name=tickets]")).to_be_checked()
    assert Ticket.objects.get(pk=day["backup"].pk).assignee.username == "lead"
    tab.shot("queue-inline-assign")

    # A bulk close of two selected tickets, after a confirmation.
    row(page, day["latvian"]).locator("input[name=tickets]").check()
    expect(page.locator("[data-selected-count]")).to_contain_text("2 /")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Close selected").click()
    expect(page.locator(".flash")).to_contain_text("2 of the selected tickets resolved.")
    assert Ticket.objects.get(pk=day["latvian"].pk).status == Status.RESOLVED
    assert Ticket.objects.get(pk=day["backup"].pk).status == Status.RESOLVED
    tab.shot("queue-bulk-close")


def test_a_saved_view_and_the_new_tickets_banner(browse, day, technician, northwind):
    tab = browse(32)
    page = tab.page
    tab.goto("/queue/?view=ours")
    tab.log_in("tech", "tech-pass")
    expect(page.locator("#queue-tabs [aria-current=page]")).to_contain_text("Our turn")
    page.keyboard.press("/")
    page.keyboard.type("northwind")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=northwind"))
    # The search stays within the tab: the filters it stands for go along.
    expect(page).to_have_url(re.compile(r"status=open"))
    expect(row(page, day["waiting"])).to_have_count(0)
    page.get_by_placeholder("Name this view").fill("Northwind today")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".flash")).to_contain_text("View “Northwind today” saved.")
    view = SavedView.objects.get(user=technician)
    assert "q=northwind" in view.query
    expect(page.locator(".my-view")).to_contain_text("Northwind today")
    tab.shot("queue-saved-view")

    tab.goto("/queue/")
    page.locator(".my-view a", has_text="Northwind today").click()
    expect(page).to_have_url(re.compile(r"q=northwind"))
    expect(row(page, day["latvian"])).to_have_count(0)
    expect(row(page, day["sara"])).to_be_visible()

    # A ticket is filed while the page is open: a banner says so, the table stays.
    tab.goto("/queue/")
    page.keyboard.press("j")
    filed = make_ticket(northwind, subject="Site down since noon", due_in=timedelta(minutes=20))
    # The list asks every 20 s; the test asks now, as the timer would.
    page.evaluate("htmx.trigger('#queue-news', 'queue-poll')")
    banner = page.locator("#queue-news .new-tickets")
    expect(banner).to_contain_text("1 new ticket")
    expect(row(page, filed)).to_have_count(0)
    expect(page.locator(".queue-table tbody tr").first).to_have_class(re.compile(r"\bcurrent\b"))
    tab.shot("queue-new-tickets-banner")
    banner.get_by_role("link", name="show").click()
    expect(row(page, filed)).to_be_visible()
    expect(page.locator("#queue-news .new-tickets")).to_have_count(0)
    tab.shot("queue-new-tickets-shown")

    # On a phone the rows stack, their selects included, and nothing sticks out.
    page.set_viewport_size(PHONE)
    tab.goto("/queue/")
    expect(row(page, filed).locator("[data-field=assignee]")).to_be_visible()
    tab.fits_the_width()
    tab.shot("queue-phone")


def test_the_outside_hours_note_goes_once_a_technician_has_replied(browse, northwind, technician):
    """A ticket that came in out of hours says when work starts, in its row and on
    its page, until a technician has answered the customer: then work has begun."""
    ticket = make_ticket(northwind, subject="Mail down at night", verdict="outside_hours")
    starts = timezone.now() + timedelta(days=2)
    ScopeDecision.objects.filter(ticket=ticket, is_current=True).update(starts_at=starts)
    local = timezone.localtime(starts)
    note = f"Outside hours — work starts {date_format(local, 'l')} {local:%H:%M}"
    tab = browse(33)
    page = tab.page
    tab.goto("/queue/")
    tab.log_in("tech", "tech-pass")
    expect(row(page, ticket)).to_contain_text(note)
    tab.shot("queue-outside-hours-note")

    row(page, ticket).get_by_role("link", name=re.compile("Mail down at night")).click()
    expect(page.get_by_text("Work starts")).to_be_visible()
    reply = "Good morning, we have started on your mail now."
    page.locator("#reply textarea").fill(reply)
    page.locator("#reply").get_by_role("button", name="Send reply").click()
    expect(page.locator("#conversation")).to_contain_text(reply)
    page.reload()
    expect(page.get_by_text("Work starts")).to_have_count(0)
    tab.goto("/queue/")
    expect(row(page, ticket)).to_be_visible()
    expect(row(page, ticket)).not_to_contain_text("work starts")
    tab.shot("queue-outside-hours-note-gone")
