"""What the tickets API reads and writes.

What a customer's contact reads, and what only staff read:

- Messages: contacts never see internal notes, nor files attached to them.
- Decisions: contacts see the verdict, the clause's wording and price as they
  were, and whether a lead overrode it; who decided and the lead's written reason
  are staff business (the reason is a note between colleagues), as is the usage
  snapshot the engine read.
- Time entries: as a mature PSA does, contacts read the time logged on the
  tickets they may see, so that the allowance meter and any bill can be checked:
  minutes, minutes counted after rounding, minutes from top-ups, the kind
  (allowance, included, billable, goodwill) and the day. The technician's note
  and who logged it are left out: a time note is a working note, like an
  internal note, and nobody should learn the team's logins from it.
- Tickets: the assignee is staff-only; the requester is shown (a manager sees
  who in the organisation filed what).
- Staff logins (usernames) are never shown to contacts: a message's author is
  the person's name, or "Support team" for a technician who has none.

Fields that only staff read are listed in each serializer's
``Meta.staff_only_fields`` and are documented in the schema.
"""

from __future__ import annotations

from typing import TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.api import StaffOnlyFieldsMixin, id_field
from contracts.models import PRIORITY_CHOICES, VERDICT_LABELS, Customer, Service
from tickets import services
from tickets.attachments import attachment_check, too_many_files
from tickets.models import (
    Attachment,
    CannedReply,
    DecisionPart,
    Message,
    Offer,
    Rating,
    ScopeDecision,
    Status,
    Ticket,
    TimeEntry,
)
from tickets.selectors import WITHDRAWN_OFFERS, ticket_current_offer
from tickets.services.long_text import API_BODY_MAX, API_BODY_TOO_LONG
from tickets.services.override_messages import OVERRIDE_VERDICTS
from tickets.snapshots import clause_as_told

S = TypeVar("S", bound=serializers.BaseSerializer)


def reused(parent: serializers.Serializer, kind: type[S]) -> S:
    """One ``kind`` serializer for all of ``parent``'s rows. Each new
    ModelSerializer builds its fields from the model again: a nested one made per
    row was half of the tickets list's time."""
    cache = parent.__dict__.setdefault("_reused", {})
    if kind not in cache:
        cache[kind] = kind(context=parent.context)
    return cache[kind]


def _for_staff(context) -> bool:
    request = context.get("request")
    return bool(request and request.user.is_staff)


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "ticket", "kind", "author", "body", "created_at"]

    def get_author(self, message) -> str | None:
        author = message.author
        if author is None:
            return None
        if author.get_full_name():
            return author.get_full_name()
        # Staff logins are kept from customers: a nameless technician signs as the team.
        if author.is_staff and not _for_staff(self.context):
            return "Support team"
        return author.username


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


class OfferSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offer
        fields = [
            "id",
            "ticket",
            "part",
            "kind",
            "amount",
            "currency",
            "pricing",
            "estimate_minutes",
            "term_months",
            "status",
            "expires_at",
            "answered_at",
        ]


