"""A long text is never cut silently: the portal refuses it with the text still
in the form, the API says why with a 400, an e-mail keeps its whole text as an
attached file, and a body too large for the server gets a kind page in the
reader's language."""

from __future__ import annotations

import itertools

import pytest
import time_machine
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from helpdesk.errors import bad_request
from tests.helpers import api
from tests.tickets.test_portal.helpers import IVAN, MONDAY_10, SARA, portal
from tickets.inbound.mail import AutoKind, InboundMail
from tickets.models import Attachment, Message, Ticket
from tickets.services.inbound import mail_ingest
from tickets.services.long_text import BODY_MAX, FULL_TEXT_NAME

pytestmark = pytest.mark.django_db(transaction=True)
LONG = ("A line of the log that the customer pasted, 2026-11-23 10:00:01 ERROR\n") * (
    BODY_MAX // 60
)
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def monday_morning(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    with time_machine.travel(MONDAY_10, tick=True):
        yield


def test_the_portal_refuses_a_long_body_and_keeps_the_text_in_the_form(northwind):
    assert len(LONG) > BODY_MAX
    client = portal(SARA)
    form = client.get(reverse("portal:new")).content.decode()
    # No maxlength: a browser would cut a pasted text there without a word.
    assert "maxlength" not in form.split('name="body"')[1].split(">")[0]
    response = client.post(
        reverse("portal:new"), {"subject": "Log", "body": LONG, "priority": "normal"}
    )
    assert response.status_code == 400  # the portal's answer to a form it refuses
    html = response.content.decode()
    assert f"{len(LONG):,}".replace(",", "\xa0") in html or f"{len(LONG):,}" in html
    assert "Nothing is lost: your text is still here." in html
    # The whole text is back in the box, not its first BODY_MAX characters.
    assert html.count("ERROR") >= LONG.count("ERROR")
    assert not Ticket.objects.exists()


def test_a_body_at_the_limit_is_taken_whole(northwind):
    body = "x" * BODY_MAX
    response = portal(SARA).post(
        reverse("portal:new"), {"subject": "Long", "body": body, "priority": "normal"}
    )
    assert response.status_code == 302
    assert Ticket.objects.get().body == body


def test_the_api_refuses_a_too_long_body_with_a_clear_400(northwind):
    response = api(SARA).post(
        "/api/v1/tickets/", {"subject": "Log", "body": "x" * 50_001}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "body": [
            "The text can be at most 50000 characters. Nothing was saved; send a longer "
            "text, such as a log, as an attached file."
        ]
    }
    assert not Ticket.objects.exists()


def inbound(text: str, **extra) -> InboundMail:
    return InboundMail(
        message_id=f"<long{next(_ids)}@customer.example>",
        in_reply_to=(),
        references=(),
        sender=SARA,
        sender_name="",
        return_path=SARA,
        recipients=("support@scopedesk.example",),
        subject="Our log",
        text=text,
        new_text=text,
        quoted_text="",
        attachments=(),
        auto=AutoKind.HUMAN,
        bounce=None,
        **extra,
    )


def test_a_long_email_keeps_its_whole_text_as_a_file_and_the_customer_is_told(northwind):
    mail = inbound(LONG.strip())
    mail_ingest(raw=b"From: sara@northwind.example\r\n\r\nlong\r\n", reader=lambda _raw: mail)
    ticket = Ticket.objects.get()
    assert len(ticket.body) <= BODY_MAX
    assert ticket.body.endswith("[…]")
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.name == FULL_TEXT_NAME
    from tickets.attachments import attachment_response

    kept = b"".join(attachment_response(attachment).streaming_content).decode()
    assert kept == LONG.strip()
    told = Message.objects.get(ticket=ticket, body__contains=FULL_TEXT_NAME)
    assert told.kind == Message.Kind.AUTOMATIC
    assert f"{len(LONG.strip()):,}" in told.body  # Sara reads English


def test_a_short_email_has_no_extra_file(northwind):
    mail = inbound("Mail to info@ is not arriving.")
    mail_ingest(raw=b"From: sara@northwind.example\r\n\r\nshort\r\n", reader=lambda _raw: mail)
    assert not Attachment.objects.exists()


def test_a_body_too_large_for_the_server_gets_a_kind_page_in_russian(volga, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    # The portal's form is multipart (it takes files): the text field is too large.
    response = portal(IVAN).post(
        reverse("portal:new"), {"subject": "Лог", "body": "ж" * 5000, "priority": "normal"}
    )
    assert response.status_code == 413
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Ваш текст больше, чем мы можем принять за один раз" in html
    assert "RequestDataTooBig" not in html
    assert not Ticket.objects.exists()


def test_the_400_handler_recognises_a_body_too_large(volga):
    request = RequestFactory().post("/portal/tickets/new/")
    with translation.override("ru"):
        response = bad_request(request, RequestDataTooBig("too big"))
    assert response.status_code == 413
    assert "Ваш текст больше, чем мы можем принять за один раз" in response.content.decode()
