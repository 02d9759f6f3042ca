"""Mixed tickets: the parts of a decision ("mail is down, and please install
plugin X"), each with its own service, verdict, clause and offer.

The decision as a whole follows its most urgent part (the engine's
``PART_ORDER``): the ticket's status and SLA clock are those of covered work
when any part is covered. Each paid part gets its own offer; the customer
answers each, and declining one leaves the others as they are. Time may name
the part it was for: on a covered part it counts as covered work, on a paid
part it waits for the customer's yes like any offer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.utils.translation import gettext as _

from contracts.engine import scope, terms
from contracts.models import Clause, Contract, Service
from tickets.models import DecisionPart, Offer, ScopeDecision, Status, Ticket
from tickets.services.base import TicketError
from tickets.sla import sla_start, sla_terms_for_ticket

PartsMade = list[tuple[DecisionPart, scope.DecisionPart]]


def clause_snapshot(clause: terms.ClauseTerms | None, *, reason: str) -> dict:
    """The clause's wording and price as they are now, kept with a decision or a part."""
    if clause is None:
        return {}
    price = clause.price
    return {
        "service": clause.service,
        "coverage": clause.coverage.value,
        # Every language, so a later page or reply quotes the one its reader needs.
        "text": dict(clause.text),
        "advice": dict(clause.advice),
        "unlisted": reason == scope.Reason.UNLISTED,
        "pricing": price.pricing.value if price else None,
        "price": str(price.amount) if price else None,
        "estimate": str(price.estimate) if price and price.estimate else None,
        "max_minutes_per_ticket": clause.max_minutes_per_ticket,
    }


def parts_record(
    record: ScopeDecision, parts: Sequence[scope.DecisionPart], *, charges_allowance: bool
) -> PartsMade:
    """The engine's parts in the ticket's records, in the order the text asks."""
    made = []
    for position, part in enumerate(parts, start=1):
        contract = Contract.objects.filter(reference=part.contract.reference).first()
        service = Service.objects.get(code=part.service)
        row = DecisionPart.objects.create(
            decision=record,
            position=position,
            text=part.text,
            service=service,
            verdict=part.verdict.value,
            reason=part.reason,
            clause=Clause.objects.filter(contract=contract, service=service).first(),
            clause_snapshot=clause_snapshot(part.clause, reason=part.reason),
            counts_against_allowance=part.verdict in terms.COVERED_VERDICTS
            and part.clause.counts_against_allowance
            and charges_allowance,
            starts_at=part.starts_at,
        )
        made.append((row, part))
    return made


def part_offers_carry(previous: ScopeDecision, record: ScopeDecision) -> None:
    """The same answer again: each part's offer moves to the same part of the new
    decision, so what the customer holds stays valid."""
    new_parts = {part.position: part for part in record.parts.all()}
    for offer in Offer.objects.filter(decision=previous, part__isnull=False).select_related("part"):
        offer.decision = record
        offer.part = new_parts.get(offer.part.position)  # type: ignore[union-attr]
        offer.save(update_fields=["decision", "part"])


def parts_of(record: ScopeDecision | None) -> list[tuple[int, str]]:
    """What a decision's parts said: (service, verdict) in order; empty for a whole one."""
    if record is None:
        return []
    return list(record.parts.order_by("position").values_list("service_id", "verdict"))


def part_offer_settle(offer: Offer, ticket: Ticket, *, accept: bool, now: datetime) -> str:
    """A part's offer answered: accepted work joins the ticket (its clock starts
    now unless covered work runs one already); a declined one is set aside, and
    the ticket closes only when nothing else of it is left to do. The note for
    the customer when declined, in the ticket's language (the caller's)."""
    part = offer.part
    assert part is not None
    service = part.service.name(ticket.language)
    if accept:
        if ticket.status == Status.AWAITING_DECISION:
            ticket.status = Status.OPEN
            if ticket.contract is not None and ticket.sla_started_at is None:
                sla_start(ticket, sla_terms_for_ticket(ticket), at=now)
        return ""  # the caller's offer_accepted_text says when work starts
    still_open = (
        Offer.objects.filter(decision_id=offer.decision_id)
        .exclude(pk=offer.pk)
        .filter(status__in=[Offer.Status.PENDING, Offer.Status.ACCEPTED])
        .exists()
    )
    if ticket.status == Status.AWAITING_DECISION and not still_open:
        ticket.status = Status.RESOLVED
        ticket.resolved_at = now
    return _(
        "Thank you for letting us know: we will leave %(service)s aside. If you change "
        "your mind, just write to us; we are glad to help."
    ) % {"service": service}


def part_for_time(decision: ScopeDecision, part_id: int | None) -> DecisionPart | None:
    """The part that work is logged for: the one named, which must be a part of
    the ticket's current decision; unnamed, the leading part of a mixed ticket."""
    if part_id is not None:
        part = decision.parts.filter(pk=part_id).first()
        if part is None:
            raise TicketError(_("This part is not a part of the ticket's current decision."))
        return part
    return decision.parts.filter(service=decision.service, verdict=decision.verdict).first()
