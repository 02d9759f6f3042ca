from __future__ import annotations

from contracts.contract_files import LoadResult, load_contract_file
from contracts.management.file_command import FileCommand


class Command(FileCommand):
    help = "Create or update a customer and its contracts from a YAML file (all or nothing)."

    def load(self, text: str, *, source: str, user) -> LoadResult:
        return load_contract_file(text, source=source, user=user)

    def describe(self, source: str, result: LoadResult) -> str:
        slug = result.customer.slug if result.customer else "-"  # set by every load
        return f"{source}: {slug}: {result.summary()}"
