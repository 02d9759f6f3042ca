"""A customer asks for a manager, complains, or accepts on-call work: the account
manager (or, for a customer without one, the leads) is told at once."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from contracts.models import Customer
from contracts.roles import LEADS
from tickets.models import Escalation, Message, Ticket
from tickets.services.base import TicketError, _locked
from tickets.services.notices import _queue_link, send_mail_safely

log = logging.getLogger(__name__)


def ticket_escalate(*, ticket_id: int, user: User, reason: str) -> Escalation:
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
            staff_alert(
                ticket,
                author=user,
                note=_("Asked for a manager: %(reason)s") % facts,
                subject=_("[#%(id)s] %(customer)s asks for a manager") % facts,
                body=_(
                    "%(email)s asked for a manager on ticket #%(id)s (%(subject)s):\n\n%(reason)s"
                )
                % facts,
            )
    return escalation


def staff_alert(ticket: Ticket, *, author: User | None, note: str, subject: str, body: str) -> None:
    """Tell staff at once about a ticket that cannot wait (a manager asked for, a
    complaint, on-call work accepted): an internal note for the technicians and
    an e-mail, after the commit, to the account manager or else the leads. The
    caller words both in the desk's language and holds the ticket's lock."""
    Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.INTERNAL,
        delivery=Message.Delivery.NOT_EMAILED,
        author=author,
        body=note,
    )
    text = f"{body}\n\n{_queue_link(ticket)}"
    to = _escalation_recipients(ticket.customer)
    if to:
        transaction.on_commit(lambda: send_mail_safely(subject=subject, body=text, to=to))
    else:
        log.error("nobody to tell about ticket %s: %s", ticket.pk, subject)


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


def escalation_contact(customer: Customer) -> str:
    """Who the customer will hear from about an escalation, as a name they can
    use: the account manager, else "a team lead"."""
    manager = customer.account_manager
    if manager is not None and manager.is_active and manager.email:
        return manager.get_full_name() or manager.username
    return _("a team lead")
