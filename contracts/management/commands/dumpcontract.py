from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contracts.contract_files import dump_customer
from contracts.models import Customer


class Command(BaseCommand):
    help = "Write a customer and its contracts in the YAML form that loadcontract reads."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, slug: str, output: str | None = None, **options) -> None:
        customer = Customer.objects.filter(slug=slug).first()
        if customer is None:
            raise CommandError(f"no customer with the slug {slug!r}")
        text = dump_customer(customer)
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror}") from None
