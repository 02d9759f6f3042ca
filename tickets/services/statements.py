"""Statements: a lead closes a month that is over, freezing what was sent."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import Customer
from tickets.models import Statement
from tickets.services.base import NotAllowed, TicketError
from tickets.statements import (
    month_is_over,
    statement_computed,
    statement_content,
    statement_number,
)


def _record(customer: Customer, first: date) -> Statement:
    """The month's row, locked: made on the first change a lead asks for."""
    Statement.objects.get_or_create(
        customer=customer, month=first, defaults={"number": statement_number(customer, first)}
    )
    return Statement.objects.select_for_update().get(customer=customer, month=first)


def statement_close(*, customer: Customer, month: date, user) -> Statement:
    """Freeze the month's statement as it reads now. Later changes to the month's
    work go to the next open month as adjustments. Leads only; a month closed
    already is refused."""
    if not user.has_perm("tickets.close_statement"):
        raise NotAllowed(_("Only a lead can close a month's statement."))
    first = month.replace(day=1)
    if not month_is_over(customer, first, timezone.now()):
        raise TicketError(_("A month can be closed once it is over."))
    with transaction.atomic():
        record = _record(customer, first)
        if record.is_closed:
            raise TicketError(_("This month's statement is closed already."))
        statement = statement_computed(customer, first, show_goodwill=record.show_goodwill)
        record.content = statement_content(statement)
        record.closed_by = user
        record.closed_at = timezone.now()
        record.save(update_fields=["content", "closed_by", "closed_at"])
    return record


def statement_goodwill_show(*, customer: Customer, month: date, show: bool) -> Statement:
    """Whether the customer reads the month's goodwill as a courtesy line: a lead's
    choice, until the month is closed."""
    first = month.replace(day=1)
    with transaction.atomic():
        record = _record(customer, first)
        if record.is_closed:
            raise TicketError(_("This month's statement is closed: it stays as it was sent."))
        record.show_goodwill = show
        record.save(update_fields=["show_goodwill"])
    return record
