"""REST API for tickets: thin views that validate, call one service or selector,
and serialize. Domain refusals (``TicketError``) answer 400 with ``{"detail": …}``.

A refusal because of the caller's role (``NotAllowed``: only a lead overrides)
answers 403 with ``{"detail": …}``.

Everything a caller reaches starts from ``tickets_visible_to``: staff see every
ticket, a manager contact their organisation's, a requester their own. Anything
else answers 404, exactly like a row that does not exist. Every list reads a fixed
number of queries whatever its length (tests/test_security.py counts them).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from contracts.api import contact_of, refused
from contracts.models import Customer
from helpdesk.api import JSONParser
from tickets import services
from tickets.api.filters import (
    ApiTicketFilter,
    AttachmentFilter,
    DecisionFilter,
    MessageFilter,
    OfferFilter,
    TimeEntryFilter,
)
from tickets.api.serializers import (
    AllowanceQuerySerializer,
    AllowanceSerializer,
    AssignedSerializer,
    AssignSerializer,
    AttachmentSerializer,
    BulkAssignSerializer,
    CannedReplySerializer,
    ChangePrioritySerializer,
    ChangeServiceSerializer,
    ChangeStatusSerializer,
    DecisionSerializer,
    EscalateSerializer,
    FileSerializer,
    MessageSerializer,
    OfferSerializer,
    OverrideSerializer,
    RateSerializer,
    TechnicianTimeSerializer,
    TextSerializer,
    TicketCreateSerializer,
    TicketCreateWithFilesSerializer,
    TicketListSerializer,
    TicketSerializer,
    TimeEntrySerializer,
    TimeSerializer,
    UptimeQuerySerializer,
    UptimeSerializer,
)
from tickets.attachments import attachment_add, attachment_response
from tickets.models import CannedReply, Offer, ScopeDecision
from tickets.paging import IdsFirstPaginator
from tickets.selectors import (
    SERVICE_WORDS,
    allowance_summary,
    attachments_visible_to,
    calendar_month,
    conversation_prefetches,
    current_offer_prefetch,
    decision_parts_prefetch,
    messages_visible_to,
    month_start,
    tickets_visible_to,
    time_by_technician,
    time_entries_visible_to,
    withdrawn_offers_prefetch,
)
from tickets.uptime import customer_uptime


class IsStaff(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff)


class IsContact(BasePermission):
    """The customer's own voice: a contact, never staff speaking for them."""

    def has_permission(self, request, view):
        return contact_of(request.user) is not None


def _refusal(exc: services.TicketError) -> APIException:
    """What the caller's role does not allow: 403; anything else refused: 400."""
    if isinstance(exc, services.NotAllowed):
        return PermissionDenied(str(exc))
    return refused(str(exc))


