"""The portal keeps every customer to their own: tickets, messages, offers, files
and decisions. Another customer's object is a 404, never a 403 that would tell
it exists; and nothing a customer writes ever comes back as markup that runs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.tickets.test_portal.helpers import (
    AINO,
    IVAN,
    MAIL,
    MIKKO,
    OLGA,
    PLUGIN,
    SARA,
    logged_in,
    page,
    portal,
    upload,
)
from tickets import services
from tickets.attachments import attachment_add
from tickets.models import Attachment, Escalation, Message, Offer, Rating, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(northwind, volga, file, technician):
    """Sara's paid ticket with an offer, a file and an internal note with a file of
    its own; Mikko's ticket; Olga's ticket at another customer."""
    sara = file(SARA, PLUGIN, subject="Sara's plugin", attachments=[upload("sara.png")])
    note = services.message_post(
        ticket_id=sara.pk, author=technician, body="Internal: check the licence", internal=True
    )
    hidden = attachment_add(
        ticket_id=sara.pk,
        uploaded_by=technician,
        upload=SimpleUploadedFile("licence.txt", b"secret", "text/plain"),
        message=note,
    )
    mikko = file(MIKKO, MAIL, subject="Mikko's mail")
    olga = file(OLGA, "Почта не приходит на наш ящик, проверьте пожалуйста.", subject="Olga")
    return {"sara": sara, "mikko": mikko, "olga": olga, "hidden": hidden, "note": note}


def reads(ticket: Ticket) -> dict[str, str]:
    """Every page of the portal that shows something of this ticket."""
    urls = {
        "ticket": reverse("portal:ticket", args=[ticket.pk]),
        "decision": reverse("portal:verdict", args=[ticket.pk]),
    }
    for attachment in ticket.attachments.all():
        urls[f"attachment {attachment.name}"] = reverse("portal:attachment", args=[attachment.pk])
    return urls


def writes(ticket: Ticket) -> dict[str, tuple[str, dict]]:
    """Every action of the portal on this ticket, with valid data."""
    actions = {
        "message": (reverse("portal:reply", args=[ticket.pk]), {"body": "Let me in"}),
        "escalation": (reverse("portal:escalate", args=[ticket.pk]), {"reason": "Let me in"}),
        "rating": (reverse("portal:rate", args=[ticket.pk]), {"score": "1"}),
    }
    for offer in ticket.offers.all():
        url = reverse("portal:offer", args=[offer.pk])
        actions["offer accepted"] = (url, {"answer": "accept"})
        actions["offer declined"] = (url, {"answer": "decline"})
    return actions


def snapshot() -> tuple:
    return (
        Message.objects.count(),
        Escalation.objects.count(),
        Rating.objects.count(),
        list(Offer.objects.values_list("status", flat=True)),
    )


@pytest.mark.parametrize("outsider", [IVAN, OLGA], ids=["manager", "requester"])
def test_another_customers_contact_gets_404_for_every_object(world, outsider):
    sara = world["sara"]
    client = portal(outsider)
    for name, url in reads(sara).items():
        assert client.get(url).status_code == 404, name
    before = snapshot()
    for name, (url, data) in writes(sara).items():
        assert client.post(url, data).status_code == 404, name
    assert snapshot() == before
    listing = page(outsider, reverse("portal:tickets") + "?whose=all")
    assert "Sara" not in listing and "Mikko" not in listing


def test_a_requester_reaches_only_their_own_tickets(world):
    client = portal(MIKKO)
    for name, url in reads(world["sara"]).items():
        assert client.get(url).status_code == 404, name
    for name, (url, data) in writes(world["sara"]).items():
        assert client.post(url, data).status_code == 404, name
    assert client.get(reverse("portal:ticket", args=[world["mikko"].pk])).status_code == 200
    # Asking for the organisation's list gives a requester only their own.
    listing = page(MIKKO, reverse("portal:tickets") + "?whose=all")
    assert "Mikko&#x27;s mail" in listing and "Sara&#x27;s plugin" not in listing


def test_a_manager_reaches_the_organisations_tickets(world):
    client = portal(AINO)
    expected = {
        "ticket": 200,
        "decision": 204,  # decided: the poll asks the page to reload
        "attachment sara.png": 200,
        "attachment licence.txt": 404,  # on an internal note
    }
    assert {name: client.get(url).status_code for name, url in reads(world["sara"]).items()} == (
        expected
    )
    assert client.get(reverse("portal:ticket", args=[world["olga"].pk])).status_code == 404
    listing = page(AINO, reverse("portal:tickets") + "?whose=all")
    assert "Sara&#x27;s plugin" in listing and "Mikko&#x27;s mail" in listing
    assert "Olga" not in listing


def test_internal_notes_and_their_files_never_reach_the_customer(world):
    html = page(SARA, reverse("portal:ticket", args=[world["sara"].pk]))
    assert "check the licence" not in html
    assert "licence.txt" not in html
    hidden = reverse("portal:attachment", args=[world["hidden"].pk])
    assert portal(SARA).get(hidden).status_code == 404
    own = Attachment.objects.get(name="sara.png")
    assert portal(SARA).get(reverse("portal:attachment", args=[own.pk])).status_code == 200


def every_portal_url(world) -> list[tuple[str, str]]:
    sara = world["sara"]
    urls = [
        ("GET", reverse("portal:tickets")),
        ("GET", reverse("portal:new")),
        ("GET", reverse("portal:coverage")),
        *(("GET", url) for url in reads(sara).values()),
        *(("POST", url) for url, _ in writes(sara).values()),
        ("POST", reverse("portal:new")),
    ]
    return urls


def test_staff_are_sent_to_the_queue(world, technician):
    client = logged_in(technician)
    for method, url in every_portal_url(world):
        response = client.generic(method, url)
        assert (response.status_code, response["Location"]) == (302, reverse("queue:list")), url


def test_anonymous_visitors_are_sent_to_log_in(world):
    for method, url in every_portal_url(world):
        response = Client().generic(method, url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_a_login_that_is_no_contact_gets_no_access(world):
    stranger = get_user_model().objects.create_user("stranger", "stranger@example.com", "x")
    client = logged_in(stranger)
    response = client.get(reverse("portal:tickets"))
    assert response.status_code == 403
    assert "No access yet" in response.content.decode()


# --- markup that customers send ----------------------------------------------------

CORPUS = [
    "<script>alert('portal')</script>",
    '<a href="javascript:alert(1)">click me</a>',
    "<svg onload=alert(1)><circle r=5></svg>",
    '<img src=x onerror="alert(1)">',
    "[click me](javascript:alert(1)) and ![x](javascript:alert(2))",
    "<iframe src=//evil.example></iframe>",
    '"><script>alert(3)</script>',
]


class ExecutableMarkup(HTMLParser):
    """What a browser would run in a page: inline scripts, event handlers,
    javascript: links, and the elements that carry them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append("inline <script>")
        if tag in ("svg", "iframe", "object", "embed", "img"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")


def executable(html: str) -> list[str]:
    parser = ExecutableMarkup()
    parser.feed(html)
    parser.close()
    return parser.found


def test_markup_sent_through_the_portal_never_comes_back_executable(
    northwind, file, post, technician
):
    body = "\n".join(CORPUS)
    ticket = file(
        SARA,
        body,
        subject=CORPUS[0] + CORPUS[2],
        attachments=[upload('<img src=x onerror="alert(1)">.png')],
    )
    post(SARA, reverse("portal:reply", args=[ticket.pk]), {"body": body})
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved")
    post(SARA, reverse("portal:rate", args=[ticket.pk]), {"score": "3", "comment": CORPUS[3]})

    # Stored exactly as written ...
    ticket.refresh_from_db()
    assert ticket.body == body and ticket.subject == CORPUS[0] + CORPUS[2]
    assert ticket.messages.get(kind="public").body == body
    assert Rating.objects.get().comment == CORPUS[3]

    # ... and shown as text, line breaks kept, on every page that shows it.
    detail = page(SARA, reverse("portal:ticket", args=[ticket.pk]))
    assert executable(detail) == []
    assert detail.count(escape(body)) == 2  # the request and the reply
    assert escape(CORPUS[3]) in detail
    assert escape('<img src=x onerror="alert(1)">.png') in detail
    for url in (reverse("portal:tickets"), reverse("portal:tickets") + "?state=done"):
        listing = page(SARA, url)
        assert executable(listing) == []
        assert escape(CORPUS[0] + CORPUS[2]) in listing


def test_a_form_sent_back_with_errors_shows_what_was_sent_as_text(northwind):
    response = portal(SARA).post(
        reverse("portal:new"),
        {"subject": CORPUS[0], "body": CORPUS[2] + "\n" + CORPUS[1], "priority": "whenever"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert executable(html) == []
    assert escape(CORPUS[0]) in html
    assert not Ticket.objects.exists()
