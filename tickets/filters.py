"""The ticket filters that the queue page and the API share.

Only the fields named here can be filtered or ordered on: a parameter such as
``assignee__password`` is no field of the filter set and is ignored, so the
filters can never become an oracle on other columns.
"""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import PRIORITY_CHOICES, Customer, Service
from tickets.models import VERDICT_CHOICES, Status, Ticket
from tickets.search import search_tickets

DUE_SOON = timedelta(hours=2)


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    customer = django_filters.ModelChoiceFilter(
        queryset=Customer.objects.order_by("name"), to_field_name="slug", label=_("Customer")
    )
    # distinct=False: these filters join nothing, so no row can come twice, and a
    # DISTINCT over a big queue costs more than everything else on the page.
    verdict = django_filters.MultipleChoiceFilter(
        choices=VERDICT_CHOICES, label=_("Verdict"), distinct=False
    )
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("Status"), distinct=False
    )
    priority = django_filters.MultipleChoiceFilter(
        choices=PRIORITY_CHOICES, label=_("Priority"), distinct=False
    )
    service = django_filters.ModelChoiceFilter(
        queryset=Service.objects.all(), to_field_name="code", label=_("Service")
    )
    assignee = django_filters.CharFilter(method="assigned_to", label=_("Assignee"))
    sla = django_filters.ChoiceFilter(
        method="sla_state",
        choices=[
            ("breached", _("Breached")),
            ("due_soon", _("Due soon")),
            ("due", _("Due soon or overdue")),
        ],
        label=_("SLA"),
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("sla_due", "sla_due"),
            ("created_at", "created"),
            ("updated_at", "updated"),
            ("priority", "priority"),
            ("id", "id"),
        ),
        label=_("Order"),
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        return search_tickets(queryset, value)

    def assigned_to(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        """A username, ``none`` for unassigned tickets; ``me`` for the caller's own."""
        if value == "none":
            return queryset.filter(assignee=None)
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(assignee=user) if user and user.is_authenticated else queryset
        user = get_user_model().objects.filter(username=value, is_staff=True).first()
        return queryset.filter(assignee=user) if user else queryset.none()

    def sla_state(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        now = timezone.now()
        if value == "breached":
            return queryset.filter(sla_breached(now))
        if value == "due_soon":
            return queryset.filter(sla_due_soon(now))
        if value == "due":
            return queryset.filter(sla_breached(now) | sla_due_soon(now))
        return queryset


def sla_breached(now) -> Q:
    """Open tickets past an SLA deadline (marked by the watcher, or just past it)."""
    return (Q(sla_breached_at__isnull=False) | Q(sla_due__lte=now)) & Q(status__in=Status.OUR_TURN)


def sla_due_soon(now) -> Q:
    """Open tickets whose running SLA clock runs out within ``DUE_SOON``."""
    return Q(
        status__in=Status.OUR_TURN,
        sla_paused_at=None,
        sla_due__gt=now,
        sla_due__lte=now + DUE_SOON,
    )
