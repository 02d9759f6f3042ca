"""Decisions: the scope check of a ticket, re-deciding it, a lead's override, and
the sweep that decides (and e-mails: messages, credit notices) what a lost task
left behind."""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone

from contracts.engine import terms
from contracts.engine.scope import Decision, PriceQuote, ScopeRequest, decide
from contracts.engine.scope import DecisionPart as PartTerms
from contracts.models import Customer
from contracts.replies import render_reply
from contracts.selectors import TermsSnapshot, terms_now, terms_version_query
from tickets.models import DecisionPart, Message, Offer, ScopeDecision, Status, Ticket
from tickets.selectors import allowance_usage, charges_allowance
from tickets.services.claims import our_service_answer
from tickets.services.incident_tickets import incident_reply, incident_reported, incident_work
from tickets.services.mail_limits import auto_reply_withheld
from tickets.services.notices import allowance_notices_send
from tickets.services.offers import (
    _withdraw_pending_offers,
    no_contract_offer_elsewhere,
    offer_make,
    offer_where,
)
from tickets.services.override_messages import with_withdrawn_note
from tickets.services.parts import clause_snapshot, part_offers_carry, parts_of, parts_record
from tickets.services.queueing import SEND_MESSAGE_EMAIL, queue_after_commit
from tickets.sla import SlaTerms, sla_pause, sla_recompute, sla_resume, sla_start, sla_terms

log = logging.getLogger(__name__)


V = terms.Verdict
STATUS_AFTER_VERDICT = {
    V.NOT_AUTHORIZED: Status.RESOLVED,
    V.NO_CONTRACT: Status.AWAITING_DECISION,
    V.NEEDS_REVIEW: Status.OPEN,
    V.OUT_OF_SCOPE: Status.WAITING_ON_CUSTOMER,  # not resolved: refused_tickets_close
    V.PAID_OPTION: Status.AWAITING_DECISION,
    V.OVER_ALLOWANCE: Status.AWAITING_DECISION,
    V.OUTSIDE_HOURS: Status.OPEN,
    V.IN_SCOPE: Status.OPEN,
}


def ticket_decide(*, ticket_id: int) -> ScopeDecision | None:
    """Run the scope check of a new ticket: store the decision, the automatic reply,
    the offer and the SLA due times. A ticket that already has a decision is left
    as it is, so running this twice changes nothing."""
    with transaction.atomic():
        ticket = (
            # The ticket and its customer locked in one statement (the customer is
            # locked anyway to count its allowance); PostgreSQL cannot lock the
            # nullable side of the outer join to the picked service.
            Ticket.objects.select_for_update(of=("self", "customer"))
            .select_related("customer", "picked_service", "requester")
            .annotate(terms_version=Subquery(terms_version_query()))
            .filter(pk=ticket_id, decided_at=None)
            .first()
        )
        if ticket is None:
            return None
        return _redecide(
            ticket, locked_customer=ticket.customer, known=terms_now(ticket.terms_version)
        )