class TicketPages(PageNumberPagination):
    """Pages read their ids first (tickets/paging.py), so a deep page stays cheap."""

    django_paginator_class = IdsFirstPaginator


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Tickets. Contacts file, read and reply, rate and ask for a manager; staff
    work them (assign, note, status, service, priority, time); leads override."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_class = ApiTicketFilter
    pagination_class = TicketPages

    def get_serializer_class(self):
        return TicketListSerializer if self.action == "list" else TicketSerializer

    def get_queryset(self):
        user = self.request.user
        tickets = (
            tickets_visible_to(user)
            .select_related("service", "customer", "requester", "assignee", "rating")
            # What no ticket shows: the services' recognition words, the usage the
            # engine read (JSON, decoded for every row).
            .defer(*SERVICE_WORDS)
            .prefetch_related(
                Prefetch(
                    "decisions",
                    queryset=ScopeDecision.objects.filter(is_current=True)
                    .select_related("service", "decided_by")
                    .defer("usage_snapshot", *SERVICE_WORDS)
                    .prefetch_related(decision_parts_prefetch(), withdrawn_offers_prefetch()),
                ),
                current_offer_prefetch(),
            )
            .order_by("-created_at")
        )
        if self.action == "list":
            return tickets
        return tickets.prefetch_related(*conversation_prefetches(user))

    @extend_schema(
        request={
            "application/json": TicketCreateSerializer,
            "application/x-www-form-urlencoded": TicketCreateSerializer,
            "multipart/form-data": TicketCreateWithFilesSerializer,
        },
        responses=TicketSerializer,
    )
    def create(self, request, *args, **kwargs):
        data = TicketCreateWithFilesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            ticket = services.ticket_create(
                requester=request.user,
                subject=data.validated_data["subject"],
                body=data.validated_data["body"],
                service=data.validated_data.get("service") or None,
                priority=data.validated_data["priority"],
                channel="api",
                uploads=data.validated_data.get("attachments", []),
            )
        except services.TicketError as exc:
            raise _refusal(exc) from None
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
            raise _refusal(exc) from None
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
            services.ticket_assign(ticket_id=ticket.pk, assignee=assignee)

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

    @extend_schema(request=ChangeStatusSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="status", permission_classes=[IsStaff])
    def change_status(self, request, pk=None):
        return self._act(
            request,
            ChangeStatusSerializer,
            lambda t, d: services.ticket_change_status(ticket_id=t.pk, status=d["status"]),
        )

    @extend_schema(request=ChangeServiceSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="service", permission_classes=[IsStaff])
    def change_service(self, request, pk=None):
        return self._act(
            request,
            ChangeServiceSerializer,
            lambda t, d: services.ticket_change_service(
                ticket_id=t.pk, service=d["service"], by=request.user
            ),
        )

    @extend_schema(request=ChangePrioritySerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], url_path="priority", permission_classes=[IsStaff])
    def change_priority(self, request, pk=None):
        return self._act(
            request,
            ChangePrioritySerializer,
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
                worked_on=d.get("worked_on"),
                part_id=d.get("part"),
            ),
        )

    @extend_schema(request=BulkAssignSerializer, responses=AssignedSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-assign", permission_classes=[IsStaff])
    def bulk_assign(self, request):
        """Assign several tickets to one member of staff (or to nobody) at once."""
        data = BulkAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wanted = set(data.validated_data["tickets"])
        found = set(
            tickets_visible_to(request.user).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        if found != wanted:
            raise NotFound(f"No such tickets: {', '.join(map(str, sorted(wanted - found)))}.")
        assignee = None
        if data.validated_data["assignee"]:
            assignee = (
                get_user_model()
                .objects.filter(username=data.validated_data["assignee"], is_staff=True)
                .first()
            )
            if assignee is None:
                raise refused("No such member of staff.")
        try:
            count = services.tickets_assign(ticket_ids=sorted(wanted), assignee=assignee)
        except services.TicketError as exc:
            raise _refusal(exc) from None
        return Response({"assigned": count})

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

    @extend_schema(request=RateSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsContact])
    def rate(self, request, pk=None):
        """The customer rates the help on a resolved ticket, once."""
        return self._act(
            request,
            RateSerializer,
            lambda t, d: services.ticket_rate(
                ticket_id=t.pk, user=request.user, score=d["score"], comment=d.get("comment", "")
            ),
        )

    @extend_schema(request=EscalateSerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsContact])
    def escalate(self, request, pk=None):
        """The customer asks for a manager; the account manager is told."""
        return self._act(
            request,
            EscalateSerializer,
            lambda t, d: services.ticket_escalate(
                ticket_id=t.pk, user=request.user, reason=d["reason"]
            ),
        )


class TicketPartViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rows that belong to a ticket, read within the caller's tickets."""

    permission_classes = [IsAuthenticated]

    def visible(self, rows: QuerySet) -> QuerySet:
        return rows.filter(ticket__in=tickets_visible_to(self.request.user))


class MessageViewSet(TicketPartViewSet):
    """Replies, automatic replies and (for staff) internal notes. Messages are
    written through the ticket's ``reply`` and ``note`` actions."""

    serializer_class = MessageSerializer
    filterset_class = MessageFilter

    def get_queryset(self):
        return messages_visible_to(self.request.user).order_by("-created_at", "-pk")


class DecisionViewSet(TicketPartViewSet):
    """Every decision on a ticket, the superseded ones too."""

    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter

    def get_queryset(self):
        rows = ScopeDecision.objects.select_related(
            "service", "decided_by", "ticket__customer"
        ).prefetch_related(decision_parts_prefetch(), withdrawn_offers_prefetch())
        return self.visible(rows).order_by("-created_at", "-pk")


class TimeEntryViewSet(TicketPartViewSet):
    """Time logged on tickets. Logged through the ticket's ``time`` action.
    Technicians read their own entries, leads everyone's (as in the report)."""

    serializer_class = TimeEntrySerializer
    filterset_class = TimeEntryFilter

    def get_queryset(self):
        rows = time_entries_visible_to(self.request.user).select_related("technician")
        return rows.order_by("-worked_on", "-pk")

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM; blank: this month")],
        responses=TechnicianTimeSerializer(many=True),
        filters=False,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="by-technician",
        permission_classes=[IsStaff],
        pagination_class=None,
        filterset_class=None,
    )
    def by_technician(self, request):
        """Minutes worked in a month per technician: covered, billable, goodwill.
        Leads see everyone, technicians themselves."""
        try:
            first_day = month_start(request.query_params.get("month"))
        except ValueError:
            raise refused("month: use the form YYYY-MM.") from None
        rows = time_by_technician(first_day=first_day, user=request.user)
        return Response(TechnicianTimeSerializer(rows, many=True).data)


