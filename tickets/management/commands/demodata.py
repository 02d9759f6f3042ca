"""Demo data for `make run`: the example catalogue and contracts, staff users, a
few tickets and two incidents (an outage resolved last month, with its review,
and one open now), so that the queue and the portal have something to show."""

from __future__ import annotations

import argparse
import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from contracts.contract_files import load_contract_file, load_services
from contracts.engine import hours
from contracts.models import Contact, Customer, Service
from contracts.roles import LEADS, TECHNICIANS
from tickets import services
from tickets.models import (
    CannedReply,
    Delivery,
    Incident,
    IncidentNotice,
    IncidentUpdate,
    Offer,
    Ticket,
)
from tickets.services.incidents import affected_contacts

EXAMPLES = Path(settings.BASE_DIR) / "examples"
# Paid on-call work outside support hours, for urgent requests: the example
# files have none, so the demo gives one customer's contract this price.
ON_CALL = {"contract-volga.yaml": {"hourly": 6000.00, "estimate": "1h"}}
PASSWORD = "scopedesk-demo"
STAFF = [
    # username, name, group (None: superuser)
    ("admin", "Ada Admin", None),
    ("lead", "Lea Lead", LEADS),
    ("tech1", "Teo Technician", TECHNICIANS),
    ("tech2", "Tiina Technician", TECHNICIANS),
]


# Requests as customers write them; their verdicts depend on the hour they arrive.
TICKETS = [
    (
        "sara@northwind.example",
        "Mail not arriving",
        "Hi, since this morning emails to info@northwind.example are not arriving. "
        "Could you check the mail server?",
    ),
    (
        "sara@northwind.example",
        "Plugin for the shop",
        "Please install the WooCommerce Stripe plugin on our WordPress shop.",
    ),
    (
        "mikko@northwind.example",
        "Google ranking",
        "Our competitors are above us on Google. Can you do some SEO for our shop?",
    ),
    (
        "aino@northwind.example",
        "Kysymys",
        "Hei, voisitteko soittaa minulle huomenna? Asia koskee ensi vuotta.",
    ),
    (
        "ivan@volga-media.example",
        "Сертификат истёк",
        "Здравствуйте! На сайте истёк SSL-сертификат, браузер пишет, что сайт небезопасен.",
    ),
    (
        "janis@daugava.example",
        "Vietne nedarbojas",
        "Labdien, mūsu vietne nedarbojas kopš rīta. Lūdzu, palīdziet!",
    ),
]
CANNED_REPLIES = [
    (
        "Looking into it",
        "Thank you for your patience. I am looking into this now and will write again "
        "as soon as I know more.",
    ),
    (
        "Fixed, please check",
        "This should work again now. Could you check on your side and tell us if "
        "anything is still wrong?",
    ),
]

