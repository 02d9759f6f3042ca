"""Reading raw e-mail: the corpus in tests/mail/ against tests/mail/expected.yaml,
and the edges the corpus cannot hold (a 20 MB attachment, any bytes at all)."""

from __future__ import annotations

import base64
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tickets.inbound.mail import AutoKind, InboundMail
from tickets.inbound.reading import read_message
from tickets.inbound.text import decode_bytes, html_to_text

CORPUS = Path(__file__).resolve().parents[1] / "mail"
EXPECTED: dict[str, dict] = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
FILES = sorted(p.name for p in CORPUS.glob("*.eml"))


def read(name: str) -> InboundMail:
    return read_message((CORPUS / name).read_bytes())


def test_the_corpus_is_large_enough_and_every_file_has_an_entry():
    assert len(FILES) >= 40
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize("name", FILES)
def test_it_reads_each_message_of_the_corpus_as_expected(name):
    want = EXPECTED[name] or {}
    mail = read(name)

    for field in ("subject", "sender", "sender_name", "message_id", "return_path"):
        if field in want:
            assert getattr(mail, field) == want[field], field
    for field in ("in_reply_to", "references", "recipients"):
        if field in want:
            assert list(getattr(mail, field)) == want[field], field
    for phrase in want.get("new_text", []):
        assert phrase in mail.new_text, f"{phrase!r} missing from new_text:\n{mail.new_text}"
    for phrase in want.get("not_new_text", []):
        assert phrase not in mail.new_text, f"{phrase!r} left in new_text:\n{mail.new_text}"
    for phrase in want.get("quoted_text", []):
        assert phrase in mail.quoted_text, (
            f"{phrase!r} missing from quoted_text:\n{mail.quoted_text}"
        )
    # Nothing is lost: every line of the text is either new or quoted.
    for line in filter(None, (line.strip() for line in mail.text.splitlines())):
        assert line in mail.new_text or line in mail.quoted_text, line

    assert mail.auto == AutoKind(want.get("auto", ""))

    if "bounce" in want:
        assert mail.bounce is not None
        expected = want["bounce"]
        assert mail.bounce.original_message_id == expected["original_message_id"]
        assert mail.bounce.recipient == expected["recipient"]
        assert mail.bounce.permanent is expected["permanent"]
        assert expected.get("diagnostic", "") in mail.bounce.diagnostic
    else:
        assert mail.bounce is None

    assert [a.filename for a in mail.attachments] == want.get("attachments", [])
    assert [a.filename for a in mail.attachments if a.inline] == want.get("inline", [])
    assert all(a.content for a in mail.attachments)

    if "problems" in want:
        for phrase in want["problems"]:
            assert any(phrase in p for p in mail.problems), (phrase, mail.problems)
    else:
        assert mail.problems == ()


def test_it_normalises_ids_and_addresses():
    mail = read("ids-without-brackets.eml")
    assert mail.message_id == "<ids-1050-2@northwind.example>"
    assert all(a == a.lower() for a in (mail.sender, *mail.recipients))
    assert "\n" not in mail.subject


def test_it_unpacks_winmail_dat_into_the_files_outlook_sent():
    mail = read("outlook-winmail.eml")
    zone = next(a for a in mail.attachments if a.filename == "old-zone.txt")
    assert zone.content == b"kalatalo.example. 3600 IN MX 10 mx.old.example.\n"
    assert "winmail.dat" not in [a.filename for a in mail.attachments]


