"""What customers write that the catalogue's phrases do not spell out: very short
texts with typos, technical words, English terms inside Finnish and Latvian
sentences, and replies whose quoted history and signature talk about other
services. Pure: the example catalogue, its everyday words included, and no DB."""

from __future__ import annotations

import pytest

from contracts.engine.scope import Catalogue, ScopeRequest, decide
from contracts.engine.terms import Verdict
from tests.contracts.test_scope_engine import CUSTOMER, MONDAY_10, NO_USAGE
from tests.helpers import example_catalogue

AINO = "aino@northwind.example"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return example_catalogue()


@pytest.mark.parametrize(
    ("text", "service"),
    [
        # Very short, with typos: a swap of two neighbouring letters is read too.
        ("site dwon", "hosting.availability"),
        ("sivut ei toimi", "hosting.availability"),
        ("sivusto alhaalla", "hosting.availability"),
        ("sivsuto alhaalla", "hosting.availability"),
        ("lapa nestrādā", "hosting.availability"),
        ("lapa nestrada", "hosting.availability"),
        ("Mājaslapa atkal nokritusi.", "hosting.availability"),
        ("epasti nepienak", "hosting.email"),
        # Technical words for covered work.
        ("TXT record missing", "hosting.dns"),
        ("please change the MX records", "hosting.dns"),
        ("please add SPF and DKIM", "hosting.dns"),
        ("CNAME for www", "hosting.dns"),
        ("503 since noon", "hosting.availability"),
        ("curl: connection refused", "hosting.availability"),
        ("SMTP rejects our messages", "hosting.email"),
        ("IMAP not syncing on my phone", "hosting.email"),
        ("POP3 settings?", "hosting.email"),
        ("cPanel login fails", "hosting.access"),
        ("En pääse cPaneliin", "hosting.access"),
        ("Plesk parole neder", "hosting.access"),
        # English terms inside Finnish and Latvian sentences.
        ("meidän SPF record puuttuu", "hosting.dns"),
        ("DNS ieraksts CNAME nestrādā", "hosting.dns"),
        ("meidän site on down", "hosting.availability"),
        ("Vajag plugin update mūsu WordPress lapai", "web.cms_plugins"),
    ],
)
def test_it_reads_short_technical_and_mixed_language_texts(catalogue, text, service):
    assert catalogue.matcher.recognise(text).service == service


def judge(catalogue: Catalogue, text: str, subject: str = ""):
    request = ScopeRequest(email=AINO, text=text, subject=subject)
    return decide(
        customer=CUSTOMER, request=request, usage=NO_USAGE, at=MONDAY_10, catalogue=catalogue
    )


OUTAGE_REPLY = (
    "Hei,\n\nsivusto on taas alhaalla, tulee vain 503.\n\n"
    "Terveisin\nAino Virtanen\nNorthwind Webshop Oy\npuh. 040 123 4567\n\n"
    "ma 23.11.2026 klo 9.12 Tuki <tuki@scopedesk.example> kirjoitti:\n"
    "> WooCommerce-lisäosa on asennettu ja teema päivitetty; lisäosan asennus\n"
    "> laskutetaan sopimuksen mukaan. Posti ja sähköpostilaatikot toimivat taas.\n"
)


def test_a_reply_is_judged_by_what_it_says_not_by_what_it_quotes(catalogue):
    decision = judge(catalogue, OUTAGE_REPLY, "Re: WooCommerce-lisäosa")
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, "hosting.availability")


def test_a_thank_you_under_a_quoted_outage_is_no_outage(catalogue):
    text = (
        "Kiitos, nyt toimii taas!\n\n"
        "ma 23.11.2026 klo 9.12 Tuki <tuki@scopedesk.example> kirjoitti:\n"
        "> Sivustonne oli alhaalla palvelinvian takia, se on nyt korjattu.\n"
    )
    # The reply's subject names the quoted message, so it is no summary of this one.
    assert judge(catalogue, text, "Re: Sivusto alhaalla").verdict is Verdict.NEEDS_REVIEW
    # Without the quote the subject is the writer's own, and counts as before.
    assert judge(catalogue, "Kiitos, nyt toimii taas!", "Sivusto alhaalla").service == (
        "hosting.availability"
    )


def test_a_text_that_is_all_quote_is_judged_whole(catalogue):
    text = "> sivusto on alhaalla, tulee 503\n> koko kauppa nurin"
    decision = judge(catalogue, text)
    assert (decision.verdict, decision.service) == (Verdict.IN_SCOPE, "hosting.availability")
