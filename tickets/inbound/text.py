"""Bytes and HTML into plain text, for reading e-mail: never raises on bad input.

Charsets: mail says which one it uses and is often wrong (UTF-8 labelled
ISO-8859-1, Windows-1251 labelled nothing, names no codec knows), so each
decode says what it had to guess; the caller records it in ``problems``."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

import nh3

# Names seen in real mail that Python's codecs do not know, or know as
# something narrower than what the sender's software actually wrote.
_CHARSET_ALIASES = {
    "utf8": "utf-8",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "iso-8859-8-i": "iso-8859-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "windows-874": "cp874",
    "ansi_x3.4-1968": "ascii",
}
# Labels that a UTF-8 message is often given by mistake: when such a body is
# valid UTF-8 with non-ASCII bytes, it is UTF-8 (real Latin text almost never is).
_SINGLE_BYTE_LABELS = {
    "ascii",
    "us-ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "windows-1252",
    "cp1252",
}


def _codec(name: str) -> str | None:
    name = name.strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _stray_cp1252(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error("mail_cp1252", _stray_cp1252)


def _guess_single_byte(data: bytes) -> str:
    """Windows-1251 or KOI8-R for Cyrillic text, else Windows-1252.

    Running Russian text is mostly lower case: lower-case letters sit at
    0xE0-0xFF in Windows-1251 and at 0xC0-0xDF in KOI8-R."""
    high = sum(1 for b in data if b >= 0xC0)
    if high < max(4, len(data) // 50):
        return "cp1252"
    upper_half = sum(1 for b in data if b >= 0xE0)
    return "cp1251" if upper_half * 2 >= high else "koi8_r"


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """The text of ``data`` and, when the declared charset could not be used
    as it is, a sentence saying what was done instead."""
    label = (declared or "").strip().strip('"').lower()
    codec = _codec(label) if label else None
    problem = None
    if label and codec is None and _CHARSET_ALIASES.get(label, label):
        problem = f"unknown charset {label!r}"
    if codec is not None:
        single_byte = label in _SINGLE_BYTE_LABELS or codec in ("ascii", "latin_1", "cp1252")
        if single_byte and not data.isascii():
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return text, f"declared {label}, read as utf-8"
        try:
            return data.decode(codec), None
        except UnicodeDecodeError:
            problem = f"bytes not valid in the declared charset {label}"
        if codec == "utf-8":
            # Mostly UTF-8 with a few stray single-byte characters (a form
            # that pasted Windows text): keep the UTF-8 and read the strays.
            return data.decode(
                "utf-8", errors="mail_cp1252"
            ), f"{problem}; stray bytes read as cp1252"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        guess = _guess_single_byte(data)
        text = data.decode(guess, errors="replace")
        return text, f"{problem or 'no charset declared'}; read as {guess}"
    return text, (f"{problem}; read as utf-8" if problem else None)


def clean_header(value: str) -> str:
    """A decoded header as one line; raw 8-bit bytes (which ``email`` keeps as
    surrogates) are decoded as UTF-8 or guessed."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value, _ = decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    return " ".join(value.split())


def unflow(text: str, *, delsp: bool) -> str:
    """A format=flowed body (RFC 3676) with its soft line breaks joined: a line
    that ends in a space goes on with the next one at the same quote depth."""
    out: list[str] = []
    depth, buffer, open_line = 0, "", False

    def flush() -> None:
        if not depth:
            out.append(buffer)
        else:
            out.append("> " * depth + buffer if buffer else ">" * depth)

    for line in text.split("\n"):
        line = line.rstrip("\r")
        marks = len(line) - len(line.lstrip(">"))
        content = line[marks:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if open_line and marks == depth:
            buffer += content
        else:
            if open_line:
                flush()
            depth, buffer = marks, content
        open_line = flowed
        if not flowed:
            flush()
    if open_line:
        flush()
    return "\n".join(out)


# --- HTML -----------------------------------------------------------------

_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "table", "tr", "ul", "ol",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr", "address", "center", "dl", "dt", "dd",
}  # fmt: skip
_CELL = {"td", "th"}


class _TextMaker(HTMLParser):
    """Sanitised HTML into text: blocks become lines, list items "- ",
    quoted blocks "> " (so the quote rules see them as quoted), links keep
    their address when it differs from their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.pre = 0
        self.href: list[str | None] = []
        self.link_text: list[str] = []

    def _break(self, *, blank: bool = False) -> None:
        """End the current line; ``blank`` also leaves an empty line (a <br>
        on its own, the end of a paragraph)."""
        line = "".join(self.current)
        if not self.pre:
            line = " ".join(line.split())
        self.current = []
        prefix = "> " * self.quote_depth
        if line:
            self.lines.append(prefix + line)
        elif blank and self.lines and self.lines[-1].strip("> "):
            self.lines.append(prefix.rstrip())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._break(blank=True)
        elif tag == "blockquote":
            self._break()
            self.quote_depth += 1
        elif tag == "li":
            self._break()
            self.current.append("- ")
        elif tag in _BLOCK:
            self._break()
            if tag == "pre":
                self.pre += 1
            if tag == "hr":
                self.lines.append("-" * 20)
        elif tag in _CELL:
            if self.current:
                self.current.append(" ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_text.append("")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.current.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote":
            self._break()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in _BLOCK or tag == "li":
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._break()
            if tag == "p":
                self._break(blank=True)
        elif tag == "a" and self.href:
            href, text = self.href.pop(), self.link_text.pop()
            if (
                href
                and href.startswith(("http://", "https://"))
                and href.rstrip("/") != text.strip().rstrip("/")
            ):
                self.current.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
        if self.link_text:
            self.link_text[-1] += data
        self.current.append(data)

    def text(self) -> str:
        self._break()
        out: list[str] = []
        for line in self.lines:
            if not line.strip("> ") and out and not out[-1].strip("> "):
                continue  # one blank line at most between blocks
            out.append(line)
        return "\n".join(out).strip("\n")


_HEAD = re.compile(r"<head\b.*?</head\s*>", re.IGNORECASE | re.DOTALL)


def html_to_text(html: str) -> str:
    """Text of an HTML body: made safe with nh3 (scripts, styles and
    attributes other than links gone), then laid out as plain lines."""
    safe = nh3.clean(_HEAD.sub("", html))
    maker = _TextMaker()
    maker.feed(safe)
    maker.close()
    return maker.text()
