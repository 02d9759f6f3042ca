"""SLA clocks: due times counted in support hours, paused while waiting on the customer."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from contracts.engine import hours, terms

if TYPE_CHECKING:
    from contracts.engine.scope import Decision

ROUND_THE_CLOCK = terms.parse_weekly(terms.ROUND_THE_CLOCK)


@dataclass(frozen=True, slots=True)
class SlaTerms:
    support_hours: terms.SupportHours
    targets: dict[str, terms.SlaTarget]


def sla_terms(decision: Decision) -> SlaTerms:
    """The hours the clock counts in (round the clock for a 24/7 clause) and the targets."""
    contract = decision.contract
    assert contract is not None
    support_hours = contract.support_hours
    if decision.clause is not None and decision.clause.round_the_clock:
        support_hours = terms.SupportHours(support_hours.timezone, ROUND_THE_CLOCK)
    return SlaTerms(support_hours, dict(contract.sla))


def due_times(
    sla: SlaTerms, priority: str, start: datetime
) -> tuple[datetime | None, datetime | None]:
    """First-response and resolution due times for work that starts at ``start``."""
    target = sla.targets.get(priority) or sla.targets.get("normal")
    if target is None:
        return None, None
    return (
        hours.add_support_time(sla.support_hours, start, target.first_response),
        hours.add_support_time(sla.support_hours, start, target.resolution),
    )


def sla_start(ticket, sla: SlaTerms, *, at: datetime) -> None:
    """Start the ticket's SLA clock at ``at`` (the caller saves the ticket)."""
    ticket.sla_started_at = at
    ticket.sla_paused_at = None
    ticket.sla_paused_minutes = 0
    sla_recompute(ticket, sla)


def sla_terms_for_ticket(ticket) -> SlaTerms:
    """SLA terms of a ticket's contract, round the clock if its clause is 24/7 or
    the customer accepted on-call work on it."""
    from contracts.selectors import contract_terms
    from tickets.selectors import on_call_accepted

    contract = contract_terms(ticket.contract)
    support_hours = contract.support_hours
    clause = contract.clauses.get(ticket.service.code) if ticket.service_id else None
    if (clause is not None and clause.round_the_clock) or on_call_accepted(ticket):
        support_hours = terms.SupportHours(support_hours.timezone, ROUND_THE_CLOCK)
    return SlaTerms(support_hours, dict(contract.sla))


def work_starts(ticket, *, at: datetime, service: str | None = None) -> datetime | None:
    """When a technician starts on work agreed at ``at`` (the ticket's service, or
    ``service`` for a part): at once within support hours or under a 24/7 clause,
    else when the hours next begin. None without a contract to say."""
    from contracts.selectors import contract_terms

    if ticket.contract is None:
        return None
    contract = contract_terms(ticket.contract)
    code = service or (ticket.service.code if ticket.service_id else None)
    clause = contract.clauses.get(code) if code else None
    if clause is not None and clause.round_the_clock:
        return at
    return hours.next_opening(contract.support_hours, at)


def sla_recompute(ticket, sla: SlaTerms) -> None:
    """Due times from the start and the priority, pushed back by the time paused."""
    if ticket.sla_started_at is None:
        return
    first, resolution = due_times(sla, ticket.priority, ticket.sla_started_at)
    paused = terms.Duration(ticket.sla_paused_minutes, "m") if ticket.sla_paused_minutes else None
    if paused is not None:
        first = first and hours.add_support_time(sla.support_hours, first, paused)
        resolution = resolution and hours.add_support_time(sla.support_hours, resolution, paused)
    ticket.first_response_due, ticket.resolution_due = first, resolution


def sla_pause(ticket, *, at: datetime) -> None:
    if ticket.sla_started_at is not None and ticket.sla_paused_at is None:
        ticket.sla_paused_at = at


def sla_resume(ticket, sla: SlaTerms, *, at: datetime) -> None:
    if ticket.sla_paused_at is None:
        return
    gone = hours.support_minutes_between(sla.support_hours, ticket.sla_paused_at, at)
    ticket.sla_paused_minutes += math.ceil(gone)
    ticket.sla_paused_at = None
    sla_recompute(ticket, sla)