# Last month's outage: the whole hosting platform, three hours one night.
PAST_OUTAGE = "Websites and shops down"
PAST_UPDATES = [
    # minutes after the start, kind, text per language
    (
        15,
        IncidentUpdate.Kind.OPENED,
        {
            "en": "Our hosting platform is down: websites and shops on it do not load. A "
            "storage controller in our data centre failed; we are moving the servers to "
            "the spare one.",
            "fi": "Hosting-alustamme on alhaalla: sillä olevat verkkosivut ja kaupat eivät "
            "lataudu. Konesalimme tallennusohjain vikaantui; siirrämme palvelimet "
            "varaohjaimelle.",
            "ru": "Наша хостинг-платформа недоступна: сайты и магазины на ней не "
            "открываются. В нашем дата-центре отказал контроллер хранилища; мы переносим "
            "серверы на резервный.",
            "lv": "Mūsu mitināšanas platforma nedarbojas: tajā esošās vietnes un veikali "
            "neielādējas. Mūsu datu centrā sabojājās datu krātuves kontrolieris; mēs "
            "pārceļam serverus uz rezerves kontrolieri.",
        },
    ),
    (
        95,
        IncidentUpdate.Kind.UPDATE,
        {
            "en": "Half of the servers run again on the spare controller. The rest follow "
            "within the next hour.",
            "fi": "Puolet palvelimista toimii taas varaohjaimella. Loput seuraavat tunnin "
            "kuluessa.",
            "ru": "Половина серверов снова работает на резервном контроллере. Остальные "
            "заработают в течение часа.",
            "lv": "Puse serveru atkal darbojas ar rezerves kontrolieri. Pārējie sekos "
            "stundas laikā.",
        },
    ),
    (
        180,
        IncidentUpdate.Kind.RESOLVED,
        {
            "en": "All websites and shops work again, and no data was lost. Thank you for "
            "your patience.",
            "fi": "Kaikki verkkosivut ja kaupat toimivat taas, eikä tietoja kadonnut. "
            "Kiitos kärsivällisyydestänne.",
            "ru": "Все сайты и магазины снова работают, данные не потеряны. Спасибо за терпение.",
            "lv": "Visas vietnes un veikali atkal darbojas, un dati nav zaudēti. Paldies "
            "par pacietību.",
        },
    ),
]
PAST_OUTAGE_MINUTES = 180
PAST_REVIEW = {
    "cause": "A storage controller failed after a firmware update, and the standby "
    "controller was not set up to take over by itself.",
    "changes": "Standby controllers take over automatically, tested every month; firmware "
    "goes to one controller at a time, in the maintenance window.",
}
# Today's trouble: slow DNS changes, with news promised within the hour.
OPEN_INCIDENT = "DNS changes are slow to take effect"
OPEN_TEXTS = {
    "en": "Changes to DNS records take up to two hours to take effect instead of a few "
    "minutes. Existing records and your websites work normally. We are restarting the "
    "name server that lags behind.",
    "fi": "DNS-tietueiden muutokset tulevat voimaan jopa kahden tunnin viiveellä "
    "muutaman minuutin sijaan. Nykyiset tietueet ja verkkosivunne toimivat normaalisti. "
    "Käynnistämme jäljessä olevan nimipalvelimen uudelleen.",
    "ru": "Изменения DNS-записей вступают в силу с задержкой до двух часов вместо "
    "нескольких минут. Существующие записи и ваши сайты работают как обычно. Мы "
    "перезапускаем отстающий сервер имён.",
    "lv": "DNS ierakstu izmaiņas stājas spēkā ar līdz divu stundu aizkavi, nevis dažu "
    "minūšu laikā. Esošie ieraksti un jūsu vietnes darbojas kā parasti. Mēs restartējam "
    "nosaukumu serveri, kas atpaliek.",
}
DEMO_ZONE = ZoneInfo("Europe/Helsinki")
# Last month's work, for the statements and the reports: the day of the month it
# came, who wrote, the text, what became of it (accepted: the customer said yes to
# the offer; goodwill: a lead overrode it to covered) and the minutes worked.
LAST_MONTHS_WORK = [
    (
        3,
        "sara@northwind.example",
        "Mailbox full",
        "Our info@ mailbox is full and bounces customers' e-mails. Could you make it bigger?",
        None,
        95,
    ),
    (
        9,
        "sara@northwind.example",
        "Shop plugin",
        "Please install the WooCommerce PDF invoices plugin on our WordPress shop.",
        "accepted",
        40,
    ),
    (
        16,
        "mikko@northwind.example",
        "Training for a colleague",
        "Could you train our new colleague to use the control panel? One hour of training "
        "would do.",
        "accepted",
        50,
    ),
    (
        18,
        "aino@northwind.example",
        "Mailbox for a new colleague",
        "Please set up a new mailbox anna@northwind.example for our new colleague Anna.",
        None,
        70,
    ),
    (
        23,
        "aino@northwind.example",
        "Plugin update",
        "Could you update the WordPress plugins on our shop? Last time it was done for free.",
        "goodwill",
        30,
    ),
    (
        11,
        "olga@volga-media.example",
        "Плагин для галереи",
        "Установите, пожалуйста, плагин WordPress для галереи на наш сайт.",
        "accepted",
        25,
    ),
]


def last_month(now: datetime) -> date:
    """The first day of the month before ``now`` (in the demo's time zone)."""
    first_of_this = timezone.localtime(now, DEMO_ZONE).date().replace(day=1)
    return (first_of_this - timedelta(days=1)).replace(day=1)


