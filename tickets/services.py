"""Writes: every change to a ticket goes through one of these functions.

Each takes keyword arguments, runs in one transaction and raises a
``TicketError`` (or a subclass) that the edge turns into a clear message.
"""

from __future__ import annotations

import logging
import smtplib
import socket
from dataclasses import asdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.scope import Decision, ScopeRequest, decide
from contracts.models import Clause, Contract, Customer, Service
from contracts.replies import render_reply
from contracts.roles import LEADS
from contracts.selectors import (
    current_catalogue,
    customer_terms,
    customers_with_terms,
    reply_wordings,
)
from tickets.models import (
    AllowanceNotice,
    Escalation,
    Message,
    Offer,
    Rating,
    ScopeDecision,
    Status,
    Ticket,
    TimeEntry,
)
from tickets.selectors import (
    allowance_month,
    allowance_usage,
    calendar_month,
    customer_day,
    valid_contract,
)
from tickets.sla import (
    sla_pause,
    sla_recompute,
    sla_resume,
    sla_start,
    sla_terms,
    sla_terms_for_ticket,
)

log = logging.getLogger(__name__)

V = terms.Verdict
STATUS_AFTER_VERDICT = {
    V.NOT_AUTHORIZED: Status.RESOLVED,
    V.NO_CONTRACT: Status.AWAITING_DECISION,
    V.NEEDS_REVIEW: Status.OPEN,
    V.OUT_OF_SCOPE: Status.RESOLVED,
    V.PAID_OPTION: Status.AWAITING_DECISION,
    V.OVER_ALLOWANCE: Status.AWAITING_DECISION,
    V.OUTSIDE_HOURS: Status.OPEN,
    V.IN_SCOPE: Status.OPEN,
}
# Verdicts whose work starts at once, so their SLA clock runs from the decision.
SLA_VERDICTS = (V.NEEDS_REVIEW, V.OUTSIDE_HOURS, V.IN_SCOPE)


class TicketError(Exception):
    """A request that the desk refuses, with a message for the person who made it."""


class NotAllowed(TicketError):
    """The person's role does not allow this (not a bad request): the edges answer 403."""


class NotAContact(NotAllowed):
    pass


# --- intake ------------------------------------------------------------------


def ticket_create(
    *,
    requester: AbstractBaseUser,
    subject: str,
    body: str,
    service: str | None = None,
    priority: str = "normal",
    channel: str = "portal",
) -> Ticket:
    """Save a contact's ticket at once; the scope check runs after the commit."""
    contact = getattr(requester, "contact", None)
    if contact is None:
        raise NotAContact("Only a customer's contacts can open tickets.")
    picked = None
    if service:
        picked = Service.objects.filter(code=service).first()
        if picked is None:
            raise TicketError(f"There is no service {service!r}.")
    if priority not in terms.PRIORITIES:
        raise TicketError(f"Priority must be one of {', '.join(terms.PRIORITIES)}.")
    with transaction.atomic():
        ticket = Ticket.objects.create(
            customer_id=contact.customer_id,
            requester=requester,
            subject=one_line(subject),
            body=body,
            picked_service=picked,
            priority=priority,
            channel=channel,
            language=contact.reply_language,
        )
        transaction.on_commit(lambda: queue_scope_check(ticket.pk))
    return ticket


