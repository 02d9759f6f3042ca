from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contracts.contract_files import ContractFileError, load_services


class Command(BaseCommand):
    help = "Create or update the service catalogue from a YAML file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options) -> None:
        path = Path(file)
        try:
            result = load_services(path.read_text(encoding="utf-8"), source=path.name)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"nothing was loaded:\n{path.name}: is not UTF-8 text") from None
        except ContractFileError as exc:
            raise CommandError(f"nothing was loaded:\n{exc}") from None
        self.stdout.write(f"{path.name}: services {result.summary()}")
