"""Tickets in the admin: canned replies are edited here; tickets are only looked
at, since every change to a ticket goes through the queue and its services."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from contracts.admin import ContractAdmin
from contracts.models import Contract
from contracts.selectors import ScopePreview
from tickets import services
from tickets.models import (
    CannedReply,
    CustomerAllowance,
    InboundMessage,
    Incident,
    IncidentUpdate,
    Message,
    ScopeDecision,
    Ticket,
    UptimeCredit,
)
from tickets.selectors import customers_with_allowance, usage_reader


def may_edit_wording(request: HttpRequest) -> bool:
    """Canned replies are wording the whole desk sends, like the reply wording per
    verdict: those who may edit that may edit these."""
    return request.user.has_perm("contracts.change_replywording")


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "language", "position"]
    list_editable = ["position"]
    list_filter = ["language"]
    search_fields = ["title", "body"]
    ordering = ["position", "title"]

    def has_add_permission(self, request):
        return may_edit_wording(request)

    def has_change_permission(self, request, obj=None):
        return may_edit_wording(request)

    def has_delete_permission(self, request, obj=None):
        return may_edit_wording(request)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DecisionInline(_ReadOnlyInline):
    model = ScopeDecision
    fields = readonly_fields = (
        "created_at",
        "verdict",
        "service",
        "decided_by",
        "is_override",
        "override_reason",
    )


class MessageInline(_ReadOnlyInline):
    """The conversation's e-mail: what was sent, what waits, and what could not be
    delivered and why."""

    model = Message
    fields = readonly_fields = (
        "created_at",
        "kind",
        "delivery",
        "delivery_attempts",
        "delivery_error",
        "emailed_at",
    )
    verbose_name_plural = _("e-mail delivery")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read only: the queue is where tickets are worked."""

    list_display = ["__str__", "customer", "verdict", "status", "priority", "assignee", "sla_due"]
    list_filter = ["status", "verdict", "priority", "customer"]
    list_select_related = ["customer", "assignee"]
    search_fields = ["subject", "=id"]
    date_hierarchy = "created_at"
    inlines = [DecisionInline, MessageInline]
    readonly_fields = ["open_in_queue"]
    exclude = ["message_id"]

    @admin.display(description=_("Queue"))
    def open_in_queue(self, ticket: Ticket) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("queue:ticket", args=[ticket.pk]), _("Open in the queue")
        )

    def get_readonly_fields(self, request, obj=None):
        fields = [f.name for f in self.model._meta.fields if f.name != "message_id"]
        return ["open_in_queue", *fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IncidentUpdateInline(_ReadOnlyInline):
    model = IncidentUpdate
    fields = readonly_fields = ("posted_at", "kind", "texts", "eta", "next_update_at", "posted_by")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """An incident's review is written here; it is opened, and its news and
    all-clear posted, from the queue, where its tickets are."""

    list_display = ["title", "kind", "started_at", "resolved_at", "owner"]
    list_filter = ["kind", "resolved_at"]
    search_fields = ["title"]
    date_hierarchy = "started_at"
    inlines = [IncidentUpdateInline]

    fields = ["title", "kind", "started_at", "resolved_at", "owner", "cause", "changes"]
    readonly_fields = ["title", "kind", "started_at", "resolved_at", "owner"]

    def add_view(self, request, form_url="", extra_context=None):
        # One way to open an incident, the queue's form: it tells the customers at once.
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect("queue:incident-new")

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UptimeCredit)
class UptimeCreditAdmin(admin.ModelAdmin):
    """A month's credit owed under an uptime clause: computed at month end, here
    confirmed as it is, or adjusted with a written reason. Saving confirms it and
    tells the customer's managers; a confirmed credit no longer changes."""

    list_display = [
        "contract",
        "month",
        "availability",
        "downtime_minutes",
        "computed_amount",
        "amount",
        "currency",
        "confirmed_at",
    ]
    list_filter = ["month", ("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["contract__customer"]
    search_fields = ["contract__reference", "contract__customer__name"]
    figures = [
        "contract",
        "month",
        "downtime_minutes",
        "availability",
        "credit_percent",
        "computed_amount",
        "currency",
    ]

    def get_fields(self, request, obj=None):
        return [*self.figures, "amount", "reason", "confirmed_by", "confirmed_at"]

    def get_readonly_fields(self, request, obj=None):
        settled = ["confirmed_by", "confirmed_at"]
        if obj is not None and obj.is_confirmed:
            return [*self.figures, "amount", "reason", *settled]
        return [*self.figures, *settled]

    def save_model(self, request, obj, form, change):
        try:
            services.credit_confirm(
                credit_id=obj.pk,
                lead=request.user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except services.TicketError as error:
            # The form was valid; the rule (a reason for a changed amount) is the
            # service's. Shown at the top of the page, nothing saved.
            self.message_user(request, str(error), level="error")
            raise _Refused from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused:
            return redirect(request.get_full_path())

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _Refused(Exception):
    pass


# --- the contract editor, with what only the tickets know ----------------------


admin.site.unregister(Contract)


@admin.register(Contract)
class ContractEditor(ContractAdmin):
    """The contract editor; its try box decides with the customer's real usage of
    the month, as the scope check of a ticket would."""

    def scope_preview(self) -> ScopePreview:
        return ScopePreview(usage_reader())


@admin.register(CustomerAllowance)
class CustomerAllowanceAdmin(admin.ModelAdmin):
    """How much of this month's allowance each customer has used: read only."""

    list_display = ["customer", "contract", "tickets", "minutes", "top_up_left"]
    list_display_links = None
    search_fields = ["name", "slug"]
    list_filter = ["account_manager"]
    list_per_page = 50

    class Media:
        css = {"all": ["contracts/admin.css"]}

    def get_queryset(self, request):
        return customers_with_allowance(at=timezone.now()).order_by("name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("customer"), ordering="name")
    def customer(self, customer) -> str:
        return customer.name

    @admin.display(description=_("contract valid today"), ordering="contract_ref")
    def contract(self, customer) -> str:
        return customer.contract_ref or "—"

    @admin.display(description=_("tickets"), ordering="tickets_used")
    def tickets(self, customer) -> str:
        return _meter(customer.tickets_used, customer.tickets_included)

    @admin.display(description=_("minutes"), ordering="minutes_used")
    def minutes(self, customer) -> str:
        return _meter(customer.minutes_used, customer.minutes_included)

    @admin.display(description=_("top-up minutes left"))
    def top_up_left(self, customer) -> int:
        return max(0, customer.topup_bought - customer.topup_drawn)


def _meter(used: int, included: int | None) -> str:
    """“7 of 10” with a bar; “7 (no limit)” when the contract sets none."""
    if included is None:
        return format_html("{} <span class='quiet'>({})</span>", used, _("no limit"))
    level = "full" if used >= included else "high" if used * 100 >= included * 80 else ""
    return format_html(
        '<progress class="allowance {}" value="{}" max="{}"></progress> {}',
        level,
        min(used, included),
        included or 1,
        _("%(used)d of %(included)d") % {"used": used, "included": included},
    )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Incoming e-mail and what the desk made of it: only looked at (the raw
    message is kept for staff to download from the storage, never served)."""

    list_display = ["received_at", "sender", "subject", "outcome", "ticket"]
    list_filter = ["outcome"]
    search_fields = ["sender", "subject", "message_id"]
    list_select_related = ["ticket"]
    date_hierarchy = "received_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