def one_line(text: str) -> str:
    """``text`` on one line, for a subject: in an e-mail header a line break is
    refused (BadHeaderError, so the ticket's mail could never be sent) or would
    start a header of the writer's choosing."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def queue_scope_check(ticket_id: int) -> None:
    """Publish the scope check; if the broker is down, the periodic sweep will
    find the ticket, so filing never fails or hangs on it."""
    from tickets.tasks import check_scope

    try:
        check_scope.apply_async(
            args=[ticket_id],
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2},
        )
    except Exception:  # the broker's errors vary by transport
        log.warning("could not queue the scope check of ticket %s; the sweep will", ticket_id)


# --- the scope check ---------------------------------------------------------


def ticket_decide(*, ticket_id: int) -> ScopeDecision | None:
    """Run the scope check of a new ticket: store the decision, the automatic reply,
    the offer and the SLA due times. A ticket that already has a decision is left
    as it is, so running this twice changes nothing."""
    with transaction.atomic():
        ticket = (
            # of=("self",): lock the ticket row only; PostgreSQL cannot lock the
            # nullable side of the outer join to the picked service.
            Ticket.objects.select_for_update(of=("self",))
            .select_related("customer", "picked_service", "requester")
            .filter(pk=ticket_id, decided_at=None)
            .first()
        )
        if ticket is None:
            return None
        return _redecide(ticket)


def _redecide(
    ticket: Ticket, *, decided_by: AbstractBaseUser | None = None, service: str | None = None
) -> ScopeDecision:
    """Decide the ticket as it stands, as of its arrival. ``service`` is a
    technician's choice, taken whatever the text says.

    The customer gets an automatic reply to the first decision, and to a later one
    only when its answer differs (another verdict or service); otherwise the new
    decision is recorded quietly and the ticket's status, offer and clock stay."""
    # One customer's tickets are counted one at a time, so two tickets that
    # arrive together can never both take the last included ticket.
    Customer.objects.select_for_update().get(pk=ticket.customer_id)
    customer = customers_with_terms().get(pk=ticket.customer_id)
    picked = ticket.picked_service.code if ticket.picked_service_id else None
    request = ScopeRequest(
        email=ticket.requester.email,
        text=ticket.body,
        subject=ticket.subject,
        service=service or picked,
        priority=ticket.priority,
        service_confirmed=service is not None,
    )
    at = ticket.created_at
    usage = allowance_usage(customer=customer, at=at, excluding_ticket=ticket.pk)
    catalogue = current_catalogue()
    decision = decide(
        customer=customer_terms(customer),
        request=request,
        usage=usage,
        at=at,
        catalogue=catalogue,
    )
    previous = ticket.decisions.filter(is_current=True).first()
    record = _record_decision(
        ticket,
        decision,
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
        reply = render_reply(decision, at=at, catalogue=catalogue, wordings=reply_wordings())
        message = Message.objects.create(
            ticket=ticket, kind=Message.Kind.AUTOMATIC, body=reply.text, decision=record
        )
        transaction.on_commit(lambda: queue_email(message.pk))
    if record.counts_against_allowance:
        allowance_notices_send(customer=customer, at=at)
    return record


def _record_decision(
    ticket: Ticket,
    decision: Decision,
    *,
    previous: ScopeDecision | None,
    usage: dict,
    at: datetime,
    decided_by: AbstractBaseUser | None = None,
    service_confirmed: bool = False,
) -> ScopeDecision:
    """Store a decision as the ticket's current one (``previous`` was) and act on
    its verdict."""
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    contract = (
        Contract.objects.filter(reference=decision.contract.reference).first()
        if decision.contract
        else None
    )
    service = Service.objects.filter(code=decision.service).first() if decision.service else None
    clause = (
        Clause.objects.filter(contract=contract, service=service).first()
        if contract and service
        else None
    )
    verdict = decision.verdict
    record = ScopeDecision.objects.create(
        ticket=ticket,
        verdict=verdict.value,
        reason=decision.reason,
        contract=contract,
        service=service,
        clause=clause,
        clause_snapshot=_clause_snapshot(decision),
        usage_snapshot=usage,
        candidates=list(decision.candidates),
        starts_at=decision.starts_at,
        counts_against_allowance=verdict in (terms.Verdict.IN_SCOPE, terms.Verdict.OUTSIDE_HOURS)
        and bool(decision.clause and decision.clause.counts_against_allowance),
        decided_by=decided_by,
        service_confirmed=service_confirmed,
        supersedes=previous,
    )
    if _same_answer(previous, record):
        # The same answer again (a changed priority, a contract re-read): the offer
        # the customer holds stays valid, and so do the status and the clock.
        Offer.objects.filter(decision=previous).update(decision=record)
        ticket.contract = contract
        if ticket.sla_started_at is not None and contract is not None:
            sla_recompute(ticket, sla_terms(decision))
        return record
    if previous is not None:
        # A different answer withdraws the offer of the old one.
        _withdraw_pending_offers(decision=previous)
    if decision.offer is not None:
        Offer.objects.create(
            ticket=ticket,
            decision=record,
            amount=decision.offer.amount,
            currency=decision.offer.currency,
            pricing=decision.offer.pricing.value,
            estimate_minutes=decision.offer.estimate.minutes if decision.offer.estimate else None,
            # From the decision, not the ticket's arrival (``at``): a new decision
            # on an old ticket must not make an offer that has already lapsed.
            expires_at=record.created_at + timedelta(days=settings.OFFER_EXPIRY_DAYS),
        )
    ticket.verdict = verdict.value
    ticket.contract = contract
    ticket.service = service
    ticket.language = decision.language
    status = STATUS_AFTER_VERDICT[verdict]
    if not (status == Status.OPEN and ticket.status == Status.WAITING_ON_CUSTOMER):
        ticket.status = status
    if status == Status.RESOLVED:
        ticket.resolved_at = ticket.resolved_at or timezone.now()
    else:
        ticket.resolved_at = None
    if verdict in SLA_VERDICTS and decision.contract is not None:
        if ticket.sla_started_at is None:
            sla_start(ticket, sla_terms(decision), at=decision.starts_at or at)
        else:
            # A clock already running keeps its start and its paused time, so due
            # times never jump back to the ticket's arrival.
            sla_recompute(ticket, sla_terms(decision))
    return record


def _same_answer(previous: ScopeDecision | None, record: ScopeDecision) -> bool:
    """The customer was told this already: the same verdict on the same service."""
    return previous is not None and (previous.verdict, previous.service_id) == (
        record.verdict,
        record.service_id,
    )


def _withdraw_pending_offers(**where) -> None:
    Offer.objects.filter(status=Offer.Status.PENDING, **where).update(status=Offer.Status.EXPIRED)


def _clause_snapshot(decision: Decision) -> dict:
    clause = decision.clause
    if clause is None:
        return {}
    price = clause.price
    return {
        "service": clause.service,
        "coverage": clause.coverage.value,
        "text": clause.text,
        "advice": clause.advice,
        "unlisted": decision.reason == "unlisted",
        "pricing": price.pricing.value if price else None,
        "price": str(price.amount) if price else None,
        "estimate": str(price.estimate) if price and price.estimate else None,
        "max_minutes_per_ticket": clause.max_minutes_per_ticket,
    }


def queue_email(message_id: int) -> None:
    from tickets.tasks import send_message_email

    try:
        send_message_email.apply_async(
            args=[message_id],
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2},
        )
    except Exception:
        log.warning("could not queue the e-mail of message %s; the sweep will", message_id)


