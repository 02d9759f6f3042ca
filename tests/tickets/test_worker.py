"""A ticket's flow on the production set-up: PostgreSQL, Redis, a prefork Celery
worker and the web side in processes of their own (see conftest.py).

These tests run only with REDIS_URL set and the test database on PostgreSQL;
elsewhere (``make test`` on SQLite) they skip. The live_desk they drive runs on the
real clock, so every customer here is made for the test with hours that do not
depend on the moment the suite runs.
"""

from __future__ import annotations

import http.cookiejar
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from contracts.contract_files import load_contract_file
from contracts.engine.terms import Verdict
from contracts.models import Clause
from contracts.replies import DEFAULT_WORDING
from tests.tickets.conftest import needs_live_desk, wait_until
from tickets.models import Message, Offer, ScopeDecision, Status, Ticket

pytestmark = [pytest.mark.worker, needs_live_desk, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("en", "ru", "fi", "lv")
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"
SEO = "Please do search engine optimisation and link building for our shop."
VAGUE = "Hello, something is not right, please call me back."


def customer_file(
    slug: str,
    *,
    included_tickets: int = 1000,
    weekly: str = '"24/7"',
    valid_from: str = "2020-01-01",
    valid_until: str = "",
    with_contract: bool = True,
) -> str:
    """A customer with one contact per language and, unless told otherwise, a
    round-the-clock contract: e-mail included, plugins paid, SEO excluded."""
    contacts = "\n".join(
        f"    - {{email: {lang}@{slug}.example, name: Contact {lang.upper()}, language: {lang}}}"
        for lang in LANGUAGES
    )
    head = f"""
customer:
  name: {slug.title()} Ltd
  slug: {slug}
  timezone: UTC
  language: en
  contacts:
{contacts}
"""
    if not with_contract:
        return head + "contracts: []\n"
    return (
        head
        + f"""
contracts:
  - reference: {slug.upper()}-1
    title: Test plan
    valid_from: {valid_from}
    {f"valid_until: {valid_until}" if valid_until else ""}
    currency: EUR
    hourly_rate: 90.00
    unlisted_services: excluded
    allowance: {{included_tickets: {included_tickets}}}
    support_hours: {{weekly: {weekly}}}
    sla:
      normal: {{first_response: 8h, resolution: 3d}}
    clauses:
      - service: hosting.email
        coverage: included
        text: Mail delivery on our servers.
      - service: web.cms_plugins
        coverage: paid
        price: {{fixed: 60.00}}
        text: Installing CMS plugins.
      - service: marketing.seo
        coverage: excluded
        text: Search engine optimisation.
        advice: We gladly recommend agencies that do it well.
"""
    )


@pytest.fixture(scope="module")
def live_desk_settings() -> dict[str, str]:
    """Short e-mail claims, so that a reply a killed worker was sending is sent
    again within the test."""
    return {"EMAIL_TIMEOUT": "5", "EMAIL_SEND_LEASE_SECONDS": "10"}


def load_customer(catalogue, slug: str, **kwargs) -> dict[str, str]:
    """Load the customer; return each language's contact API token."""
    load_contract_file(customer_file(slug, **kwargs), source=f"{slug}.yaml")
    users = get_user_model().objects
    return {
        lang: Token.objects.get_or_create(user=users.get(email=f"{lang}@{slug}.example"))[0].key
        for lang in LANGUAGES
    }


def closed_now() -> str:
    """Support hours (UTC, like the customers here) on a weekday three days away:
    whatever the clock says while the tests run, the live_desk is closed."""
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(datetime.now(UTC).weekday() + 3) % 7]
    return f'{{{day}: "10:00-11:00"}}'


def undecided(ids) -> int:
    return Ticket.objects.filter(pk__in=ids, decided_at=None).count()


def wait_decided(live_desk, ids, *, timeout: float = 30) -> None:
    def decided() -> bool:
        live_desk.assert_no_task_failures()
        return undecided(ids) == 0

    wait_until(
        decided,
        timeout=timeout,
        what=f"the decisions of {len(ids)} tickets",
        detail=lambda: f"{undecided(ids)} undecided\n{live_desk.logs()}",
    )


def wait_settled(live_desk, ids, *, quiet: float = 2, timeout: float = 180) -> None:
    """Wait until no scope check waits in the queue and no decision has been made
    for ``quiet`` seconds: what is still undecided then was lost with a killed worker."""
    last = (None, time.monotonic())

    def settled() -> bool:
        nonlocal last
        live_desk.assert_no_task_failures()
        left = undecided(ids)
        waiting = live_desk.redis.queued("tickets.tasks.check_scope")
        if left != last[0] or waiting:
            last = (left, time.monotonic())
            return left == 0 and not waiting
        return time.monotonic() - last[1] >= quiet

    wait_until(
        settled, timeout=timeout, what="the queue to drain", every=0.2, detail=live_desk.logs
    )


