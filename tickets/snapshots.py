"""A decision's clause as it was stored, read back for one reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.engine import terms


def clause_as_told(
    snapshot: Mapping[str, Any], *, language: str, customer_language: str
) -> dict[str, Any]:
    """The stored clause with its text and advice in ``language``, else by the
    fallback rule of ``terms.wording_in``, and (``text_language``,
    ``advice_language``) the languages they are in. The snapshot keeps every
    language, so an old decision is shown in whichever its reader needs."""
    if not snapshot:
        return {}
    told = dict(snapshot)
    for key in ("text", "advice"):
        told[key], told[f"{key}_language"] = terms.wording_in(
            snapshot.get(key), language, customer_language
        )
    return told
