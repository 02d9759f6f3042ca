"""REST API for tickets: thin views that validate, call one service, serialize."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from contracts import terms
from tickets import services
from tickets.attachments import attachment_add, attachment_check, attachment_response
from tickets.models import Attachment, Message, Offer, ScopeDecision, Ticket, TimeEntry
from tickets.selectors import tickets_visible_to


class IsStaff(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff)


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "kind", "author", "body", "created_at"]

    def get_author(self, message) -> str | None:
        return message.author.get_full_name() or message.author.username if message.author else None


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "ticket",
            "message",
            "name",
            "content_type",
            "size",
            "created_at",
            "download",
        ]

    def get_download(self, attachment) -> str:
        path = reverse("attachment-download", args=[attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ScopeSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    clause = serializers.JSONField(source="clause_snapshot", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ScopeDecision
        fields = [
            "id",
            "verdict",
            "reason",
            "service",
            "clause",
            "candidates",
            "starts_at",
            "decided_by",
            "is_override",
            "override_reason",
            "created_at",
        ]


class OfferSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offer
        fields = [
            "id",
            "ticket",
            "amount",
            "currency",
            "pricing",
            "estimate_minutes",
            "status",
            "expires_at",
            "answered_at",
        ]


class TicketSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    customer = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    scope = serializers.SerializerMethodField()
    offer = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "customer",
            "subject",
            "body",
            "service",
            "priority",
            "status",
            "verdict",
            "language",
            "channel",
            "created_at",
            "first_response_due",
            "resolution_due",
            "scope",
            "offer",
            "messages",
            "attachments",
        ]

    def get_scope(self, ticket) -> dict | None:
        current = next((d for d in ticket.decisions.all() if d.is_current), None)
        return ScopeSerializer(current).data if current else None

    def get_offer(self, ticket) -> dict | None:
        offer = next(iter(ticket.offers.all()), None)
        return OfferSerializer(offer).data if offer else None

    def get_messages(self, ticket) -> list:
        user = self.context["request"].user
        messages = [m for m in ticket.messages.all() if user.is_staff or m.kind != "internal"]
        return MessageSerializer(messages, many=True).data


class TicketCreateSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50_000)
    service = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    priority = serializers.ChoiceField(choices=terms.PRIORITIES, default="normal")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="files (multipart only)"
    )

    def validate_attachments(self, files):
        for upload in files:
            try:
                attachment_check(upload)
            except services.TicketError as exc:
                raise serializers.ValidationError(str(exc)) from None
        return files


class FileSerializer(serializers.Serializer):
    file = serializers.FileField()


class TextSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=50_000)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_null=True, help_text="username, or null")


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Ticket._meta.get_field("status").choices)


class ServiceSerializer(serializers.Serializer):
    service = serializers.CharField()


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=terms.PRIORITIES)


class TimeSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class TimeEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimeEntry
        fields = ["id", "minutes", "counted_minutes", "topup_minutes", "kind", "note", "worked_on"]


class OverrideSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=[v.value for v in terms.Verdict])
    reason = serializers.CharField()


def _refused(exc: services.TicketError) -> ValidationError:
    return ValidationError({"detail": str(exc)})


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TicketSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            tickets_visible_to(self.request.user)
            .select_related("service", "customer")
            .prefetch_related(
                "attachments",
                Prefetch(
                    "decisions",
                    queryset=ScopeDecision.objects.select_related("service", "decided_by"),
                ),
                Prefetch("offers", queryset=Offer.objects.order_by("-created_at")),
                Prefetch("messages", queryset=Message.objects.select_related("author")),
            )
            .order_by("-created_at")
        )

    @extend_schema(request=TicketCreateSerializer, responses=TicketSerializer)
    def create(self, request, *args, **kwargs):
        data = TicketCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            # The ticket and its files are saved together, or neither is.
            with transaction.atomic():
                ticket = services.ticket_create(
                    requester=request.user,
                    subject=data.validated_data["subject"],
                    body=data.validated_data["body"],
                    service=data.validated_data.get("service") or None,
                    priority=data.validated_data["priority"],
                    channel="api",
                )
                for upload in data.validated_data.get("attachments", []):
                    attachment_add(ticket_id=ticket.pk, uploaded_by=request.user, upload=upload)
        except services.NotAContact as exc:
            raise PermissionDenied(str(exc)) from None
        except services.TicketError as exc:
            raise _refused(exc) from None
        ticket = self.get_queryset().get(pk=ticket.pk)
        return Response(self.get_serializer(ticket).data, status=status.HTTP_201_CREATED)

    def _act(self, request, serializer_class, call):
        """Validate, find the ticket within the caller's reach, call one service."""
        ticket = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            call(ticket, data.validated_data)
        except services.TicketError as exc:
            raise _refused(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=ticket.pk)).data)

    @extend_schema(request=AssignSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def assign(self, request, pk=None):
        def call(ticket, data):
            assignee = None
            if data["assignee"]:
                assignee = get_user_model().objects.filter(username=data["assignee"]).first()
                if assignee is None:
                    raise services.TicketError("No such user.")
            services.ticket_assign(ticket_id=ticket.pk, assignee=assignee, by=request.user)

        return self._act(request, AssignSerializer, call)

    @extend_schema(request=TextSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._act(
            request,
            TextSerializer,
            lambda t, d: services.message_post(ticket_id=t.pk, author=request.user, body=d["body"]),
        )

    @extend_schema(request=TextSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def note(self, request, pk=None):
        return self._act(
            request,
            TextSerializer,
            lambda t, d: services.message_post(
                ticket_id=t.pk, author=request.user, body=d["body"], internal=True
            ),
        )

    @extend_schema(request=StatusSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="status", permission_classes=[IsStaff])
    def change_status(self, request, pk=None):
        return self._act(
            request,
            StatusSerializer,
            lambda t, d: services.ticket_change_status(
                ticket_id=t.pk, status=d["status"], by=request.user
            ),
        )

    @extend_schema(request=ServiceSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="service", permission_classes=[IsStaff])
    def change_service(self, request, pk=None):
        return self._act(
            request,
            ServiceSerializer,
            lambda t, d: services.ticket_change_service(
                ticket_id=t.pk, service=d["service"], by=request.user
            ),
        )

    @extend_schema(request=PrioritySerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="priority", permission_classes=[IsStaff])
    def change_priority(self, request, pk=None):
        return self._act(
            request,
            PrioritySerializer,
            lambda t, d: services.ticket_change_priority(
                ticket_id=t.pk, priority=d["priority"], by=request.user
            ),
        )

    @extend_schema(request=TimeSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def time(self, request, pk=None):
        return self._act(
            request,
            TimeSerializer,
            lambda t, d: services.time_entry_log(
                ticket_id=t.pk,
                technician=request.user,
                minutes=d["minutes"],
                note=d.get("note", ""),
            ),
        )

    @extend_schema(request={"multipart/form-data": FileSerializer}, responses=TicketSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, pk=None):
        return self._act(
            request,
            FileSerializer,
            lambda t, d: attachment_add(ticket_id=t.pk, uploaded_by=request.user, upload=d["file"]),
        )

    @extend_schema(request=OverrideSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff])
    def override(self, request, pk=None):
        return self._act(
            request,
            OverrideSerializer,
            lambda t, d: services.decision_override(
                ticket_id=t.pk, lead=request.user, verdict=d["verdict"], reason=d["reason"]
            ),
        )


class OfferViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = OfferSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Offer.objects.filter(ticket__in=tickets_visible_to(self.request.user)).order_by(
            "-created_at"
        )

    def _answer(self, request, accept: bool):
        offer = self.get_object()
        if request.user.is_staff:
            raise PermissionDenied("Only the customer answers an offer.")
        try:
            offer = services.offer_answer(offer_id=offer.pk, accept=accept, user=request.user)
        except services.TicketError as exc:
            raise _refused(exc) from None
        return Response(self.get_serializer(offer).data)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, True)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(request, False)


class AttachmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AttachmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return Attachment.objects.filter(ticket__in=tickets_visible_to(self.request.user))

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return attachment_response(self.get_object())
