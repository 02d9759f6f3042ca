"""Notices: the allowance used up, an SLA due soon, and send_mail_safely for the
desk's own e-mail, whose failure never undoes the work around it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.scope import Usage
from contracts.greetings import greeting
from contracts.models import Customer
from contracts.selectors import CustomerTermsEntry
from tickets.models import AllowanceNotice, Status, Ticket
from tickets.selectors import allowance_usage, calendar_month, customer_day, valid_contract
from tickets.services.base import one_line

log = logging.getLogger(__name__)


NOTICE_THRESHOLDS = (80, 100)


def allowance_notices_send(
    *,
    customer: Customer,
    at: datetime,
    usage: Usage | None = None,
    known: CustomerTermsEntry | None = None,
) -> list[AllowanceNotice]:
    """Tell the customer's managers and the account manager when 80 % and 100 % of
    the month's included minutes or tickets are used: once a month each.

    Only while the month of ``at`` is running: a late time entry or a new decision
    on an older ticket changes a past month's figures but tells the customer
    nothing they could still act on, so it sends no notice of that month.
    ``usage``: this month's, when the caller has just counted it; ``known``: the
    customer's terms, when the caller holds them (the scope check's snapshot)."""
    now = timezone.now()
    if calendar_month(customer, at) != calendar_month(customer, now):
        return []
    today = customer_day(customer, now)
    if known is None:
        contract = valid_contract(customer, today)
    else:
        valid = known.terms.contract_on(today)
        contract = known.contracts[valid.reference] if valid else None
    if contract is None:
        return []
    if usage is None:
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
                transaction.on_commit(partial(_email_allowance_notice, notice, used, included))
    return sent


def _email_allowance_notice(notice: AllowanceNotice, used: int, included: int) -> None:
    customer = notice.customer
    managers = list(customer.contacts.filter(role=terms.Role.MANAGER).select_related("user"))
    for contact in managers:
        with translation.override(contact.reply_language):
            send_mail_safely(
                subject=_("Your support allowance this month"),
                body=_allowance_text(notice, used, included, name=contact.name),
                to=[contact.user.email],
            )
    if customer.account_manager and customer.account_manager.email:
        send_mail_safely(
            subject=f"{customer.name}: {notice.measure} {notice.threshold} %",
            body=f"{customer.name} has used {used} of {included} included {notice.measure} "
            f"in {notice.month:%B %Y}.",
            to=[customer.account_manager.email],
        )


def _allowance_text(notice: AllowanceNotice, used: int, included: int, *, name: str) -> str:
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
    body = _(
        "This is a friendly note: you have used %(usage)s. Work beyond the "
        "allowance is still possible as paid work, and we would be glad to suggest a plan "
        "with a larger allowance if you often need more.\n\nKind regards,\nYour support team"
    ) % {"usage": usage}
    return f"{greeting(name, translation.get_language() or 'en')}\n\n{body}"


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
        status__in=Status.OUR_TURN, sla_paused_at=None, sla_due__isnull=False
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
        if claimed and ticket.assignee:  # always: the query asks for an assignee
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
