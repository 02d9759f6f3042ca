"""What every ticket service shares: its errors, the row locks and their order,
the one-line rule for text that goes into an e-mail header, and a stored offer
read back as the engine's price."""

from __future__ import annotations

from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.scope import PriceQuote
from tickets.models import Offer, Status, Ticket


class TicketError(Exception):
    """A request that the desk refuses, with a message for the person who made it."""


class NotAllowed(TicketError):
    """The person's role does not allow this (not a bad request): the edges answer 403."""


def offer_quote(offer: Offer) -> PriceQuote:
    """A stored offer as the engine's price, for ``format_offer`` to say it."""
    return PriceQuote(
        offer.amount,
        offer.currency,
        terms.Pricing(offer.pricing),
        terms.Duration(offer.estimate_minutes, "m") if offer.estimate_minutes else None,
    )


def one_line(text: str) -> str:
    """``text`` on one line, for a subject: in an e-mail header a line break is
    refused (BadHeaderError, so the ticket's mail could never be sent) or would
    start a header of the writer's choosing."""
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


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


def _refuse_if_closed(ticket: Ticket) -> None:
    if ticket.status == Status.CLOSED:
        raise TicketError(_("This ticket is closed; please open a new one."))
