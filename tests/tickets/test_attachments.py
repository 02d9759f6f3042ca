"""Files on tickets: limits with clear errors, private storage, safe downloads."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tickets.models import Attachment, Ticket

SARA = "sara@northwind.example"
MIKKO = "mikko@northwind.example"
AINO = "aino@northwind.example"
IVAN = "ivan@volga-media.example"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def private_folder(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    return settings.ATTACHMENTS_DIR


def api(email: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(email=email))
    return client


def upload(name: str, content: bytes = PNG, content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type)


def file_ticket(email: str = SARA, **files) -> dict:
    response = api(email).post(
        "/api/v1/tickets/",
        {"subject": "Broken page", "body": "The shop shows an error, see the screenshot.", **files},
        format="multipart",
    )
    return response


def test_a_ticket_is_filed_with_a_screenshot(northwind, private_folder):
    response = file_ticket(attachments=[upload("screen shot.png")])
    assert response.status_code == 201, response.content
    (attachment,) = response.json()["attachments"]
    assert attachment["name"] == "screen shot.png"
    assert attachment["content_type"] == "image/png"
    assert attachment["size"] == len(PNG)
    stored = Attachment.objects.get()
    # Stored under a random name in the private folder, not the customer's name.
    assert stored.file.path.startswith(str(private_folder))
    assert "screen" not in stored.file.name


def test_a_file_of_a_refused_type_is_named_and_nothing_is_saved(northwind):
    response = file_ticket(attachments=[upload("setup.exe", b"MZ" * 10, "application/x-msdos")])
    assert response.status_code == 400
    assert "setup.exe cannot be attached" in str(response.json())
    assert not Ticket.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(northwind, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = file_ticket(attachments=[upload("big.log", b"x" * 2048, "text/plain")])
    assert response.status_code == 400
    (message,) = response.json()["attachments"]
    assert message == "big.log is 2.0\xa0KB; a file can be at most 1.0\xa0KB."
    assert not Ticket.objects.exists()


def test_the_number_of_files_on_a_ticket_is_limited(northwind, settings):
    settings.ATTACHMENTS_PER_TICKET = 2
    ticket = file_ticket(attachments=[upload("a.png"), upload("b.png")]).json()
    response = api(SARA).post(
        f"/api/v1/tickets/{ticket['id']}/attachments/",
        {"file": upload("c.png")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "at most 2 files" in str(response.json())


def test_a_technician_adds_a_file_to_a_ticket(northwind, technician):
    ticket = file_ticket().json()
    response = api(technician.email).post(
        f"/api/v1/tickets/{ticket['id']}/attachments/",
        {"file": upload("fix.txt", b"done", "text/plain")},
        format="multipart",
    )
    assert response.status_code == 200
    assert [a["name"] for a in response.json()["attachments"]] == ["fix.txt"]


@pytest.mark.parametrize("name", ["page.html", "drawing.svg", "notes.txt", "shot.png"])
def test_every_file_comes_back_as_a_download_that_is_never_sniffed(northwind, name):
    content = b"<svg onload=alert(1)></svg>" if name.endswith("svg") else b"<script>x</script>"
    ticket = file_ticket(attachments=[upload(name, content, "text/html")]).json()
    response = api(SARA).get(ticket["attachments"][0]["download"])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content
    # What the uploader claimed is never what we serve for a page or a drawing.
    if name.endswith((".html", ".svg")):
        assert response["Content-Type"] == "application/octet-stream"


def test_only_those_who_may_see_the_ticket_may_download(northwind, volga, technician):
    ticket = file_ticket(attachments=[upload("shot.png")]).json()
    download = ticket["attachments"][0]["download"]
    assert api(SARA).get(download).status_code == 200
    assert api(AINO).get(download).status_code == 200  # her organisation's manager
    assert api(technician.email).get(download).status_code == 200
    assert api(MIKKO).get(download).status_code == 404  # another requester's ticket
    assert api(IVAN).get(download).status_code == 404  # another customer
    assert APIClient().get(download).status_code in (401, 403)


# The services take the files: a ticket or a reply and its files are saved
# together, or nothing is, whichever edge (portal, API, later e-mail) files them.


def test_a_ticket_is_created_with_its_files_by_the_service(northwind, private_folder):
    from tickets import services

    sara = get_user_model().objects.get(email=SARA)
    ticket = services.ticket_create(
        requester=sara, subject="Broken page", body="See the screenshot.", uploads=[upload("a.png")]
    )
    (stored,) = ticket.attachments.all()
    assert (stored.name, stored.message, stored.uploaded_by) == ("a.png", None, sara)
    assert len([p for p in private_folder.rglob("*") if p.is_file()]) == 1


def test_a_ticket_with_a_refused_file_is_not_created_at_all(northwind, private_folder):
    from tickets import services
    from tickets.attachments import AttachmentRefused

    sara = get_user_model().objects.get(email=SARA)
    with pytest.raises(AttachmentRefused):
        services.ticket_create(
            requester=sara,
            subject="Broken page",
            body="See the files.",
            uploads=[upload("a.png"), upload("setup.exe", b"MZ" * 10, "application/x-msdos")],
        )
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert [p for p in private_folder.rglob("*") if p.is_file()] == []


def test_a_reply_is_posted_with_its_files_by_the_service(northwind, settings, private_folder):
    from tickets import services
    from tickets.attachments import AttachmentRefused
    from tickets.models import Message

    settings.ATTACHMENTS_PER_TICKET = 2
    sara = get_user_model().objects.get(email=SARA)
    ticket = services.ticket_create(requester=sara, subject="Help", body="Mail is down.")
    reply = services.message_post(
        ticket_id=ticket.pk, author=sara, body="Here it is.", uploads=[upload("b.png")]
    )
    assert [a.name for a in reply.attachments.all()] == ["b.png"]
    with pytest.raises(AttachmentRefused):
        services.message_post(
            ticket_id=ticket.pk,
            author=sara,
            body="And two more.",
            uploads=[upload("c.png"), upload("d.png")],
        )
    # The refused reply is not kept either, nor any of its files.
    assert list(Message.objects.filter(author=sara).values_list("body", flat=True)) == [
        "Here it is."
    ]
    assert Attachment.objects.count() == 1
    assert len([p for p in private_folder.rglob("*") if p.is_file()]) == 1
