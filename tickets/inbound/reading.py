"""Reading one raw e-mail into an ``InboundMail``: pure, no models, no I/O.

Never raises on what a sender wrote: a part that cannot be read cleanly is
read as well as it can be and named in ``problems``."""

from __future__ import annotations

import mimetypes
import re
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

import tnefparse  # type: ignore[import-untyped]

from contracts.engine.quotes import split_quoted

from .auto import MESSAGE_ID, auto_kind, content_type, raw_header, read_bounce
from .mail import InboundAttachment, InboundMail
from .text import clean_header, decode_bytes, html_to_text, unflow

_PARSER = BytesParser(policy=policy.default)
_ADDRESS = re.compile(r"[^\s<>\"',;:()\[\]@]+@[^\s<>\"',;:()\[\]@]+")
_SIGNATURES = {
    "application/pgp-signature",
    "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|fw|wg|tr|vl|pārs|пересл|переслано)\s*:", re.IGNORECASE)


class _Reading:
    """What the walk over a message's parts collects."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[InboundAttachment] = []
        self.inline_cids: set[str] = set()
        self.problems: list[str] = []
        self.invitations: list[str] = []


def _header(msg: Message, name: str, problems: list[str]) -> str:
    try:
        value = msg.get(name)
        text = clean_header(str(value)) if value is not None else ""
        if "\ufffd" in text:
            # Raw 8-bit bytes, not RFC 2047: read them from the header as sent.
            raw = raw_header(msg, name) or ""
            if any("\udc80" <= ch <= "\udcff" for ch in raw):
                return clean_header(raw)
        return text
    except Exception:  # a malformed header must not stop the reading
        problems.append(f"unreadable {name} header")
        return clean_header(raw_header(msg, name) or "")


def _ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = MESSAGE_ID.findall(value)
    if found:
        return tuple(dict.fromkeys(found))
    # Some clients drop the angle brackets: "id@host" alone.
    return tuple(f"<{token}>" for token in value.split() if "@" in token)


def _addresses(msg: Message, names: tuple[str, ...], problems: list[str]) -> list[tuple[str, str]]:
    values = []
    for name in names:
        try:
            values += [str(v) for v in msg.get_all(name, [])]
        except Exception:
            problems.append(f"unreadable {name} header")
            raw = raw_header(msg, name)
            if raw:
                values.append(raw)
    found = []
    for name, address in getaddresses(values):
        match = _ADDRESS.search(address)
        if match:
            found.append((clean_header(name), match.group(0).lower()))
    return found


def _payload(part: Message, reading: _Reading) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # broken base64 and the like
        reading.problems.append(f"undecodable {content_type(part)} part")
        data = None
    # Decoding notes what it had to repair (bad base64 padding and the like).
    for defect in part.defects:
        reading.problems.append(f"{content_type(part)}: {type(defect).__name__}")
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _text(part: Message, reading: _Reading) -> str:
    text, problem = decode_bytes(_payload(part, reading), part.get_content_charset())
    if problem:
        reading.problems.append(f"{content_type(part)}: {problem}")
    if str(part.get_param("format") or "").lower() == "flowed":
        text = unflow(text, delsp=str(part.get_param("delsp") or "").lower() == "yes")
    return text


def _filename(part: Message, reading: _Reading, default_stem: str) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        name = clean_header(name).replace("/", "_").replace("\\", "_")
        if name:
            return name
    ctype = content_type(part)
    if ctype == "text/rfc822-headers":
        return "returned-headers.txt"
    ext = ".eml" if ctype == "message/rfc822" else (mimetypes.guess_extension(ctype) or ".bin")
    return f"{default_stem}-{len(reading.attachments) + 1}{ext}"


def _unpack_tnef(data: bytes, reading: _Reading) -> bool:
    """Outlook's winmail.dat into its files (and its body, kept for when the
    message has no other). False when it cannot be read: then it stays a file."""
    try:
        tnef = tnefparse.TNEF(data, do_checksum=False)
    except Exception:  # a damaged winmail.dat is kept as it is
        reading.problems.append("winmail.dat could not be unpacked")
        return False
    for item in tnef.attachments:
        name = item.long_filename() or item.name or f"attachment-{len(reading.attachments) + 1}"
        if isinstance(name, bytes):
            name = decode_bytes(name.rstrip(b"\x00"), None)[0]
        name = str(name).strip("\x00").strip() or "attachment"
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        reading.attachments.append(
            InboundAttachment(filename=name, content_type=ctype, content=bytes(item.data))
        )
    if tnef.body:
        body = (
            tnef.body
            if isinstance(tnef.body, str)
            else decode_bytes(tnef.body.rstrip(b"\x00"), "cp1252")[0]
        )
        reading.plain.append(body.strip("\x00"))
    elif tnef.htmlbody:
        html = (
            tnef.htmlbody
            if isinstance(tnef.htmlbody, str)
            else decode_bytes(tnef.htmlbody, None)[0]
        )
        reading.html.append(html)
    return True


def _invitation_note(ics: str) -> str:
    unfolded = re.sub(r"\r?\n[ \t]", "", ics)
    summary = re.search(r"^SUMMARY[^:\n]*:(.*)$", unfolded, re.MULTILINE)
    start = re.search(
        r"^DTSTART[^:\n]*:(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2}))?", unfolded, re.MULTILINE
    )
    what = summary.group(1).strip().replace("\\,", ",") if summary else ""
    when = ""
    if start:
        y, m, d, hh, mm = start.groups()
        when = f"{y}-{m}-{d}" + (f" {hh}:{mm}" if hh else "")
    details = ", ".join(x for x in (what, when) if x)
    return "[Calendar invitation attached as invite.ics" + (f": {details}" if details else "") + "]"


def _walk(part: Message, reading: _Reading) -> None:
    ctype = content_type(part)
    if ctype == "multipart/alternative":
        # One body shown several ways: keep the first plain and first HTML
        # version only (a text/calendar alternative is the invitation itself).
        plain_before, html_before = len(reading.plain), len(reading.html)
        for sub in part.iter_parts():  # type: ignore[attr-defined]
            sub_type = content_type(sub)
            if sub_type == "text/plain" and len(reading.plain) > plain_before:
                continue
            if sub_type == "text/html" and len(reading.html) > html_before:
                continue
            _walk(sub, reading)
        return
    if part.is_multipart() and ctype.startswith("multipart/"):
        for sub in part.iter_parts():  # type: ignore[attr-defined]
            _walk(sub, reading)
        return
    if ctype in ("message/delivery-status", "message/disposition-notification"):
        return  # a report's machine part: the bounce is read by read_bounce
    if ctype in _SIGNATURES:
        return  # an S/MIME or PGP signature of the body: nothing a technician opens
    if ctype in ("application/pgp-encrypted", "application/pkcs7-mime"):
        reading.problems.append("encrypted content the desk cannot read")
    try:
        disposition = part.get_content_disposition()
    except Exception:
        disposition = None
    has_name = bool(
        part.get_param("name") or part.get_param("filename", header="content-disposition")
    )
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not has_name:
        (reading.plain if ctype == "text/plain" else reading.html).append(_text(part, reading))
        return
    if ctype == "message/rfc822":
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            data = inner[0].as_bytes()
        else:
            data = _payload(part, reading)
        reading.attachments.append(
            InboundAttachment(
                filename=_filename(part, reading, "message"), content_type=ctype, content=data
            )
        )
        return
    data = _payload(part, reading)
    filename = _filename(part, reading, "attachment")
    is_tnef = ctype == "application/ms-tnef" or filename.lower() == "winmail.dat"
    if is_tnef and _unpack_tnef(data, reading):
        return
    if ctype == "text/calendar":
        if not has_name:
            filename = "invite.ics"
        text, _ = decode_bytes(data, part.get_content_charset())
        reading.invitations.append(_invitation_note(text))
    content_id = (part.get("Content-ID") or "").strip().strip("<>")
    inline = bool(content_id) and content_id in reading.inline_cids
    if inline and not has_name:
        filename = _filename(part, reading, "image")
    reading.attachments.append(
        InboundAttachment(filename=filename, content_type=ctype, content=data, inline=inline)
    )


def _referenced_cids(msg: Message) -> set[str]:
    """Content-IDs the HTML shows (src="cid:…"): those images are inline, not files sent."""
    cids: set[str] = set()
    for part in msg.walk():
        if content_type(part) == "text/html":
            raw = part.get_payload(decode=True)
            if isinstance(raw, bytes) and b"cid:" in raw.lower():
                cids.update(
                    c.decode("ascii", "replace")
                    for c in re.findall(rb"""cid:([^"'\s)>]+)""", raw, re.I)
                )
    return cids


