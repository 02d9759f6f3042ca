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
    rating: Rating | None
    score_text: str
    escalation: Escalation | None  # a call for a manager not yet handled
    account_manager: str
    done: bool
    closed: bool
    can_rate: bool
    parts: list[PartCard]  # a mixed request's parts, each with its own answer


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
        clause=_clause_for_reader(
            decision.clause_snapshot if decision else {}, language, ticket.customer.language
        ),
        service_name=ticket.service.name(language) if ticket.service else "",
        priority_text=words.priority_words(ticket.priority),
        requester_name=person_name(ticket.requester),
        conversation=conversation,
        request_files=list(ticket.attachments.filter(message=None)),
        offer=offer,
        offer_words=words.offer_words(offer) if offer else None,
        offer_open=offer_open,
        offer_lapsed=bool(offer and offer.status == Offer.Status.PENDING and not offer_open),
        rating=rating,
        score_text=str(words.SCORE_WORDS.get(rating.score, "")) if rating else "",
        escalation=ticket.escalations.filter(handled_at=None).first(),
        account_manager=person_name(manager) if manager else "",
        done=done,
        closed=ticket.status == Status.CLOSED,
        can_rate=done and rating is None,
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
    )


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