def _redecide(
    ticket: Ticket,
    *,
    decided_by: User | None = None,
    service: str | None = None,
    locked_customer: Customer | None = None,
    known: TermsSnapshot | None = None,
) -> ScopeDecision:
    """Decide the ticket as it stands, as of its arrival. ``service`` is a
    technician's choice, taken whatever the text says.

    The customer gets an automatic reply to the first decision, and to a later one
    only when its answer differs (another verdict or service); otherwise the new
    decision is recorded quietly and the ticket's status, offer and clock stay.
    ``locked_customer``: the ticket's customer, when the caller has locked its row;
    ``known``: the terms, when the caller has read them."""
    # One customer's tickets are counted one at a time, so two tickets that
    # arrive together can never both take the last included ticket.
    customer = locked_customer or Customer.objects.select_for_update().get(pk=ticket.customer_id)
    known = known or terms_now()
    entry = known.customer(customer.pk)
    picked = ticket.picked_service.code if ticket.picked_service else None
    request = ScopeRequest(
        email=ticket.requester.email,
        text=ticket.body,
        subject=ticket.subject,
        service=service or picked,
        priority=ticket.priority,
        service_confirmed=service is not None,
    )
    at = ticket.created_at
    usage = allowance_usage(
        customer=customer, at=at, excluding_ticket=ticket.pk, top_ups=entry.top_ups
    )
    catalogue = known.catalogue
    decision = decide(
        customer=entry.terms,
        request=request,
        usage=usage,
        at=at,
        catalogue=catalogue,
    )
    # Every decision marks its ticket decided (below, and before any override),
    # so a ticket not yet decided has no decision to supersede.
    previous = ticket.decisions.filter(is_current=True).first() if ticket.decided_at else None
    pending = (
        set(previous.offers.filter(status=Offer.Status.PENDING).values_list("pk", flat=True))
        if previous
        else set()
    )
    incident, reported = incident_reported(ticket, decision, previous=previous)
    if incident is not None:
        if reported != decision.service:  # the text's service, not the one picked
            confirmed = replace(request, service=reported, service_confirmed=True)
            decision = decide(
                customer=entry.terms,
                request=confirmed,
                usage=usage,
                at=at,
                catalogue=catalogue,
            )
        decision = incident_work(decision)
    record = _record_decision(
        ticket,
        decision,
        known=known,
        previous=previous,
        usage=asdict(usage),
        at=at,
        decided_by=decided_by,
        service_confirmed=request.service_confirmed,
    )
    # Set here as well as by the first check, so a check still queued when a
    # technician has decided already finds nothing left to do.
    ticket.decided_at = ticket.decided_at or timezone.now()
    ticket.save()
    if not _same_answer(previous, record):
        if incident is not None:
            text = incident_reply(incident, ticket=ticket, decision=decision)
        else:
            elsewhere = (
                no_contract_offer_elsewhere(ticket)
                if decision.verdict is V.NO_CONTRACT and not record.offers.exists()
                else None
            )
            text = our_service_answer(ticket=ticket, decision=decision) or (
                render_reply(
                    decision,
                    at=at,
                    catalogue=catalogue,
                    wordings=known.wordings,
                    offer_elsewhere=offer_where(elsewhere) if elsewhere else "",
                    elsewhere_renewal=bool(elsewhere and elsewhere.kind == Offer.Kind.RENEWAL),
                    renewal_accepted=bool(elsewhere and elsewhere.status == Offer.Status.ACCEPTED),
                ).text
            )
        if pending and Offer.objects.filter(pk__in=pending, status=Offer.Status.WITHDRAWN).exists():
            text = with_withdrawn_note(text, verdict=record.verdict, language=ticket.language)
        _reply_post(ticket, record, text)
    if record.counts_against_allowance:
        # The month's usage as counted for the decision, with this ticket now in it.
        counted = replace(usage, tickets_used=usage.tickets_used + 1)
        allowance_notices_send(customer=customer, at=at, usage=counted, known=entry)
    return record


def _reply_post(ticket: Ticket, record: ScopeDecision, text: str) -> Message:
    """The desk's message about a decision, e-mailed after the commit like any
    other (unless the mail limits hold automatic replies back)."""
    withheld = auto_reply_withheld(ticket)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.AUTOMATIC,
        body=text,
        decision=record,
        delivery=Message.Delivery.NOT_EMAILED if withheld else Message.Delivery.PENDING,
        delivery_error=withheld,
    )
    if not withheld:
        queue_after_commit(SEND_MESSAGE_EMAIL, message.pk)
    return message


def _record_decision(
    ticket: Ticket,
    decision: Decision,
    *,
    known: TermsSnapshot,
    previous: ScopeDecision | None,
    usage: dict,
    at: datetime,
    decided_by: User | None = None,
    service_confirmed: bool = False,
) -> ScopeDecision:
    """The engine's decision, for a technician's change too, in the ticket's records."""
    entry = known.customer(ticket.customer_id)
    reference = decision.contract.reference if decision.contract else None
    contract = entry.contracts.get(reference) if reference else None
    service = known.services.get(decision.service) if decision.service else None
    clause = entry.clauses.get((contract.reference, service.code)) if contract and service else None
    return _decision_take(
        ticket,
        previous=previous,
        verdict=decision.verdict,
        price=decision.offer,
        parts=decision.parts,
        sla=sla_terms(decision) if decision.contract is not None else None,
        work_starts=decision.starts_at or at,
        language=decision.language,
        reason=decision.reason,
        contract=contract,
        service=service,
        clause=clause,
        clause_snapshot=clause_snapshot(decision.clause, reason=decision.reason),
        usage_snapshot=usage,
        candidates=list(decision.candidates),
        starts_at=decision.starts_at,
        counts_against_allowance=decision.verdict in terms.COVERED_VERDICTS
        and bool(decision.clause and decision.clause.counts_against_allowance)
        and charges_allowance(ticket),
        decided_by=decided_by,
        service_confirmed=service_confirmed,
    )


