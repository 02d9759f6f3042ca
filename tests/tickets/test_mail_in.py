"""E-mail in (tickets/services/inbound.py): who may write, threading, loops,
duplicates, bounces, the reopen window, offers answered by e-mail and the
``ingestmail`` command. Messages are given as ``InboundMail`` values (what the
reader makes of the bytes) with raw bytes that carry the same headers."""

from __future__ import annotations

import io
import itertools
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail as outbox
from django.core.management import call_command
from django.urls import reverse

from contracts.models import Contact
from tickets import services
from tickets.inbound.mail import AutoKind, Bounce, InboundAttachment, InboundMail
from tickets.models import (
    Attachment,
    Delivery,
    InboundMessage,
    IncidentNotice,
    Message,
    Offer,
    Status,
    Ticket,
)
from tickets.services.inbound import mail_ingest
from tickets.services.inbound_rules import offer_answer_in

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
SARA = "sara@northwind.example"
AINO = "aino@northwind.example"
IVAN = "ivan@volga-media.example"
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"
Outcome = InboundMessage.Outcome

pytestmark = pytest.mark.django_db(transaction=True)
_ids = itertools.count(1)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_10, tick=True):
        yield


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"


@pytest.fixture
def desk(northwind, volga, daugava):
    return northwind


def inbound(
    sender: str = SARA,
    text: str = MAIL,
    *,
    subject: str = "Mail problem",
    message_id: str | None = None,
    in_reply_to: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
    auto: AutoKind = AutoKind.HUMAN,
    bounce: Bounce | None = None,
    attachments: tuple[InboundAttachment, ...] = (),
) -> InboundMail:
    if message_id is None:
        message_id = f"<m{next(_ids)}@customer.example>"
    return InboundMail(
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        sender=sender,
        sender_name="",
        return_path="" if auto == AutoKind.NULL_SENDER else sender,
        recipients=("support@scopedesk.example",),
        subject=subject,
        text=text + "\n\n> what was said before",
        new_text=text,
        quoted_text="> what was said before",
        attachments=attachments,
        auto=auto,
        bounce=bounce,
    )


def raw_of(mail: InboundMail) -> bytes:
    """Bytes with the headers the desk reads before the body."""
    lines = [f"From: {mail.sender}", f"Subject: {mail.subject}"]
    if mail.message_id:
        lines.append(f"Message-ID: {mail.message_id}")
    return ("\r\n".join(lines) + "\r\n\r\n" + mail.text + "\r\n").encode()


def ingest(mail: InboundMail, raw: bytes | None = None) -> InboundMessage:
    return mail_ingest(raw=raw or raw_of(mail), reader=lambda _raw: mail)


def user(email: str):
    return get_user_model().objects.get(email=email)


# Who is writing


def test_a_contacts_email_opens_a_ticket_with_the_scope_check_and_its_reply(desk):
    got = ingest(inbound(SARA.upper()))
    assert got.outcome == Outcome.TICKET_CREATED
    ticket = Ticket.objects.get(pk=got.ticket_id)
    assert (ticket.channel, ticket.requester.email, ticket.customer) == ("email", SARA, desk)
    assert ticket.verdict == "in_scope"
    assert ticket.body == MAIL  # the quoted history is not in the scope check
    reply = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    assert reply.delivery == Delivery.SENT


def test_the_raw_message_is_stored_as_it_came(desk):
    mail = inbound()
    raw = raw_of(mail)
    got = ingest(mail, raw)
    with got.raw.open("rb") as stored:
        assert stored.read() == raw
    assert got.sha256 and got.message_id == mail.message_id and got.sender == SARA


def test_a_stranger_gets_the_not_authorized_answer_once_a_day_and_no_ticket(desk):
    first = ingest(inbound("someone@elsewhere.example"))
    second = ingest(inbound("Someone@Elsewhere.example"))
    assert (first.outcome, second.outcome) == (Outcome.NOT_AUTHORIZED, Outcome.NOT_AUTHORIZED)
    assert Ticket.objects.count() == 0
    answers = [m for m in outbox.outbox if "someone@elsewhere.example" in m.to[0].lower()]
    assert len(answers) == 1
    assert answers[0].extra_headers["Auto-Submitted"] == "auto-replied"
    assert "contacts" in answers[0].body
    with time_machine.travel(MONDAY_10 + timedelta(days=1), tick=False):
        ingest(inbound("someone@elsewhere.example"))
    assert len([m for m in outbox.outbox if "elsewhere" in m.to[0]]) == 2


# Threading


