from __future__ import annotations

from contracts.contract_files import dump_catalogue
from contracts.management.file_command import DumpCommand


class Command(DumpCommand):
    help = "Write the service catalogue in the YAML form that loadservices reads."

    def handle(self, *args, output: str | None = None, **options) -> None:
        self.write(dump_catalogue(), output)
