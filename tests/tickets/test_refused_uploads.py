"""A refused upload leaves nothing behind: no row and no file, through the portal
and the API alike.

A ticket with 21 files was refused only after 20 of them had been written, and
the rolled-back rows left their files on disk: up to 200 MB a request, as often
as one cared to send it. Counts and sizes are now checked before anything is
written, files written in a transaction that rolls back are removed, and a
request larger than a ticket's files may be together is refused unread.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse

from tests.helpers import api
from tests.tickets.test_portal.helpers import MAIL, MIKKO, PNG, SARA, upload, user
from tickets import services
from tickets.attachments import atomic_with_files, attachments_add
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db(transaction=True)

TOO_MANY = "A ticket can have at most %d files; please put more into a zip file."


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def files_in(folder) -> list[str]:
    return sorted(str(path) for path in folder.rglob("*") if path.is_file())


def pngs(count: int) -> list:
    return [upload(f"screen{n}.png") for n in range(count)]


def portal_client() -> Client:
    """A contact's browser that shows a failure as the response it gets."""
    client = Client(raise_request_exception=False)
    client.force_login(user(SARA), backend="django.contrib.auth.backends.ModelBackend")
    return client


def file_by_api(*uploads):
    return api(SARA).post(
        "/api/v1/tickets/",
        {"subject": "Broken page", "body": MAIL, "attachments": list(uploads)},
        format="multipart",
    )


def file_by_portal(*uploads):
    return portal_client().post(
        reverse("portal:new"),
        {"subject": "Help", "body": MAIL, "priority": "normal", "attachments": list(uploads)},
    )


class FailingAttachmentInsert:
    """The database refuses the n-th new attachment row: a fault after files were written."""

    def __init__(self, nth: int) -> None:
        self.inserts = itertools.count(1)
        self.nth = nth

    def __call__(self, execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "tickets_attachment"') and next(self.inserts) == self.nth:
            raise DatabaseError("disk I/O error")
        return execute(sql, params, many, context)


# --- too many files ---------------------------------------------------------------


def test_the_api_refuses_21_files_and_keeps_none(northwind, private_folder, settings):
    assert settings.ATTACHMENTS_PER_TICKET == 20
    response = file_by_api(*pngs(21))
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_MANY % 20}
    assert not Ticket.objects.exists()
    assert files_in(private_folder) == []


def test_the_portal_refuses_21_files_kindly_and_keeps_none(northwind, private_folder):
    response = file_by_portal(*pngs(21))
    assert response.status_code == 400
    assert "at most 20 files; please put more into a zip file" in response.content.decode()
    assert not Ticket.objects.exists()
    assert files_in(private_folder) == []


def test_the_api_counts_the_files_before_it_writes_any(northwind, private_folder, settings):
    settings.ATTACHMENTS_PER_TICKET = 2
    response = file_by_api(*pngs(3))
    assert response.status_code == 400
    assert response.json() == {"attachments": [TOO_MANY % 2]}
    assert not Ticket.objects.exists()
    assert files_in(private_folder) == []


def test_a_reply_past_the_tickets_limit_keeps_none_of_its_files(
    northwind, private_folder, settings
):
    settings.ATTACHMENTS_PER_TICKET = 3
    ticket = Ticket.objects.get(pk=file_by_api(*pngs(2)).json()["id"])
    kept = files_in(private_folder)
    assert len(kept) == 2
    response = portal_client().post(
        reverse("portal:reply", args=[ticket.pk]),
        {"body": "Two more screenshots.", "attachments": pngs(2)},
    )
    assert response.status_code == 400
    assert "at most 3 files" in response.content.decode()
    assert not Message.objects.filter(ticket=ticket, kind="public").exists()
    assert ticket.attachments.count() == 2
    assert files_in(private_folder) == kept


# --- too large ----------------------------------------------------------------------


@pytest.mark.parametrize("file_by", [file_by_api, file_by_portal], ids=["api", "portal"])
def test_an_oversize_file_among_others_is_refused_with_nothing_written(
    northwind, private_folder, settings, file_by
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = file_by(upload("a.png"), upload("big.log", b"x" * 2048, "text/plain"))
    assert response.status_code == 400
    assert "big.log is 2.0\xa0KB; a file can be at most 1.0\xa0KB." in response.content.decode()
    assert not Ticket.objects.exists()
    assert files_in(private_folder) == []


def test_the_api_refuses_a_request_larger_than_all_files_may_be_unread(
    northwind, private_folder, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    settings.ATTACHMENTS_PER_TICKET = 2
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096  # the headroom for the form's other fields
    response = file_by_api(upload("huge.png", PNG + b"\0" * 10_000))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "at most 2 files of up to 1.0\xa0KB each" in response.json()["detail"]
    assert not Ticket.objects.exists()
    assert files_in(private_folder) == []


def test_the_portal_refuses_a_request_larger_than_all_files_may_be_kindly(
    northwind, private_folder, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    settings.ATTACHMENTS_PER_TICKET = 2
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    response = file_by_portal(upload("huge.png", PNG + b"\0" * 10_000))
    assert response.status_code == 413
    html = response.content.decode()
    assert "at most 2 files of up to 1.0\xa0KB each" in html
    assert not Ticket.objects.exists()
    assert files_in(private_folder) == []


def test_a_large_json_body_is_refused_unread(northwind, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    response = api(SARA).post(
        "/api/v1/tickets/", {"subject": "Help", "body": "x" * 5000}, format="json"
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large: it can be at most 4.0\xa0KB."}
    assert not Ticket.objects.exists()


# --- a fault after files were written ------------------------------------------------


def test_a_database_error_after_files_were_written_leaves_no_file_through_the_api(
    northwind, private_folder
):
    with connection.execute_wrapper(FailingAttachmentInsert(nth=2)), pytest.raises(DatabaseError):
        file_by_api(*pngs(3))
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()
    assert files_in(private_folder) == []


def test_a_database_error_after_files_were_written_leaves_no_file_through_the_portal(
    northwind, private_folder
):
    with connection.execute_wrapper(FailingAttachmentInsert(nth=3)):
        response = file_by_portal(*pngs(3))
    assert response.status_code == 500
    assert not Ticket.objects.exists()
    assert files_in(private_folder) == []


def test_a_rollback_after_the_files_leaves_no_file(northwind, private_folder, technician):
    """A failure in the same transaction after the files were all saved."""
    ticket = services.ticket_create(requester=user(SARA), subject="Help", body=MAIL)
    with pytest.raises(RuntimeError), atomic_with_files():
        attachments_add(ticket_id=ticket.pk, uploaded_by=technician, uploads=pngs(2))
        assert len(files_in(private_folder)) == 2
        raise RuntimeError("the next step failed")
    assert not Attachment.objects.exists()
    assert files_in(private_folder) == []


def test_the_refusal_page_is_in_the_contacts_language(northwind, private_folder):
    client = Client()
    client.force_login(user(MIKKO), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("portal:new"),
        {"subject": "Apua", "body": MAIL, "priority": "normal", "attachments": pngs(21)},
        HTTP_REFERER="http://testserver/portal/new/",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Liian paljon kerralla" in html
    assert "Tukipyynnössä voi olla enintään 20 tiedostoa" in html
    assert 'href="http://testserver/portal/new/"' in html
    assert files_in(private_folder) == []
