"""The quote and signature rules one by one, beside the corpus's whole messages."""

from __future__ import annotations

import pytest

from contracts.engine.quotes import split_quoted
from tickets.inbound.text import html_to_text

CASES = [
    # (text, new, quoted-phrase)
    (
        'Fixed, thanks.\n\n07.12.2026, 10:15, "Scopedesk Support" <support@desk.example>:'
        "\n> Старое",
        "Fixed, thanks.",
        "Старое",
    ),
    (
        "Спасибо!\n\nПонедельник, 7 декабря 2026, 10:15 +03:00 от Scopedesk Support"
        " <support@desk.example>:\n> Старое",
        "Спасибо!",
        "Старое",
    ),
    (
        "Thanks!\nOn Mon, Dec 7, 2026 at 10:15 AM Support <support@desk.example> wrote:\n> old",
        "Thanks!",
        "old",
    ),
    (
        "New text\n\n________________________________\nFrom: Support <support@desk.example>\n"
        "Sent: Monday, December 7, 2026 10:15\nTo: Ann\nSubject: x\n\nold",
        "New text",
        "old",
    ),
    ("New\n\n*From:* Support\n*Sent:* Monday\n*To:* Ann\n\nold", "New", "old"),
    (
        "New\n\n-------- Original Message --------\nSubject: x\nDate: Mon, 7 Dec 2026"
        "\nFrom: Support\n\nold",
        "New",
        "old",
    ),
    ("New\n\n-------- Исходное сообщение --------\nТема: x\n\nold", "New", "old"),
    ("Uusi\n\n-----Alkuperäinen viesti-----\nLähettäjä: Support\n\nold", "Uusi", "old"),
    (
        "Jauns\n\nNo: Support <support@desk.example>\nNosūtīts: pirmdiena\nKam: Jānis\n\nold",
        "Jauns",
        "old",
    ),
    ("Body text here.\n--\nAnn Lee\nNorthwind", "Body text here.", "Ann Lee"),
    (
        "Body text here.\n\nС уважением,\nИван Петров\n+7 900 000-00-00",
        "Body text here.",
        "Иван Петров",
    ),
    ("Body text here.\n\nYstävällisin terveisin,\nAino", "Body text here.", "Aino"),
    ("Body text here.\n\nAr cieņu,\nJānis Bērziņš", "Body text here.", "Jānis"),
    ("Body text here.\n\nОтправлено с iPhone", "Body text here.", "iPhone"),
    ("Body text here.\n\nBest regards, Ann Lee\nNorthwind Ltd", "Body text here.", "Ann Lee"),
    ("Body text here.\n\nС уважением, Иван Петров", "Body text here.", "Иван Петров"),
    ("Body text here.\n\nTerveisin Aino Virtanen", "Body text here.", "Aino"),
]


@pytest.mark.parametrize(("text", "new", "quoted"), CASES)
def test_it_splits_the_reply_from_its_history(text, new, quoted):
    got_new, got_quoted = split_quoted(text)
    assert got_new == new
    assert quoted in got_quoted


def test_thanks_that_starts_a_sentence_is_not_a_signature():
    text = "The shop is up again.\n\nThanks, that fixed it\nAnn"
    assert split_quoted(text) == (text, "")


def test_a_message_of_only_a_sign_off_keeps_it():
    assert split_quoted("Thanks!\nAnn") == ("Thanks!\nAnn", "")


def test_a_forwarded_block_inside_a_message_stays_new():
    text = (
        "Here is what they sent:\n\n-------- Forwarded Message --------\n"
        "From: x\nDate: y\n\nThe server is down."
    )
    assert split_quoted(text) == (text, "")


def test_a_forwarded_message_keeps_even_outlook_headers():
    text = "FYI\n\nFrom: Registrar\nSent: Monday\n\nExpires soon."
    assert split_quoted(text, forwarded=True) == (text, "")
    assert split_quoted(text)[0] == "FYI"


def test_a_sentence_that_mentions_writing_is_not_a_quote_header():
    text = "My colleague wrote: the backup failed.\nPlease check."
    assert split_quoted(text)[0] == text


def test_outlook_desktop_html_is_split_after_it_is_turned_into_text():
    html = (
        "<html><head><style>p.MsoNormal{margin:0}</style></head><body lang=RU>"
        "<div class=WordSection1><p class=MsoNormal>Добрый день!<o:p></o:p></p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<p class=MsoNormal>Бэкап за вчера отсутствует.<o:p></o:p></p>"
        "<div><div style='border:none;border-top:solid #E1E1E1 1.0pt'><p class=MsoNormal>"
        "<b>От:</b> Support &lt;support@desk.example&gt;<br>"
        "<b>Отправлено:</b> 7 декабря 2026 г. 10:15"
        "<br><b>Кому:</b> Ольга<br><b>Тема:</b> Бэкап<o:p></o:p></p></div></div>"
        "<p class=MsoNormal>Старый текст<o:p></o:p></p></div></body></html>"
    )
    new, quoted = split_quoted(html_to_text(html))
    assert new == "Добрый день!\n\nБэкап за вчера отсутствует."
    assert quoted.startswith("От: Support <support@desk.example>\nОтправлено:")
    assert "Старый текст" in quoted