def assert_one_decision_and_one_reply_each(ids) -> None:
    counts = Ticket.objects.filter(pk__in=ids).annotate(
        decisions_n=Count("decisions", distinct=True),
        replies_n=Count("messages", filter=Q(messages__kind=Message.Kind.AUTOMATIC), distinct=True),
    )
    wrong = [
        (t.pk, t.decisions_n, t.replies_n) for t in counts if (t.decisions_n, t.replies_n) != (1, 1)
    ]
    assert len(counts) == len(ids)
    assert not wrong, f"(ticket, decisions, automatic replies) not (1, 1): {wrong[:10]}"
    assert not Ticket.objects.filter(pk__in=ids, decided_at=None).exists()


def test_two_hundred_tickets_filed_across_a_killed_worker_get_one_decision_and_one_reply_each(
    live_desk, catalogue
):
    # Four customers, so that the two pool processes are not queued behind one
    # customer's row lock all the time.
    apis = [
        live_desk.api(load_customer(catalogue, f"crashy-{n}")[lang])
        for n, lang in enumerate(LANGUAGES)
    ]
    worker = live_desk.worker
    ids: list[int] = []
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(apis[n % 4].file, f"Mail {n}", MAIL) for n in range(200)]
        kills, killed_at, decided_then = [60, 130], [], 0
        for done in as_completed(futures):
            answer = done.result()
            assert answer.status == 201, answer
            ids.append(answer.data["id"])
            if not kills or len(ids) < kills[0] or not worker.is_ready():
                continue
            decided_now = len(ids) - undecided(ids)
            if decided_now > decided_then:
                # Mid-run, with this worker's decisions under way: it dies at once.
                worker.kill()
                killed_at.append(len(ids))
                kills.pop(0)
                decided_then = decided_now
                time.sleep(0.5)
                worker.start(wait=False)
    live_desk.assert_no_task_failures()
    assert killed_at, "nothing was decided while the tickets were filed"
    worker.wait_ready()
    wait_settled(live_desk, ids)
    # Tasks the killed worker had taken stay unacknowledged until the visibility
    # timeout (an hour): the sweep is what decides their tickets.
    lost = undecided(ids)
    assert lost >= 1, "the kills lost no task, so the sweep was not put to the test"

    live_desk.sweep()
    assert_one_decision_and_one_reply_each(ids)
    replies = Message.objects.filter(ticket__in=ids, kind=Message.Kind.AUTOMATIC)

    def all_emailed() -> bool:
        unsent = replies.filter(emailed_at=None)
        if not unsent.exists():
            return True
        # A reply the killed worker was sending stays claimed until its lease runs
        # out; then the sweep, as beat would run it, sends it again.
        if not unsent.filter(delivery_lease_until__gt=timezone.now()).exists():
            live_desk.sweep()
        return False

    wait_until(
        all_emailed,
        timeout=120,
        every=1,
        what="the replies to be e-mailed",
        detail=lambda: f"{replies.filter(emailed_at=None).count()} unsent\n{live_desk.logs()}",
    )
    reply_ids = set(replies.values_list("message_id", flat=True))
    sent = Counter(m["Message-ID"] for m in live_desk.mails() if m["Message-ID"] in reply_ids)
    assert not [mid for mid, n in sent.items() if n > 1], "a reply was e-mailed twice"
    print(f"\nworker killed after {killed_at} filed; the sweep decided {lost} lost tickets")


def test_twenty_tickets_at_once_take_exactly_the_three_included_tickets_left(live_desk, catalogue):
    tokens = load_customer(catalogue, "burst", included_tickets=5)
    api = live_desk.api(tokens["en"])
    first = [api.file(f"Mail {n}", MAIL).data["id"] for n in (1, 2)]
    wait_decided(live_desk, first)
    assert set(Ticket.objects.filter(pk__in=first).values_list("verdict", flat=True)) == {
        "in_scope"
    }

    barrier = threading.Barrier(20, timeout=30)

    def file_together(n: int):
        barrier.wait()
        return api.file(f"Mail at once {n}", MAIL)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(file_together, range(20)))
    assert [a.status for a in answers] == [201] * 20
    ids = [a.data["id"] for a in answers]
    wait_decided(live_desk, ids)

    verdicts = Counter(Ticket.objects.filter(pk__in=ids).values_list("verdict", flat=True))
    assert verdicts == {"in_scope": 3, "over_allowance": 17}
    offers = Offer.objects.filter(ticket__in=ids)
    assert offers.count() == 17
    assert {(o.amount, o.pricing) for o in offers} == {(Decimal("90.00"), "hourly")}
    assert_one_decision_and_one_reply_each(ids)


