"""``GET /api/v1/statements/``: a customer's monthly statement, as the portal and
the queue show it (``tickets/statements.py`` works it out; this only reads it).

Scoped like the other reads: staff name any customer; a contact reads their own
customer's (another's slug answers 404, as an unknown one does), and a requester
only the lines of their own tickets, without the customer's allowance, totals of
others' work, top-ups or credits.
"""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from contracts.api import contact_of, refused
from contracts.engine import terms
from contracts.models import Customer
from tickets.selectors import month_start
from tickets.statements import SECTIONS, customer_statement


class StatementQuerySerializer(serializers.Serializer):
    customer = serializers.SlugField(
        required=False, help_text="the customer's slug (staff; a contact's own if given)"
    )
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$",
        help_text="YYYY-MM",
        error_messages={
            "invalid": "use the form YYYY-MM, e.g. 2026-11.",
            "required": "name the month, e.g. ?month=2026-11.",
        },
    )


class StatementLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SECTIONS)
    ticket = serializers.IntegerField(source="ticket_id", allow_null=True)
    subject = serializers.CharField(help_text="the ticket's subject, a top-up's note")
    service = serializers.CharField(help_text="the service's code, or empty")
    minutes = serializers.IntegerField(allow_null=True)
    rate = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="per hour"
    )
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="signed: a credit is negative"
    )
    currency = serializers.CharField()
    pricing = serializers.CharField(help_text="fixed or hourly, for paid work; else empty")
    worth = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="goodwill's value at the hourly rate (its amount is 0.00)",
    )
    corrects = serializers.CharField(help_text="an adjustment's month, YYYY-MM; else empty")
    of_kind = serializers.CharField(help_text="an adjustment's: the kind of line it corrects")


class StatementAllowanceSerializer(serializers.Serializer):
    included_minutes = serializers.IntegerField(allow_null=True, help_text="null: no limit")
    used_minutes = serializers.IntegerField()
    included_tickets = serializers.IntegerField(allow_null=True, help_text="null: no limit")
    used_tickets = serializers.IntegerField()
    topup_bought_minutes = serializers.IntegerField()
    topup_drawn_minutes = serializers.IntegerField()
    topup_left_minutes = serializers.IntegerField()


class StatementTotalSerializer(serializers.Serializer):
    currency = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class StatementSerializer(serializers.Serializer):
    number = serializers.CharField()
    customer = serializers.CharField(help_text="the customer's slug")
    month = serializers.CharField(help_text="YYYY-MM")
    currency = serializers.CharField()
    contract = serializers.CharField(help_text="the contract's reference, or empty")
    closed = serializers.BooleanField(help_text="closed by a lead: final")
    closed_at = serializers.DateTimeField(allow_null=True)
    for_requester = serializers.BooleanField(help_text="only the caller's own tickets' lines")
    show_goodwill = serializers.BooleanField(help_text="the customer reads the goodwill lines")
    allowance = StatementAllowanceSerializer(
        allow_null=True, help_text="the customer's; null for a requester"
    )
    lines = StatementLineSerializer(many=True)
    totals = StatementTotalSerializer(many=True, help_text="per currency")
    credits_pending = serializers.IntegerField(
        allow_null=True,
        help_text="uptime credits still being checked by a lead; null for a requester",
    )


class StatementView(GenericAPIView):
    """A customer's statement for a month (``?customer=slug&month=YYYY-MM``): as
    closed by a lead, else as the records say now. Money as strings ("45.00")."""

    permission_classes = [IsAuthenticated]
    serializer_class = StatementSerializer

    @extend_schema(parameters=[StatementQuerySerializer])
    def get(self, request):
        # Checked before any lookup: PostgreSQL refuses text with a NUL byte.
        query = StatementQuerySerializer(data=request.query_params)
        if not query.is_valid():
            name, problems = next(iter(query.errors.items()))
            raise refused(f"{name}: {problems[0]}")
        slug = query.validated_data.get("customer")
        requester_id = None
        contact = contact_of(request.user)
        if contact is not None:
            customer = contact.customer
            if slug and slug != customer.slug:
                raise NotFound()  # another customer's: as if it did not exist
            if contact.role != terms.Role.MANAGER:
                requester_id = request.user.pk
        elif request.user.is_staff:
            if not slug:
                raise refused("Name the customer: ?customer=slug.")
            customer = get_object_or_404(Customer, slug=slug)
        else:
            raise PermissionDenied("Only staff and customers' contacts read statements.")
        try:
            first: date = month_start(query.validated_data["month"])
        except ValueError:
            raise refused("month: no such month; use the form YYYY-MM, e.g. 2026-11.") from None
        statement = customer_statement(
            customer, first, requester_id=requester_id, hidden_goodwill=request.user.is_staff
        )
        mine = statement.for_requester
        data = {
            "number": statement.number,
            "customer": customer.slug,
            "month": f"{statement.month:%Y-%m}",
            "currency": statement.currency,
            "contract": statement.contract_reference,
            "closed": statement.is_closed,
            "closed_at": statement.closed_at,
            "for_requester": mine,
            "show_goodwill": statement.show_goodwill,
            "allowance": None if mine else statement.allowance,
            "lines": statement.lines,
            "totals": statement.totals,
            "credits_pending": None if mine else statement.credits_pending,
        }
        return Response(self.get_serializer(data).data)