def test_a_reply_joins_its_ticket_by_in_reply_to_of_the_desks_email(desk):
    ticket = Ticket.objects.get(pk=ingest(inbound()).ticket_id)
    ours = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    got = ingest(
        inbound(
            text="It works now, thanks!", subject="Re: whatever", in_reply_to=(ours.message_id,)
        )
    )
    assert (got.outcome, got.ticket_id) == (Outcome.REPLY_ADDED, ticket.pk)
    assert got.ticket_message.body == "It works now, thanks!"
    assert Ticket.objects.count() == 1


def test_a_reply_joins_by_references_naming_the_customers_first_email(desk):
    first = inbound()
    ticket_id = ingest(first).ticket_id
    got = ingest(
        inbound(text="More details", subject="x", references=("<other@x>", first.message_id))
    )
    assert (got.outcome, got.ticket_id) == (Outcome.REPLY_ADDED, ticket_id)


def test_a_reply_joins_by_the_subjects_reference(desk):
    ticket_id = ingest(inbound()).ticket_id
    got = ingest(inbound(AINO, "Any news?", subject=f"Re: [#{ticket_id}] Mail problem"))
    assert (got.outcome, got.ticket_id) == (Outcome.REPLY_ADDED, ticket_id)  # Aino is a manager


def test_another_customers_ticket_in_the_subject_is_not_joined(desk):
    theirs = ingest(inbound(IVAN, "Почта не работает", subject="Почта")).ticket_id
    got = ingest(inbound(SARA, MAIL, subject=f"Re: [#{theirs}] Почта"))
    assert got.outcome == Outcome.TICKET_CREATED
    assert got.ticket_id != theirs
    assert Ticket.objects.get(pk=theirs).messages.filter(kind=Message.Kind.PUBLIC).count() == 0


def test_a_requester_cannot_join_a_colleagues_ticket_by_its_reference(desk):
    ainos = ingest(inbound(AINO)).ticket_id
    got = ingest(inbound(SARA, "Me too", subject=f"[#{ainos}]"))
    assert got.outcome == Outcome.TICKET_CREATED and got.ticket_id != ainos


def test_the_desks_email_threads_under_the_customers_last_email_and_comes_back(desk, settings):
    first = inbound()
    ticket = Ticket.objects.get(pk=ingest(first).ticket_id)
    sent = outbox.outbox[-1]
    assert sent.extra_headers["In-Reply-To"] == first.message_id
    assert sent.extra_headers["References"] == f"{ticket.message_id} {first.message_id}"
    assert sent.reply_to == [settings.SUPPORT_REPLY_TO]
    assert sent.subject.startswith(f"[#{ticket.pk}] ")


# Reopen window


def test_a_reply_on_a_recently_resolved_ticket_reopens_it(desk):
    first = inbound()
    ticket_id = ingest(first).ticket_id
    services.ticket_change_status(ticket_id=ticket_id, status=Status.RESOLVED)
    with time_machine.travel(MONDAY_10 + timedelta(days=13), tick=False):
        got = ingest(
            inbound(text="It broke again", subject="Re: x", in_reply_to=(first.message_id,))
        )
    assert (got.outcome, got.ticket_id) == (Outcome.REPLY_ADDED, ticket_id)
    assert Ticket.objects.get(pk=ticket_id).status == Status.OPEN


def test_a_reply_after_the_window_opens_a_new_ticket_naming_the_old(desk):
    first = inbound()
    old = ingest(first).ticket_id
    services.ticket_change_status(ticket_id=old, status=Status.RESOLVED)
    with time_machine.travel(MONDAY_10 + timedelta(days=15), tick=False):
        got = ingest(
            inbound(text="It broke again", subject="Re: x", in_reply_to=(first.message_id,))
        )
    assert got.outcome == Outcome.TICKET_CREATED and got.ticket_id != old
    assert Ticket.objects.get(pk=old).status == Status.RESOLVED
    note = Message.objects.get(ticket_id=got.ticket_id, kind=Message.Kind.INTERNAL)
    assert f"#{old}" in note.body and got.detail == f"follows up on #{old}"


# Loops


@pytest.mark.parametrize("kind", [k for k in AutoKind if k != AutoKind.HUMAN])
def test_an_automatic_message_that_joins_nothing_opens_nothing_and_gets_no_answer(desk, kind):
    got = ingest(inbound(SARA, "I am out of office until Monday.", auto=kind))
    stranger = ingest(inbound("bot@elsewhere.example", "Auto reply", auto=kind))
    assert (got.outcome, stranger.outcome) == (Outcome.IGNORED_AUTO, Outcome.IGNORED_AUTO)
    assert Ticket.objects.count() == 0 and outbox.outbox == []


