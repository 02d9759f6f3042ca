from __future__ import annotations

from contracts.contract_files import LoadResult, load_services
from contracts.management.file_command import FileCommand


class Command(FileCommand):
    help = "Create or update the service catalogue from a YAML file (all or nothing)."

    def load(self, text: str, *, source: str, user) -> LoadResult:
        return load_services(text, source=source, user=user)

    def describe(self, source: str, result: LoadResult) -> str:
        return f"{source}: services {result.summary()}"
