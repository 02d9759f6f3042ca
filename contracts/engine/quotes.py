"""What a reply adds: the quoted history and the signature split off.

Pure, so both the mail intake (tickets.inbound.reading, before a ticket is
stored) and the scope engine (which judges only what the customer writes now,
also for text pasted into the portal) use it.
Our own rules, because the maintained libraries (mail-parser-reply 1.36 knows
en, de, cs, da, es, fr, it, ja, ko, nl, pl, sv, zh) know no Russian, Finnish
or Latvian. The quote headers are those Gmail, Outlook, Thunderbird and Apple
Mail write in the desk's four languages; each has a case in tests/mail/."""

from __future__ import annotations

import re

# "On Mon, 7 Dec 2026 at 10:00, Ann <ann@example.com> wrote:" and its
# translations; Gmail may wrap it over two or three lines.
_ATTRIBUTION = re.compile(
    r"""(
        \bwrote\s*:
      | \bпишет\s*:
      | \bнаписал(?:а|\(а\))?\s*:
      | \bkirjoitti\b[^\n]{0,60}:
      | \brakstīja\b[^\n]{0,60}:
      | \bschrieb\b[^\n]{0,60}:
      | \bг\.?\s+в\s+\d{1,2}:\d{2}\b.*[>)]\s*:        # пн, 7 дек. 2026 г. в 10:00, Иван <ivan@…>:
      | \b\d{1,2}[:.]\d{2}\b.*@[^\s@]+[>)]\s*:    # Yandex: 07.12.2026, 10:00, "Иван" <ivan@…>:
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# A separator line that starts everything quoted below it.
_SEPARATOR = re.compile(
    r"""^\s*(
        -{2,}\s*(original\s+message|исходное\s+сообщение|alkuperäinen\s+viesti|
                 sākotnējais\s+ziņojums|oriģinālais\s+ziņojums)\s*-{2,}
      | _{20,}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# Outlook's (and Thunderbird's) header block: "From:" then, a few lines
# below, "Sent:" or "Date:" — in each language.
_FROM = re.compile(r"^\s*\*?(from|от|lähettäjä|no|von)\s*:\*?\s*\S", re.IGNORECASE)
_SENT = re.compile(
    r"^\s*\*?(sent|date|отправлено|дата|lähetetty|päivämäärä|nosūtīts|datums|gesendet)\s*:\*?\s*\S",
    re.IGNORECASE,
)
# A forwarded message is what the customer is asking about: it stays new.
_FORWARD = re.compile(
    r"^\s*-{2,}\s*(forwarded message|пересылаемое сообщение|välitetty viesti|pārsūtīts ziņojums)"
    r"|^\s*(begin forwarded message|начало пересылаемого сообщения)\s*:",
    re.IGNORECASE,
)
# Lines that open a signature block (only when what follows is short, see below).
_SIGN_OFF = re.compile(
    r"""^\s*(
        (
            (best|kind|warm)?\s*regards|best|cheers|thanks|thank\s+you|br|sincerely
          | с\s+уважением|спасибо|всего\s+доброго|с\s+наилучшими\s+пожеланиями
          | (ystävällisin\s+)?terveisin|kiitos|parhain\s+terveisin|t\.
          | ar\s+cieņu|paldies|ar\s+labākajiem\s+novēlējumiem|visu\s+labu
        )\s*[,.!]?
        # A name on the same line only after the formal ones: "Thanks, that
        # fixed it" is a sentence, "Best regards, Ann Lee" a signature.
      | ((best|kind|warm)\s+regards|с\s+уважением|(ystävällisin\s+)?terveisin|ar\s+cieņu)
        [,.]?\s+[^\W\d][\w .'-]{0,40}
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
# "Re:" and its translations (Outlook writes "VS:" in Finnish, "Atb.:" in Latvian),
# and a forward's "Fwd:" ("VL:", "Пересл:", "Pārs.:").
_REPLY_PREFIXES = "re|aw|sv|vs|atb|ответ|отв"
_FORWARD_PREFIXES = "fwd?|vl|пересл|pārs"
_REPLY_SUBJECT = re.compile(rf"^\s*(?:{_REPLY_PREFIXES})\s*(?:\[\d+\])?\.?\s*:", re.IGNORECASE)
_EARLIER_SUBJECT = re.compile(
    rf"^\s*(?:{_REPLY_PREFIXES}|{_FORWARD_PREFIXES})\s*(?:\[\d+\])?\.?\s*:", re.IGNORECASE
)
_SENT_FROM_DEVICE = re.compile(
    r"^\s*(sent from my |get outlook for |отправлено (с|из) "
    r"|lähetetty (iphonesta|android)|nosūtīts no )",
    re.IGNORECASE,
)


def _is_quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _attribution_at(lines: list[str], i: int) -> int:
    """How many lines (1-3) the attribution starting at line i spans, or 0."""
    if not lines[i].strip() or _is_quoted(lines[i]):
        return 0
    joined = ""
    for n in range(3):
        if i + n >= len(lines) or _is_quoted(lines[i + n]) or not lines[i + n].strip():
            return 0
        joined = (joined + " " + lines[i + n].strip()).strip()
        if len(joined) > 300:
            return 0
        if _ATTRIBUTION.search(joined):
            # "Thanks!" right above "On … wrote:" is the reply, not the header.
            for k in range(1, n + 1):
                if _ATTRIBUTION.search(" ".join(line.strip() for line in lines[i + k : i + n + 1])):
                    return 0
            return n + 1
        # Any other client's "<someone@…> [date]:" right above the quote (mutt).
        nxt = lines[i + n + 1] if i + n + 1 < len(lines) else ""
        if joined.endswith(":") and "@" in joined and _is_quoted(nxt):
            return n + 1
    return 0


def _outlook_header_at(lines: list[str], i: int) -> bool:
    if _SEPARATOR.match(lines[i]):
        return True
    if not _FROM.match(lines[i]):
        return False
    return any(_SENT.match(line) for line in lines[i + 1 : i + 5])


def _split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines before the signature, and the signature."""
    for i, line in enumerate(lines):
        if line.rstrip() == "--" or line == "-- ":
            return lines[:i], lines[i:]
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    if end and _SENT_FROM_DEVICE.match(lines[end - 1]):
        end -= 1
        while end and not lines[end - 1].strip():
            end -= 1
    # A sign-off counts only when it is followed by a short block (a name,
    # a title, a phone number): "Thanks, and one more thing..." is not one.
    for i in range(max(0, end - 8), end):
        if _SIGN_OFF.match(lines[i]):
            tail = [line for line in lines[i + 1 : end] if line.strip()]
            short = len(tail) <= 6 and all(len(line.strip()) <= 60 for line in tail)
            if short and any(line.strip() for line in lines[:i]):
                return lines[:i], lines[i:]
    return lines[:end], lines[end:]


def is_reply_subject(subject: str) -> bool:
    """Whether a subject is a reply's ("Re: Site down"): the earlier message's subject."""
    return bool(_REPLY_SUBJECT.match(subject))


def names_earlier_message(subject: str) -> bool:
    """Whether a subject is a reply's or a forward's ("Re: …", "Fwd: …"): it names
    an earlier conversation, not what this message asks."""
    return bool(_EARLIER_SUBJECT.match(subject))


def split_quoted(text: str, *, forwarded: bool = False) -> tuple[str, str]:
    """(new_text, quoted_text) of a message's text. A forwarded message keeps
    everything: Outlook forwards look like its replies, and the forwarded
    history is what the customer is asking about."""
    if forwarded:
        return text.strip(), ""
    lines = text.splitlines()
    new: list[str] = []
    quoted: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FORWARD.match(line):
            new.extend(lines[i:])
            break
        if _outlook_header_at(lines, i):
            quoted.extend(lines[i:])
            break
        span = _attribution_at(lines, i)
        if span:
            # "On … wrote:" and the ">" lines under it; a reply written below
            # or between the quotes (Thunderbird's bottom posting) stays new.
            quoted.extend(lines[i : i + span])
            i += span
            while i < len(lines) and (_is_quoted(lines[i]) or not lines[i].strip()):
                quoted.append(lines[i])
                i += 1
            continue
        if _is_quoted(line):
            quoted.append(line)
        else:
            new.append(line)
        i += 1
    body, signature = _split_signature(new)
    while signature and not signature[-1].strip():
        signature.pop()
    new_text = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip()
    quoted_text = "\n".join(signature + ([""] if signature and quoted else []) + quoted).strip()
    return new_text, quoted_text