class CannedReplyViewSet(viewsets.ReadOnlyModelViewSet):
    """The replies technicians start from; written by leads in the contract editor."""

    serializer_class = CannedReplySerializer
    permission_classes = [IsStaff]
    filterset_fields = ["language"]
    queryset = CannedReply.objects.order_by("position", "title")


class OfferViewSet(TicketPartViewSet):
    serializer_class = OfferSerializer
    filterset_class = OfferFilter

    def get_queryset(self):
        return self.visible(Offer.objects.all()).order_by("-created_at", "-pk")

    def _answer(self, request, accept: bool):
        offer = self.get_object()
        if request.user.is_staff:
            raise PermissionDenied("Only the customer answers an offer.")
        try:
            offer = services.offer_answer(offer_id=offer.pk, accept=accept, user=request.user)
        except services.TicketError as exc:
            raise _refusal(exc) from None
        return Response(self.get_serializer(offer).data)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, True)

    @extend_schema(request=None, responses=OfferSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(request, False)


class AttachmentViewSet(TicketPartViewSet):
    """Files on tickets. Added with the ticket or its ``attachments`` action."""

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter

    def get_queryset(self):
        return attachments_visible_to(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    @action(detail=True, methods=["get"], filterset_class=None)
    def download(self, request, pk=None):
        return attachment_response(self.get_object())


class AllowanceView(GenericAPIView):
    """This month's allowance: included, used and left. A contact reads their own
    customer's; staff name the customer with ``?customer=slug``."""

    permission_classes = [IsAuthenticated]
    serializer_class = AllowanceSerializer

    @extend_schema(parameters=[AllowanceQuerySerializer])
    def get(self, request):
        contact = contact_of(request.user)
        if contact is not None:
            customer = contact.customer
        elif request.user.is_staff:
            # Checked before the lookup: PostgreSQL refuses text with a NUL byte.
            query = AllowanceQuerySerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            slug = query.validated_data.get("customer")
            if not slug:
                raise refused("Name the customer: ?customer=slug.")
            customer = get_object_or_404(Customer, slug=slug)
        else:
            raise PermissionDenied("Only staff and customers' contacts have an allowance to see.")
        summary = allowance_summary(customer=customer, at=timezone.now())
        data = {
            "customer": customer.slug,
            "month": summary.month.first_day,
            "contract": summary.contract.reference if summary.contract else None,
            "tickets": summary.tickets,
            "minutes": summary.minutes,
            "topup_minutes_left": summary.topup_minutes_left,
        }
        return Response(self.get_serializer(data).data)


class UptimeView(GenericAPIView):
    """A month's availability and uptime credit per contract (``?month=YYYY-MM``,
    this month by default). A contact reads their own customer's, and a credit
    record only once a lead has confirmed it; staff name the customer with
    ``?customer=slug`` and read every record."""

    permission_classes = [IsAuthenticated]
    serializer_class = UptimeSerializer

    @extend_schema(parameters=[UptimeQuerySerializer])
    def get(self, request):
        # Checked before any lookup: PostgreSQL refuses text with a NUL byte.
        query = UptimeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slug = query.validated_data.get("customer")
        contact = contact_of(request.user)
        if contact is not None:
            customer = contact.customer
            if slug and slug != customer.slug:
                raise NotFound()  # another customer's: as if it did not exist
        elif request.user.is_staff:
            if not slug:
                raise refused("Name the customer: ?customer=slug.")
            customer = get_object_or_404(Customer, slug=slug)
        else:
            raise PermissionDenied("Only staff and customers' contacts read uptime.")
        now = timezone.now()
        try:
            month = query.validated_data.get("month")
            first_day = month_start(month) if month else calendar_month(customer, now).first_day
        except ValueError:
            raise refused("month: use the form YYYY-MM.") from None
        rows = []
        for uptime, record in customer_uptime(customer, first_day, now):
            if record is not None and not (request.user.is_staff or record.is_confirmed):
                record = None
            figures = uptime.figures
            rows.append(
                {
                    "contract": uptime.contract.reference,
                    "minutes_in_month": figures.minutes_in_month,
                    "downtime_minutes": figures.downtime_minutes,
                    "availability": figures.availability,
                    "target": figures.target,
                    "met": figures.met,
                    "credit_percent": figures.credit_percent,
                    "credit": figures.credit,
                    "currency": figures.currency,
                    "incidents": [incident.title for incident in uptime.incidents],
                    "credit_record": record,
                }
            )
        data = {"customer": customer.slug, "month": first_day, "contracts": rows}
        return Response(self.get_serializer(data).data)
