"""Was a message written by a machine, and is it a bounce? (RFC 3834, RFC 3464)"""

from __future__ import annotations

import re
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser

from .mail import AutoKind, Bounce

# Out-of-office subjects, as Exchange, Gmail, Zimbra and the like write them in
# the desk's four languages, matched at the start only. A person whose subject
# happens to start so loses only the automatic reply: the message is still read.
_OUT_OF_OFFICE_SUBJECT = re.compile(
    r"""^\s*(
        out\s+of\s+(the\s+)?office | automatic\s+reply | auto(matic)?[\s-]?reply | autoresponse
      | abwesenheit
      | автоматический\s+ответ | автоответ | нет\s+на\s+месте | вне\s+офиса
      | poissa | automaattinen\s+vastaus | lomalla
      | automātiskā\s+atbilde | prombūtnē | nav\s+birojā
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def raw_header(msg: Message, name: str) -> str | None:
    """A header's value as sent (the first one), unparsed: the ``email``
    package's parsed headers cost most of a message's reading time, and
    tokens and message ids need none of it."""
    lower = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lower:
            return str(value)
    return None


def content_type(part: Message) -> str:
    """``part.get_content_type()`` without parsing the whole header."""
    raw = raw_header(part, "Content-Type")
    if raw is None:
        return part.get_default_type()
    ctype = raw.split(";", 1)[0].strip().lower()
    return ctype if ctype.count("/") == 1 and " " not in ctype else "text/plain"


def _first_token(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def auto_kind(
    msg: Message, *, sender: str, return_path: str, has_return_path: bool, subject: str
) -> AutoKind:
    """Why this message must never be answered automatically, or HUMAN.

    The most specific reason wins: a bounce is from the mailer daemon even
    though it also carries Auto-Submitted and a null sender."""
    if _DAEMON.match(sender):
        return AutoKind.MAILER_DAEMON

    def header(name: str) -> str | None:
        return raw_header(msg, name)

    if header("X-Autoreply") or header("X-Autorespond") or _OUT_OF_OFFICE_SUBJECT.match(subject):
        return AutoKind.OUT_OF_OFFICE
    if _first_token(header("Auto-Submitted")) not in ("", "no"):
        return AutoKind.AUTO_SUBMITTED
    if has_return_path and not return_path:
        return AutoKind.NULL_SENDER
    if header("List-Id") or header("List-Unsubscribe"):
        return AutoKind.MAILING_LIST
    if _first_token(header("Precedence")) in ("bulk", "junk", "list", "auto_reply"):
        return AutoKind.PRECEDENCE
    if header("X-Auto-Response-Suppress"):
        return AutoKind.SUPPRESS
    return AutoKind.HUMAN


def _fields(part: Message) -> list[Message]:
    """The field groups of a message/delivery-status part (per message, per recipient)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    raw = part.get_payload(decode=True)
    if not isinstance(raw, bytes):
        return []
    # Some servers send the report as text: read its blank-line separated groups.
    return [
        BytesHeaderParser().parsebytes(block)
        for block in re.split(rb"\r?\n\r?\n", raw)
        if block.strip()
    ]


def _address(value: str | None) -> str:
    # "rfc822; ann@example.com"
    value = (value or "").split(";", 1)[-1].strip()
    return value.strip("<>").lower()


def read_bounce(msg: EmailMessage) -> Bounce | None:
    """The delivery status notification in ``msg`` (multipart/report;
    report-type=delivery-status), or None."""
    if content_type(msg) != "multipart/report":
        return None
    if (msg.get_param("report-type") or "").lower() != "delivery-status":  # type: ignore[union-attr]
        return None
    recipient, status, action, diagnostic, original = "", "", "", "", ""
    for part in msg.walk():
        ctype = content_type(part)
        if ctype == "message/delivery-status":
            for group in _fields(part):
                if group.get("Final-Recipient") or group.get("Original-Recipient"):
                    if recipient:
                        continue  # the first failed recipient is the one we report
                    recipient = _address(
                        group.get("Final-Recipient") or group.get("Original-Recipient")
                    )
                    status = (group.get("Status") or "").strip()
                    action = (group.get("Action") or "").strip().lower()
                    diagnostic = " ".join(str(group.get("Diagnostic-Code") or "").split())
                    if diagnostic.lower().startswith("smtp;"):
                        diagnostic = diagnostic[5:].strip()
        elif ctype == "message/rfc822" and not original:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found = MESSAGE_ID.search(str(inner[0].get("Message-ID") or ""))
                original = found.group(0) if found else ""
        elif ctype == "text/rfc822-headers" and not original:
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes):
                headers = BytesHeaderParser().parsebytes(raw)
                found = MESSAGE_ID.search(str(headers.get("Message-ID") or ""))
                original = found.group(0) if found else ""
    if not recipient and not original:
        return None
    permanent = status.startswith("5") or (not status and action == "failed")
    return Bounce(
        original_message_id=original,
        recipient=recipient,
        permanent=permanent,
        diagnostic=diagnostic,
    )
