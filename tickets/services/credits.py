"""Uptime credits: the month's credit records, a lead's confirmation, and the
e-mail that tells the customer's managers.

A credit is computed once its month is over in the customer's time zone
(``credits_compute_month``, run daily by beat for the month before), confirmed
or adjusted by a lead with a reason (``credit_confirm``), and then e-mailed to
each manager in their language, at least once and never twice
(``credit_notice_email``, through ``deliver_once``).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.terms import CENT
from contracts.greetings import greeting
from contracts.models import Contract
from contracts.replies import format_percent
from tickets.models import CreditNotice, UptimeCredit
from tickets.services.base import NotAllowed, TicketError, one_line
from tickets.services.mail import deliver_once
from tickets.services.queueing import queue_after_commit
from tickets.uptime import contract_uptime_detail, contracts_in_month, month_has_ended

log = logging.getLogger(__name__)

SEND_CREDIT_NOTICE = "tickets.tasks.send_credit_notice"


def previous_month(now: datetime) -> date:
    """The first day of the month before ``now``'s (in UTC). Customers west of UTC
    finish that month later; the next day's run finds them."""
    first = now.astimezone(UTC).date().replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def credits_compute_month(*, month: date, now: datetime | None = None) -> int:
    """Make the credit record of every contract with an uptime promise that was
    valid in ``month``, once that month is over for its customer and a credit is
    owed. Returns how many records it created.

    Safe to run again and again: a contract has one record a month (a unique
    constraint), a confirmed record never changes, and an unconfirmed one is
    brought up to date (an incident closed late), or removed if no credit is
    owed after all: no lead has acted on it yet."""
    now = now or timezone.now()
    first = month.replace(day=1)
    created = 0
    for contract in contracts_in_month(first):
        if not month_has_ended(contract, first, now):
            continue
        try:
            created += _credit_record(contract, first, now)
        except Exception:
            # One contract that cannot be computed must not hold up the rest.
            log.exception("could not compute the uptime credit of contract %s", contract.pk)
    return created


def _credit_record(contract: Contract, month: date, now: datetime) -> bool:
    figures = contract_uptime_detail(contract, month, now).figures
    values = {
        "downtime_minutes": figures.downtime_minutes,
        "availability": figures.availability,
        "credit_percent": figures.credit_percent,
        "computed_amount": figures.credit,
        "amount": figures.credit,
        "currency": figures.currency,
    }
    with transaction.atomic():
        # Locked: a lead confirming it at this moment waits, and then finds the
        # figures that it confirms.
        record = (
            UptimeCredit.objects.select_for_update().filter(contract=contract, month=month).first()
        )
        if record is not None:
            if record.is_confirmed:
                return False
            if figures.credit <= 0:
                record.delete()
            elif any(getattr(record, k) != v for k, v in values.items()):
                UptimeCredit.objects.filter(pk=record.pk).update(**values)
            return False
        if figures.credit <= 0:
            return False
        try:
            with transaction.atomic():
                UptimeCredit.objects.create(contract=contract, month=month, **values)
        except IntegrityError:
            return False  # another run made it a moment ago
    return True