# verdict: (how the customer's contract is made, subject, text)
SITUATIONS = {
    Verdict.NOT_AUTHORIZED: ({"with_contract": False}, "Mail", MAIL),
    Verdict.NO_CONTRACT: ({"valid_from": "2020-01-01", "valid_until": "2020-12-31"}, "Mail", MAIL),
    Verdict.NEEDS_REVIEW: ({}, "Hello", VAGUE),
    Verdict.OUT_OF_SCOPE: ({}, "SEO", SEO),
    Verdict.PAID_OPTION: ({}, "Plugin", PLUGIN),
    Verdict.OVER_ALLOWANCE: ({"included_tickets": 0}, "Mail", MAIL),
    Verdict.OUTSIDE_HOURS: ({"weekly": closed_now()}, "Mail", MAIL),
    Verdict.IN_SCOPE: ({}, "Mail", MAIL),
}
OFFERED = {Verdict.NO_CONTRACT, Verdict.PAID_OPTION, Verdict.OVER_ALLOWANCE}


def wording_in(language: str, verdict: Verdict) -> tuple[str, str]:
    """How the default reply to ``verdict`` begins and ends in ``language``."""
    with translation.override(language):
        template = gettext(DEFAULT_WORDING[verdict])
        signature = gettext("Kind regards,\nYour support team")
    return template.split("{", 1)[0].strip(), signature


@pytest.mark.parametrize("verdict", list(Verdict), ids=lambda v: v.value)
def test_every_verdict_reaches_each_contact_through_the_api_in_their_language(
    live_desk, catalogue, verdict
):
    contract, subject, text = SITUATIONS[verdict]
    tokens = load_customer(catalogue, f"case-{verdict.value.replace('_', '-')}", **contract)
    filed = {
        lang: live_desk.api(tokens[lang]).file(subject, text, priority="normal")
        for lang in LANGUAGES
    }
    assert {lang: a.status for lang, a in filed.items()} == dict.fromkeys(LANGUAGES, 201)
    wait_decided(live_desk, [a.data["id"] for a in filed.values()])
    if verdict == Verdict.NO_CONTRACT:
        # One offer for the customer whose contract ended, however many write:
        # the others' replies point to it.
        offered = Offer.objects.filter(ticket_id__in=[a.data["id"] for a in filed.values()])
        assert offered.count() == 1

    for lang, answer in filed.items():
        ticket = live_desk.api(tokens[lang]).ticket(answer.data["id"])
        assert ticket["scope"]["verdict"] == verdict.value, (lang, ticket["scope"])
        assert ticket["verdict"] == verdict.value
        assert ticket["language"] == lang, (
            f"{verdict.value}: a {lang} contact got {ticket['language']}"
        )
        [reply] = [m for m in ticket["messages"] if m["kind"] == "automatic"]
        opening, signature = wording_in(lang, verdict)
        assert reply["body"].startswith(opening), (lang, reply["body"][:80])
        assert reply["body"].endswith(signature), (lang, reply["body"][-80:])
        assert "{" not in reply["body"], reply["body"]
        if verdict != Verdict.NO_CONTRACT:
            assert (ticket["offer"] is not None) == (verdict in OFFERED), ticket["offer"]
        if verdict == Verdict.OUTSIDE_HOURS:
            assert ticket["scope"]["starts_at"] is not None
            assert ticket["first_response_due"] is not None