def test_an_automatic_message_on_a_ticket_is_a_note_and_never_reopens_it(desk):
    first = inbound()
    ticket_id = ingest(first).ticket_id
    services.ticket_change_status(ticket_id=ticket_id, status=Status.RESOLVED)
    sent = len(outbox.outbox)
    got = ingest(
        inbound(
            text="Out of office",
            subject="Auto: x",
            in_reply_to=(first.message_id,),
            auto=AutoKind.OUT_OF_OFFICE,
        )
    )
    assert (got.outcome, got.ticket_id) == (Outcome.NOTE_ADDED, ticket_id)
    assert got.ticket_message.kind == Message.Kind.INTERNAL
    assert Ticket.objects.get(pk=ticket_id).status == Status.RESOLVED
    assert len(outbox.outbox) == sent


def test_mail_from_the_desks_own_address_is_never_answered(desk, settings):
    settings.SUPPORT_ADDRESSES = ["helpdesk@scopedesk.example"]
    got = ingest(inbound("HelpDesk@scopedesk.example"))
    own = ingest(inbound(settings.DEFAULT_FROM_EMAIL))
    assert (got.outcome, own.outcome) == (Outcome.IGNORED_AUTO, Outcome.IGNORED_AUTO)
    assert outbox.outbox == []


def test_automatic_replies_per_sender_are_limited_an_hour_the_tickets_still_open(desk, settings):
    settings.MAIL_AUTO_REPLIES_PER_HOUR = 2
    got = [ingest(inbound(text=f"{MAIL} ({n})", subject=f"Problem {n}")) for n in range(4)]
    assert all(g.outcome == Outcome.TICKET_CREATED for g in got)
    replies = Message.objects.filter(kind=Message.Kind.AUTOMATIC).order_by("pk")
    assert [r.delivery for r in replies] == [
        Delivery.SENT,
        Delivery.SENT,
        Delivery.NOT_EMAILED,
        Delivery.NOT_EMAILED,
    ]
    assert "last hour" in replies.last().delivery_error
    assert len(outbox.outbox) == 2
    with time_machine.travel(MONDAY_10 + timedelta(hours=2), tick=False):
        ingest(inbound(subject="Later"))
    assert len(outbox.outbox) == 3


# Duplicates


def test_the_same_message_delivered_twice_is_stored_and_handled_once(desk):
    mail = inbound()
    first = ingest(mail)
    again = ingest(mail)
    assert again.outcome == Outcome.DUPLICATE and again.pk is None
    assert again.ticket_id == first.ticket_id
    # The same Message-ID with other bytes (another Received: line) is the same message.
    other = ingest(mail, b"Received: from relay2\r\n" + raw_of(mail))
    assert other.outcome == Outcome.DUPLICATE
    assert (InboundMessage.objects.count(), Ticket.objects.count()) == (1, 1)


def test_a_message_without_message_id_is_a_duplicate_by_its_bytes(desk):
    mail = inbound(message_id="")
    assert ingest(mail).outcome == Outcome.TICKET_CREATED
    assert ingest(mail).outcome == Outcome.DUPLICATE
    different = inbound(text="Another problem", message_id="")
    assert ingest(different).outcome == Outcome.TICKET_CREATED
    assert InboundMessage.objects.count() == 2


def test_a_message_that_failed_is_stored_and_handled_on_the_next_delivery(desk):
    mail = inbound()

    def broken(raw):
        raise ValueError("cannot read")

    failed = mail_ingest(raw=raw_of(mail), reader=broken)
    assert failed.outcome == Outcome.FAILED and "cannot read" in failed.detail
    assert ingest(mail).outcome == Outcome.TICKET_CREATED
    assert InboundMessage.objects.count() == 1


# Bounces


def test_a_hard_bounce_marks_the_email_failed_and_flags_the_contact(desk, client, technician):
    ticket = Ticket.objects.get(pk=ingest(inbound()).ticket_id)
    ours = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    dsn = Bounce(ours.message_id, SARA, True, "550 5.1.1 <sara@northwind.example>: no such user")
    got = ingest(
        inbound(
            "mailer-daemon@relay.example",
            "Delivery failed",
            auto=AutoKind.MAILER_DAEMON,
            bounce=dsn,
        )
    )
    assert (got.outcome, got.ticket_id) == (Outcome.BOUNCE_RECORDED, ticket.pk)
    ours.refresh_from_db()
    assert ours.delivery == Delivery.FAILED and "no such user" in ours.delivery_error
    contact = Contact.objects.get(user__email=SARA)
    assert contact.bounced_at is not None and "5.1.1" in contact.bounce_reason
    assert (
        Ticket.objects.count() == 1 and ticket.messages.filter(kind=Message.Kind.INTERNAL).exists()
    )
    client.force_login(technician)
    page = client.get(reverse("queue:ticket", args=[ticket.pk]))
    assert page.status_code == 200
    assert "e-mail bounced" in page.content.decode()