def read_message(raw: bytes) -> InboundMail:
    msg = _PARSER.parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    reading = _Reading()
    problems = reading.problems
    for defect in msg.defects:
        problems.append(f"message: {type(defect).__name__}")

    subject = _header(msg, "Subject", problems)
    senders = _addresses(msg, ("From",), problems)
    sender_name, sender = senders[0] if senders else ("", "")
    if not sender:
        problems.append("no sender address")
    return_path_raw = raw_header(msg, "Return-Path")
    return_path = ""
    if return_path_raw is not None:
        found = getaddresses([return_path_raw])
        return_path = found[0][1].strip().lower() if found and "@" in found[0][1] else ""
    recipients = tuple(dict.fromkeys(a for _, a in _addresses(msg, ("To", "Cc"), problems)))
    message_ids = _ids(raw_header(msg, "Message-ID"))

    reading.inline_cids = _referenced_cids(msg)
    try:
        _walk(msg, reading)
    except Exception as exc:  # a structure the email package chokes on
        problems.append(f"message structure unreadable: {type(exc).__name__}")
    if reading.plain:
        text = "\n\n".join(t.strip("\n") for t in reading.plain if t.strip())
    elif reading.html:
        text = "\n\n".join(html_to_text(h) for h in reading.html)
    else:
        text = ""
    text = "\n".join(
        line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    ).strip()
    text = text.replace("\ufeff", "")
    new_text, quoted_text = split_quoted(text, forwarded=bool(_FORWARD_SUBJECT.match(subject)))
    if reading.invitations:
        # The invitation is news whatever the quote rules made of the body.
        text = "\n\n".join([text, *reading.invitations]).strip()
        new_text = "\n\n".join([new_text, *reading.invitations]).strip()

    return InboundMail(
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=_ids(raw_header(msg, "In-Reply-To")),
        references=_ids(raw_header(msg, "References")),
        sender=sender,
        sender_name=sender_name,
        return_path=return_path,
        recipients=recipients,
        subject=subject,
        text=text,
        new_text=new_text,
        quoted_text=quoted_text,
        attachments=tuple(reading.attachments),
        auto=auto_kind(
            msg,
            sender=sender,
            return_path=return_path,
            has_return_path=return_path_raw is not None,
            subject=subject,
        ),
        bounce=read_bounce(msg),
        problems=tuple(dict.fromkeys(problems)),
    )
