"""Write every automatic reply the desk sends to one file, for a reviewer to read
the whole set at once: each verdict in each language, mixed requests, claims and
complaints, incident notices and credit notices.

    DEBUG=1 python manage.py replies [var/replies.md]

It works on a temporary database of its own, filled with the example catalogue
and contracts (examples/) at a fixed moment, so the file is the same on every
run and from a clean clone; the desk's own database is not touched.

The file is built from ``SECTIONS``: a title and a function that returns the
section's (heading, text) entries. A new kind of message is one more entry there.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings, setup_databases, teardown_databases
from django.utils import timezone, translation

from contracts.contract_files import load_contract_file, load_services
from contracts.engine.scope import Catalogue, Decision, ScopeRequest, Usage, decide
from contracts.engine.terms import (
    LANGUAGES,
    ContactTerms,
    Duration,
    Price,
    Pricing,
    Role,
    Verdict,
    wording_in,
)
from contracts.models import Clause, Contact, Customer, Service
from contracts.replies import render_reply, written_in
from contracts.roles import LEADS
from contracts.selectors import customer_terms_by_slug, service_catalogue
from helpdesk.celery import app
from tickets import services
from tickets.models import CreditNotice, IncidentUpdate, Message, Ticket, UptimeCredit
from tickets.services.credits import credit_email, credits_compute_month
from tickets.services.incident_notices import notice_text
from tickets.services.on_call import on_call_accepted_text, on_call_declined_text
from tickets.services.override_messages import OVERRIDE_VERDICTS, override_text

HELSINKI = ZoneInfo("Europe/Helsinki")
# Monday 23 November 2026, 10:00 in Helsinki: Northwind's and Volga's contracts
# are valid and the desk is open; Daugava's contract ended eleven months ago.
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
MONDAY_0759 = datetime(2026, 11, 23, 7, 59, tzinfo=HELSINKI)
SATURDAY_22 = datetime(2026, 11, 21, 22, 0, tzinfo=HELSINKI)

# The same decision is read by a contact of each language, with a name of that
# language, so every greeting shows its real form.
READERS = {
    "en": "Sara Berg",
    "ru": "Анна Смирнова",
    "fi": "Aino Virtanen",
    "lv": "Jānis Bērziņš",
}

Entry = tuple[str, str]  # a heading and the message under it

# On-call work outside support hours, as a contract's emergency key may price it.
ON_CALL = Price(Pricing.HOURLY, Decimal("180.00"), Duration(1, "h"))


@dataclass(frozen=True)
class Desk:
    """What the sections read: the catalogue and a lead to act as."""

    catalogue: Catalogue
    lead: User


@dataclass(frozen=True)
class Case:
    title: str
    customer: str = "northwind"
    email: str = "aino@northwind.example"
    text: str = "Emails to our mailbox are not arriving since yesterday."
    usage: Usage = field(default_factory=Usage)
    at: datetime = MONDAY_10
    priority: str = "normal"
    offer_elsewhere: str = ""
    elsewhere_renewal: bool = False
    renewal_accepted: bool = False
    role: Role | None = None  # the writer's, where not the example file's
    monthly_fee: Decimal | None = None  # the contracts', where not the example file's
    emergency: Price | None = None  # the contracts' on-call price, where the file has none


VERDICT_CASES: dict[Verdict, list[Case]] = {
    Verdict.NOT_AUTHORIZED: [Case("A sender who is no contact", email="stranger@example.com")],
    Verdict.NO_CONTRACT: [
        Case(
            "The contract has ended: its renewal is offered",
            customer="daugava",
            email="janis@daugava.example",
        ),
        Case(
            "The contract has ended: its renewal, to a requester who is not a manager",
            customer="daugava",
            email="liga@daugava.example",
            role=Role.REQUESTER,
        ),
        Case(
            "The contract has ended, and its renewal offer already waits on another ticket",
            customer="daugava",
            email="janis@daugava.example",
            offer_elsewhere="#41 (https://desk.example/portal/tickets/41/)",
            elsewhere_renewal=True,
        ),
        Case(
            "The contract has ended, and its renewal is accepted on another ticket",
            customer="daugava",
            email="janis@daugava.example",
            offer_elsewhere="#41 (https://desk.example/portal/tickets/41/)",
            elsewhere_renewal=True,
            renewal_accepted=True,
        ),
        Case(
            "The contract had no monthly fee: paid one-off work is offered",
            customer="daugava",
            email="janis@daugava.example",
            monthly_fee=Decimal(0),
        ),
        Case(
            "The contract had no monthly fee, and its offer already waits on another ticket",
            customer="daugava",
            email="janis@daugava.example",
            offer_elsewhere="#41 (https://desk.example/portal/tickets/41/)",
            monthly_fee=Decimal(0),
        ),
    ],
    Verdict.NEEDS_REVIEW: [
        Case("The request cannot be told", text="help!!! nothing works"),
        Case(
            "The request cannot be told, on a Saturday night",
            text="help!!! nothing works",
            at=SATURDAY_22,
        ),
    ],
    Verdict.OUT_OF_SCOPE: [
        Case("Excluded work", text="Could you improve our Google ranking with some SEO work?")
    ],
    Verdict.PAID_OPTION: [
        Case("Paid work, hourly", text="There is a PHP fatal error in my custom script."),
        Case("Paid work, fixed price", text="Please install the WooCommerce plugin."),
    ],
    Verdict.OVER_ALLOWANCE: [
        Case("The month's included tickets are used up", usage=Usage(tickets_used=10))
    ],
    Verdict.OUTSIDE_HOURS: [
        Case("Covered work before opening time", at=MONDAY_0759),
        Case(
            "Something is down before opening time (urgent, no round-the-clock clause)",
            text="Emails to our mailbox are not arriving, orders are stuck!",
            at=MONDAY_0759,
            priority="urgent",
        ),
        Case(
            "Something is down before opening time, and the contract offers paid on-call work",
            text="Emails to our mailbox are not arriving, orders are stuck!",
            at=MONDAY_0759,
            priority="urgent",
            emergency=ON_CALL,
        ),
    ],
    Verdict.IN_SCOPE: [
        Case("Covered work"),
        Case(
            "The site is down on a Saturday night (urgent, covered round the clock)",
            text="Our site is down!",
            at=SATURDAY_22,
            priority="urgent",
        ),
    ],
}


def _decision(desk: Desk, case: Case) -> Decision:
    customer = customer_terms_by_slug(case.customer)
    assert customer is not None, case.customer
    if case.monthly_fee is not None:
        contracts = tuple(replace(c, monthly_fee=case.monthly_fee) for c in customer.contracts)
        customer = replace(customer, contracts=contracts)
    if case.emergency is not None:
        contracts = tuple(replace(c, emergency=case.emergency) for c in customer.contracts)
        customer = replace(customer, contracts=contracts)
    if case.role is not None:  # another contact of the customer, in this role
        writer = ContactTerms(email=case.email, name="", role=case.role, language="en")
        customer = replace(customer, contacts={**customer.contacts, case.email: writer})
    return decide(
        customer=customer,
        request=ScopeRequest(email=case.email, text=case.text, priority=case.priority),
        usage=case.usage,
        at=case.at,
        catalogue=desk.catalogue,
    )


def _read_by(decision: Decision, language: str) -> Decision:
    contact = decision.contact
    if contact is not None:
        contact = replace(contact, language=language, name=READERS[language])
    return replace(decision, language=language, contact=contact)


def verdict_replies(desk: Desk) -> Iterable[Entry]:
    for verdict, cases in VERDICT_CASES.items():
        for case in cases:
            decision = _decision(desk, case)
            assert decision.verdict is verdict, (case.title, decision.verdict)
            for language in LANGUAGES:
                reply = render_reply(
                    _read_by(decision, language),
                    at=case.at,
                    catalogue=desk.catalogue,
                    offer_elsewhere=case.offer_elsewhere,
                    elsewhere_renewal=case.elsewhere_renewal,
                    renewal_accepted=case.renewal_accepted,
                )
                yield f"{verdict.value} · {case.title} · {language}", reply.text


def russian_customer_replies(desk: Desk) -> Iterable[Entry]:
    """A Russian customer's own clauses and roubles."""
    for case in [
        Case("Paid work", text="Поставьте, пожалуйста, плагин WooCommerce на наш WordPress."),
        Case("Covered work", text="Не приходит почта на наши ящики с утра."),
    ]:
        case = replace(case, customer="volga-media", email="olga@volga-media.example")
        decision = _decision(desk, case)
        reply = render_reply(decision, at=case.at, catalogue=desk.catalogue)
        yield f"{decision.verdict.value} · {case.title} · {reply.language}", reply.text


