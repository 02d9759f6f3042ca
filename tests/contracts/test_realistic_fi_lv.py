"""The Finnish and Latvian part of the realistic table holds what it promises."""

from __future__ import annotations

from tests.contracts.realistic_fi_lv import FI_LV_ROWS
from tests.contracts.test_realistic_requests import ROWS

WEAK_KINDS = {"short", "quoted", "technical", "mixed_language", "picked", "negation"}


def test_finnish_and_latvian_rows_are_in_the_table_with_every_weak_kind():
    # The counts per language are held by test_realistic_requests.py.
    assert all(row in ROWS for row in FI_LV_ROWS)
    for language in ("fi", "lv"):
        kinds = {row.kind for row in FI_LV_ROWS if row.language == language}
        assert kinds >= WEAK_KINDS, language


def test_every_quoted_row_quotes_an_earlier_message():
    quoted = [row for row in FI_LV_ROWS if row.kind == "quoted"]
    assert quoted
    for row in quoted:
        assert "> " in row.text or "Lähetetty:" in row.text or "Nosūtīts:" in row.text