class DecisionPartSerializer(serializers.ModelSerializer):
    """One request of a mixed ticket: its own service, verdict, clause and offer."""

    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    clause = serializers.SerializerMethodField(
        help_text="The part's clause as it was, its words in the requester's language "
        "by the same rule as the decision's clause."
    )
    offer = serializers.SerializerMethodField()

    class Meta:
        model = DecisionPart
        fields = [
            "id",
            "position",
            "text",
            "service",
            "verdict",
            "reason",
            "clause",
            "starts_at",
            "offer",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_clause(self, part: DecisionPart) -> dict:
        # The decision and its ticket are cached by the prefetch that brought the part.
        return _clause_for_requester(part.clause_snapshot, part.decision.ticket)

    @extend_schema_field(OfferSerializer(allow_null=True))
    def get_offer(self, part):
        offer = getattr(part, "offer", None)
        return reused(self, OfferSerializer).to_representation(offer) if offer else None


class ScopeSerializer(StaffOnlyFieldsMixin, serializers.ModelSerializer):
    """A ticket's decision. ``decided_by`` and ``override_reason``: staff only."""

    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="null: not told"
    )
    clause = serializers.SerializerMethodField(
        help_text="The clause as it was; its text and advice in the requester's language, "
        "else in the customer's, else English, with the language used "
        "(text_language, advice_language)."
    )
    decided_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Staff only."
    )
    parts = DecisionPartSerializer(
        many=True,
        read_only=True,
        help_text="A request that asks for several things: each part on its own; "
        "the decision follows its most urgent part. Empty for a single request.",
    )
    withdrawn_offers = serializers.SerializerMethodField(
        help_text="The offers this decision took back before the customer answered them "
        "(a lead's override, a later decision): status 'withdrawn', nothing to accept."
    )

    class Meta:
        model = ScopeDecision
        fields = [
            "id",
            "verdict",
            "reason",
            "service",
            "clause",
            "parts",
            "withdrawn_offers",
            "candidates",
            "starts_at",
            "decided_by",
            "is_override",
            "override_reason",
            "created_at",
        ]
        staff_only_fields = ["decided_by", "override_reason"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_clause(self, decision: ScopeDecision) -> dict:
        return _clause_for_requester(decision.clause_snapshot, decision.ticket)

    @extend_schema_field(OfferSerializer(many=True))
    def get_withdrawn_offers(self, decision: ScopeDecision):
        if decision.supersedes_id is None:
            return []
        # Prefetched for the tickets' current decisions (views.py); else one query.
        offers = getattr(decision.supersedes, WITHDRAWN_OFFERS, None)
        if offers is None:
            offers = Offer.objects.filter(
                decision_id=decision.supersedes_id, status=Offer.Status.WITHDRAWN
            )
        return [reused(self, OfferSerializer).to_representation(offer) for offer in offers]


def _clause_for_requester(snapshot: dict, ticket: Ticket) -> dict:
    return clause_as_told(
        snapshot, language=ticket.language, customer_language=ticket.customer.language
    )


class DecisionSerializer(ScopeSerializer):
    """A decision in a ticket's history; ``usage``: staff only."""

    usage = serializers.JSONField(source="usage_snapshot", read_only=True, help_text="Staff only.")

    class Meta(ScopeSerializer.Meta):
        fields = [
            "id",
            "ticket",
            *ScopeSerializer.Meta.fields[1:],
            "is_current",
            "supersedes",
            "usage",
        ]
        staff_only_fields = [*ScopeSerializer.Meta.staff_only_fields, "usage"]


class TimeEntrySerializer(StaffOnlyFieldsMixin, serializers.ModelSerializer):
    """Time logged on a ticket. Contacts read it without ``technician`` and ``note``
    (see the module's docstring for why)."""

    technician: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Staff only."
    )

    class Meta:
        model = TimeEntry
        fields = [
            "id",
            "ticket",
            "minutes",
            "counted_minutes",
            "topup_minutes",
            "kind",
            "worked_on",
            "technician",
            "note",
            "created_at",
        ]
        staff_only_fields = ["technician", "note"]


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["score", "comment", "created_at"]


class TicketListSerializer(StaffOnlyFieldsMixin, serializers.ModelSerializer):
    """A ticket in a list: its current decision and offer, without the conversation."""

    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    customer: serializers.SlugRelatedField[Customer] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    requester: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="email", read_only=True
    )
    assignee: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Staff only."
    )
    # Computed by the database; null while no SLA clock runs.
    sla_due = serializers.DateTimeField(read_only=True, allow_null=True)
    scope = serializers.SerializerMethodField()
    offer = serializers.SerializerMethodField()
    rating = RatingSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "customer",
            "requester",
            "subject",
            "body",
            "service",
            "priority",
            "status",
            "verdict",
            "assignee",
            "language",
            "channel",
            "created_at",
            "updated_at",
            "first_response_due",
            "resolution_due",
            "sla_due",
            "scope",
            "offer",
            "rating",
        ]
        staff_only_fields = ["assignee"]

    @extend_schema_field(ScopeSerializer(allow_null=True))
    def get_scope(self, ticket):
        # The queryset prefetches only the current decision.
        current = next((d for d in ticket.decisions.all() if d.is_current), None)
        return reused(self, ScopeSerializer).to_representation(current) if current else None

    @extend_schema_field(OfferSerializer(allow_null=True))
    def get_offer(self, ticket):
        offer = ticket_current_offer(ticket)
        return reused(self, OfferSerializer).to_representation(offer) if offer else None


class TicketSerializer(TicketListSerializer):
    """A ticket with its conversation and files; internal notes for staff only."""

    messages = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(TicketListSerializer.Meta):
        fields = [*TicketListSerializer.Meta.fields, "messages", "attachments"]

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, ticket):
        staff = _for_staff(self.context)
        # The queryset already leaves internal notes out for contacts; this is the
        # second lock on that door.
        messages = [m for m in ticket.messages.all() if staff or m.kind != Message.Kind.INTERNAL]
        return MessageSerializer(messages, many=True, context=self.context).data


# --- what the actions read --------------------------------------------------------


class TicketCreateSerializer(serializers.Serializer):
    """A new ticket as JSON or a form: no files (see ``TicketCreateWithFilesSerializer``)."""

    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=API_BODY_MAX, error_messages=API_BODY_TOO_LONG)
    service = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="a service code"
    )
    priority = serializers.ChoiceField(choices=PRIORITY_CHOICES, default="normal")


