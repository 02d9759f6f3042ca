"""Reads for the leads' statement pages: the customers with a statement for a
month, each with its total and whether it is closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from contracts.engine import hours
from contracts.models import Customer
from contracts.replies import format_money
from tickets.statements import MonthStatement, customer_statement, month_is_over


@dataclass(frozen=True)
class StatementRow:
    customer: Customer
    statement: MonthStatement
    totals: tuple[str, ...]
    month_over: bool  # a lead may close it


def month_customers(first: date):
    """The customers with a statement for the month: a contract valid in some part
    of it, or a statement record of it (a closed month, a lead's choice)."""
    following = hours.first_of_next_month(first)
    in_month = Q(contracts__valid_from__lt=following) & (
        Q(contracts__valid_until=None) | Q(contracts__valid_until__gte=first)
    )
    return (
        Customer.objects.filter(in_month | Q(statements__month=first)).distinct().order_by("name")
    )


def month_statement_rows(first: date) -> list[StatementRow]:
    """Each customer's statement for the month, as staff read it (hidden goodwill
    included). Its queries grow with the number of customers, as each statement
    is worked out from its own records; the page is for leads, once a month."""
    now = timezone.now()
    rows = []
    for customer in month_customers(first):
        statement = customer_statement(customer, first, hidden_goodwill=True)
        rows.append(
            StatementRow(
                customer=customer,
                statement=statement,
                totals=tuple(format_money(t.amount, t.currency) for t in statement.totals),
                month_over=month_is_over(customer, first, now),
            )
        )
    return rows
