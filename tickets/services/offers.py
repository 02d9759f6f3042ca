"""Offers: the signed links in the e-mail, the customer's answer, and lapsing."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.scope import PriceQuote
from contracts.models import Contact, Customer
from contracts.replies import format_moment, manager_names, who_can_accept_renewal
from contracts.roles import LEADS
from tickets.models import DecisionPart, Message, Offer, ScopeDecision, Status, Ticket
from tickets.services.base import NotAllowed, TicketError, _locked_offer
from tickets.services.notices import send_mail_safely
from tickets.services.on_call import on_call_accepted_text, on_call_settle
from tickets.services.parts import part_offer_settle
from tickets.services.queueing import SEND_MESSAGE_EMAIL, queue_after_commit
from tickets.sla import sla_start, sla_terms_for_ticket, work_starts

log = logging.getLogger(__name__)

_OFFER_SALT = "scopedesk.offer"


def offer_link(offer: Offer, action: str) -> str:
    """A signed link that answers the offer without logging in."""
    token = signing.dumps({"offer": offer.pk, "action": action}, salt=_OFFER_SALT)
    return f"{settings.SITE_URL}/offers/{token}/"


def offer_from_token(token: str) -> tuple[Offer, str]:
    max_age = timedelta(days=settings.OFFER_EXPIRY_DAYS)
    try:
        data = signing.loads(token, salt=_OFFER_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise TicketError(_("This link has expired.")) from None
    except signing.BadSignature:
        raise TicketError(_("This link is not valid.")) from None
    offer = Offer.objects.select_related("ticket").filter(pk=data.get("offer")).first()
    if offer is None or data.get("action") not in ("accept", "decline"):
        raise TicketError(_("This link is not valid."))
    return offer, data["action"]


def offer_make(
    *, ticket: Ticket, decision: ScopeDecision, price: PriceQuote, part: DecisionPart | None = None
) -> Offer:
    """The offer of a decision (or of one paid part of it) for the customer to answer."""
    # From the decision, not the ticket's arrival: a new decision on an old
    # ticket must not make an offer that has already lapsed.
    expires_at = decision.created_at + timedelta(days=settings.OFFER_EXPIRY_DAYS)
    kind = Offer.Kind(price.kind)
    if kind == Offer.Kind.EMERGENCY:
        # On-call work is "now, before we open": once the desk opens, the covered
        # work starts anyway and there is nothing left to buy.
        opening = part.starts_at if part is not None else decision.starts_at
        if opening is not None:
            expires_at = min(expires_at, opening)
    return Offer.objects.create(
        ticket=ticket,
        decision=decision,
        part=part,
        amount=price.amount,
        currency=price.currency,
        pricing=price.pricing.value,
        estimate_minutes=price.estimate.minutes if price.estimate else None,
        kind=kind,
        term_months=price.term_months,
        expires_at=expires_at,
    )


def no_contract_offer_elsewhere(ticket: Ticket) -> Offer | None:
    """The offer a customer without a valid contract already has on another ticket:
    one still open for an answer (the renewal of the ended contract, or paid
    one-off work where it had no fee), or the renewal of this same contract that
    they accepted and a lead has yet to load. While there is one, a new ticket
    gets no offer of its own (one offer to answer, not one per ticket)."""
    pending = Q(
        status=Offer.Status.PENDING,
        expires_at__gt=timezone.now(),
        decision__is_current=True,
        decision__verdict=terms.Verdict.NO_CONTRACT.value,
    )
    accepted = Q(
        status=Offer.Status.ACCEPTED,
        kind=Offer.Kind.RENEWAL,
        decision__contract_id=ticket.contract_id,
    )
    if ticket.contract_id is None:
        accepted = Q(pk__in=[])
    return (
        Offer.objects.filter(pending | accepted, ticket__customer_id=ticket.customer_id, part=None)
        .exclude(ticket=ticket)
        .select_related("ticket")
        .order_by("-status", "created_at")  # pending first: it still needs an answer
        .first()
    )


def offer_where(offer: Offer) -> str:
    """The ticket an offer is on, as a customer finds it: number and page."""
    link = settings.SITE_URL + reverse("portal:ticket", args=[offer.ticket_id])
    return f"#{offer.ticket_id} ({link})"


def offer_answer(*, offer_id: int, accept: bool, user: User | None = None) -> Offer:
    """Accept or decline a pending offer; a second answer is refused."""
    now = timezone.now()
    with transaction.atomic():
        ticket, offer = _locked_offer(offer_id)
        if offer.status == Offer.Status.WITHDRAWN:
            raise TicketError(
                _(
                    "We have withdrawn this offer, so there is nothing to answer; our "
                    "latest message on the ticket says why."
                )
            )
        if offer.status != Offer.Status.PENDING:
            raise TicketError(_("This offer has already been answered or has expired."))
        # The e-mailed link answers for the requester it was sent to.
        if accept and not may_accept(offer, user or ticket.requester):
            raise NotAllowed(renewal_who_accepts(ticket.customer))
        expired = offer.expires_at <= now
        if not expired:
            _offer_settle(offer, ticket, accept=accept, user=user, now=now)
    if expired:
        offer_expire(offer_id=offer_id)
        raise TicketError(_("This offer has expired."))
    return offer


def renewal_acceptors(customer: Customer) -> str:
    """The contacts who may accept a renewal for the customer, by name: its managers."""
    return manager_names(
        (contact.name, contact.role)
        for contact in Contact.objects.filter(customer=customer).select_related("user")
    )


def may_accept(offer: Offer, user: User | None) -> bool:
    """Whether ``user`` may accept the offer: anyone who sees a work offer; a
    renewal binds the company, so only its managers."""
    if offer.kind != Offer.Kind.RENEWAL:
        return True
    contact = getattr(user, "contact", None) if user is not None else None
    return (
        contact is not None
        and contact.customer_id == offer.ticket.customer_id
        and contact.role == terms.Role.MANAGER
    )


def renewal_who_accepts(customer: Customer) -> str:
    """The sentence a requester who is not a manager reads beside a renewal."""
    return who_can_accept_renewal(customer.name, renewal_acceptors(customer))


def _offer_settle(offer: Offer, ticket: Ticket, *, accept: bool, user: User | None, now) -> None:
    """Record the customer's answer: accepted work enters the queue with its SLA
    clock running; a declined offer closes the request kindly."""
    offer.status = Offer.Status.ACCEPTED if accept else Offer.Status.DECLINED
    offer.answered_by = user
    offer.answered_at = now
    offer.save()
    with translation.override(ticket.language):
        if offer.kind == Offer.Kind.EMERGENCY:
            note = on_call_settle(offer, ticket, accept=accept, user=user, now=now)
        elif offer.part_id is not None:
            note = part_offer_settle(offer, ticket, accept=accept, now=now)
        elif accept and offer.kind == Offer.Kind.RENEWAL:
            # No contract yet, so no SLA clock: the request waits, on our side,
            # for the renewed contract that a lead loads.
            ticket.status = Status.OPEN
            transaction.on_commit(partial(_renewal_accepted_notice, offer.pk))
        elif accept:
            ticket.status = Status.OPEN
            if ticket.contract is not None:
                sla_start(ticket, sla_terms_for_ticket(ticket), at=now)
        else:
            ticket.status = Status.RESOLVED
            ticket.resolved_at = now
            note = _(
                "Thank you for letting us know. We have closed this request. If you "
                "change your mind or need anything else, just write to us; we are glad "
                "to help."
            )
        if accept and offer.kind != Offer.Kind.EMERGENCY:
            note = offer_accepted_text(offer, ticket)
    ticket.save()
    _post_automatic_note(ticket, note)


def offer_accepted_text(offer: Offer, ticket: Ticket) -> str:
    """Thanks for the yes, and when a technician starts, in the active language:
    now within support hours (or under a 24/7 clause), else at the next opening
    on the contract's clock. The same words in the thread, the e-mail, the
    portal's flash and the page of the e-mailed link."""
    if offer.kind == Offer.Kind.RENEWAL:
        return renewal_accepted_text(ticket)
    if offer.kind == Offer.Kind.EMERGENCY:
        return on_call_accepted_text()
    at = offer.answered_at or timezone.now()
    part = offer.part
    service = part.service.code if part is not None else None
    start = work_starts(ticket, at=at, service=service)
    if part is not None:
        thanks = _("Thank you for accepting the offer for %(service)s.") % {
            "service": part.service.name(translation.get_language() or ticket.language)
        }
    else:
        thanks = _("Thank you for accepting the offer.")
    if start is None:
        when = _("A technician will start on it as soon as possible and keep you posted here.")
    elif start <= at:
        when = _("A technician is starting on it now and will keep you posted here.")
    else:
        assert ticket.contract is not None  # work_starts knows a time only from one
        moment = format_moment(
            start, zone_name=ticket.contract.timezone, home_zone=ticket.customer.timezone
        )
        when = _(
            "Our support hours begin again %(when)s: a technician will start on it then "
            "and keep you posted here."
        ) % {"when": moment}
    return f"{thanks} {when}"


