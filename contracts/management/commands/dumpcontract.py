from __future__ import annotations

from django.core.management.base import CommandError

from contracts.contract_files import dump_customer
from contracts.management.file_command import DumpCommand
from contracts.models import Customer


class Command(DumpCommand):
    help = "Write a customer and its contracts in the YAML form that loadcontract reads."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        super().add_arguments(parser)

    def handle(self, *args, slug: str, output: str | None = None, **options) -> None:
        customer = Customer.objects.filter(slug=slug).first()
        if customer is None:
            raise CommandError(f"no customer with the slug {slug!r}")
        self.write(dump_customer(customer), output)