MIXED = {
    "en": "Mail is not arriving since this morning. Also please install a WordPress plugin.",
    "ru": "С утра не приходит почта на наши ящики. А также нужно поставить плагин для WordPress.",
    "fi": "Sähköposti ei tule perille aamusta asti. Lisäksi pitäisi asentaa WordPressiin lisäosa.",
    "lv": "E-pasts nepienāk kopš rīta. Turklāt lūdzu uzstādiet WordPress spraudni mūsu vietnei.",
}


def mixed_replies(desk: Desk) -> Iterable[Entry]:
    for language in LANGUAGES:
        decision = _decision(desk, Case("", text=MIXED[language]))
        reply = render_reply(_read_by(decision, language), at=MONDAY_10, catalogue=desk.catalogue)
        parts = " + ".join(part.verdict.value for part in decision.parts) or "one verdict"
        yield f"{parts} · {language}", reply.text
    # Urgent and before opening, under a contract with on-call work: the covered
    # part has the on-call offer beside it.
    for language in LANGUAGES:
        case = Case("", text=MIXED[language], at=MONDAY_0759, priority="urgent", emergency=ON_CALL)
        decision = _decision(desk, case)
        reply = render_reply(_read_by(decision, language), at=case.at, catalogue=desk.catalogue)
        parts = " + ".join(part.verdict.value for part in decision.parts) or "one verdict"
        yield f"{parts}, urgent, with on-call work · {language}", reply.text