class TicketCreateWithFilesSerializer(TicketCreateSerializer):
    """A new ticket with its files: multipart/form-data only, as JSON carries no
    files (an ``attachments`` key in JSON is refused: it holds no file)."""

    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="files (multipart only)"
    )

    def validate_attachments(self, files):
        if len(files) > settings.ATTACHMENTS_PER_TICKET:
            raise serializers.ValidationError(too_many_files(settings.ATTACHMENTS_PER_TICKET))
        for upload in files:
            try:
                attachment_check(upload)
            except services.TicketError as exc:
                raise serializers.ValidationError(str(exc)) from None
        return files


class FileSerializer(serializers.Serializer):
    file = serializers.FileField()


class TextSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=API_BODY_MAX, error_messages=API_BODY_TOO_LONG)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(allow_null=True, help_text="username, or null")


class ChangeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


class ChangeServiceSerializer(serializers.Serializer):
    service = serializers.CharField()


class ChangePrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=PRIORITY_CHOICES)


class TimeSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    worked_on = serializers.DateField(required=False, allow_null=True, help_text="blank: today")
    part = id_field(
        required=False,
        allow_null=True,
        help_text="a mixed ticket's part the work was for (its id in scope.parts); "
        "blank: the leading part",
    )


class BulkAssignSerializer(serializers.Serializer):
    tickets = serializers.ListField(child=id_field(), min_length=1, max_length=services.MAX_BULK)
    assignee = serializers.CharField(allow_null=True, help_text="username, or null")


class AssignedSerializer(serializers.Serializer):
    assigned = serializers.IntegerField()


class TechnicianTimeSerializer(serializers.Serializer):
    technician = serializers.CharField(source="name")
    covered = serializers.IntegerField(help_text="minutes of covered work")
    billable = serializers.IntegerField()
    goodwill = serializers.IntegerField(help_text="covered work a lead granted by override")
    total = serializers.IntegerField()


class CannedReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = CannedReply
        fields = ["id", "title", "language", "body"]


class OverrideSerializer(serializers.Serializer):
    # Not "not_authorized": that says who wrote, not what the work is.
    verdict = serializers.ChoiceField(
        choices=[(v.value, VERDICT_LABELS[v.value]) for v in OVERRIDE_VERDICTS]
    )
    reason = serializers.CharField()


class RateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5_000)


class EscalateSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5_000)


# --- this month's allowance ------------------------------------------------------


class MeterSerializer(serializers.Serializer):
    included = serializers.IntegerField(allow_null=True, help_text="null: no limit")
    used = serializers.IntegerField()
    left = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)


class AllowanceQuerySerializer(serializers.Serializer):
    customer = serializers.SlugField(required=False, help_text="the customer's slug (staff)")


class AllowanceSerializer(serializers.Serializer):
    customer = serializers.CharField(help_text="the customer's slug")
    month = serializers.DateField(help_text="the first day of the month")
    contract = serializers.CharField(allow_null=True, help_text="the valid contract's reference")
    tickets = MeterSerializer()
    minutes = MeterSerializer()
    topup_minutes_left = serializers.IntegerField()


class UptimeQuerySerializer(serializers.Serializer):
    customer = serializers.SlugField(required=False, help_text="the customer's slug (staff)")
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$",
        required=False,
        help_text="YYYY-MM; this month (in the customer's time zone) if left out",
    )


class CreditOwedSerializer(serializers.Serializer):
    """A month's credit record. Contacts see it once a lead has confirmed it."""

    id = serializers.IntegerField()
    downtime_minutes = serializers.IntegerField()
    availability = serializers.DecimalField(max_digits=7, decimal_places=3)
    credit_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    computed_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    reason = serializers.CharField(help_text="why the amount differs from the computed one")
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ContractUptimeSerializer(serializers.Serializer):
    contract = serializers.CharField(help_text="the contract's reference")
    minutes_in_month = serializers.IntegerField()
    downtime_minutes = serializers.IntegerField()
    availability = serializers.DecimalField(
        max_digits=7, decimal_places=3, help_text="percent, cut to three decimals"
    )
    target = serializers.DecimalField(
        max_digits=6, decimal_places=3, allow_null=True, help_text="null: no uptime promise"
    )
    met = serializers.BooleanField()
    credit_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    credit = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="what the contract's bands give"
    )
    currency = serializers.CharField()
    incidents = serializers.ListField(
        child=serializers.CharField(), help_text="titles of the incidents counted as downtime"
    )
    credit_record = CreditOwedSerializer(
        allow_null=True, help_text="the month's credit record; null if none (yet)"
    )


class UptimeSerializer(serializers.Serializer):
    customer = serializers.CharField(help_text="the customer's slug")
    month = serializers.DateField(help_text="the first day of the month")
    contracts = ContractUptimeSerializer(many=True)
