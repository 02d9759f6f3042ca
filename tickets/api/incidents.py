"""Incidents in the REST API: ``/api/v1/incidents/`` (what each reads and
writes is in ``incident_serializers``).

Who may do what:

- Staff read every incident; a customer's contact only those that affect their
  customer (``incidents_visible_to``). Any other answers 404, like a row that
  does not exist.
- Staff with the permission to open incidents (technicians and leads) open one,
  post its news and resolve it; each goes through one service, which tells the
  affected contacts (``tickets/services/incidents.py``).
- The internal review (``cause``, ``changes``), the chosen customers, the owner's
  id and the notices with their delivery state are staff business.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from contracts.api import IdFilter
from contracts.models import Customer
from helpdesk.api import JSONParser
from tickets import services
from tickets.api.filters import StaffOnlyFiltersMixin
from tickets.api.incident_serializers import (
    IncidentNewsSerializer,
    IncidentNoticeSerializer,
    IncidentOpenSerializer,
    IncidentResolveSerializer,
    IncidentSerializer,
)
from tickets.api.views import IsStaff, _refusal
from tickets.models import Delivery, Incident, IncidentNotice, IncidentUpdate
from tickets.selectors import incidents_affecting, incidents_visible_to

OPEN_PERMISSION = "tickets.add_incident"

# --- filters ------------------------------------------------------------------------


class IncidentFilter(StaffOnlyFiltersMixin, django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        method="in_state", choices=[("open", "open"), ("resolved", "resolved")]
    )
    kind = django_filters.MultipleChoiceFilter(choices=Incident.Kind.choices, distinct=False)
    # A code is unique, so one incident matches one of its services at most.
    service = django_filters.CharFilter(
        field_name="services__code", label="Service (code)", distinct=False
    )
    customer = django_filters.CharFilter(
        method="affecting", label="Customer (slug): the incidents that affect it (staff)"
    )
    staff_only_filters = ("customer",)

    class Meta:
        model = Incident
        fields: list[str] = []

    def in_state(self, incidents: QuerySet, name: str, value: str) -> QuerySet:
        return incidents.filter(resolved_at__isnull=value == "open")

    def affecting(self, incidents: QuerySet, name: str, value: str) -> QuerySet:
        customer = Customer.objects.filter(slug=value).first()
        if customer is None:
            return incidents.none()
        return incidents.filter(pk__in=incidents_affecting(customer).values("pk"))


class IncidentNoticeFilter(django_filters.FilterSet):
    delivery = django_filters.MultipleChoiceFilter(choices=Delivery.choices, distinct=False)
    update = IdFilter(field_name="update_id")

    class Meta:
        model = IncidentNotice
        fields: list[str] = []


# --- the views ----------------------------------------------------------------------


class RunsIncidents(BasePermission):
    """Opening, news and the all-clear: staff with the permission to open
    incidents. Checked before the body is read; the services check it again."""

    message = "Only support staff can open, update or resolve incidents."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_staff and user.has_perm(OPEN_PERMISSION))


class IncidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Incidents: what of ours is broken, the news on it, the all-clear. Newest first."""

    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter
    # Texts per language nest; a form cannot carry them.
    parser_classes = [JSONParser]

    def get_permissions(self):
        if self.action in ("create", "updates", "resolve"):
            return [IsAuthenticated(), RunsIncidents()]
        if self.action == "notices":
            return [IsAuthenticated(), IsStaff()]
        return [IsAuthenticated()]

    def get_queryset(self):
        updates = IncidentUpdate.objects.select_related("posted_by").order_by("posted_at", "pk")
        return (
            incidents_visible_to(self.request.user)
            .prefetch_related(None)
            .select_related("owner")
            # customers too: the serializer reads them before leaving them out
            # for contacts.
            .prefetch_related("services", "customers", Prefetch("updates", queryset=updates))
            .order_by("-started_at", "-pk")
        )

    def _answer(self, incident_id: int, code: int = status.HTTP_200_OK) -> Response:
        incident = self.get_queryset().get(pk=incident_id)
        return Response(self.get_serializer(incident).data, status=code)

    @extend_schema(request=IncidentOpenSerializer, responses={201: IncidentSerializer})
    def create(self, request, *args, **kwargs):
        """Open an incident: every affected contact is told at once, managers first."""
        data = IncidentOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        try:
            incident = services.incident_open(
                by=request.user,
                title=given["title"],
                kind=given["kind"],
                services=given["services"],
                customers=given.get("customers", []),
                our_fault=given["our_fault"],
                owner=given.get("owner"),
                started_at=given.get("started_at"),
                detected_at=given.get("detected_at"),
                eta=given.get("eta"),
                next_update_at=given.get("next_update_at"),
                texts=given["texts"],
            )
        except services.TicketError as exc:
            raise _refusal(exc) from None
        return self._answer(incident.pk, status.HTTP_201_CREATED)

    @extend_schema(request=IncidentNewsSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def updates(self, request, pk=None):
        """Post news on an open incident: e-mailed to every affected contact."""
        incident = self.get_object()
        data = IncidentNewsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.incident_post_update(
                incident_id=incident.pk,
                by=request.user,
                texts=data.validated_data["texts"],
                eta=data.validated_data.get("eta"),
                next_update_at=data.validated_data.get("next_update_at"),
            )
        except services.TicketError as exc:
            raise _refusal(exc) from None
        return self._answer(incident.pk)

    @extend_schema(request=IncidentResolveSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """The all-clear: e-mailed once to every affected contact; the tickets
        linked to the incident are resolved with it."""
        incident = self.get_object()
        data = IncidentResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.incident_resolve(
                incident_id=incident.pk,
                by=request.user,
                texts=data.validated_data["texts"],
                resolved_at=data.validated_data.get("resolved_at"),
            )
        except services.TicketError as exc:
            raise _refusal(exc) from None
        return self._answer(incident.pk)

    @extend_schema(
        parameters=[
            OpenApiParameter("delivery", str, enum=Delivery.values, many=True, explode=True),
            OpenApiParameter("update", int, description="an update's id"),
        ],
        responses=IncidentNoticeSerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=IncidentNoticeFilter)
    def notices(self, request, pk=None):
        """Every notice of the incident (one per update and contact) and its
        e-mail's delivery state. Staff only."""
        # Not get_object(): its filters are the notices' now, not the incidents'.
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        notices = self.filter_queryset(
            IncidentNotice.objects.filter(update__incident=incident)
            .select_related("update", "contact__user", "contact__customer")
            .order_by("update__posted_at", "pk")
        )
        page = self.paginate_queryset(notices)
        return self.get_paginated_response(IncidentNoticeSerializer(page, many=True).data)
