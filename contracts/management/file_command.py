"""What `loadservices` and `loadcontract` share: reading the file, naming the
person the history records, and turning problems into one clear error; and what
`dumpcontract` and `dumpservices` share: writing the text out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contracts.contract_files import ContractFileError, LoadResult


class FileCommand(BaseCommand, ABC):
    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="the member of staff the edit history names (the editor names its user itself)",
        )

    @abstractmethod
    def load(self, text: str, *, source: str, user) -> LoadResult:
        """Load the file's text, all or nothing."""

    @abstractmethod
    def describe(self, source: str, result: LoadResult) -> str:
        """What was loaded, in a line."""

    def handle(self, *args, file: str, by: str | None = None, **options) -> None:
        user = None
        if by:
            user = get_user_model().objects.filter(username=by, is_staff=True).first()
            if user is None:
                raise CommandError(f"--by {by}: there is no member of staff with that username")
        path = Path(file)
        try:
            result = self.load(path.read_text(encoding="utf-8"), source=path.name, user=user)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"nothing was loaded:\n{path.name}: is not UTF-8 text") from None
        except ContractFileError as exc:
            raise CommandError(f"nothing was loaded:\n{exc}") from None
        self.stdout.write(self.describe(path.name, result))


class DumpCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def write(self, text: str, output: str | None) -> None:
        if not output:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{output}: {exc.strerror}") from None
