"""What changed in a contract's parts: the clauses, SLA targets, uptime credit
bands and top-ups edited on the contract's page are rows of their own, each with
its own history. The contract's history lists their edits beside its own, each
as field, old value, new value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from simple_history.template_utils import HistoricalRecordContextHelper

from contracts.models import Clause, SlaTarget, TopUp, UptimeCredit

PARTS: list[type[Model]] = [Clause, SlaTarget, UptimeCredit, TopUp]
# The newest edits of the parts; older ones are on each part's own history page.
MOST = 200


class ChangeValues(HistoricalRecordContextHelper):
    """Field, old and new value of an edit, with an empty value shown as a dash
    rather than Python's "None"."""

    def prepare_delta_change_value(self, change, value):
        if value is None or value == "":
            return "—"
        return super().prepare_delta_change_value(change, value)


@dataclass
class PartChange:
    at: datetime
    by: object
    kind: str  # "+", "~" or "-", as simple-history marks created, changed, deleted
    kind_label: str
    part: str
    history_url: str
    changes: list[dict] = field(default_factory=list)


def part_changes(contract_id: int, language: str) -> list[PartChange]:
    """The edits of the contract's parts, newest first, each with its changes
    against the part's previous version."""
    rows: list[PartChange] = []
    for model in PARTS:
        history = model.history.model  # type: ignore[attr-defined]  # simple-history's
        records = (
            history.objects.filter(contract_id=contract_id)
            .select_related("history_user")
            .order_by("-history_date", "-history_id")[:MOST]
        )
        for record in records:
            changes: list[dict] = []
            previous = record.prev_record if record.history_type == "~" else None
            if previous is not None:
                delta = record.diff_against(previous, foreign_keys_are_objs=True)
                helper = ChangeValues(model, record)
                changes = helper.context_for_delta_changes(delta)
                if not changes:
                    continue  # saved with the form, nothing of it changed
            rows.append(
                PartChange(
                    at=record.history_date,
                    by=record.history_user,
                    kind=record.history_type,
                    kind_label=record.get_history_type_display(),
                    part=_part_name(model, record, language),
                    history_url=_history_url(model, record.id),
                    changes=changes,
                )
            )
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows[:MOST]


def _part_name(model: type[Model], record, language: str) -> str:
    kind = capfirst(str(model._meta.verbose_name))
    if model is Clause:
        service = record.service
        return f"{kind}: {service.name(language)} ({service.code})"
    return f"{kind}: {record.instance}"


def _history_url(model: type[Model], pk: int) -> str:
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk])
    except NoReverseMatch:
        return ""