def renewal_accepted_text(ticket: Ticket) -> str:
    """Thanks for renewing, and what happens next, in the active language."""
    manager = ticket.customer.account_manager
    # A login name is no name to tell a customer: then it is "our team".
    who = (manager.get_full_name() if manager is not None else "") or _("our team")
    return _(
        "Thank you for renewing your contract with us. We will prepare your renewed "
        "contract; %(who)s will send it to you within one working day, and your "
        "requests are taken up as soon as it is in place."
    ) % {"who": who}


def _renewal_accepted_notice(offer_id: int) -> None:
    """Tell the customer's account manager (else the leads) that a renewal was
    accepted: a person prepares and loads the new contract."""
    offer = Offer.objects.select_related(
        "ticket__customer__account_manager", "decision__contract", "answered_by"
    ).get(pk=offer_id)
    customer = offer.ticket.customer
    manager = customer.account_manager
    to = (
        [manager.email]
        if manager is not None and manager.email
        else list(
            User.objects.filter(groups__name=LEADS, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not to:
        log.warning("renewal accepted by %s, but nobody to tell", customer.name)
        return
    contract = offer.decision.contract
    reference = contract.reference if contract is not None else "?"
    answered_by = offer.answered_by or offer.ticket.requester
    contact = getattr(answered_by, "contact", None)
    who = contact.name if contact is not None else answered_by.email
    months = offer.term_months or 0
    send_mail_safely(
        subject=f"{customer.name}: renewal of {reference} accepted",
        body=(
            f"{who} accepted the renewal of contract {reference} for {customer.name}: "
            f"{offer.amount} {offer.currency} a month for {months} months "
            f"(ticket #{offer.ticket_id}).\n\n"
            "Please prepare the renewed contract, send it to the customer within one "
            "working day and load it into the desk; the customer's requests are taken "
            "up once it is valid."
        ),
        to=to,
    )


def _post_automatic_note(ticket: Ticket, body: str) -> Message:
    message = Message.objects.create(ticket=ticket, kind=Message.Kind.AUTOMATIC, body=body)
    queue_after_commit(SEND_MESSAGE_EMAIL, message.pk)
    return message


def offer_expire(*, offer_id: int) -> bool:
    """Let an unanswered offer lapse: the request is closed with a kind note that
    leaves the door open. False if the offer was answered in the meantime."""
    with transaction.atomic():
        try:
            ticket, offer = _locked_offer(offer_id)
        except Offer.DoesNotExist:
            return False
        if offer.status != Offer.Status.PENDING:
            return False
        offer.status = Offer.Status.EXPIRED
        offer.save(update_fields=["status"])
        if ticket.status != Status.AWAITING_DECISION:
            return True
        ticket.status = Status.RESOLVED
        ticket.resolved_at = timezone.now()
        ticket.save()
        with translation.override(ticket.language):
            note = _(
                "We have not heard back about our offer, so we have closed this request "
                "for now. If you would still like us to do it, just reply here or open a "
                "new ticket; we are glad to help."
            )
        _post_automatic_note(ticket, note)
    return True


def offers_expire(*, now: datetime | None = None) -> int:
    """Let every pending offer past its expiry lapse; the number that did."""
    due = Offer.objects.filter(
        status=Offer.Status.PENDING, expires_at__lte=now or timezone.now()
    ).values_list("pk", flat=True)
    return sum(offer_expire(offer_id=offer_id) for offer_id in list(due[:1000]))


def _withdraw_pending_offers(**where) -> int:
    """Take back the offers still awaiting an answer: withdrawn, so the customer's
    page says so and a late accept is refused. The number withdrawn."""
    return Offer.objects.filter(status=Offer.Status.PENDING, **where).update(
        status=Offer.Status.WITHDRAWN
    )
