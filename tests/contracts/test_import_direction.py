"""Dependencies point one way: tickets uses contracts, contracts never imports
tickets (read from every file under contracts/, function-local imports and
``apps.get_model("tickets", …)`` included)."""

from __future__ import annotations

import pytest

from tests.imports import imported_modules, module_name, python_files, within


@pytest.mark.parametrize("path", python_files("contracts"), ids=module_name)
def test_a_contracts_module_never_imports_tickets(path):
    assert [name for name in imported_modules(path) if within(name, "tickets")] == []
