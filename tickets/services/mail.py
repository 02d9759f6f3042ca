"""Outgoing e-mail of a ticket's messages: composing it, and delivering it at least
once through a claim with a lease."""

from __future__ import annotations

import logging
import smtplib
import socket
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tickets.models import Delivery, Message, Offer
from tickets.services.base import one_line
from tickets.services.offers import offer_link

log = logging.getLogger(__name__)


def message_email(*, message_id: int) -> bool:
    """E-mail a public or automatic message to the ticket's requester: at least
    once, and never lost without a trace. True if this call sent it."""
    emailed = Message.objects.filter(kind__in=Message.EMAILED_KINDS)
    return deliver_once(emailed.select_related("ticket__requester"), message_id, build=ticket_email)


def deliver_once(rows: QuerySet[Any], pk: int, *, build: Callable[[Any], EmailMessage]) -> bool:
    """Send the e-mail ``build`` makes of row ``pk`` of ``rows`` (a model with the
    delivery fields: a ticket's message, an incident notice). True if this call
    sent it.

    The row is claimed with a conditional update (pending, or sending with a
    lease that has run out, becomes sending until now + the lease), so two
    workers never send it at once, and one killed mid-send leaves a claim that
    runs out and is taken again by the sweep. Should a worker die after the
    server took the e-mail but before it was marked sent, the customer gets a
    second copy with the same Message-ID, which mail clients show once.

    A temporary failure (the server down or slow, a recipient to try later)
    gives the row back and raises, so the task retries; a permanent one marks it
    failed with the reason, for staff to see, and the sweep leaves it."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.EMAIL_SEND_LEASE_SECONDS)
    claimed = (
        rows.filter(pk=pk)
        .filter(due_to_send(now))
        .update(
            delivery=Delivery.SENDING,
            delivery_lease_until=lease,
            delivery_attempts=F("delivery_attempts") + 1,
        )
    )
    if not claimed:
        return False
    # Only this claim may settle the row: a worker whose lease ran out and was
    # taken over must not undo the attempt that took over.
    mine = rows.model.objects.filter(pk=pk, delivery=Delivery.SENDING, delivery_lease_until=lease)
    try:
        build(rows.get(pk=pk)).send()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if _fails_for_good(exc):
            log.error("the e-mail of %s %s cannot be delivered: %s", rows.model.__name__, pk, error)
            mine.update(delivery=Delivery.FAILED, delivery_lease_until=None, delivery_error=error)
            return False
        mine.update(delivery=Delivery.PENDING, delivery_lease_until=None, delivery_error=error)
        raise
    mine.update(
        delivery=Delivery.SENT,
        delivery_lease_until=None,
        delivery_error="",
        emailed_at=timezone.now(),
    )
    return True


def send_each(ids: Iterable[int], send: Callable[[int], object], what: str) -> bool:
    """E-mail each row in turn; False once the mail server is unreachable: the
    rest would each wait on it too, and the next sweep tries again."""
    for pk in ids:
        try:
            send(pk)
        except Exception as exc:
            log.exception("could not e-mail %s %s", what, pk)
            if _server_unreachable(exc):
                return False
    return True


def due_to_send(now: datetime) -> Q:
    """E-mails that are due: waiting, or claimed by a worker whose lease has run
    out (it died, or hangs)."""
    return Q(delivery=Delivery.PENDING) | Q(delivery=Delivery.SENDING, delivery_lease_until__lt=now)


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
    # A mixed ticket has an offer for each paid part, named by its service.
    offers = Offer.objects.filter(
        decision=message.decision, status=Offer.Status.PENDING
    ).select_related("part__service")
    with translation.override(ticket.language):
        for offer in offers.order_by("part__position"):
            links = _("Accept the offer: %(accept)s\nDecline it: %(decline)s") % {
                "accept": offer_link(offer, "accept"),
                "decline": offer_link(offer, "decline"),
            }
            if offer.part is not None:
                links = f"{offer.part.service.name(ticket.language)}:\n{links}"
            body += "\n\n" + links
    thread = ticket_thread(ticket)
    headers = {
        # The customer's last e-mail when there is one, so their client threads
        # the answer under it; else the ticket's own, which every e-mail references.
        "In-Reply-To": thread[-1],
        "References": " ".join(thread),
        "Message-ID": message.message_id,
    }
    if message.kind == Message.Kind.AUTOMATIC:
        headers["Auto-Submitted"] = "auto-replied"
    return EmailMessage(
        # Flattened here too: tickets filed before intake did it may hold a break.
        subject=one_line(f"[#{ticket.pk}] {ticket.subject}"),
        body=body,
        to=[ticket.requester.email],
        # A reply comes back to the desk, where inbound.py threads it onto the ticket.
        reply_to=[settings.SUPPORT_REPLY_TO],
        headers=headers,
    )


THREAD_INBOUND = 10  # the customer's latest e-mails named in References


def ticket_thread(ticket) -> list[str]:
    """The Message-IDs an e-mail of the ticket refers to, oldest first: the
    ticket's own, then the latest e-mails the customer sent about it."""
    inbound = list(
        ticket.inbound_messages.exclude(message_id="")
        .order_by("-received_at", "-pk")
        .values_list("message_id", flat=True)[:THREAD_INBOUND]
    )
    return [ticket.message_id, *reversed(inbound)]