def on_call_answers(desk: Desk) -> Iterable[Entry]:
    """What the customer reads after answering the on-call offer."""
    for language in LANGUAGES:
        with translation.override(language):
            yield f"on-call work accepted · {language}", on_call_accepted_text()
            yield f"on-call work declined · {language}", on_call_declined_text()


# One contact of each language, as the example files have them.
CONTACTS = {
    "en": "sara@northwind.example",
    "ru": "olga@volga-media.example",
    "fi": "aino@northwind.example",
    "lv": "janis@daugava.example",
}
CLAIMS = {
    "en": "We were down for hours last month, we want compensation for the downtime.",
    "ru": "Сайт лежал несколько часов, требуем компенсацию за простой.",
    "fi": "Sivusto oli alhaalla tunteja, vaadimme hyvitystä katkoksesta.",
    "lv": "Vietne nedarbojās vairākas stundas, pieprasām kompensāciju par dīkstāvi.",
}
COMPLAINTS = {
    "en": "I want to make a formal complaint about your support, nobody helped us.",
    "ru": "Хочу пожаловаться: официальная жалоба на вашу поддержку, нам никто не помог.",
    "fi": "Haluan tehdä virallisen valituksen asiakaspalvelustanne, kukaan ei auttanut.",
    "lv": "Vēlos iesniegt oficiālu sūdzību par jūsu atbalstu, neviens mums nepalīdzēja.",
}


def _filed(email: str, text: str) -> Ticket:
    """A ticket filed and decided as the desk does it, with its automatic reply."""
    user = get_user_model().objects.get(email=email)
    ticket = services.ticket_create(requester=user, subject=text[:60], body=text)
    services.ticket_decide(ticket_id=ticket.pk)
    return ticket


def _automatic_reply(ticket: Ticket) -> str:
    return ticket.messages.get(kind=Message.Kind.AUTOMATIC).body


def claim_replies(desk: Desk) -> Iterable[Entry]:
    for language in LANGUAGES:
        ticket = _filed(CONTACTS[language], COMPLAINTS[language])
        yield f"complaint · {language}", _automatic_reply(ticket)
    for language in LANGUAGES:
        ticket = _filed(CONTACTS[language], CLAIMS[language])
        yield f"compensation claim · {language}", _automatic_reply(ticket)


def six_tickets_of_an_ended_contract(desk: Desk) -> Iterable[Entry]:
    """One renewal offer for an ended contract's customer, however many tickets it
    files; its manager accepts it, and the lead is told by e-mail."""
    tickets = []
    for n, text in enumerate(
        ["The site is slow.", "Please restore yesterday's backup.", "Mail is not arriving."], 1
    ):
        ticket = _filed("janis@daugava.example", text)
        tickets.append(ticket)
        offers = ticket.offers.count()
        yield f"ticket {n} of an ended contract, offers made: {offers}", _automatic_reply(ticket)
    first = tickets[0]
    offer = first.offers.get()
    mail.outbox.clear()
    services.offer_answer(offer_id=offer.pk, accept=True, user=first.requester)
    note = first.messages.filter(kind=Message.Kind.AUTOMATIC).latest("pk").body
    yield f"the manager accepts the renewal · {first.language}", note
    for language in LANGUAGES:
        if language != first.language:
            with translation.override(language):
                thanks = services.renewal_accepted_text(first)
            yield f"the manager accepts the renewal · {language}", thanks
    for sent in mail.outbox:
        if "renewal" in sent.subject:
            yield f"e-mail to {', '.join(sent.to)}: {sent.subject}", str(sent.body)


