"""INBOUND_IMAP_URL: the mailboxes the desk polls, read once at start-up."""

from __future__ import annotations

import pytest

from helpdesk.mailboxes import MailboxURL, parse_mailbox_url, split_mailbox_urls
from tests.test_settings import setting, start


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "imaps://support%40example.com:p%40ss%2Cw%3Ard@imap.example.com/INBOX",
            MailboxURL(True, "imap.example.com", 993, "support@example.com", "p@ss,w:rd", "INBOX"),
        ),
        (
            "imap://desk:secret@127.0.0.1:1430/",
            MailboxURL(False, "127.0.0.1", 1430, "desk", "secret", "INBOX"),
        ),
        (
            "imaps://desk:secret@mail.example.com:9993/Support%20desk",
            MailboxURL(True, "mail.example.com", 9993, "desk", "secret", "Support desk"),
        ),
        (
            "imaps://desk:@mail.example.com",
            MailboxURL(True, "mail.example.com", 993, "desk", "", "INBOX"),
        ),
    ],
)
def test_it_reads_a_mailbox_url(raw, expected):
    assert parse_mailbox_url(raw) == expected


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("pop3://desk:secret@mail.example.com", "scheme"),
        ("mail.example.com", "scheme"),
        ("imaps://desk:secret@", "no host"),
        ("imaps://mail.example.com/INBOX", "no user and password"),
        ("imaps://desk@mail.example.com/INBOX", "no user and password"),
        ("imaps://desk:secret@mail.example.com:imap/INBOX", "port"),
        ("imaps://desk:secret@mail.example.com/INBOX?ssl=1", "query"),
    ],
)
def test_it_says_what_is_wrong_with_a_mailbox_url(raw, problem):
    with pytest.raises(ValueError, match=problem):
        parse_mailbox_url(raw)


def test_several_urls_are_separated_by_whitespace_or_commas():
    assert split_mailbox_urls(" imaps://a:b@x/INBOX,imap://c:d@y\n imaps://e:f%2Cg@z ,") == [
        "imaps://a:b@x/INBOX",
        "imap://c:d@y",
        "imaps://e:f%2Cg@z",
    ]


def test_the_desk_polls_no_mailbox_unless_told():
    assert setting("INBOUND_IMAP_URLS") == "[]"


def test_a_good_list_is_taken():
    value = "imaps://a%40b.example:pw@imap.b.example/INBOX, imap://desk:x@127.0.0.1:1430/"
    assert setting("INBOUND_IMAP_URLS", INBOUND_IMAP_URL=value) == str(
        ["imaps://a%40b.example:pw@imap.b.example/INBOX", "imap://desk:x@127.0.0.1:1430/"]
    )


def test_a_bad_url_stops_start_up_naming_the_variable_and_the_url_but_not_its_password():
    result = start(
        INBOUND_IMAP_URL="imaps://ok:fine@imap.example.com/INBOX pop3://desk:hunter2@mail.example.com"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: INBOUND_IMAP_URL: URL 2 ('pop3://desk:***@mail.example.com')" in (
        result.stderr
    )
    assert "hunter2" not in result.stderr


def test_the_processed_folder_may_not_be_a_polled_one():
    result = start(
        INBOUND_IMAP_URL="imaps://desk:hunter2@imap.example.com/Support",
        INBOUND_IMAP_PROCESSED_FOLDER="Support",
    )
    assert result.returncode != 0
    assert "INBOUND_IMAP_PROCESSED_FOLDER='Support': the folder" in result.stderr
    assert "hunter2" not in result.stderr


def test_the_processed_folder_is_processed_unless_told():
    assert setting("INBOUND_IMAP_PROCESSED_FOLDER", INBOUND_IMAP_PROCESSED_FOLDER="") == "Processed"
