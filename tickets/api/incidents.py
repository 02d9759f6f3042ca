"""Incidents in the REST API: ``/api/v1/incidents/``.

Who may do what:

- Staff read every incident; a customer's contact only those that affect their
  customer (``incidents_visible_to``). Any other answers 404, like a row that
  does not exist.
- Staff with the permission to open incidents (technicians and leads) open one,
  post its news and resolve it; each goes through one service, which tells the
  affected contacts (``tickets/services/incidents.py``).
- The internal review (``cause``, ``changes``), the chosen customers, the owner's
  id and the notices with their delivery state are staff business.

The incident's serializers and filters live here with its views: one concern,
one module, as the services are split.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

import django_filters
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Model, Prefetch, QuerySet
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from contracts.api import IdFilter, StaffOnlyFieldsMixin, id_field, refused
from contracts.models import Customer, Service
from helpdesk.api import JSONParser
from tickets import services
from tickets.api.filters import StaffOnlyFiltersMixin
from tickets.models import Delivery, Incident, IncidentNotice, IncidentUpdate
from tickets.selectors import incidents_affecting, incidents_visible_to

OPEN_PERMISSION = "tickets.add_incident"
# Moments outside these years are refused: none of ours lies there, and a date
# near year 1 or 9999 cannot be shown in every customer's time zone.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
MAX_TEXT = 10_000
M = TypeVar("M", bound=Model)


# --- what is read and written -----------------------------------------------------


class IncidentTextsSerializer(serializers.Serializer):
    """An update's text per language code (``en``, ``ru``, ``fi``, ``lv``). A
    contact whose language has no text gets the first one given, with a line
    saying the translation follows."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            code: serializers.CharField(
                required=False, allow_blank=True, max_length=MAX_TEXT, help_text=str(name)
            )
            for code, name in settings.LANGUAGES
        }

    def to_internal_value(self, data: Any) -> Any:
        # A serializer drops unknown keys silently; a text in a language the desk
        # does not speak would be lost without a word.
        if isinstance(data, Mapping):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                codes = ", ".join(self.fields)
                raise serializers.ValidationError(
                    {key: [f"No language of the desk; use one of {codes}."] for key in unknown}
                )
        return super().to_internal_value(data)


class IncidentTextsSchema(OpenApiSerializerExtension):
    """The schema says what ``IncidentTextsSerializer`` enforces: no other keys."""

    target_class = IncidentTextsSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


def moment_field(help_text: str = "") -> serializers.DateTimeField:
    def within_our_years(moment: datetime) -> None:
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            raise serializers.ValidationError(
                f"Give a moment between the years {EARLIEST_YEAR} and {LATEST_YEAR}."
            )

    return serializers.DateTimeField(
        required=False, allow_null=True, help_text=help_text, validators=[within_our_years]
    )


class IncidentUpdateSerializer(StaffOnlyFieldsMixin, serializers.ModelSerializer):
    """A public word on an incident: its opening, news or the all-clear."""

    texts = IncidentTextsSerializer(read_only=True)
    posted_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Staff only."
    )

    class Meta:
        model = IncidentUpdate
        fields = ["id", "kind", "texts", "eta", "next_update_at", "posted_by", "posted_at"]
        staff_only_fields = ["posted_by"]


class IncidentSerializer(StaffOnlyFieldsMixin, serializers.ModelSerializer):
    """An incident with its public updates, oldest first. ``eta`` and
    ``next_update_at`` are the latest update's promises (null once resolved)."""

    services: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    customers: serializers.SlugRelatedField[Customer] = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        read_only=True,
        help_text="Staff only. Empty: every customer whose contract includes a service.",
    )
    is_open = serializers.BooleanField(read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True, help_text="Staff only.")
    owner_name = serializers.SerializerMethodField()
    owner_email = serializers.EmailField(source="owner.email", read_only=True)
    eta = serializers.SerializerMethodField()
    next_update_at = serializers.SerializerMethodField()
    updates = IncidentUpdateSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "kind",
            "services",
            "customers",
            "our_fault",
            "is_open",
            "started_at",
            "detected_at",
            "resolved_at",
            "owner",
            "owner_name",
            "owner_email",
            "eta",
            "next_update_at",
            "updates",
            "cause",
            "changes",
            "created_at",
        ]
        staff_only_fields = ["customers", "owner", "cause", "changes"]

    def get_owner_name(self, incident: Incident) -> str:
        """The named person customers may contact."""
        return incident.owner.get_full_name() or incident.owner.email

    def _latest(self, incident: Incident) -> IncidentUpdate | None:
        updates = list(incident.updates.all())  # prefetched, oldest first
        return updates[-1] if updates and incident.is_open else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_eta(self, incident: Incident) -> datetime | None:
        latest = self._latest(incident)
        return latest.eta if latest else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_update_at(self, incident: Incident) -> datetime | None:
        latest = self._latest(incident)
        return latest.next_update_at if latest else None


