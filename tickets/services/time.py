"""Time: logging work on a ticket against the month's allowance, top-ups or a bill."""

from __future__ import annotations

import logging
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.models import Customer
from tickets.models import DecisionPart, Offer, ScopeDecision, Ticket, TimeEntry
from tickets.selectors import (
    allowance_month,
    allowance_usage,
    charges_allowance,
    customer_day,
)
from tickets.services.base import TicketError, _locked, _refuse_if_closed
from tickets.services.notices import allowance_notices_send
from tickets.services.parts import part_for_time

log = logging.getLogger(__name__)
V = terms.Verdict


def time_entry_log(
    *,
    ticket_id: int,
    technician: User,
    minutes: int,
    note: str = "",
    worked_on: date | None = None,
    part_id: int | None = None,
) -> list[TimeEntry]:
    """Log work on a ticket. Covered work is counted against the allowance of the
    month it was done in (``worked_on``, in the customer's calendar; rounded up by
    the contract's unit), then against the prepaid top-ups bought by that month's
    end, and what is left over is billable; accepted paid work is billable; work a
    lead granted by override is goodwill. Work on an unanswered offer is refused.
    On a mixed ticket, ``part_id`` names the part the work was for (else the
    leading one), and the work is judged as that part's."""
    if minutes is None or minutes <= 0:
        raise TicketError(_("Log at least one minute."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        day = _work_day(ticket, worked_on)
        decision = ticket.decisions.filter(is_current=True).first()
        if decision is None:
            raise TicketError(_("The ticket has not been checked against the contract yet."))
        part = part_for_time(decision, part_id)
        kind = _time_kind(ticket, decision, part)
        counted = _round_up(minutes, ticket.contract.rounding_minutes if ticket.contract else None)
        common = {
            "ticket": ticket,
            "technician": technician,
            "note": note,
            "worked_on": day,
            "part": part,
        }
        if kind in (TimeEntry.Kind.ALLOWANCE, TimeEntry.Kind.INCLUDED):
            _check_minutes_per_ticket(ticket, part or decision, counted)
        if kind != TimeEntry.Kind.ALLOWANCE:
            return [
                TimeEntry.objects.create(
                    minutes=minutes, counted_minutes=counted, kind=kind, **common
                )
            ]
        # Lock the customer, as a decision does, so that two entries (or an entry
        # and a decision) cannot both take the last minutes of a month.
        customer = Customer.objects.select_for_update().get(pk=ticket.customer_id)
        # The month the work was done in, not the month it is logged in: otherwise
        # back-dated work would spend this month's allowance again and again.
        month = allowance_month(customer, day)
        usage = allowance_usage(customer=customer, at=month.start)
        included = ticket.contract.included_minutes if ticket.contract else None
        left = counted if included is None else max(0, included - usage.minutes_used)
        from_allowance = min(counted, left)
        from_topup = min(counted - from_allowance, usage.topup_minutes_left)
        over = counted - from_allowance - from_topup
        entries = []
        if from_allowance or from_topup:
            entries.append(
                TimeEntry.objects.create(
                    minutes=min(minutes, from_allowance + from_topup),
                    counted_minutes=from_allowance + from_topup,
                    topup_minutes=from_topup,
                    kind=kind,
                    **common,
                )
            )
        if over:
            entries.append(
                TimeEntry.objects.create(
                    minutes=over, counted_minutes=over, kind=TimeEntry.Kind.BILLABLE, **common
                )
            )
        allowance_notices_send(customer=customer, at=month.start)
    return entries


def _work_day(ticket: Ticket, worked_on: date | None) -> date:
    """The day the work was done, in the customer's calendar: today unless named,
    never a day still to come nor one before the ticket arrived. The queue and the
    API both ask here, so they agree."""
    today = customer_day(ticket.customer, timezone.now())
    if worked_on is None:
        return today
    if worked_on > today:
        raise TicketError(_("Work cannot be logged for a day still to come."))
    arrived = customer_day(ticket.customer, ticket.created_at)
    if worked_on < arrived:
        raise TicketError(
            _("This ticket arrived on %(day)s, so work on it cannot be logged for an earlier day.")
            % {"day": formats.date_format(arrived, "DATE_FORMAT")}
        )
    return worked_on


def _check_minutes_per_ticket(
    ticket: Ticket, decision: ScopeDecision | DecisionPart, counted: int
) -> None:
    """A clause may cover only so many minutes a request ("up to 30 minutes a
    case"); covered work beyond that is not agreed, so it is refused."""
    cap = decision.clause_snapshot.get("max_minutes_per_ticket")
    if not cap:
        return
    covered = ticket.time_entries.filter(
        kind__in=[TimeEntry.Kind.ALLOWANCE, TimeEntry.Kind.INCLUDED]
    ).aggregate(n=Coalesce(Sum("counted_minutes"), 0))["n"]
    left = max(0, cap - covered)
    if counted > left:
        raise TicketError(
            _(
                "This kind of request is covered for up to %(cap)d minutes, and %(left)d "
                "are left on this ticket. Log at most that; for more, ask the customer "
                "first, or ask a lead to override the verdict."
            )
            % {"cap": cap, "left": left}
        )


def _time_kind(ticket: Ticket, decision: ScopeDecision, part: DecisionPart | None) -> str:
    """What the work is: judged by the decision, or by the part it was for."""
    verdict = V(part.verdict if part else decision.verdict)
    offer = Offer.objects.filter(part=part).first() if part else decision.offers.first()
    pending = offer is not None and offer.status == Offer.Status.PENDING
    if decision.is_override:
        if verdict in terms.COVERED_VERDICTS:
            return TimeEntry.Kind.GOODWILL
        if not pending:
            # The lead's word agrees the work (the customer accepted its offer,
            # or the lead overrode a verdict whose offer is answered).
            return TimeEntry.Kind.BILLABLE
    on_call = offer is not None and offer.kind == Offer.Kind.EMERGENCY
    if on_call and offer is not None and offer.status == Offer.Status.ACCEPTED:
        # On-call work, billed at the offer's price; unaccepted, the ticket stays
        # covered work at the opening (below).
        return TimeEntry.Kind.BILLABLE
    if verdict in terms.COVERED_VERDICTS:
        # An incident's ticket is free, one linked by hand after its decision too.
        if (part or decision).counts_against_allowance and charges_allowance(ticket):
            return TimeEntry.Kind.ALLOWANCE
        return TimeEntry.Kind.INCLUDED
    if offer is not None and offer.status == Offer.Status.ACCEPTED:
        return TimeEntry.Kind.BILLABLE
    if pending:
        raise TicketError(
            _(
                "The customer has not answered the offer yet, so this work is not agreed. "
                "Wait for their answer, or ask a lead to override the verdict."
            )
        )
    if verdict == V.NEEDS_REVIEW:
        raise TicketError(_("Choose the ticket's service first, so the work is judged."))
    raise TicketError(
        _(
            "This work is not covered and no offer was accepted. A lead can override the "
            "verdict if it should be done."
        )
    )


def _round_up(minutes: int, unit: int | None) -> int:
    if not unit:
        return minutes
    return -(-minutes // unit) * unit