INCIDENT_TEXTS = {
    IncidentUpdate.Kind.OPENED: {
        "en": "Our web servers stopped answering at 9:40. We are restarting them one by one.",
        "ru": "Наши веб-серверы перестали отвечать в 9:40. Перезапускаем их по очереди.",
        "fi": "Verkkopalvelimemme lakkasivat vastaamasta klo 9.40. Käynnistämme ne uudelleen.",
        "lv": "Mūsu tīmekļa serveri pārstāja atbildēt plkst. 9:40. Restartējam tos pa vienam.",
    },
    IncidentUpdate.Kind.UPDATE: {
        "en": "Half of the servers are back; the shops on the rest follow within the hour.",
        "ru": "Половина серверов снова работает; остальные магазины заработают в течение часа.",
        "fi": "Puolet palvelimista toimii taas; loput kaupat palautuvat tunnin sisällä.",
        "lv": "Puse serveru atkal darbojas; pārējie veikali atsāks darbu stundas laikā.",
    },
    IncidentUpdate.Kind.RESOLVED: {
        "en": "Every site is back. A faulty storage controller was the cause; it is replaced.",
        "ru": "Все сайты снова работают. Причина — неисправный контроллер хранилища; он заменён.",
        "fi": "Kaikki sivustot toimivat taas. Syy oli viallinen tallennusohjain; se on vaihdettu.",
        "lv": "Visas vietnes atkal darbojas. Cēlonis: bojāts krātuves kontrolieris; tas nomainīts.",
    },
}


def incident_notices(desk: Desk) -> Iterable[Entry]:
    now = timezone.now()
    incident = services.incident_open(
        by=desk.lead,
        title="Websites and shops down",
        services=[Service.objects.get(code="hosting.availability")],
        texts=INCIDENT_TEXTS[IncidentUpdate.Kind.OPENED],
        started_at=now - timedelta(minutes=20),
        eta=now + timedelta(hours=2),
        next_update_at=now + timedelta(minutes=30),
    )
    services.incident_post_update(
        incident_id=incident.pk,
        by=desk.lead,
        texts=INCIDENT_TEXTS[IncidentUpdate.Kind.UPDATE],
        eta=now + timedelta(hours=1),
        next_update_at=now + timedelta(minutes=30),
    )
    # A ticket about the open incident is answered with its latest news.
    answers = []
    for language in LANGUAGES:
        Contact.objects.filter(user__email=CONTACTS["en"]).update(language=language)
        ticket = _filed(CONTACTS["en"], "Our site is down!")
        answers.append((f"a ticket about the open incident · {language}", _automatic_reply(ticket)))
    Contact.objects.filter(user__email=CONTACTS["en"]).update(language="en")
    services.incident_resolve(
        incident_id=incident.pk, by=desk.lead, texts=INCIDENT_TEXTS[IncidentUpdate.Kind.RESOLVED]
    )
    yield from answers
    for update in incident.updates.order_by("pk"):
        for language in LANGUAGES:
            with translation.override(language), timezone.override(HELSINKI):
                text = notice_text(update, language, name=READERS[language])
            yield f"incident {update.kind} · {language}", text


def credit_notices(desk: Desk) -> Iterable[Entry]:
    """Last month's three-hour outage earns Northwind a credit; each language's
    manager reads its notice."""
    month = date(2026, 10, 1)
    start = datetime(2026, 10, 14, 1, 0, tzinfo=HELSINKI)
    incident = services.incident_open(
        by=desk.lead,
        title="Hosting platform down",
        services=[Service.objects.get(code="hosting.availability")],
        texts={"en": "The hosting platform is down."},
        started_at=start,
    )
    services.incident_resolve(
        incident_id=incident.pk,
        by=desk.lead,
        texts={"en": "Back."},
        resolved_at=start + timedelta(hours=3),
    )
    credits_compute_month(month=month)
    credit = UptimeCredit.objects.get(contract__reference="HOST-2026-014", month=month)
    services.credit_confirm(credit_id=credit.pk, lead=desk.lead)
    notice = CreditNotice.objects.select_related("contact__user").get(
        credit=credit, contact__user__email="aino@northwind.example"
    )
    for language in LANGUAGES:
        notice.language = language
        yield f"uptime credit · {language}", str(credit_email(notice).body)