def message_email(*, message_id: int) -> bool:
    """E-mail a public or automatic message to the ticket's requester: at least
    once, and never lost without a trace. True if this call sent it.

    The message is claimed with a conditional update (pending, or sending with a
    lease that has run out, becomes sending until now + the lease), so two
    workers never send it at once, and one killed mid-send leaves a claim that
    runs out and is taken again by the sweep. Should a worker die after the
    server took the e-mail but before it was marked sent, the customer gets a
    second copy with the same Message-ID, which mail clients show once.

    A temporary failure (the server down or slow, a recipient to try later)
    gives the message back and raises, so the task retries; a permanent one
    marks it failed with the reason, for staff to see, and the sweep leaves it."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(_to_send(now))
        .update(
            delivery=Message.Delivery.SENDING,
            delivery_lease_until=lease,
            delivery_attempts=F("delivery_attempts") + 1,
        )
    )
    if not claimed:
        return False
    # Only this claim may settle the message: a worker whose lease ran out and was
    # taken over must not undo the attempt that took over.
    mine = Message.objects.filter(
        pk=message_id, delivery=Message.Delivery.SENDING, delivery_lease_until=lease
    )
    message = Message.objects.select_related("ticket__requester").get(pk=message_id)
    try:
        ticket_email(message).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if _fails_for_good(exc):
            log.error("the e-mail of message %s cannot be delivered: %s", message_id, error)
            mine.update(
                delivery=Message.Delivery.FAILED, delivery_lease_until=None, delivery_error=error
            )
            return False
        mine.update(
            delivery=Message.Delivery.PENDING, delivery_lease_until=None, delivery_error=error
        )
        raise
    mine.update(
        delivery=Message.Delivery.SENT,
        delivery_lease_until=None,
        delivery_error="",
        emailed_at=timezone.now(),
    )
    return True


def _to_send(now: datetime) -> Q:
    """Messages whose e-mail is due: waiting, or claimed by a worker whose lease has
    run out (it died, or hangs)."""
    return Q(kind__in=Message.EMAILED_KINDS) & (
        Q(delivery=Message.Delivery.PENDING)
        | Q(delivery=Message.Delivery.SENDING, delivery_lease_until__lt=now)
    )


def _server_unreachable(exc: Exception) -> bool:
    return isinstance(
        exc,
        ConnectionError
        | TimeoutError
        | socket.gaierror
        | smtplib.SMTPConnectError
        | smtplib.SMTPServerDisconnected,
    )


def _fails_for_good(exc: Exception) -> bool:
    """A failure that sending again cannot mend: a header or address the message
    can never carry (BadHeaderError and invalid addresses are ValueErrors), or the
    server's permanent (5xx) refusal of every recipient or of the message itself.
    The server down, a timeout, a 4xx or a refused login (a setting to fix) are
    temporary: the message is sent once they pass."""
    if isinstance(exc, ValueError):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return exc.smtp_code >= 500
    return False


def ticket_email(message: Message) -> EmailMessage:
    ticket = message.ticket
    body = message.body
    offer = Offer.objects.filter(decision=message.decision, status=Offer.Status.PENDING).first()
    if offer is not None:
        with translation.override(ticket.language):
            body += "\n\n" + _("Accept the offer: %(accept)s\nDecline it: %(decline)s") % {
                "accept": offer_link(offer, "accept"),
                "decline": offer_link(offer, "decline"),
            }
    headers = {
        "In-Reply-To": ticket.message_id,
        "References": ticket.message_id,
        "Message-ID": message.message_id,
    }
    if message.kind == Message.Kind.AUTOMATIC:
        headers["Auto-Submitted"] = "auto-replied"
    return EmailMessage(
        # Flattened here too: tickets filed before intake did it may hold a break.
        subject=one_line(f"[#{ticket.pk}] {ticket.subject}"),
        body=body,
        to=[ticket.requester.email],
        headers=headers,
    )


SWEEP_BATCH = 500  # tickets and messages the sweep takes up at a time


def tickets_decide_forgotten(*, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Decide tickets that have waited over a minute without a decision."""
    cutoff = timezone.now() - older_than
    ids = list(
        Ticket.objects.filter(decided_at=None, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    decided = 0
    for ticket_id in ids:
        # One ticket that cannot be decided (or mailed) must not hold up the rest.
        try:
            decided += ticket_decide(ticket_id=ticket_id) is not None
        except Exception:
            log.exception("the sweep could not decide ticket %s", ticket_id)
    # Failed messages are left out and messages tried often come last, so a few
    # that keep failing never crowd out the rest.
    unsent = (
        Message.objects.filter(_to_send(timezone.now()), created_at__lt=cutoff)
        .order_by("delivery_attempts", "created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for message_id in unsent:
        try:
            message_email(message_id=message_id)
        except Exception as exc:
            log.exception("the sweep could not e-mail message %s", message_id)
            if _server_unreachable(exc):
                break  # the rest would each wait on it too; the next sweep tries again
    return decided


# --- offers ------------------------------------------------------------------

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


def offer_answer(*, offer_id: int, accept: bool, user: AbstractBaseUser | None = None) -> Offer:
    """Accept or decline a pending offer; a second answer is refused."""
    now = timezone.now()
    with transaction.atomic():
        ticket, offer = _locked_offer(offer_id)
        if offer.status != Offer.Status.PENDING:
            raise TicketError(_("This offer has already been answered or has expired."))
        expired = offer.expires_at <= now
        if not expired:
            _offer_settle(offer, ticket, accept=accept, user=user, now=now)
    if expired:
        offer_expire(offer_id=offer_id)
        raise TicketError(_("This offer has expired."))
    return offer


def _offer_settle(
    offer: Offer, ticket: Ticket, *, accept: bool, user: AbstractBaseUser | None, now
) -> None:
    """Record the customer's answer: accepted work enters the queue with its SLA
    clock running; a declined offer closes the request kindly."""
    offer.status = Offer.Status.ACCEPTED if accept else Offer.Status.DECLINED
    offer.answered_by = user
    offer.answered_at = now
    offer.save()
    with translation.override(ticket.language):
        if accept:
            ticket.status = Status.OPEN
            note = _(
                "Thank you for accepting the offer. A technician will start on it "
                "and keep you posted here."
            )
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
    ticket.save()
    _post_automatic_note(ticket, note)


def _post_automatic_note(ticket: Ticket, body: str) -> Message:
    message = Message.objects.create(ticket=ticket, kind=Message.Kind.AUTOMATIC, body=body)
    transaction.on_commit(lambda: queue_email(message.pk))
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


# --- technicians' actions ----------------------------------------------------

# The status changes a person may make; the rest follow from decisions and offers.
MANUAL_TRANSITIONS = {
    Status.NEW: {Status.OPEN, Status.RESOLVED},
    Status.OPEN: {Status.WAITING_ON_CUSTOMER, Status.RESOLVED},
    Status.WAITING_ON_CUSTOMER: {Status.OPEN, Status.RESOLVED},
    Status.AWAITING_DECISION: {Status.RESOLVED},
    Status.RESOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


# Lock order, everywhere: the ticket first, then its offers (then the customer).
# Answering an offer and resolving, overriding or re-deciding its ticket touch the
# same rows; two transactions that took them in opposite orders would deadlock on
# PostgreSQL. So every write locks the ticket through _locked() before it reads
# or writes its offers, and an offer is locked through _locked_offer().


def _locked(ticket_id: int) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("contract", "service", "customer", "requester")
        .get(pk=ticket_id)
    )


def _locked_offer(offer_id: int) -> tuple[Ticket, Offer]:
    """An offer and its ticket, locked in the order above: the offer's ticket is
    read without a lock (it never changes), the ticket is locked, and only then
    the offer, whose status the caller checks again under the lock."""
    ticket_id = Offer.objects.values_list("ticket_id", flat=True).get(pk=offer_id)
    ticket = _locked(ticket_id)
    offer = Offer.objects.select_for_update().get(pk=offer_id)
    offer.ticket = ticket
    return ticket, offer


def ticket_assign(
    *, ticket_id: int, assignee: AbstractBaseUser | None, by: AbstractBaseUser
) -> Ticket:
    if assignee is not None and not assignee.is_staff:
        raise TicketError(_("Tickets can be assigned to staff only."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        ticket.assignee = assignee
        ticket.save(update_fields=["assignee", "updated_at"])
    return ticket


def ticket_change_status(*, ticket_id: int, status: str, by: AbstractBaseUser) -> Ticket:
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _move(ticket, Status(status))
        ticket.save()
    return ticket


def _move(ticket: Ticket, status: Status) -> None:
    current = Status(ticket.status)
    if status == current:
        return
    if status not in MANUAL_TRANSITIONS[current]:
        raise TicketError(
            _("A ticket that is %(current)s cannot be set to %(new)s.")
            % {"current": current.label, "new": status.label}
        )
    now = timezone.now()
    if status == Status.WAITING_ON_CUSTOMER:
        sla_pause(ticket, at=now)
    elif current == Status.WAITING_ON_CUSTOMER and ticket.contract_id:
        sla_resume(ticket, sla_terms_for_ticket(ticket), at=now)
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        # Resolved without an answer: the offer is withdrawn, so a late accept
        # cannot reopen it behind the technicians' back.
        _withdraw_pending_offers(ticket=ticket)
    elif current == Status.RESOLVED:
        ticket.resolved_at = None
    ticket.status = status


def message_post(
    *, ticket_id: int, author: AbstractBaseUser, body: str, internal: bool = False
) -> Message:
    """A reply or an internal note. A technician's reply is e-mailed to the
    requester; a customer's reply brings a waiting or resolved ticket back."""
    if not body.strip():
        raise TicketError(_("Write something first."))
    from_customer = not author.is_staff
    if internal and from_customer:
        raise NotAllowed(_("Only staff write internal notes."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        kind = Message.Kind.INTERNAL if internal else Message.Kind.PUBLIC
        # The customer's own words and internal notes are not e-mailed.
        delivery = (
            Message.Delivery.NOT_EMAILED if internal or from_customer else Message.Delivery.PENDING
        )
        message = Message.objects.create(
            ticket=ticket, kind=kind, author=author, body=body, delivery=delivery
        )
        if from_customer:
            if ticket.status in (Status.WAITING_ON_CUSTOMER, Status.RESOLVED):
                _move(ticket, Status.OPEN)
                ticket.save()
            # emailed_at NULL reads "waiting to be e-mailed" (the metrics too).
            Message.objects.filter(pk=message.pk).update(emailed_at=message.created_at)
        elif not internal:
            if ticket.first_responded_at is None:
                ticket.first_responded_at = message.created_at
                ticket.save(update_fields=["first_responded_at", "updated_at"])
            transaction.on_commit(lambda: queue_email(message.pk))
    return message


def ticket_change_priority(*, ticket_id: int, priority: str, by: AbstractBaseUser) -> Ticket:
    """A new priority is a new decision, in the name of whoever changed it; the SLA
    due times follow the new priority, keeping the time already paused. A lead's
    override stands: only the due times move."""
    if priority not in terms.PRIORITIES:
        raise TicketError(_("Unknown priority."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        ticket.priority = priority
        current = ticket.decisions.select_related("service").filter(is_current=True).first()
        if current is not None and not current.is_override:
            # The service a person named stays named; the engine's own guess is made again.
            named = current.service.code if current.service_confirmed else None
            _redecide(ticket, decided_by=by, service=named)
        elif ticket.sla_started_at is not None and ticket.contract_id:
            sla_recompute(ticket, sla_terms_for_ticket(ticket))
        ticket.save()
    return ticket


def _refuse_if_closed(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise TicketError(_("This ticket is closed; please open a new one."))


def ticket_change_service(*, ticket_id: int, service: str, by: AbstractBaseUser) -> ScopeDecision:
    """A technician names the service: the ticket gets a new decision for it."""
    picked = Service.objects.filter(code=service).first()
    if picked is None:
        raise TicketError(_("There is no such service."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        ticket.picked_service = picked
        ticket.save(update_fields=["picked_service", "updated_at"])
        return _redecide(ticket, decided_by=by, service=service)


def decision_override(
    *, ticket_id: int, lead: AbstractBaseUser, verdict: str, reason: str
) -> ScopeDecision:
    """A lead's own verdict, with a written reason; a new decision naming its author."""
    if not lead.has_perm("tickets.override_decision"):
        raise NotAllowed(_("Only a lead can override a verdict."))
    if not reason.strip():
        raise TicketError(_("Write down why you override the verdict."))
    new_verdict = terms.Verdict(verdict)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        previous = ticket.decisions.filter(is_current=True).first()
        if previous is None:
            raise TicketError(_("The ticket has no decision to override yet."))
        _withdraw_pending_offers(decision=previous)
        previous.is_current = False
        previous.save(update_fields=["is_current"])
        record = ScopeDecision.objects.create(
            ticket=ticket,
            verdict=new_verdict.value,
            reason="override",
            contract=previous.contract,
            service=previous.service,
            clause=previous.clause,
            clause_snapshot=previous.clause_snapshot,
            usage_snapshot=previous.usage_snapshot,
            decided_by=lead,
            is_override=True,
            override_reason=reason.strip(),
            supersedes=previous,
        )
        ticket.verdict = new_verdict.value
        if new_verdict in (V.IN_SCOPE, V.OUTSIDE_HOURS, V.NEEDS_REVIEW, V.PAID_OPTION):
            # Overridden to work: it enters the queue with its clock running.
            ticket.status = Status.OPEN
            if ticket.contract_id and ticket.sla_started_at is None:
                sla_start(ticket, sla_terms_for_ticket(ticket), at=timezone.now())
        else:
            ticket.status = Status.RESOLVED
            ticket.resolved_at = timezone.now()
        ticket.save()
    return record


def time_entry_log(
    *,
    ticket_id: int,
    technician: AbstractBaseUser,
    minutes: int,
    note: str = "",
    worked_on: date | None = None,
) -> list[TimeEntry]:
    """Log work on a ticket. Covered work is counted against the allowance of the
    month it was done in (``worked_on``, in the customer's calendar; rounded up by
    the contract's unit), then against the prepaid top-ups bought by that month's
    end, and what is left over is billable; accepted paid work is billable; work a
    lead granted by override is goodwill. Work on an unanswered offer is refused."""
    if minutes is None or minutes <= 0:
        raise TicketError(_("Log at least one minute."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        _refuse_if_closed(ticket)
        day = _work_day(ticket, worked_on)
        decision = ticket.decisions.filter(is_current=True).first()
        kind = _time_kind(ticket, decision)
        counted = _round_up(minutes, ticket.contract.rounding_minutes if ticket.contract else None)
        common = {"ticket": ticket, "technician": technician, "note": note, "worked_on": day}
        if kind in (TimeEntry.Kind.ALLOWANCE, TimeEntry.Kind.INCLUDED):
            _check_minutes_per_ticket(ticket, decision, counted)
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
        included = ticket.contract.included_minutes
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


def _check_minutes_per_ticket(ticket: Ticket, decision: ScopeDecision, counted: int) -> None:
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


def _time_kind(ticket: Ticket, decision: ScopeDecision | None) -> str:
    if decision is None:
        raise TicketError(_("The ticket has not been checked against the contract yet."))
    verdict = V(decision.verdict)
    if decision.is_override:
        if verdict in (V.IN_SCOPE, V.OUTSIDE_HOURS):
            return TimeEntry.Kind.GOODWILL
        return TimeEntry.Kind.BILLABLE
    if verdict in (V.IN_SCOPE, V.OUTSIDE_HOURS):
        if decision.counts_against_allowance:
            return TimeEntry.Kind.ALLOWANCE
        return TimeEntry.Kind.INCLUDED
    offer = Offer.objects.filter(decision=decision).first()
    if offer is not None and offer.status == Offer.Status.ACCEPTED:
        return TimeEntry.Kind.BILLABLE
    if offer is not None and offer.status == Offer.Status.PENDING:
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


# --- the customer's voice: ratings and asking for a manager -----------------


def ticket_rate(*, ticket_id: int, user: AbstractBaseUser, score: int, comment: str = "") -> Rating:
    """The customer rates the help on a resolved ticket, once."""
    if not 1 <= score <= 5:
        raise TicketError(_("Choose a rating from 1 to 5."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.status not in (Status.RESOLVED, Status.CLOSED):
            raise TicketError(_("You can rate the help once the ticket is resolved."))
        if Rating.objects.filter(ticket=ticket).exists():
            raise TicketError(_("Thank you, this ticket has been rated already."))
        return Rating.objects.create(
            ticket=ticket, score=score, comment=comment.strip(), rated_by=user
        )


def ticket_escalate(*, ticket_id: int, user: AbstractBaseUser, reason: str) -> Escalation:
    """The customer asks for a manager: the account manager (or, for a customer
    without one, the leads) is told by e-mail and the technicians see an
    internal note. Staff read both in the desk's language."""
    if not reason.strip():
        raise TicketError(_("Tell us briefly what went wrong, so the manager can help."))
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.escalations.filter(handled_at=None).exists():
            raise TicketError(_("A manager has already been asked to look at this ticket."))
        escalation = Escalation.objects.create(
            ticket=ticket, requested_by=user, reason=reason.strip()
        )
        facts = {
            "customer": ticket.customer.name,
            "email": user.email,
            "id": ticket.pk,
            "subject": ticket.subject,
            "reason": reason.strip(),
        }
        with translation.override(settings.LANGUAGE_CODE):
            Message.objects.create(
                ticket=ticket,
                kind=Message.Kind.INTERNAL,
                delivery=Message.Delivery.NOT_EMAILED,
                author=user,
                body=_("Asked for a manager: %(reason)s") % facts,
            )
            subject = _("[#%(id)s] %(customer)s asks for a manager") % facts
            body = (
                _("%(email)s asked for a manager on ticket #%(id)s (%(subject)s):\n\n%(reason)s")
                % facts
                + f"\n\n{_queue_link(ticket)}"
            )
        to = _escalation_recipients(ticket.customer)
        if to:
            transaction.on_commit(lambda: send_mail_safely(subject=subject, body=body, to=to))
        else:
            log.error("nobody to tell that ticket %s asks for a manager", ticket.pk)
    return escalation


def _escalation_recipients(customer: Customer) -> list[str]:
    manager = customer.account_manager
    if manager is not None and manager.is_active and manager.email:
        return [manager.email]
    leads = (
        get_user_model()
        .objects.filter(groups__name=LEADS, is_active=True, is_staff=True)
        .exclude(email="")
    )
    return sorted(set(leads.values_list("email", flat=True)))


# --- allowance notices and SLA watch -----------------------------------------

NOTICE_THRESHOLDS = (80, 100)


def allowance_notices_send(*, customer: Customer, at: datetime) -> list[AllowanceNotice]:
    """Tell the customer's managers and the account manager when 80 % and 100 % of
    the month's included minutes or tickets are used: once a month each.

    Only while the month of ``at`` is running: a late time entry or a new decision
    on an older ticket changes a past month's figures but tells the customer
    nothing they could still act on, so it sends no notice of that month."""
    now = timezone.now()
    if calendar_month(customer, at) != calendar_month(customer, now):
        return []
    contract = valid_contract(customer, customer_day(customer, now))
    if contract is None:
        return []
    usage = allowance_usage(customer=customer, at=now)
    month = calendar_month(customer, now).first_day
    sent = []
    for measure, used, included in (
        ("tickets", usage.tickets_used, contract.included_tickets),
        ("minutes", usage.minutes_used, contract.included_minutes),
    ):
        if not included:
            continue
        for threshold in NOTICE_THRESHOLDS:
            if used * 100 < included * threshold:
                continue
            notice, created = AllowanceNotice.objects.get_or_create(
                customer=customer, month=month, measure=measure, threshold=threshold
            )
            if created:
                sent.append(notice)
                transaction.on_commit(
                    lambda n=notice, u=used, i=included: _email_allowance_notice(n, u, i)
                )
    return sent


def _email_allowance_notice(notice: AllowanceNotice, used: int, included: int) -> None:
    customer = notice.customer
    managers = list(customer.contacts.filter(role=terms.Role.MANAGER).select_related("user"))
    for contact in managers:
        with translation.override(contact.reply_language):
            send_mail_safely(
                subject=_("Your support allowance this month"),
                body=_allowance_text(notice, used, included),
                to=[contact.user.email],
            )
    if customer.account_manager and customer.account_manager.email:
        send_mail_safely(
            subject=f"{customer.name}: {notice.measure} {notice.threshold} %",
            body=f"{customer.name} has used {used} of {included} included {notice.measure} "
            f"in {notice.month:%B %Y}.",
            to=[customer.account_manager.email],
        )


def _allowance_text(notice: AllowanceNotice, used: int, included: int) -> str:
    if notice.measure == "tickets":
        usage = _("%(used)d of the %(included)d tickets included this month") % {
            "used": used,
            "included": included,
        }
    else:
        usage = _("%(used)d of the %(included)d minutes included this month") % {
            "used": used,
            "included": included,
        }
    return _(
        "Hello,\n\nthis is a friendly note: you have used %(usage)s. Work beyond the "
        "allowance is still possible as paid work, and we would be glad to suggest a plan "
        "with a larger allowance if you often need more.\n\nKind regards,\nYour support team"
    ) % {"usage": usage}


def send_mail_safely(*, subject: str, body: str, to: list[str]) -> None:
    """Send a notice; a mail failure is logged and never undoes the work around it.
    Subjects quote user text (a ticket's subject, a customer's name): one line."""
    try:
        EmailMessage(
            subject=one_line(subject),
            body=body,
            to=to,
            headers={"Auto-Submitted": "auto-generated"},
        ).send()
    except Exception:
        log.exception("could not send %r to %s", subject, to)


SLA_WARNING = timedelta(minutes=30)


def sla_watch(*, now: datetime | None = None) -> int:
    """Mark breached SLAs, and warn the assignee shortly before each deadline
    (the first response, then the resolution; again if a deadline moves). The
    number of tickets newly breached."""
    now = now or timezone.now()
    running = Ticket.objects.filter(
        status__in=[Status.NEW, Status.OPEN], sla_paused_at=None, sla_due__isnull=False
    )
    breached = running.filter(sla_breached_at=None, sla_due__lte=now).update(sla_breached_at=now)
    warn = (
        running.filter(assignee__isnull=False, sla_due__gt=now, sla_due__lte=now + SLA_WARNING)
        .exclude(sla_warned_due=F("sla_due"))
        .select_related("assignee")
    )
    for ticket in warn:
        # Claim first, so that two watchers never warn twice of one deadline.
        claimed = (
            Ticket.objects.filter(pk=ticket.pk, sla_due=ticket.sla_due)
            .exclude(sla_warned_due=F("sla_due"))
            .update(sla_warned_due=ticket.sla_due)
        )
        if claimed:
            send_mail_safely(**_sla_warning(ticket), to=[ticket.assignee.email])
    return breached


def _sla_warning(ticket: Ticket) -> dict[str, str]:
    due = formats.date_format(timezone.localtime(ticket.sla_due), "DATETIME_FORMAT")
    facts = {"id": ticket.pk, "subject": ticket.subject, "due": due}
    if ticket.first_responded_at is None:
        body = _("Ticket #%(id)s (%(subject)s) needs its first response by %(due)s.") % facts
    else:
        body = _("Ticket #%(id)s (%(subject)s) needs to be resolved by %(due)s.") % facts
    return {
        "subject": _("SLA due soon: #%(id)s %(subject)s") % facts,
        "body": f"{body}\n\n{_queue_link(ticket)}",
    }


def _queue_link(ticket: Ticket) -> str:
    """The ticket's page in the technicians' queue, for staff e-mail."""
    return settings.SITE_URL + reverse("queue:ticket", args=[ticket.pk])


# --- the queue: several tickets at once ---------------------------------------


MAX_BULK = 200


def tickets_assign(
    *, ticket_ids: list[int], assignee: AbstractBaseUser | None, by: AbstractBaseUser
) -> int:
    """Assign several tickets to one member of staff (or to nobody) at once; the
    number assigned. One UPDATE, so the tickets change together or not at all."""
    if assignee is not None and not (assignee.is_staff and assignee.is_active):
        raise TicketError(_("Tickets can be assigned to staff only."))
    if not ticket_ids:
        raise TicketError(_("Select at least one ticket first."))
    if len(ticket_ids) > MAX_BULK:
        raise TicketError(_("Assign at most %(n)d tickets at a time.") % {"n": MAX_BULK})
    return Ticket.objects.filter(pk__in=ticket_ids).update(
        assignee=assignee, updated_at=timezone.now()
    )
