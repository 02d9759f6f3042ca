"""Reads for the customer portal's ticket page: where the ticket stands, in the
customer's words, with its conversation, verdict, offer and what the customer
may still do. Data for the page, not HTML."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import get_language

from contracts.replies import is_outage, written_in
from tickets.models import (
    Attachment,
    DecisionPart,
    Escalation,
    Incident,
    IncidentUpdate,
    Message,
    Offer,
    Rating,
    ScopeDecision,
    Status,
    Ticket,
)
from tickets.portal import words
from tickets.queue.display import format_span
from tickets.selectors import messages_visible_to, ticket_current_offer
from tickets.services.incident_notices import incident_update_text
from tickets.services.offers import may_accept, renewal_who_accepts
from tickets.services.workflow import rating_invited, refused_ticket_closes_at
from tickets.snapshots import clause_as_told


def person_name(user) -> str:
    """A contact by their name, staff by theirs (or their login)."""
    contact = getattr(user, "contact", None)
    if contact is not None:
        return contact.name
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True, slots=True)
class ConversationEntry:
    message: Message
    mine: bool  # written by the person reading
    from_customer: bool  # by one of the customer's contacts, not by the desk
    author_name: str
    files: list[Attachment]


@dataclass(frozen=True, slots=True)
class PartCard:
    """One part of a mixed request on its own card: its verdict and, when paid, its offer."""

    part: DecisionPart
    service_name: str
    verdict_text: str
    sentence: str
    starts_later: bool  # covered work that starts when support hours begin, still ahead
    clause: dict
    offer: Offer | None
    offer_words: words.OfferWords | None
    offer_open: bool
    offer_lapsed: bool


def _part_card(
    part: DecisionPart, *, language: str, customer_language: str, now: datetime, priority: str
) -> PartCard:
    offer = getattr(part, "offer", None)
    offer_open = bool(offer and offer.status == Offer.Status.PENDING and offer.expires_at > now)
    return PartCard(
        part=part,
        service_name=part.service.name(language),
        verdict_text=words.verdict_tag(part.verdict),
        sentence=words.part_sentence(part.verdict, outage=is_outage(part.service.code, priority)),
        starts_later=bool(part.starts_at and part.starts_at > now),
        clause=_clause_for_reader(part.clause_snapshot, language, customer_language),
        offer=offer,
        offer_words=words.offer_words(offer) if offer else None,
        offer_open=offer_open,
        offer_lapsed=bool(offer and offer.status == Offer.Status.PENDING and not offer_open),
    )


@dataclass(frozen=True, slots=True)
class PortalTicket:
    ticket: Ticket
    status_text: str
    verdict_text: str
    verdict_sentence: str
    decided: bool
    decision: ScopeDecision | None
    starts_later: bool  # the work starts when support hours begin, still ahead
    clause: dict  # the decision's clause, its words in the reader's language
    service_name: str
    priority_text: str
    requester_name: str
    conversation: list[ConversationEntry]
    request_files: list[Attachment]  # filed with the ticket, not with a message
    offer: Offer | None
    offer_words: words.OfferWords | None
    offer_open: bool  # the customer can still accept or decline it
    offer_lapsed: bool  # pending, but past its time to answer
    # A renewal binds the company: a requester who is not a manager may only
    # decline it, and reads who can accept it.
    offer_acceptable: bool
    offer_who_accepts: str
    rating: Rating | None
    score_text: str
    escalation: Escalation | None  # a call for a manager not yet handled
    account_manager: str
    done: bool
    closed: bool
    can_rate: bool
    closes_at: datetime | None  # a refusal waiting for the customer's answer closes then
    parts: list[PartCard]  # a mixed request's parts, each with its own answer
    # The offer the current decision took back (a lead's override, a changed
    # service), shown as withdrawn while the decision makes no offer of its own.
    withdrawn_offer: Offer | None = None
    withdrawn_words: words.OfferWords | None = None
    withdrawn_text: str = ""


def portal_ticket(*, ticket: Ticket, user, now: datetime) -> PortalTicket:
    """The ticket page for a contact, in a fixed number of queries however long the
    conversation is. ``ticket`` is one the user may see (``tickets_visible_to``)."""
    language = get_language()
    conversation = [
        _entry(message, user)
        for message in messages_visible_to(user, ticket)
        .select_related("author__contact")
        .prefetch_related("attachments")
    ]
    decision = ticket.decisions.filter(is_current=True).first()
    offer = ticket_current_offer(ticket)
    offer_open = bool(offer and offer.status == Offer.Status.PENDING and offer.expires_at > now)
    rating = Rating.objects.filter(ticket=ticket).first()
    done = ticket.status in Status.DONE
    under_way = done or ticket.first_responded_at is not None
    # The customer's answer to this verdict's own offer, not an earlier one.
    answered_here = bool(offer and not offer_open and decision and offer.decision_id == decision.pk)
    manager = ticket.customer.account_manager
    acceptable = offer is None or may_accept(offer, user)
    withdrawn = (
        Offer.objects.filter(decision_id=decision.supersedes_id, status=Offer.Status.WITHDRAWN)
        .order_by("part__position", "-created_at")
        .first()
        if decision and decision.supersedes_id and offer is None
        else None
    )
    return PortalTicket(
        ticket=ticket,
        status_text=words.status_words(ticket.status),
        verdict_text=words.verdict_tag(ticket.verdict),
        verdict_sentence=words.verdict_sentence(
            ticket.verdict,
            under_way=under_way,
            offer_status=offer.status if offer and answered_here else None,
            outage=is_outage(ticket.service.code if ticket.service else None, ticket.priority),
        ),
        decided=ticket.decided_at is not None,
        decision=decision,
        starts_later=bool(
            not under_way and decision and decision.starts_at and decision.starts_at > now
        ),
        clause=_clause_for_reader(_clause_told(decision), language, ticket.customer.language),
        service_name=ticket.service.name(language) if ticket.service else "",
        priority_text=words.priority_words(ticket.priority),
        requester_name=person_name(ticket.requester),
        conversation=conversation,
        request_files=list(ticket.attachments.filter(message=None)),
        offer=offer,
        offer_words=words.offer_words(offer) if offer else None,
        offer_open=offer_open,
        offer_lapsed=bool(offer and offer.status == Offer.Status.PENDING and not offer_open),
        offer_acceptable=acceptable,
        offer_who_accepts="" if acceptable else renewal_who_accepts(ticket.customer),
        rating=rating,
        score_text=str(words.SCORE_WORDS.get(rating.score, "")) if rating else "",
        escalation=ticket.escalations.filter(handled_at=None).first(),
        account_manager=person_name(manager) if manager else "",
        done=done,
        closed=ticket.status == Status.CLOSED,
        can_rate=rating is None and rating_invited(ticket),
        closes_at=refused_ticket_closes_at(ticket),
        parts=[
            _part_card(
                part,
                language=language,
                customer_language=ticket.customer.language,
                now=now,
                priority=ticket.priority,
            )
            for part in (decision.parts.select_related("service", "offer") if decision else ())
        ],
        withdrawn_offer=withdrawn,
        withdrawn_words=words.offer_words(withdrawn) if withdrawn else None,
        withdrawn_text=words.withdrawn_sentence(ticket.verdict) if withdrawn else "",
    )


# The clause coverage each verdict rests on; the others rest on no one clause.
_COVERAGE_OF_VERDICT = {
    "in_scope": "included",
    "outside_hours": "included",
    "over_allowance": "included",
    "paid_option": "paid",
    "out_of_scope": "excluded",
}


def _clause_told(decision: ScopeDecision | None) -> dict:
    """The decision's clause, to quote on its card; not for a lead's override
    that went against it (paid work granted at no charge, covered work refused):
    quoting it there would argue for the answer the customer no longer has."""
    if decision is None:
        return {}
    snapshot = decision.clause_snapshot
    expected = _COVERAGE_OF_VERDICT.get(decision.verdict)
    if decision.is_override and expected and snapshot.get("coverage") not in (None, expected):
        return {}
    return snapshot


def _clause_for_reader(snapshot: dict, language: str, customer_language: str) -> dict:
    """A decision's (or part's) clause in the page's language, saying so when the
    contract has its words in another language only."""
    clause = clause_as_told(snapshot, language=language, customer_language=customer_language)
    for key in ("text", "advice"):
        if clause.get(key):
            clause[key] = written_in(clause[key], clause[f"{key}_language"])
    return clause


def _entry(message: Message, user: AbstractBaseUser) -> ConversationEntry:
    author = message.author
    return ConversationEntry(
        message=message,
        mine=message.author_id == user.pk,
        from_customer=author is not None and not author.is_staff,
        author_name=person_name(author) if author else "",
        files=list(message.attachments.all()),
    )


@dataclass(frozen=True, slots=True)
class IncidentNews:
    update: IncidentUpdate
    text: str  # in the contact's language, or the first written
    untranslated: bool


@dataclass(frozen=True, slots=True)
class PortalIncident:
    """An incident as a contact reads it: its services in their language, how long
    it lasted (or lasts so far), its news newest first."""

    incident: Incident
    service_names: list[str]
    duration: str
    news: list[IncidentNews]

    @property
    def latest(self) -> IncidentNews | None:
        return self.news[0] if self.news else None


def portal_incident(incident: Incident, *, language: str, now: datetime) -> PortalIncident:
    end = incident.resolved_at or now
    news = [
        IncidentNews(update, *incident_update_text(update, language))
        for update in incident.updates.all()
    ]
    return PortalIncident(
        incident=incident,
        service_names=[s.name(language) for s in incident.services.all()],
        duration=format_span(int((end - incident.started_at).total_seconds() // 60)),
        news=news[::-1],
    )


@dataclass(frozen=True, slots=True)
class OfferLinkPage:
    """The page of an offer's e-mailed link: what is offered, under which words of
    the contract, for what price, until when, and whether it can still be answered."""

    offer: Offer
    ticket: Ticket
    service_name: str
    clause: dict
    offer_words: words.OfferWords
    open: bool  # pending and not past its time: both answers are on the page
    # The link answers for the requester it was sent to: one who is not a
    # manager may decline a renewal, and reads who can accept it.
    acceptable: bool = True
    who_accepts: str = ""
    contract_reference: str = ""  # a renewal's: the contract renewed


def offer_link_page(*, offer: Offer, now: datetime) -> OfferLinkPage:
    """Read in the active language (the view activates the contact's)."""
    language = get_language()
    ticket = offer.ticket
    acceptable = may_accept(offer, ticket.requester)
    contract = offer.decision.contract
    part = offer.part
    service = part.service if part is not None else offer.decision.service
    snapshot = part.clause_snapshot if part is not None else offer.decision.clause_snapshot
    return OfferLinkPage(
        offer=offer,
        ticket=ticket,
        service_name=service.name(language) if service else "",
        clause=_clause_for_reader(snapshot, language, ticket.customer.language),
        offer_words=words.offer_words(offer),
        open=offer.status == Offer.Status.PENDING and offer.expires_at > now,
        acceptable=acceptable,
        who_accepts="" if acceptable else renewal_who_accepts(ticket.customer),
        contract_reference=contract.reference if contract is not None else "",
    )
