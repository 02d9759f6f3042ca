"""A lead's override of a verdict: a new decision naming its author, and what
the customer is told of it (the wording is in ``override_messages``)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.scope import PriceQuote
from contracts.selectors import current_catalogue, customer_terms, customers_with_terms
from tickets.models import Offer, ScopeDecision, Ticket
from tickets.selectors import ticket_current_offer
from tickets.services.base import NotAllowed, TicketError, _locked, _refuse_if_closed
from tickets.services.decisions import _decision_take, _reply_post
from tickets.services.override_messages import OVERRIDE_VERDICTS, PAID, override_message
from tickets.sla import sla_terms_for_ticket

V = terms.Verdict


def decision_override(*, ticket_id: int, lead: User, verdict: str, reason: str) -> ScopeDecision:
    """A lead's own verdict, with a written reason; a new decision naming its author.

    The customer sees it at once: a paid verdict makes a real offer, priced as
    the engine would; any offer still awaiting an answer is withdrawn; a whole
    verdict supersedes a mixed request's parts; and when the answer changes for
    the customer (``override_messages.answer_changes``) the desk tells them so,
    in their language, by message and e-mail. An offer the customer has accepted
    is never taken back: only the same verdict again is allowed then."""
    if not lead.has_perm("tickets.override_decision"):
        raise NotAllowed(_("Only a lead can override a verdict."))
    if not reason.strip():
        raise TicketError(_("Write down why you override the verdict."))
    new_verdict = terms.Verdict(verdict)
    if new_verdict not in OVERRIDE_VERDICTS:
        raise TicketError(
            _(
                "“Not authorized” is the answer to a sender who is not a contact; a "
                "lead chooses one of the other verdicts."
            )
        )
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        previous = ticket.decisions.filter(is_current=True).first()
        if previous is None:
            raise TicketError(_("The ticket has no decision to override yet."))
        repeat = previous.verdict == new_verdict and not previous.parts.exists()
        held = ticket_current_offer(ticket)
        if not repeat and held is not None and held.status == Offer.Status.ACCEPTED:
            # Silently dropping agreed (perhaps billed) work, or a message saying
            # "no charge" beside an accepted price, would both mislead.
            raise TicketError(
                _(
                    "The customer has accepted the offer on this ticket, so the work is "
                    "agreed at that price. An override cannot take that back; write to "
                    "the customer instead."
                )
            )
        paid = new_verdict in PAID and not repeat
        price = _override_quote(ticket, previous, new_verdict) if paid else None
        # The lead judges the same request under the same clause: only the
        # verdict is the lead's own. Work the lead grants starts now, not at the
        # ticket's arrival.
        record = _decision_take(
            ticket,
            previous=previous,
            verdict=new_verdict,
            price=price,
            sla=sla_terms_for_ticket(ticket) if ticket.contract_id else None,
            work_starts=timezone.now(),
            reason="override",
            contract=previous.contract,
            service=previous.service,
            clause=previous.clause,
            clause_snapshot=previous.clause_snapshot,
            usage_snapshot=previous.usage_snapshot,
            decided_by=lead,
            is_override=True,
            override_reason=reason.strip(),
        )
        ticket.save()
        text = override_message(record, previous, ticket.language)
        if text:
            _reply_post(ticket, record, text)
    return record


def _override_quote(ticket: Ticket, previous: ScopeDecision, verdict: terms.Verdict) -> PriceQuote:
    """The offer for paid work a lead decides on, priced as ``scope.decide``
    prices that verdict under the decision's contract: a paid clause's own
    price; past the allowance, the hourly rate with the clause's minutes per
    request as the estimate; without a valid contract, the hourly rate."""
    if previous.contract is None:
        raise TicketError(
            _("This ticket has no contract to price paid work by; choose another verdict.")
        )
    reference = previous.contract.reference
    customer = customer_terms(customers_with_terms().get(pk=ticket.customer_id))
    contract = next(c for c in customer.contracts if c.reference == reference)
    clause = (
        current_catalogue().clause_for(contract, previous.service.code)
        if previous.service
        else None
    )
    hourly = terms.Pricing.HOURLY
    if verdict is V.NO_CONTRACT:
        return PriceQuote(contract.hourly_rate, contract.currency, hourly)
    if (
        verdict is V.PAID_OPTION
        and clause is not None
        and clause.coverage is terms.Coverage.PAID
        and clause.price is not None
    ):
        price = clause.price
        return PriceQuote(price.amount, contract.currency, price.pricing, price.estimate)
    minutes = clause.max_minutes_per_ticket if clause else None
    estimate = terms.Duration(minutes, "m") if minutes else None
    return PriceQuote(contract.hourly_rate, contract.currency, hourly, estimate)
