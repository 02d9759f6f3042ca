"""What the incidents API reads and writes (the views are in ``incidents``).

Contacts read an incident's public face: title, kind, services, when, the
owner's name and e-mail, the updates. The chosen customers, the owner's id,
who posted an update and the internal review (``cause``, ``changes``) are in
each serializer's ``Meta.staff_only_fields``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.api import StaffOnlyFieldsMixin, id_field
from contracts.models import Customer, Service
from tickets.models import Incident, IncidentNotice, IncidentUpdate

# Moments outside these years are refused: none of ours lies there, and a date
# near year 1 or 9999 cannot be shown in every customer's time zone.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099
MAX_TEXT = 10_000
M = TypeVar("M", bound=Model)


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
