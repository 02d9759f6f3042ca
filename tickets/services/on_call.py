"""On-call work: paid work now, outside support hours, that an urgent covered
ticket is offered when its contract has an emergency price (the engine's
``emergency_offer``). The customer answers it as any offer (offers.offer_answer);
this is what the answer does."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext as _

from contracts.replies import format_offer
from tickets.models import Offer, Status, Ticket
from tickets.services.base import offer_quote
from tickets.services.escalations import staff_alert
from tickets.sla import sla_start, sla_terms_for_ticket


def on_call_settle(
    offer: Offer, ticket: Ticket, *, accept: bool, user: User | None, now: datetime
) -> str:
    """The answer to on-call work outside support hours. Accepted: the clock runs
    from now, round the clock (``sla_terms_for_ticket``), and staff are told at
    once, as for a complaint. Declined: the covered ticket stays as it was, its
    work at the opening. The note for the customer, in the active language."""
    if not accept:
        return on_call_declined_text()
    ticket.status = Status.OPEN
    if ticket.contract is not None:
        sla_start(ticket, sla_terms_for_ticket(ticket), at=now)
    service = ticket.service.name(settings.LANGUAGE_CODE) if ticket.service else ""
    with translation.override(settings.LANGUAGE_CODE):
        facts = {
            "id": ticket.pk,
            "customer": ticket.customer.name,
            "subject": ticket.subject,
            "service": service,
            "price": format_offer(offer_quote(offer)),
            "who": (user or ticket.requester).email,
        }
        staff_alert(
            ticket,
            author=user,
            note=_("On-call work accepted at %(price)s: start now.") % facts,
            subject=_("[#%(id)s] %(customer)s accepted on-call work: start now") % facts,
            body=_(
                "%(who)s accepted paid on-call work on ticket #%(id)s (%(subject)s, "
                "%(service)s) at %(price)s, outside support hours. Please start on it "
                "now; its SLA clock runs round the clock from the moment they accepted."
            )
            % facts,
        )
    return on_call_accepted_text()


def on_call_accepted_text() -> str:
    """The confirmation, in the active language: the same words in the thread,
    the e-mail, the portal's flash and the page of the e-mailed link."""
    return _(
        "Thank you for accepting our on-call offer. Our on-call technician is starting "
        "on it now and will keep you posted here."
    )


def on_call_declined_text() -> str:
    """The note to a "no, thank you", in the active language: nothing changes."""
    return _(
        "Thank you for letting us know. Your request stays with us as part of your "
        "contract, and a technician takes it up as soon as we are back."
    )