def credit_confirm(
    *, credit_id: int, lead: User, amount: Decimal | None = None, reason: str = ""
) -> UptimeCredit:
    """A lead confirms the computed credit, or sets another amount with a written
    reason. Once confirmed it does not change; the customer's managers are told."""
    if not lead.has_perm("tickets.confirm_credit"):
        raise NotAllowed(_("Only a lead can confirm an uptime credit."))
    reason = reason.strip()
    with transaction.atomic():
        credit = (
            UptimeCredit.objects.select_for_update()
            .select_related("contract__customer")
            .filter(pk=credit_id)
            .first()
        )
        if credit is None:
            raise TicketError(_("There is no such uptime credit."))
        if credit.is_confirmed:
            raise TicketError(_("This credit has been confirmed already and cannot change."))
        final = credit.computed_amount if amount is None else _amount(amount)
        if final != credit.computed_amount and not reason:
            raise TicketError(
                _("Write down why the credit differs from the computed %(amount)s %(currency)s.")
                % {"amount": credit.computed_amount, "currency": credit.currency}
            )
        credit.amount = final
        credit.reason = reason
        credit.confirmed_by = lead
        credit.confirmed_at = timezone.now()
        credit._change_reason = "confirmed"  # type: ignore[attr-defined]  # django-simple-history
        credit.save(update_fields=["amount", "reason", "confirmed_by", "confirmed_at"])
        managers = credit.contract.customer.contacts.filter(
            role=terms.Role.MANAGER, user__is_active=True
        ).select_related("customer")
        for contact in managers:
            notice, made = CreditNotice.objects.get_or_create(
                credit=credit, contact=contact, defaults={"language": contact.reply_language}
            )
            if made:
                queue_after_commit(SEND_CREDIT_NOTICE, notice.pk)
    return credit


def _amount(value: Decimal) -> Decimal:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise TicketError(_("The credit must be an amount of money like 40.00.")) from None
    if not amount.is_finite() or amount < 0:
        raise TicketError(_("The credit must be an amount of money like 40.00."))
    if amount >= Decimal(10) ** 10:
        raise TicketError(_("The credit must be an amount of money like 40.00."))
    return amount.quantize(CENT)


def credit_notice_email(*, notice_id: int) -> bool:
    """E-mail a confirmed credit to one manager: at least once, never twice."""
    return deliver_once(_notices(), notice_id, build=credit_email)


def _notices() -> QuerySet[CreditNotice]:
    return CreditNotice.objects.select_related(
        "contact__user", "contact__customer", "credit__contract", "credit__confirmed_by"
    )


def credit_email(notice: CreditNotice) -> EmailMessage:
    credit = notice.credit
    contract = credit.contract
    uptime = contract_uptime_detail(contract, credit.month)
    with translation.override(notice.language):
        month = formats.date_format(credit.month, "YEAR_MONTH_FORMAT")
        figures = {
            "name": notice.contact.name,
            "month": month,
            "contract": f"{contract.reference} ({contract.title})",
            "minutes": credit.downtime_minutes,
            "availability": formats.number_format(credit.availability, 3),
            "target": format_percent(contract.uptime_target or Decimal(0)),
            "amount": formats.number_format(credit.amount, 2),
            "computed": formats.number_format(credit.computed_amount, 2),
            "currency": credit.currency,
            "reason": credit.reason,
        }
        lines = [
            greeting(notice.contact.name, notice.language),
            "",
            _(
                "In %(month)s our services under your contract %(contract)s were down "
                "for %(minutes)s minutes in all. That makes an availability of "
                "%(availability)s %%, below the %(target)s %% we promised you. "
                "We are sorry about that."
            )
            % figures,
        ]
        if uptime.incidents:
            lines += ["", _("What happened:")]
            lines += [f"- {incident.title}" for incident in uptime.incidents]
        lines.append("")
        if credit.amount != credit.computed_amount:
            lines.append(
                _(
                    "Your contract's uptime terms give a credit of %(computed)s %(currency)s; "
                    "we have set it at %(amount)s %(currency)s instead. Our reason: "
                    "%(reason)s"
                )
                % figures
            )
        else:
            lines.append(
                _("As your contract promises, we credit you %(amount)s %(currency)s for it.")
                % figures
            )
        lines += [
            "",
            _("You do not need to do anything: the credit comes to you without a claim."),
            "",
            _(
                "Thank you for your patience. If anything here looks wrong to you, just "
                "reply to this e-mail and we will look at it together."
            ),
            "",
            _("Your support team"),
        ]
        subject = _("Your uptime credit for %(month)s") % figures
    return EmailMessage(
        subject=one_line(subject),
        body="\n".join(lines),
        to=[notice.contact.email],
        headers={"Message-ID": notice.message_id, "Auto-Submitted": "auto-generated"},
    )