def _form_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_the_emailed_offer_link_answers_the_offer_once_and_only_once(live_desk, catalogue):
    tokens = load_customer(catalogue, "offers")
    answer = live_desk.api(tokens["en"]).file("Plugin please", PLUGIN)
    ticket_id = answer.data["id"]
    wait_decided(live_desk, [ticket_id])
    offer = Offer.objects.get(ticket_id=ticket_id)

    def offer_mail():
        for message in live_desk.mails():
            if message["Subject"].startswith(f"[#{ticket_id}]"):
                return message
        return None

    mail = wait_until(offer_mail, timeout=30, what="the offer e-mail")
    assert mail["To"] == "en@offers.example"
    assert mail["Auto-Submitted"] == "auto-replied"
    links = re.findall(r"https?://\S+/offers/[^/\s]+/", mail.get_content())
    assert len(links) == 2 and all(link.startswith(live_desk.web.url) for link in links)
    accept, decline = links

    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def get(url: str) -> tuple[int, str]:
        with browser.open(url, timeout=10) as response:
            return response.status, response.read().decode()

    def post(url: str, form_token: str) -> tuple[int, str]:
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": form_token}).encode()
        try:
            with browser.open(url, data=data, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    status, page = get(accept)
    assert status == 200 and "Plugin please" in page and "Accept the offer" in page
    offer.refresh_from_db()
    assert offer.status == Offer.Status.PENDING  # looking at the link answers nothing
    form_token = _form_token(page)

    status, page = post(accept, form_token)
    assert status == 200 and "Thank you for accepting the offer." in page
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.answered_at is not None
    answered_at = offer.answered_at
    assert Ticket.objects.get(pk=ticket_id).status == Status.OPEN

    status, page = post(accept, form_token)
    assert status == 409 and "already been answered" in page
    status, page = post(decline, form_token)
    assert status == 409
    offer.refresh_from_db()
    assert (offer.status, offer.answered_at) == (Offer.Status.ACCEPTED, answered_at)
    # One decision, one reply to it, and one thank-you for the acceptance.
    assert ScopeDecision.objects.filter(ticket_id=ticket_id).count() == 1
    assert Message.objects.filter(ticket_id=ticket_id, kind=Message.Kind.AUTOMATIC).count() == 2


def test_tickets_filed_while_redis_is_down_are_accepted_and_decided_once_it_is_back(
    live_desk, catalogue
):
    tokens = load_customer(catalogue, "stormy")
    api = live_desk.api(tokens["fi"])
    live_desk.redis.stop()
    try:
        answers = [api.file(f"Mail {n}", MAIL) for n in range(5)]
        assert [a.status for a in answers] == [201] * 5
        assert max(a.seconds for a in answers) < 2, [round(a.seconds, 2) for a in answers]
        ids = [a.data["id"] for a in answers]
        time.sleep(1)
        assert undecided(ids) == 5
    finally:
        live_desk.redis.start()

    assert live_desk.sweep() == 5
    assert_one_decision_and_one_reply_each(ids)
    assert set(Ticket.objects.filter(pk__in=ids).values_list("verdict", flat=True)) == {"in_scope"}
    # The web side and the worker find the broker again by themselves.
    later = api.file("Mail 6", MAIL)
    assert later.status == 201
    wait_decided(live_desk, [later.data["id"]], timeout=45)
    replies = Message.objects.filter(ticket__in=[*ids, later.data["id"]], kind="automatic")
    wait_until(
        lambda: not replies.filter(emailed_at=None).exists(),
        timeout=30,
        what="the replies to be e-mailed",
    )


def test_a_clause_edited_by_a_lead_is_read_by_the_next_decision_in_every_worker_process(
    live_desk, catalogue
):
    """Each pool process keeps the terms in memory; a lead's edit bumps their
    version in the database, so neither process decides by the old clause."""
    tokens = load_customer(catalogue, "edited")
    api = live_desk.api(tokens["en"])

    def file_many(label: str) -> list[int]:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: api.file(f"{label} {n}", PLUGIN), range(16)))
        return [answer.data["id"] for answer in answers]

    before = file_many("Plugin")
    wait_decided(live_desk, before)
    assert set(Ticket.objects.filter(pk__in=before).values_list("verdict", flat=True)) == {
        "paid_option"
    }
    log = live_desk.worker.log.read_text(errors="replace")
    assert {"ForkPoolWorker-1", "ForkPoolWorker-2"} <= set(
        re.findall(r"(ForkPoolWorker-\d+)\] Task tickets\.tasks\.check_scope", log)
    ), "both pool processes must have decided (and so kept the terms) before the edit"

    clause = Clause.objects.get(contract__reference="EDITED-1", service__code="web.cms_plugins")
    clause.coverage, clause.pricing, clause.price = "included", "", None
    clause.save()  # as the contract editor saves it

    after = file_many("Plugin again")
    wait_decided(live_desk, after)
    assert set(Ticket.objects.filter(pk__in=after).values_list("verdict", flat=True)) == {
        "in_scope"
    }
    log_after = live_desk.worker.log.read_text(errors="replace")[len(log) :]
    assert {"ForkPoolWorker-1", "ForkPoolWorker-2"} <= set(
        re.findall(r"(ForkPoolWorker-\d+)\] Task tickets\.tasks\.check_scope", log_after)
    ), "both pool processes must have decided after the edit"