def test_a_damaged_winmail_dat_is_kept_as_a_file_with_a_problem():
    msg = EmailMessage()
    msg["From"] = "jukka@kalatalo.example"
    msg["Subject"] = "x"
    msg.set_content("See attached.")
    msg.add_attachment(
        b"not tnef at all", maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    mail = read_message(msg.as_bytes())
    assert [a.filename for a in mail.attachments] == ["winmail.dat"]
    assert "winmail.dat could not be unpacked" in mail.problems


def test_it_keeps_the_calendar_invitation_as_invite_ics():
    ics = next(a for a in read("calendar-invite.eml").attachments if a.filename == "invite.ics")
    assert ics.content.startswith(b"BEGIN:VCALENDAR")


def test_it_reads_a_20_mb_attachment_whole_and_quickly():
    blob = bytes(range(256)) * (20 * 1024 * 1024 // 256)
    msg = EmailMessage()
    msg["From"] = "Ann Lee <ann.lee@northwind.example>"
    msg["To"] = "support@desk.example"
    msg["Subject"] = "Database dump"
    msg["Message-ID"] = "<dump-1@northwind.example>"
    msg.set_content("The dump is attached.")
    msg.add_attachment(blob, maintype="application", subtype="octet-stream", filename="shop.sql.gz")
    raw = msg.as_bytes()
    started = time.perf_counter()
    mail = read_message(raw)
    elapsed = time.perf_counter() - started
    assert mail.new_text == "The dump is attached."
    assert [a.filename for a in mail.attachments] == ["shop.sql.gz"]
    assert mail.attachments[0].content == blob
    assert elapsed < 10, elapsed  # generous: base64 of 20 MB on a busy 2-core machine


def test_it_reads_a_message_with_no_headers_or_body():
    mail = read_message(b"")
    assert mail.sender == "" and mail.text == "" and mail.auto == AutoKind.HUMAN
    assert "no sender address" in mail.problems


def test_html_to_text_quotes_blockquotes_and_drops_scripts():
    text = html_to_text("<p>New</p><blockquote>Old<br>line</blockquote><script>x()</script>")
    assert text.splitlines() == ["New", "", "> Old", "> line"]


@pytest.mark.parametrize(
    ("data", "declared", "text", "problem"),
    [
        ("Привет".encode("koi8-r"), "koi8-r", "Привет", None),
        ("Labdien, Jāni".encode("cp1257"), "windows-1257", "Labdien, Jāni", None),
        ("Hyvää päivää".encode(), "iso-8859-1", "Hyvää päivää", "read as utf-8"),
        ("Добрый день, как дела".encode("cp1251"), None, "Добрый день, как дела", "read as cp1251"),
        ("Добрый день, как дела".encode("koi8-r"), None, "Добрый день, как дела", "read as koi8_r"),
        (b"plain", "no-such-charset", "plain", "unknown charset"),
    ],
)
def test_it_decodes_charsets_with_a_fallback(data, declared, text, problem):
    got, got_problem = decode_bytes(data, declared)
    assert got == text
    assert (problem is None and got_problem is None) or (problem and problem in (got_problem or ""))


def _mutations(raw: bytes) -> st.SearchStrategy[bytes]:
    return st.tuples(st.integers(0, len(raw)), st.integers(0, 200), st.binary(max_size=64)).map(
        lambda t: raw[: t[0]] + t[2] + raw[t[0] + t[1] :]
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(FILES).flatmap(lambda name: _mutations((CORPUS / name).read_bytes()))
    | st.binary(max_size=2000)
)
def test_it_never_crashes_on_damaged_mail(raw):
    mail = read_message(raw)
    assert isinstance(mail.text, str) and isinstance(mail.new_text, str)


def test_broken_base64_is_read_with_a_problem_not_an_exception():
    raw = (
        b"From: a@b.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain\r\n\r\nhello\r\n--b\r\n"
        b'Content-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.b64encode(b"%PDF-1.4 data")[:-3]
        + b"!!\r\n--b--\r\n"
    )
    mail = read_message(raw)
    assert mail.new_text == "hello"
    assert [a.filename for a in mail.attachments] == ["a.pdf"]


def test_a_raw_8_bit_subject_in_windows_1251_is_read():
    raw = (
        b"From: a@zavod.example\r\nSubject: "
        + "Счёт за хостинг".encode("cp1251")
        + b"\r\n\r\nhi\r\n"
    )
    assert read_message(raw).subject == "Счёт за хостинг"


def test_a_mangled_from_still_gives_a_clean_address_or_none():
    raw = b'From: "Broken <Ann@Northwind.example\r\nTo: ,,,@@@\r\nSubject: x\r\n\r\nhi\r\n'
    mail = read_message(raw)
    assert mail.sender == "ann@northwind.example"
    assert mail.recipients == ()


def test_a_part_repaired_while_decoding_is_named_in_problems():
    raw = (
        b"From: a@b.example\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="zz"\r\n\r\n'
        b"--zz\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        b"aGVsbG8gd29ybGQ\r\n--zz--\r\n"
    )
    mail = read_message(raw)
    assert mail.text.startswith("hello wor")
    assert any("text/plain: Invalid" in p for p in mail.problems), mail.problems


def test_a_format_flowed_body_has_its_soft_breaks_joined():
    raw = (
        b"From: sarah@cyberdyne.example\r\nSubject: Re: [#1051] Cron job\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\r\n"
        b"On 07/12/2026 10:15, Scopedesk Support of a rather long \r\nname wrote:\r\n"
        b"> Which script should the \r\n> cron job run?\r\n\r\n"
        b"It is report.sh, every \r\nnight at 02:00.\r\n\r\n-- \r\nSarah\r\n"
    )
    mail = read_message(raw)
    assert mail.new_text == "It is report.sh, every night at 02:00."
    assert "> Which script should the cron job run?" in mail.quoted_text
    assert "long name wrote:" in mail.quoted_text
