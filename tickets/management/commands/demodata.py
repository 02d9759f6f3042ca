"""Demo data for `make run`: the example catalogue and contracts, staff users and a
few tickets, so that the queue and the portal have something to show."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from contracts.contract_files import load_contract_file, load_services
from contracts.models import Contact, Customer
from contracts.roles import LEADS, TECHNICIANS
from tickets import services
from tickets.models import CannedReply, Ticket

EXAMPLES = Path(settings.BASE_DIR) / "examples"
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


class Command(BaseCommand):
    help = "Load the example catalogue and contracts, demo users and tickets (idempotent)."

    def handle(self, *args, **options):
        self.load()
        # After the commit, so the logins come after what deciding the demo tickets logs.
        self.print_logins()

    @transaction.atomic
    def load(self) -> None:
        load_services(
            (EXAMPLES / "services.yaml").read_text(encoding="utf-8"), source="services.yaml"
        )
        for path in sorted(EXAMPLES.glob("contract-*.yaml")):
            load_contract_file(path.read_text(encoding="utf-8"), source=path.name)

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
                # Decided when the demo data commits, as any filed ticket is.
                services.ticket_create(
                    requester=users.objects.get(email=email), subject=subject, body=body
                )

    def print_logins(self) -> None:
        self.stdout.write(
            self.style.SUCCESS("Demo data is ready. Log in at http://127.0.0.1:8000/")
        )
        self.stdout.write(f"  password for every demo login: {PASSWORD}")
        for username, name, group in STAFF:
            self.stdout.write(f"  {username:<28} {name} ({group or 'admin'})")
        for contact in Contact.objects.select_related("user", "customer").order_by("customer"):
            self.stdout.write(
                f"  {contact.user.username:<28} {contact.name} ({contact.role}, {contact.customer})"
            )
