"""How the queue shows verdicts, priorities and SLA clocks, in the reader's language.

Templates cannot call methods with arguments or look labels up by key, so the
pages get these ready-made values instead of template tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.models import PRIORITY_LABELS, VERDICT_LABELS
from tickets.filters import DUE_SOON
from tickets.models import Status, Ticket

# What a technician needs to know about a verdict that names no clause.
VERDICT_NOTES = {
    "not_authorized": gettext_lazy("The sender is not a contact of a customer with a contract."),
    "no_contract": gettext_lazy("No contract of this customer is valid; renewal offered."),
    "needs_review": gettext_lazy("The service is unclear: choose it to decide the ticket."),
    "": gettext_lazy("Being checked against the contract."),
}


class Options:
    """A select's options, escaped once for the whole page. Each of the queue's
    25 rows has four selects of up to twenty options: a template loop over them
    was half the page's rendering; a join per row costs a few microseconds."""

    __slots__ = ("_items",)

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._items = [
            (value, f'<option value="{escape(value)}"', f">{escape(label)}</option>")
            for value, label in pairs
        ]

    def html(self, chosen: str | None) -> SafeString:
        """The options, ``chosen`` selected (None: none is)."""
        return mark_safe(
            "".join(
                f"{start} selected{end}" if value == chosen else f"{start}{end}"
                for value, start, end in self._items
            )
        )


@dataclass(frozen=True, slots=True)
class RowLabels:
    """A row's own words: the accessible names of its controls and its ages."""

    select: str
    assignee: str
    status: str
    priority: str
    service: str
    filed: str  # "filed 2 d ago"
    activity: str  # "3 h ago"


class RowTexts:
    """The words every row of the queue repeats, translated once for the page.
    Through the template each {% translate %} looks the language up again and
    costs about as much as the rest of its cell: a row said nineteen, a fifth of
    the page's rendering."""

    def __init__(self) -> None:
        # The columns' names: the narrow layout labels each cell with them.
        self.ticket = _("Ticket")
        self.verdict = _("Verdict")
        self.sla = _("SLA")
        self.last_activity = _("Last activity")
        self.assignee = _("Assignee")
        self.status = _("Status")
        self.priority = _("Priority")
        self.service = _("Service")
        self.incident = _("Incident")
        self.unassigned = _("Unassigned")
        self.not_recognised = _("Not recognised")
        self._select = _("Select ticket #%(number)s")
        self._assignee = _("Assignee of #%(number)s")
        self._status = _("Status of #%(number)s")
        self._priority = _("Priority of #%(number)s")
        self._service = _("Service of #%(number)s")
        self._filed = _("filed %(age)s ago")
        self._ago = _("%(age)s ago")

    def labels(self, number: str, *, age: str, activity: str) -> RowLabels:
        """``age`` and ``activity`` as ``format_span`` says them."""
        ticket = {"number": number}
        return RowLabels(
            select=self._select % ticket,
            assignee=self._assignee % ticket,
            status=self._status % ticket,
            priority=self._priority % ticket,
            service=self._service % ticket,
            filed=self._filed % {"age": age},
            activity=self._ago % {"age": activity},
        )


def verdict_label(verdict: str) -> str:
    return str(VERDICT_LABELS.get(verdict, _("Not checked yet")))


def priority_label(priority: str) -> str:
    return str(PRIORITY_LABELS.get(priority, priority))


def format_span(minutes: int, *, coarse: bool = False) -> str:
    """A duration as people say it on a queue: "2 d 3 h", "2 h 10 min", "35 min".
    ``coarse`` leaves the minutes out once it is an hour or more (an age, not a
    deadline)."""
    if minutes < 1:
        return _("under a minute")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        if hours:
            return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
        return _("%(days)d d") % {"days": days}
    if hours:
        if mins and not coarse:
            return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": mins}
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": mins}


@dataclass(frozen=True, slots=True)
class SlaClock:
    """Where a ticket's SLA stands right now."""

    state: str  # none, running, soon, breached, paused, met, missed
    text: str
    due: datetime | None
    target: str  # which deadline runs: the first response or the resolution

    @property
    def css(self) -> str:
        return {"breached": "breached", "missed": "breached", "soon": "soon"}.get(self.state, "")


def sla_clock(ticket: Ticket, now: datetime) -> SlaClock:
    due = ticket.sla_due
    target = str(_("First response") if ticket.first_responded_at is None else _("Resolution"))
    if ticket.status in Status.DONE:
        missed = ticket.sla_breached_at is not None or (
            ticket.resolution_due is not None
            and ticket.resolved_at is not None
            and ticket.resolved_at > ticket.resolution_due
        )
        if ticket.sla_started_at is None:
            return SlaClock("none", _("No SLA"), None, target)
        return SlaClock(
            "missed" if missed else "met", _("Missed") if missed else _("Met"), None, target
        )
    if due is None:
        if ticket.status == Status.AWAITING_DECISION:
            return SlaClock("none", _("Not started"), None, target)
        return SlaClock("none", _("No SLA"), None, target)
    if ticket.sla_paused_at is not None:
        return SlaClock("paused", _("Paused: waiting on the customer"), due, target)
    minutes = int((due - now).total_seconds() // 60)
    if minutes < 0:
        return SlaClock(
            "breached", _("Breached %(span)s ago") % {"span": format_span(-minutes)}, due, target
        )
    left = _("%(span)s left") % {"span": format_span(minutes)}
    if due - now <= DUE_SOON:
        return SlaClock("soon", left, due, target)
    if ticket.sla_breached_at is not None:
        return SlaClock(
            "breached", _("A deadline was missed · %(left)s") % {"left": left}, due, target
        )
    return SlaClock("running", left, due, target)