def test_a_soft_bounce_is_recorded_without_flagging_anyone(desk):
    ticket = Ticket.objects.get(pk=ingest(inbound()).ticket_id)
    ours = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    got = ingest(
        inbound(
            "mailer-daemon@relay.example",
            "Delayed",
            bounce=Bounce(ours.message_id, SARA, False, "452 4.2.2 mailbox full"),
        )
    )
    assert got.outcome == Outcome.BOUNCE_RECORDED
    ours.refresh_from_db()
    assert ours.delivery == Delivery.SENT
    assert Contact.objects.get(user__email=SARA).bounced_at is None


def test_a_bounced_incident_notice_is_marked_failed_and_opens_no_ticket(desk, technician):
    from tests.tickets.test_incidents import open_outage

    incident = open_outage(technician)
    notice = IncidentNotice.objects.filter(update__incident=incident).order_by("pk").first()
    address = notice.contact.user.email
    dsn = Bounce(notice.message_id, address, True, "550 5.1.1 mailbox unavailable")
    got = ingest(inbound("mailer-daemon@relay.example", "Undeliverable", bounce=dsn))
    assert got.outcome == Outcome.BOUNCE_RECORDED and got.ticket_id is None
    notice.refresh_from_db()
    assert notice.delivery == Delivery.FAILED and "5.1.1" in notice.delivery_error
    assert Contact.objects.get(user__email=address).bounced_at is not None
    assert Ticket.objects.count() == 0


# Attachments