def _decision_take(
    ticket: Ticket,
    *,
    previous: ScopeDecision | None,
    verdict: terms.Verdict,
    price: PriceQuote | None,
    sla: SlaTerms | None,
    work_starts: datetime,
    language: str | None = None,
    parts: tuple[PartTerms, ...] = (),
    **fields,
) -> ScopeDecision:
    """The one way a decision (the engine's, a technician's, a lead's) takes effect:
    it supersedes ``previous``; unless it repeats the customer's answer, it withdraws
    the old offer, makes one for ``price`` (or one for each paid part of a mixed
    request) and sets the status and SLA clock."""
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    record = ScopeDecision.objects.create(
        ticket=ticket, supersedes=previous, verdict=verdict.value, **fields
    )
    made = parts_record(record, parts, charges_allowance=charges_allowance(ticket))
    ticket.contract = record.contract
    if _same_answer(previous, record):
        # The same answer again (a changed priority, a contract re-read): the offer
        # the customer holds stays valid, and so do the status and the clock.
        assert previous is not None
        part_offers_carry(previous, record)
        Offer.objects.filter(decision=previous).update(decision=record)
        if sla is not None:
            sla_recompute(ticket, sla)  # a clock not started stays so
        return record
    if previous is not None:
        # A different answer withdraws the offer of the old one.
        _withdraw_pending_offers(decision=previous)
    # A mixed request's offers are its paid parts'; the decision's own is the
    # leading part's, never made twice.
    quotes: list[tuple[DecisionPart | None, PriceQuote | None]] = (
        [(row, part.offer) for row, part in made] if made else [(None, price)]
    )
    if verdict is V.NO_CONTRACT and no_contract_offer_elsewhere(ticket) is not None:
        # A customer without a contract answers one offer (the renewal, or one-off
        # work), not one per ticket: the reply points to the one already waiting.
        quotes = []
    offers = [
        offer_make(ticket=ticket, decision=record, price=quote, part=row)
        for row, quote in quotes
        if quote is not None
    ]
    offered = bool(offers)
    # While the ticket still has the old verdict, which _apply_verdict reads.
    _apply_verdict(ticket, verdict, offered=offered, sla=sla, work_starts=work_starts)
    ticket.verdict = verdict.value
    ticket.service = record.service
    ticket.language = language or ticket.language
    return record


def _apply_verdict(
    ticket: Ticket,
    verdict: terms.Verdict,
    *,
    offered: bool,
    sla: SlaTerms | None,
    work_starts: datetime,
) -> None:
    """The status a verdict gives the ticket, for the engine's, a technician's and
    a lead's decisions alike, and the SLA clock of the work it opens."""
    status = STATUS_AFTER_VERDICT[verdict]
    if status == Status.AWAITING_DECISION and not offered:
        # No offer to answer (a lead's repeat of a paid verdict whose offer was
        # answered already): the work is agreed, and billed (time.py), so it
        # enters the queue.
        status = Status.OPEN
    waiting = ticket.status == Status.WAITING_ON_CUSTOMER
    refused = waiting and ticket.verdict == V.OUT_OF_SCOPE  # waiting only on a refusal
    # A new decision does not take a ticket out of waiting for the customer,
    # unless it takes back the refusal it waited on.
    if not (status == Status.OPEN and waiting and not refused):
        ticket.status = status
    if refused and status == Status.OPEN and sla is not None:
        sla_resume(ticket, sla, at=timezone.now())
    resolved = status == Status.RESOLVED
    ticket.resolved_at = (ticket.resolved_at or timezone.now()) if resolved else None
    if status == Status.WAITING_ON_CUSTOMER:  # refused work's clock stops
        sla_pause(ticket, at=timezone.now())
    if status == Status.OPEN and sla is not None:
        if ticket.sla_started_at is None:
            sla_start(ticket, sla, at=work_starts)
        else:
            # A clock already running keeps its start and its paused time, so due
            # times never jump back to the ticket's arrival.
            sla_recompute(ticket, sla)


def _same_answer(previous: ScopeDecision | None, record: ScopeDecision) -> bool:
    """The customer was told this already: the same verdict on the same service
    (a lead's override too: the offer the customer holds stays theirs)."""
    return (
        previous is not None
        and (previous.verdict, previous.service_id) == (record.verdict, record.service_id)
        and parts_of(previous) == parts_of(record)
    )