class Command(BaseCommand):
    help = (
        "Load the example catalogue and contracts, demo users, tickets and incidents (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            type=filed_at,
            default=None,
            metavar="WHEN",
            help="File the demo tickets as if they came at this time (Helsinki): an ISO "
            "time such as 2026-12-04T10:00, or 'weekday' for the last weekday at 10:00. "
            "Verdicts depend on the hour: on a Sunday most are 'outside hours'. Only a "
            "database without tickets gets the demo tickets.",
        )

    def handle(self, *args, **options):
        # The tasks that decide the demo tickets run here; their "Task … succeeded"
        # lines would bury the logins a newcomer needs.
        tasks_log = logging.getLogger("celery.app.trace")
        level = tasks_log.level
        tasks_log.setLevel(logging.WARNING)
        try:
            self.load(at=options["at"])
            self.last_months_work(last_month(timezone.now()))
        finally:
            tasks_log.setLevel(level)
        # After the commit, so the logins come after what deciding the demo tickets logs.
        self.print_logins()

    @transaction.atomic
    def load(self, at: datetime | None = None) -> None:
        load_services(
            (EXAMPLES / "services.yaml").read_text(encoding="utf-8"), source="services.yaml"
        )
        for path in sorted(EXAMPLES.glob("contract-*.yaml")):
            text = path.read_text(encoding="utf-8")
            on_call = ON_CALL.get(path.name)
            if on_call is not None:
                # The demo's own addition to the example file, through the file's
                # format, so the portal and the queue show an on-call offer.
                data = yaml.safe_load(text)
                data["contracts"][-1]["emergency"] = on_call
                text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            load_contract_file(text, source=path.name)

        users = get_user_model()
        for username, name, group in STAFF:
            user, created = users.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@scopedesk.example", "first_name": name},
            )
            if created:
                user.is_staff = True
                user.is_superuser = group is None
                user.set_password(PASSWORD)
                user.save()
                if group:
                    user.groups.add(Group.objects.get(name=group))
        lead = users.objects.get(username="lead")
        Customer.objects.filter(account_manager=None).update(account_manager=lead)
        for contact in Contact.objects.select_related("user"):
            if not contact.user.has_usable_password():
                contact.user.set_password(PASSWORD)
                contact.user.save(update_fields=["password"])
        for title, body in CANNED_REPLIES:
            CannedReply.objects.get_or_create(title=title, defaults={"body": body})
        if not Ticket.objects.exists():
            for email, subject, body in TICKETS:
                # Decided when the demo data commits, as any filed ticket is, at the
                # moment it was filed: --at moves that moment before the decision.
                ticket = services.ticket_create(
                    requester=users.objects.get(email=email), subject=subject, body=body
                )
                if at is not None:
                    Ticket.objects.filter(pk=ticket.pk).update(created_at=at)
        month = last_month(timezone.now())
        if not Incident.objects.filter(title=PAST_OUTAGE).exists():
            self.past_outage(month, by=users.objects.get(username="tech1"), owner=lead)
        self.credits_owed(month)
        if not Incident.objects.filter(title=OPEN_INCIDENT).exists():
            # Through the service, as the queue opens one: the contacts are told now.
            now = timezone.now()
            services.incident_open(
                by=users.objects.get(username="tech2"),
                owner=lead,
                title=OPEN_INCIDENT,
                kind=Incident.Kind.DEGRADED,
                services=[Service.objects.get(code="hosting.dns")],
                texts=OPEN_TEXTS,
                started_at=now - timedelta(minutes=40),
                detected_at=now - timedelta(minutes=25),
                eta=now + timedelta(hours=2),
                next_update_at=now + timedelta(hours=1),
            )

    def last_months_work(self, month: date) -> None:
        """Last month's tickets, answers and time, so that its statements and the
        reports have something to show: filed and decided now, then dated back
        to the day they came."""
        this_month = datetime.combine(hours.first_of_next_month(month), time(), tzinfo=DEMO_ZONE)
        if Ticket.objects.filter(created_at__lt=this_month).exists():
            return
        users = get_user_model()
        filed = []
        for day, email, subject, body, answer, minutes in LAST_MONTHS_WORK:
            ticket = services.ticket_create(
                requester=users.objects.get(email=email), subject=subject, body=body
            )
            # Decided now, not after the commit: its answer and time follow at once
            # (the check queued for the commit then finds nothing left to do).
            services.ticket_decide(ticket_id=ticket.pk)
            filed.append((day, ticket, answer, minutes))
        lead = users.objects.get(username="lead")
        technician = users.objects.get(username="tech1")
        for day, ticket, answer, minutes in filed:
            at = datetime.combine(month.replace(day=day), time(10), tzinfo=DEMO_ZONE)
            Ticket.objects.filter(pk=ticket.pk).update(created_at=at)
            ticket.decisions.update(created_at=at)
            if answer == "accepted":
                offer = ticket.offers.get(status=Offer.Status.PENDING)
                services.offer_answer(offer_id=offer.pk, accept=True, user=ticket.requester)
                answered = at + timedelta(hours=2)
                Offer.objects.filter(pk=offer.pk).update(created_at=at, answered_at=answered)
            elif answer == "goodwill":
                services.decision_override(
                    ticket_id=ticket.pk,
                    lead=lead,
                    verdict="in_scope",
                    reason="Done at no charge once before: this once more, then as agreed.",
                )
            services.time_entry_log(
                ticket_id=ticket.pk, technician=technician, minutes=minutes, worked_on=at.date()
            )

    def past_outage(self, month: date, *, by, owner) -> Incident:
        """Last month's outage as history: its updates posted then and their notices
        e-mailed then (nobody is e-mailed now about an outage long over)."""
        start = datetime.combine(month.replace(day=12), time(2, 10), tzinfo=DEMO_ZONE)
        incident = Incident.objects.create(
            title=PAST_OUTAGE,
            kind=Incident.Kind.OUTAGE,
            our_fault=True,
            started_at=start,
            detected_at=start + timedelta(minutes=5),
            resolved_at=start + timedelta(minutes=PAST_OUTAGE_MINUTES),
            owner=owner,
            created_by=by,
            **PAST_REVIEW,
        )
        incident.services.set([Service.objects.get(code="hosting.availability")])
        contacts = list(affected_contacts(incident))
        for minutes, kind, texts in PAST_UPDATES:
            posted = start + timedelta(minutes=minutes)
            update = IncidentUpdate.objects.create(
                incident=incident,
                kind=kind,
                texts=texts,
                eta=start + timedelta(hours=4) if kind != IncidentUpdate.Kind.RESOLVED else None,
                next_update_at=posted + timedelta(hours=1)
                if kind != IncidentUpdate.Kind.RESOLVED
                else None,
                posted_by=by,
            )
            # posted_at is set on creation; history has its own moment.
            IncidentUpdate.objects.filter(pk=update.pk).update(posted_at=posted)
            notices = IncidentNotice.objects.bulk_create(
                IncidentNotice(
                    update=update,
                    contact=contact,
                    language=contact.reply_language,
                    delivery=Delivery.SENT,
                    delivery_attempts=1,
                    emailed_at=posted + timedelta(seconds=30),
                )
                for contact in contacts
            )
            IncidentNotice.objects.filter(pk__in=[n.pk for n in notices]).update(created_at=posted)
        Incident.objects.filter(pk=incident.pk).update(created_at=start + timedelta(minutes=15))
        return incident

    def credits_owed(self, month: date) -> None:
        """The uptime credits last month's outage earns the affected contracts,
        left for a lead to confirm in the contract editor. The service makes each
        month's record once, so running demodata again changes nothing."""
        services.credits_compute_month(month=month)

    def print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Log in at {settings.SITE_URL}/"))
        self.stdout.write(f"  password for every demo login: {PASSWORD}")
        for username, name, group in STAFF:
            self.stdout.write(f"  {username:<28} {name} ({group or 'admin'})")
        for contact in Contact.objects.select_related("user", "customer").order_by("customer"):
            self.stdout.write(
                f"  {contact.user.username:<28} {contact.name} ({contact.role}, {contact.customer})"
            )
        if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
            self.stdout.write(f"E-mails the desk sends are written to {mail_folder()}/")


def mail_folder() -> str:
    """The folder of the development desk's e-mails, as short as it can be said."""
    folder = Path(settings.EMAIL_FILE_PATH).resolve()
    try:
        return str(folder.relative_to(Path.cwd()))
    except ValueError:
        return str(folder)


def filed_at(value: str) -> datetime:
    """--at: an ISO time in the demo's zone, or 'weekday': the last Monday to Friday
    at 10:00, inside every demo contract's support hours."""
    if value == "weekday":
        day = timezone.localtime(timezone.now(), DEMO_ZONE)
        day = day.replace(hour=10, minute=0, second=0, microsecond=0)
        if day > timezone.now():
            day -= timedelta(days=1)
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: expected a time like 2026-12-04T10:00, or 'weekday'"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=DEMO_ZONE)
