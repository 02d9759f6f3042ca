"""The API's filters. Only the fields named here filter anything: any other
parameter (``assignee__password``, ``requester__password__startswith``) is no
field of a filter set and is ignored, and ``ordering`` accepts only its listed
names (anything else answers 400). None can become an oracle on other columns.

Filters that say something about other customers or about staff are kept from
contacts: a customer is named by slug, so another customer's slug and one that
does not exist answer alike; the assignee and technician filters are staff-only.
"""

from __future__ import annotations

import django_filters

from contracts.api import IdFilter
from tickets.filters import TicketFilter
from tickets.models import VERDICT_CHOICES, Attachment, Message, Offer, ScopeDecision, TimeEntry


class StaffOnlyFiltersMixin:
    """Drops ``staff_only_filters`` for anyone but staff: the parameter is ignored."""

    staff_only_filters: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if not (user and user.is_staff):
            for name in self.staff_only_filters:
                self.filters.pop(name, None)


class ApiTicketFilter(StaffOnlyFiltersMixin, TicketFilter):
    """The queue's filters and ordering, with the customer named by slug."""

    customer = django_filters.CharFilter(field_name="customer__slug", label="Customer (slug)")
    staff_only_filters = ("assignee",)

    class Meta(TicketFilter.Meta):
        pass


class TicketPartFilter(django_filters.FilterSet):
    ticket = IdFilter(field_name="ticket_id")


class MessageFilter(TicketPartFilter):
    kind = django_filters.MultipleChoiceFilter(choices=Message.Kind.choices)

    class Meta:
        model = Message
        fields: list[str] = []


class DecisionFilter(TicketPartFilter):
    verdict = django_filters.MultipleChoiceFilter(choices=VERDICT_CHOICES)
    is_current = django_filters.BooleanFilter()

    class Meta:
        model = ScopeDecision
        fields: list[str] = []


class OfferFilter(TicketPartFilter):
    status = django_filters.MultipleChoiceFilter(choices=Offer.Status.choices)

    class Meta:
        model = Offer
        fields: list[str] = []


class TimeEntryFilter(StaffOnlyFiltersMixin, TicketPartFilter):
    kind = django_filters.MultipleChoiceFilter(choices=TimeEntry.Kind.choices)
    worked_on = django_filters.DateFromToRangeFilter()
    technician = django_filters.CharFilter(field_name="technician__username")
    staff_only_filters = ("technician",)

    class Meta:
        model = TimeEntry
        fields: list[str] = []


class AttachmentFilter(TicketPartFilter):
    class Meta:
        model = Attachment
        fields: list[str] = []
