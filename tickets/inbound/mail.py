"""What the desk reads out of one raw e-mail: plain values, no models, no I/O.

``read_message(raw)`` (in ``reading.py``) returns an ``InboundMail``; the intake
service decides what to do with it (a new ticket, a reply, a note, a bounce, or
nothing) from these fields alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class AutoKind(StrEnum):
    """Why a message was written by a machine (RFC 3834 and its common cousins):
    the desk never answers one automatically."""

    HUMAN = ""
    AUTO_SUBMITTED = "auto_submitted"  # Auto-Submitted: anything but "no"
    PRECEDENCE = "precedence"  # Precedence: bulk, junk or list
    MAILING_LIST = "mailing_list"  # List-Id or List-Unsubscribe
    SUPPRESS = "suppress"  # X-Auto-Response-Suppress
    NULL_SENDER = "null_sender"  # Return-Path: <>
    MAILER_DAEMON = "mailer_daemon"  # from MAILER-DAEMON / postmaster
    OUT_OF_OFFICE = "out_of_office"  # X-Autoreply, an out-of-office subject


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes
    inline: bool = False  # an image shown in the body (Content-ID), not a file sent


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) about one of our e-mails."""

    original_message_id: str  # the Message-ID of the e-mail that bounced, "<...>"
    recipient: str  # lower case
    permanent: bool  # 5.x.x: the address does not work; 4.x.x: try later
    diagnostic: str


@dataclass(frozen=True)
class InboundMail:
    message_id: str  # "<id@host>", or "" when the message has none
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    sender: str  # the From address, lower case
    sender_name: str
    return_path: str  # "" for the null sender "<>"
    recipients: tuple[str, ...]  # To and Cc, lower case
    subject: str  # decoded, one line
    text: str  # the whole text: text/plain, or the HTML made safe and turned to text
    new_text: str  # what this message adds: quoted history and signature removed
    quoted_text: str  # what was removed, to show folded
    attachments: tuple[InboundAttachment, ...]
    auto: AutoKind
    bounce: Bounce | None
    problems: tuple[str, ...] = ()  # what could not be read cleanly (a charset, a part)
