"""Demo data for `make run`: the example catalogue and contracts, and staff users."""

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

EXAMPLES = Path(settings.BASE_DIR) / "examples"
PASSWORD = "scopedesk-demo"
STAFF = [
    # username, name, group (None: superuser)
    ("admin", "Ada Admin", None),
    ("lead", "Lea Lead", LEADS),
    ("tech1", "Teo Technician", TECHNICIANS),
    ("tech2", "Tiina Technician", TECHNICIANS),
]


class Command(BaseCommand):
    help = "Load the example catalogue and contracts and create demo users (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
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