def override_messages(desk: Desk) -> Iterable[Entry]:
    """What a lead's override tells the customer, for every change of answer a
    lead can make: a paid verdict with the sample offer, a refusal with the
    words of Northwind's clause on search engine optimisation."""
    seo = Clause.objects.get(contract__customer__slug="northwind", service__code="marketing.seo")
    for previous in Verdict:
        for verdict in OVERRIDE_VERDICTS:
            for language in LANGUAGES:
                refusal = verdict is Verdict.OUT_OF_SCOPE
                with translation.override(language):  # written_in notes in the reader's
                    clause = written_in(*wording_in(seo.text, language)) if refusal else ""
                    advice = written_in(*wording_in(seo.advice, language)) if refusal else ""
                    text = override_text(
                        previous.value,
                        verdict.value,
                        language,
                        clause=clause,
                        advice=advice,
                        name=READERS[language],
                    )
                if text:
                    yield f"{previous.value} → {verdict.value} · {language}", text


SECTIONS: list[tuple[str, Callable[[Desk], Iterable[Entry]]]] = [
    ("Every verdict in every language", verdict_replies),
    ("A Russian customer's own clauses and roubles", russian_customer_replies),
    ("Mixed requests", mixed_replies),
    ("On-call work outside support hours: the customer's answer", on_call_answers),
    ("Complaints and compensation claims", claim_replies),
    ("An ended contract: one renewal offer for many tickets", six_tickets_of_an_ended_contract),
    ("Incident notices", incident_notices),
    ("Uptime credit notices", credit_notices),
    ("A lead's override, as the customer is told it", override_messages),
]


class Command(BaseCommand):
    help = "Write every automatic reply (each verdict × language, notices) to one file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default="var/replies.md")

    def handle(self, *args, path: str, **options) -> None:
        import time_machine  # a development tool, like the reviewer who runs this

        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The tasks' own log lines ("succeeded in 0.05s") are no reply.
        logging.getLogger("celery").setLevel(logging.WARNING)
        # Nor is kombu's note that the in-memory broker has no host name.
        logging.getLogger("kombu").setLevel(logging.ERROR)
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True  # no worker: the tasks run here
        # A database of its own: the test suite's (settings' TEST NAME) may be in
        # use by a test run that calls this command.
        scratch = tempfile.mkdtemp(prefix="scopedesk-replies-")
        test = connection.settings_dict.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            test["NAME"] = str(Path(scratch) / "replies.sqlite3")
        else:
            test["NAME"] = f"{connection.settings_dict['NAME']}_replies_{os.getpid()}"
        old = setup_databases(verbosity=0, interactive=False, aliases={"default": None})
        try:
            with (
                override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
                    SITE_URL="https://desk.example",
                ),
                time_machine.travel(MONDAY_10, tick=False),
            ):
                text = self.write_all()
        finally:
            teardown_databases(old, verbosity=0)
            shutil.rmtree(scratch, ignore_errors=True)
            app.conf.task_always_eager = eager
        target.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote every automatic reply to {target}")

    def write_all(self) -> str:
        examples = Path(settings.BASE_DIR) / "examples"
        load_services(
            (examples / "services.yaml").read_text(encoding="utf-8"), source="services.yaml"
        )
        for name in ("northwind", "volga", "daugava"):
            file = f"contract-{name}.yaml"
            load_contract_file((examples / file).read_text(encoding="utf-8"), source=file)
        lead = get_user_model().objects.create_superuser(
            "lead", "lead@desk.example", None, first_name="Maija", last_name="Koskinen"
        )
        lead.groups.add(Group.objects.get_or_create(name=LEADS)[0])
        # Northwind has an account manager, whom a complaint names; the others do not.
        Customer.objects.filter(slug="northwind").update(account_manager=lead)
        desk = Desk(catalogue=Catalogue(service_catalogue()), lead=lead)
        lines = [
            "# Every automatic reply",
            "",
            "Written by `make replies` from the example contracts, as of Monday "
            "23 November 2026, 10:00 in Helsinki (unless a heading says otherwise).",
        ]
        for title, entries in SECTIONS:
            lines += ["", f"## {title}"]
            for heading, text in entries(desk):
                lines += ["", f"### {heading}", "", "```text", text, "```"]
        return "\n".join(lines) + "\n"
