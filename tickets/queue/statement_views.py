"""The leads' statement pages: the month's statements of every customer, and one
customer's statement with the two things a lead decides about it: whether the
customer reads the goodwill given, and closing a month that is over.

Views validate, call one selector or service and render or redirect; a refusal
comes back as a flash message on the statement's page.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from contracts.models import Customer
from tickets import services
from tickets.queue.statement_selectors import month_statement_rows
from tickets.queue.views import leads_only
from tickets.selectors import month_start
from tickets.statement_display import (
    month_name,
    neighbour_months,
    statement_csv,
    statement_month,
    statement_page,
)
from tickets.statements import GOODWILL, customer_statement, month_is_over

# Statements are the leads' (tickets.roles), like the other leads' features.
statements_leads_only = leads_only(
    "tickets.close_statement",
    why=gettext_lazy(
        "Only leads read and close the customers' monthly statements. Ask a lead if you need one."
    ),
)


def _month(value: str) -> date:
    """The ``YYYY-MM`` of an address; anything else is no page."""
    try:
        return month_start(value)
    except ValueError:
        raise Http404("no such month") from None


def _statement_url(customer: Customer, first: date) -> str:
    return reverse("queue:statement", args=[customer.slug, f"{first:%Y-%m}"])


@require_GET
@statements_leads_only
def statement_list(request: HttpRequest) -> HttpResponse:
    """Every customer's statement for a month (``?month=2026-11``)."""
    latest = month_start(None)
    first = statement_month(request.GET.get("month"), latest=latest)
    previous, following = neighbour_months(first, latest=latest)
    return render(
        request,
        "queue/statements.html",
        {
            "month": first,
            "previous": previous,
            "next": following,
            "rows": month_statement_rows(first),
        },
    )


@require_GET
@statements_leads_only
def statement_detail(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    customer = get_object_or_404(Customer, slug=slug)
    first = _month(month)
    found = customer_statement(customer, first, hidden_goodwill=True)
    if request.GET.get("format") == "csv":
        return statement_csv(found)
    previous, following = neighbour_months(first, latest=month_start(None))
    return render(
        request,
        "queue/statement.html",
        {
            "customer": customer,
            "page": statement_page(found, language=get_language()),
            "previous": previous,
            "next": following,
            "month_over": month_is_over(customer, first, timezone.now()),
            "has_goodwill": any(GOODWILL in (line.kind, line.of_kind) for line in found.lines),
        },
    )


@require_POST
@statements_leads_only
def statement_close(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    customer = get_object_or_404(Customer, slug=slug)
    first = _month(month)
    try:
        services.statement_close(customer=customer, month=first, user=request.user)
    except services.TicketError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "The statement for %(month)s is closed and final. Later changes to its "
                "work go to the next open month as corrections."
            )
            % {"month": month_name(first)},
        )
    return redirect(_statement_url(customer, first))


@require_POST
@statements_leads_only
def statement_goodwill(request: HttpRequest, slug: str, month: str) -> HttpResponse:
    customer = get_object_or_404(Customer, slug=slug)
    first = _month(month)
    show = request.POST.get("show") == "1"
    try:
        services.statement_goodwill_show(customer=customer, month=first, show=show)
    except services.TicketError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The customer now sees the goodwill on this statement.")
            if show
            else _("The goodwill is now hidden from the customer on this statement."),
        )
    return redirect(_statement_url(customer, first))