class IncidentNoticeSerializer(serializers.ModelSerializer):
    """One update e-mailed to one contact, and where that e-mail stands."""

    update_kind = serializers.ChoiceField(
        source="update.kind", choices=IncidentUpdate.Kind.choices, read_only=True
    )
    customer = serializers.SlugField(source="contact.customer.slug", read_only=True)
    contact = serializers.EmailField(source="contact.user.email", read_only=True)
    contact_name = serializers.CharField(source="contact.name", read_only=True)

    class Meta:
        model = IncidentNotice
        fields = [
            "id",
            "update",
            "update_kind",
            "customer",
            "contact",
            "contact_name",
            "language",
            "delivery",
            "delivery_attempts",
            "delivery_error",
            "emailed_at",
            "created_at",
        ]


class IncidentNewsSerializer(serializers.Serializer):
    """News on an open incident, e-mailed to every affected contact."""

    texts = IncidentTextsSerializer()
    eta = moment_field("when we expect it fixed")
    next_update_at = moment_field("when customers hear from us next; in the future")


class IncidentOpenSerializer(IncidentNewsSerializer):
    """A new incident and its first words to the affected contacts."""

    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Incident.Kind.choices, default=Incident.Kind.OUTAGE)
    services = serializers.ListField(
        child=serializers.CharField(max_length=64),
        min_length=1,
        max_length=100,
        help_text="codes of the affected services",
    )
    customers = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=1_000,
        help_text="slugs of the affected customers; "
        "none: every customer whose contract includes an affected service",
    )
    our_fault = serializers.BooleanField(default=True)
    owner = id_field(
        required=False, allow_null=True, help_text="id of the member of staff; none: you"
    )
    started_at = moment_field("none: now")
    detected_at = moment_field("none: now")

    def validate_services(self, codes: list[str]) -> list[Service]:
        return _rows(Service.objects.all(), "code", codes)

    def validate_customers(self, slugs: list[str]) -> list[Customer]:
        return _rows(Customer.objects.all(), "slug", slugs)

    def validate_owner(self, owner_id: int | None) -> User | None:
        if owner_id is None:
            return None
        owner = get_user_model().objects.filter(pk=owner_id, is_staff=True, is_active=True).first()
        if owner is None:
            raise serializers.ValidationError("No such member of staff.")
        return owner


def _rows(rows: QuerySet[M], field: str, values: list[str]) -> list[M]:
    """The rows named by ``values`` in one query; a name that matches none is refused."""
    found = {getattr(row, field): row for row in rows.filter(**{f"{field}__in": values})}
    missing = sorted(set(values) - set(found))
    if missing:
        raise serializers.ValidationError(f"No such {field}: {', '.join(missing)}.")
    return [found[value] for value in dict.fromkeys(values)]


class IncidentResolveSerializer(serializers.Serializer):
    """The all-clear, e-mailed once to every affected contact."""

    texts = IncidentTextsSerializer()
    resolved_at = moment_field("when it worked again, between the start and now; none: now")


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


class IncidentsStaff(BasePermission):
    message = "Only support staff read an incident's notices."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_staff)


def _refusal(exc: services.TicketError) -> Exception:
    """What the caller's role does not allow: 403; anything else refused: 400."""
    if isinstance(exc, services.NotAllowed):
        return PermissionDenied(str(exc))
    return refused(str(exc))


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
            return [IsAuthenticated(), IncidentsStaff()]
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
