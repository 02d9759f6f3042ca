"""The IMAP mailboxes the desk polls, as written in INBOUND_IMAP_URL: one rule for
reading them, used by the settings (to refuse a bad one at start-up) and by the
poller (to connect)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

EXAMPLE = "imaps://support%40example.com:password@imap.example.com:993/INBOX"
DEFAULT_PORTS = {"imap": 143, "imaps": 993}


@dataclass(frozen=True)
class MailboxURL:
    tls: bool  # imaps://: TLS from the first byte; imap:// is plaintext (for tests)
    host: str
    port: int
    user: str
    password: str
    folder: str

    @property
    def safe(self) -> str:
        """The URL without the password, for logs."""
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


def split_mailbox_urls(raw: str) -> list[str]:
    """Several URLs separated by whitespace or commas (a comma in a password is
    written %2C, as any reserved character in a URL)."""
    return [item for item in re.split(r"[\s,]+", raw) if item]


def parse_mailbox_url(raw: str) -> MailboxURL:
    """Raise ValueError saying what is wrong (never repeating the password)."""
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ValueError("not a URL, or its port is no number") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("the scheme must be imaps:// (or imap:// without TLS)")
    if not parts.hostname:
        raise ValueError("no host")
    if not parts.username or parts.password is None:
        raise ValueError("no user and password (user:password@host; %40 for an @ in them)")
    if parts.query or parts.fragment:
        raise ValueError("no ?query or #fragment is read")
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return MailboxURL(
        tls=parts.scheme == "imaps",
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        user=unquote(parts.username),
        password=unquote(parts.password),
        folder=folder,
    )


def without_password(raw: str) -> str:
    """The URL as written, its password replaced by ***, for error messages."""
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", raw)