def test_attachments_within_the_limits_are_kept_and_an_over_limit_one_is_noted(desk, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    files = (
        InboundAttachment("error.log", "text/plain", b"line\n" * 10),
        InboundAttachment("huge.zip", "application/zip", b"x" * 5000),
        InboundAttachment("logo.png", "image/png", b"\x89PNG...", inline=True),
    )
    got = ingest(inbound(attachments=files))
    assert got.outcome == Outcome.TICKET_CREATED
    assert list(Attachment.objects.values_list("name", flat=True)) == ["error.log"]
    note = Message.objects.get(ticket_id=got.ticket_id, kind=Message.Kind.INTERNAL)
    assert "huge.zip" in note.body


# Offers by e-mail


def awaiting_offer(language: str) -> tuple[Ticket, InboundMail]:
    first = inbound(text=PLUGIN, subject="Plugin")
    ticket = Ticket.objects.get(pk=ingest(first).ticket_id)
    assert ticket.status == Status.AWAITING_DECISION
    Ticket.objects.filter(pk=ticket.pk).update(language=language)
    return ticket, first


YES = {"en": "Yes, go ahead!", "ru": "Да, согласен", "fi": "Kyllä", "lv": "Jā"}
NO = {"en": "No thanks", "ru": "Нет, спасибо", "fi": "Ei kiitos", "lv": "Nē"}


@pytest.mark.parametrize("language", ["en", "ru", "fi", "lv"])
@pytest.mark.parametrize("accept", [True, False])
def test_a_clear_yes_or_no_answers_the_offer(desk, language, accept):
    ticket, first = awaiting_offer(language)
    words = (YES if accept else NO)[language]
    got = ingest(
        inbound(
            text=f"{words}\n\nBest, Sara", subject="Re: Plugin", in_reply_to=(first.message_id,)
        )
    )
    assert got.outcome == Outcome.REPLY_ADDED
    offer = Offer.objects.get(ticket=ticket)
    assert offer.status == (Offer.Status.ACCEPTED if accept else Offer.Status.DECLINED)
    assert offer.answered_by == user(SARA)
    assert Ticket.objects.get(pk=ticket.pk).status == (Status.OPEN if accept else Status.RESOLVED)


def test_anything_less_clear_is_left_to_the_technician(desk):
    ticket, first = awaiting_offer("en")
    got = ingest(
        inbound(
            text="Yes, but how long will it take?", subject="Re", in_reply_to=(first.message_id,)
        )
    )
    assert got.outcome == Outcome.REPLY_ADDED and "technician" in got.detail
    assert Offer.objects.get(ticket=ticket).status == Offer.Status.PENDING


@pytest.mark.parametrize(
    ("text", "language", "answer"),
    [
        ("yes, go ahead", "fi", True),  # English is understood everywhere
        ("Да, согласна.", "ru", True),
        ("KYLLÄ!", "fi", True),
        ("jā, piekrītu", "lv", True),
        ("нет", "ru", False),
        ("nē, paldies", "lv", False),
        ("kyllä", "ru", None),  # not the contact's language
        ("yes\nno", "en", True),  # only the first line counts
        ("maybe", "en", None),
        ("", "en", None),
    ],
)
def test_offer_words(text, language, answer):
    assert offer_answer_in(text, language) is answer


# The command


def test_ingestmail_reads_standard_input_and_exits_0_also_when_ignored(desk, monkeypatch, capsys):
    raw = (
        b"From: Someone <someone@elsewhere.example>\r\nTo: support@scopedesk.example\r\n"
        b"Subject: Hello\r\nMessage-ID: <cmd1@elsewhere.example>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease help.\r\n"
    )
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    call_command("ingestmail", "-")
    assert "not_authorized" in capsys.readouterr().out
    stored = InboundMessage.objects.get()
    assert stored.message_id == "<cmd1@elsewhere.example>"


def test_ingestmail_fails_so_the_server_retries_when_nothing_can_be_read(desk, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError) as failed:
        call_command("ingestmail", str(tmp_path / "missing.eml"))
    assert failed.value.returncode == 75


def test_a_raw_reply_with_quoted_history_joins_its_ticket_through_the_real_reader(desk):
    ticket = Ticket.objects.get(pk=ingest(inbound()).ticket_id)
    ours = ticket.messages.get(kind=Message.Kind.AUTOMATIC)
    raw = (
        f"From: Sara Berg <Sara@Northwind.example>\r\nTo: support@scopedesk.example\r\n"
        f"Subject: Re: [#{ticket.pk}] Mail problem\r\nMessage-ID: <raw1@northwind.example>\r\n"
        f"In-Reply-To: {ours.message_id}\r\nReferences: {ticket.message_id} {ours.message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Still broken today.\r\n\r\nOn Mon, 23 Nov 2026, Scopedesk wrote:\r\n> Hello Sara\r\n"
    ).encode()
    got = mail_ingest(raw=raw)
    assert (got.outcome, got.ticket_id, got.sender) == (
        Outcome.REPLY_ADDED,
        ticket.pk,
        SARA,
    )
    assert got.ticket_message.body.startswith("Still broken today.")
    assert "Hello Sara" not in got.ticket_message.body
    assert mail_ingest(raw=raw).outcome == Outcome.DUPLICATE


def test_a_raw_out_of_office_on_a_ticket_is_a_note_and_gets_no_answer(desk):
    ticket = Ticket.objects.get(pk=ingest(inbound()).ticket_id)
    sent = len(outbox.outbox)
    raw = (
        f"From: sara@northwind.example\r\nSubject: Automatic reply: [#{ticket.pk}] Mail\r\n"
        "Auto-Submitted: auto-replied\r\nMessage-ID: <ooo1@northwind.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nI am away until Monday.\r\n"
    ).encode()
    got = mail_ingest(raw=raw)
    assert (got.outcome, got.ticket_id) == (Outcome.NOTE_ADDED, ticket.pk)
    assert len(outbox.outbox) == sent


def test_staff_see_incoming_email_and_can_clear_a_bounce_in_the_admin(desk, client, admin_user):
    ingest(inbound("stranger@elsewhere.example", subject="Who am I"))
    contact = Contact.objects.get(user__email=SARA)
    Contact.objects.filter(pk=contact.pk).update(bounced_at=MONDAY_10, bounce_reason="550 no")
    client.force_login(admin_user)
    listing = client.get(reverse("admin:tickets_inboundmessage_changelist"))
    assert listing.status_code == 200 and "Who am I" in listing.content.decode()
    page = client.get(reverse("admin:contracts_contact_change", args=[contact.pk]))
    assert page.status_code == 200 and "550 no" in page.content.decode()


def test_the_queue_shows_the_quoted_history_folded_and_a_withheld_reply(
    desk, client, technician, settings
):
    settings.MAIL_AUTO_REPLIES_PER_HOUR = 0
    got = ingest(inbound())
    client.force_login(technician)
    html = client.get(reverse("queue:ticket", args=[got.ticket_id])).content.decode()
    assert '<details class="quoted">' in html and "what was said before" in html
    assert "automatic replies to this sender in the last hour" in html
