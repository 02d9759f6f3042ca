"""The contract editor: Django's admin with history, clear errors, the YAML form
and a box to try a request against a contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from contracts.contract_files import ContractFileError, dump_customer, load_contract_file
from contracts.engine import terms
from contracts.engine.hours import zone
from contracts.engine.scope import Decision, UnknownService
from contracts.forms import (
    ClauseForm,
    ClauseFormSet,
    ContactForm,
    ContactFormSet,
    ContractFileForm,
    ContractForm,
    ReplyWordingForm,
    TryRequestForm,
    current_language,
)
from contracts.history import ChangeValues, part_changes
from contracts.invitations import invitations_send
from contracts.learning import may_review_phrases
from contracts.models import (
    COVERAGE_LABELS,
    PRICING_LABELS,
    VERDICT_LABELS,
    Clause,
    Contact,
    Contract,
    Customer,
    PhraseSuggestion,
    ReplyWording,
    Service,
    SlaTarget,
    TopUp,
    UptimeCredit,
    valid_on,
)
from contracts.phrase_review import phrase_review_view
from contracts.replies import DEFAULT_WORDING, Reply, format_offer
from contracts.selectors import ScopePreview

CSS = {"all": ["contracts/admin.css"]}
JS = ["contracts/admin.js"]


def may_edit_contracts(request: HttpRequest) -> bool:
    """Importing, exporting and trying requests are for those who may change contracts."""
    return request.user.has_perm("contracts.change_contract")


class HistoryAdmin(SimpleHistoryAdmin):
    """Every model keeps its history; the history is read-only (no revert), because
    reverting one row of a contract would skip the checks of the whole form."""

    list_per_page = 50
    object_history_list_template = "admin/history_list.html"

    class Media:
        css = CSS
        js = JS

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return ChangeValues(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


# --- catalogue ----------------------------------------------------------------


@admin.register(Service)
class ServiceAdmin(HistoryAdmin):
    list_display = ["code", "local_name", "position"]
    list_editable = ["position"]
    search_fields = ["code", "names", "phrases"]
    fields = ["code", "names", "phrases", "everyday_words", "always_covered", "position"]

    @admin.display(description=_("name"))
    def local_name(self, service: Service) -> str:
        return service.name(current_language())

    def get_urls(self):
        return [
            path(
                "phrases/",
                self.admin_site.admin_view(self.phrases_view),
                name="contracts_service_phrases",
            ),
            *super().get_urls(),
        ]

    def phrases_view(self, request: HttpRequest) -> HttpResponse:
        return phrase_review_view(request, model_admin=self)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "may_review_phrases": may_review_phrases(request.user),
            "phrases_pending": PhraseSuggestion.objects.filter(
                status=PhraseSuggestion.Status.PENDING
            ).count(),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)


# --- customers and contacts ---------------------------------------------------


class ContactInline(admin.TabularInline):
    model = Contact
    form = ContactForm
    formset = ContactFormSet
    fields = ["name", "email", "role", "language", "send_invitation"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Customer)
class CustomerAdmin(HistoryAdmin):
    list_display = [
        "name",
        "slug",
        "country",
        "language",
        "account_manager",
        "contact_count",
        "contract_count",
    ]
    list_filter = ["country", "language", "account_manager"]
    list_select_related = ["account_manager"]
    search_fields = ["name", "slug", "contacts__user__email"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "country", "timezone", "language", "account_manager"]
    inlines = [ContactInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                contact_count=Count("contacts", distinct=True),
                contract_count=Count("contracts", distinct=True),
            )
        )

    @admin.display(description=_("contacts"), ordering="contact_count")
    def contact_count(self, customer: Customer) -> int:
        return customer.contact_count  # type: ignore[attr-defined]  # get_queryset's annotation

    @admin.display(description=_("contracts"), ordering="contract_count")
    def contract_count(self, customer: Customer) -> int:
        return customer.contract_count  # type: ignore[attr-defined]  # get_queryset's annotation

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name=f"{info}_import",
            ),
            path(
                "<path:object_id>/export/",
                self.admin_site.admin_view(self.export_view),
                name=f"{info}_export",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"may_edit_contracts": may_edit_contracts(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"may_edit_contracts": may_edit_contracts(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Load a contract file. All or nothing: a file with problems changes nothing
        and every problem is listed with its key path."""
        if not may_edit_contracts(request):
            raise PermissionDenied
        posted = request.method == "POST"
        form = ContractFileForm(request.POST if posted else None, request.FILES if posted else None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            source = form.cleaned_data["source"]
            try:
                with transaction.atomic():
                    result = load_contract_file(
                        form.cleaned_data["content"], source=str(source), user=request.user
                    )
            except ContractFileError as exc:
                problems = str(exc).splitlines()
            else:
                messages.success(
                    request,
                    _("%(source)s: %(summary)s")
                    % {
                        "source": source,
                        "summary": load_summary(result),
                    },
                )
                return HttpResponseRedirect(reverse("admin:contracts_customer_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a contract file"),
            "subtitle": None,
            "opts": self.opts,
            "form": form,
            "problems": problems,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/contracts/customer/import.html", context)

    def export_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The customer and its contracts in the YAML form that the import reads."""
        if not may_edit_contracts(request):
            raise PermissionDenied
        customer = self.get_object(request, unquote(object_id))
        if customer is None:
            raise Http404
        response = HttpResponse(
            dump_customer(customer), content_type="application/yaml; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{customer.slug}.yaml"'
        return response


def load_summary(result) -> str:
    """A line about what a contract file changed, whatever the loader reports."""
    summary = getattr(result, "summary", None)
    if callable(summary):
        summary = summary()
    return str(summary if summary is not None else result)


@admin.register(Contact)
class ContactAdmin(HistoryAdmin):
    form = ContactForm
    # A bounce flag is cleared here once the address works again.
    fields = [
        "customer",
        "name",
        "email",
        "role",
        "language",
        "send_invitation",
        "bounced_at",
        "bounce_reason",
    ]
    list_display = ["name", "email", "customer", "role", "language", "bounced_at"]
    list_filter = ["role", "language", "customer"]
    list_select_related = ["user", "customer"]
    search_fields = ["name", "user__email", "customer__name"]
    actions = ["send_invitations"]

    @admin.action(
        description=_("Send an invitation to choose a password"),
        permissions=["change"],
    )
    def send_invitations(self, request: HttpRequest, queryset) -> None:
        count = invitations_send(queryset.select_related("user", "customer"))
        self.message_user(
            request,
            ngettext(
                "An invitation was sent to %(count)d contact, in their language.",
                "Invitations were sent to %(count)d contacts, each in their language.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "customer")

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, contact: Contact) -> str:
        return contact.user.email


# --- contracts ----------------------------------------------------------------


def by_local_day(condition: Callable[[date], Q]) -> Q:
    """A condition on a contract that depends on today's date, with today taken in
    the customer's time zone as the scope engine does; one branch per zone in use."""
    now = timezone.now()
    combined = Q(pk__in=[])
    for name in Customer.objects.values_list("timezone", flat=True).distinct():
        combined |= Q(customer__timezone=name) & condition(now.astimezone(zone(name)).date())
    return combined


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("now", _("valid now")),
            ("expired", _("expired")),
            ("future", _("not started yet")),
        ]

    def queryset(self, request, queryset):
        conditions = {
            "now": valid_on,
            "expired": lambda day: Q(valid_until__lt=day),
            "future": lambda day: Q(valid_from__gt=day),
        }
        if self.value() in conditions:
            return queryset.filter(by_local_day(conditions[self.value()]))
        return queryset


@admin.display(description=_("languages"))
def wording_gaps(clause: Clause) -> str:
    """Which of the desk's languages the clause's text (or advice) still lacks, so
    a lead sees at a glance whose replies will quote another language."""
    if not clause.text:
        return ""
    missing = clause.missing_languages
    if not missing:
        return format_html('<span class="wording-complete">{}</span>', _("all"))
    return format_html(
        '<span class="wording-missing" title="{}">{}</span>',
        _("Contacts who read these languages get the text in another language."),
        _("missing: %(languages)s") % {"languages": ", ".join(missing)},
    )


class ServiceSelect(forms.Select):
    """A service picker that names each service in the editor's language, with its
    code on hover (the code is what contract files and the API use)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        service = getattr(value, "instance", None)
        if service is not None:
            option["attrs"]["title"] = service.code
        return option


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return obj.name(current_language())


class ServiceByName:
    """Clause forms pick their service by name, not by code."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "service":
            kwargs.update(form_class=ServiceChoiceField, widget=ServiceSelect)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.display(description=_("service"), ordering="service__position")
def service_name(clause: Clause) -> str:
    """A clause's service by name in the editor's language, its code on hover."""
    return format_html(
        '<span class="service-name" title="{}">{}</span>',
        clause.service.code,
        clause.service.name(current_language()),
    )


class ClauseInline(ServiceByName, admin.TabularInline):
    model = Clause
    form = ClauseForm
    formset = ClauseFormSet
    # The languages the clause lacks go last: the style sheet puts them beside the advice.
    fields = [name for name in (*ClauseForm.Meta.fields, "wording_gaps") if name != "contract"]
    readonly_fields = ["wording_gaps"]
    ordering = ["position", "pk"]
    extra = 1
    classes = ["clauses"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("service")

    @admin.display(description=_("languages"))
    def wording_gaps(self, clause: Clause) -> str:
        return wording_gaps(clause)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "service":
            # Read the catalogue once for all rows, not once per clause.
            field.choices = list(field.choices)
            # Services are edited in the catalogue, not from a clause row.
            widget = field.widget
            widget.can_add_related = widget.can_change_related = False
            widget.can_delete_related = widget.can_view_related = False
        return field


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    fields = ["priority", "first_response", "resolution"]
    extra = 0
    verbose_name = _("SLA target")
    verbose_name_plural = _("SLA targets (support time: 30m, 4h, 1d, 2w)")


class UptimeCreditInline(admin.TabularInline):
    model = UptimeCredit
    fields = ["below", "credit_percent"]
    extra = 0
    verbose_name_plural = _("uptime credit bands (credit owed when a month's uptime is below)")


class TopUpInline(admin.TabularInline):
    model = TopUp
    fields = ["minutes", "purchased_on", "note"]
    extra = 0
    verbose_name_plural = _("top-ups (prepaid minutes, drawn on after the monthly allowance)")


@admin.register(Contract)
class ContractAdmin(HistoryAdmin):
    form = ContractForm
    save_on_top = True
    list_display = [
        "reference",
        "customer",
        "title",
        "valid_from",
        "valid_until",
        "currency",
        "valid_now",
    ]
    list_filter = [ValidityFilter, "customer", "currency", "unlisted_services"]
    list_select_related = ["customer"]
    search_fields = ["reference", "title", "customer__name"]
    date_hierarchy = "valid_from"
    fieldsets = [
        (
            _("Contract"),
            {
                "fields": [
                    "customer",
                    "reference",
                    "title",
                    ("valid_from", "valid_until"),
                    "currency",
                    ("monthly_fee", "hourly_rate"),
                    "unlisted_services",
                ]
            },
        ),
        (
            _("Allowance"),
            {
                "fields": [("included_minutes", "included_tickets"), "rounding_minutes"],
                "description": _("Free work included in every calendar month."),
            },
        ),
        (
            _("Support hours"),
            {"fields": ["support_hours", "support_timezone", "holiday_calendar"]},
        ),
        (
            _("Uptime"),
            {"fields": ["uptime_target", ("maintenance_excluded", "maintenance_notice")]},
        ),
        (
            _("On-call work outside support hours"),
            {
                "fields": [("emergency_pricing", "emergency_price"), "emergency_estimate"],
                "description": _(
                    "Paid work that an urgent request arriving outside support hours is "
                    "offered, to start at once. Leave the pricing blank to offer none."
                ),
            },
        ),
    ]
    inlines = [ClauseInline, SlaTargetInline, UptimeCreditInline, TopUpInline]

    @admin.display(description=_("valid now"), boolean=True)
    def valid_now(self, contract: Contract) -> bool:
        today = timezone.now().astimezone(zone(contract.customer.timezone)).date()
        return contract.is_valid_on(today)

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<path:object_id>/try/",
                self.admin_site.admin_view(self.try_view),
                name=f"{info}_try",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"may_edit_contracts": may_edit_contracts(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    object_history_template = "admin/contracts/contract/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The contract's own edits, then its clauses' and other parts', which the
        same page saves as rows of their own."""
        contract = self.get_object(request, unquote(object_id))
        parts = part_changes(contract.pk, current_language()) if contract else []
        extra_context = {"part_changes": parts, **(extra_context or {})}
        return super().history_view(request, object_id, extra_context)

    def scope_preview(self) -> ScopePreview:
        """The preview the try box decides with. Contracts cannot count tickets, so
        here nothing is used yet; the tickets app's editor passes the real usage."""
        return ScopePreview()

    def try_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Decide a sample request as the desk would right now. Writes nothing."""
        if not may_edit_contracts(request):
            raise PermissionDenied
        contract = self.get_object(request, unquote(object_id))
        if contract is None:
            raise Http404
        preview = self.scope_preview()
        form = TryRequestForm(
            request.POST if request.method == "POST" else None,
            contacts=contract.customer.contacts.select_related("user", "customer"),
            services=preview.catalogue.entries.values(),
            timezone_name=contract.timezone,
            now=timezone.now(),
        )
        result = None
        if request.method == "POST" and form.is_valid():
            try:
                decision, reply = preview.decide(
                    customer_slug=contract.customer.slug,
                    request=form.scope_request(),
                    at=form.cleaned_data["at"],
                )
            except UnknownService as exc:
                form.add_error("service", _("%(code)s is not in the catalogue.") % {"code": exc})
            else:
                result = TryResult.of(decision, reply, preview)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Try a request"),
            "subtitle": str(contract),
            "opts": self.opts,
            "original": contract,
            "form": form,
            "result": result,
            "usage_counted": preview.usage_for is not None,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/contracts/contract/try_request.html", context)


@dataclass(frozen=True)
class TryResult:
    """A decision as the try box shows it."""

    verdict: str
    verdict_label: str
    reason: str
    contract: str
    contact: str
    service: str
    coverage: str
    coverage_label: str
    clause_text: str
    advice: str
    offer: dict | None
    candidates: list[str]
    starts_at: str
    reply: Reply

    @classmethod
    def of(cls, decision: Decision, reply: Reply, preview: ScopePreview) -> TryResult:
        catalogue, clause, offer = preview.catalogue, decision.clause, decision.offer

        language = current_language()
        customer_language = decision.customer.language if decision.customer else "en"

        def named(code: str | None) -> str:
            return f"{code} — {catalogue.name(code, language)}" if code else ""

        starts_at = ""
        if decision.starts_at and decision.contract:
            tz = decision.contract.support_hours.timezone
            local = decision.starts_at.astimezone(zone(tz))
            starts_at = f"{formats.date_format(local, 'l, j F Y, H:i')} ({tz})"
        return cls(
            verdict=decision.verdict.value,
            verdict_label=str(VERDICT_LABELS[decision.verdict.value]),
            reason=decision.reason,
            contract=decision.contract.reference if decision.contract else "",
            contact=decision.contact.name if decision.contact else "",
            service=named(decision.service),
            coverage=clause.coverage.value if clause else "",
            coverage_label=str(COVERAGE_LABELS[clause.coverage.value]) if clause else "",
            # As the reply quotes them: in the contact's language, else by the fallback.
            clause_text=terms.clause_text(clause, reply.language, customer_language)[0]
            if clause
            else "",
            advice=terms.clause_advice(clause, reply.language, customer_language)[0]
            if clause
            else "",
            offer={
                "amount": offer.amount,
                "currency": offer.currency,
                "pricing": offer.pricing.value,
                "pricing_label": str(PRICING_LABELS[offer.pricing.value]),
                "estimate": str(offer.estimate) if offer.estimate else "",
                "estimated_total": offer.estimated_total,
                "as_the_customer_reads_it": format_offer(offer),
            }
            if offer
            else None,
            candidates=[named(code) for code in decision.candidates],
            starts_at=starts_at,
            reply=reply,
        )


# --- the parts of a contract, on their own ------------------------------------


@admin.register(Clause)
class ClauseAdmin(ServiceByName, HistoryAdmin):
    form = ClauseForm
    list_display = [
        service_name,
        "contract",
        "coverage",
        "pricing",
        "price",
        "round_the_clock",
        wording_gaps,
    ]
    list_filter = ["coverage", "pricing", "round_the_clock", "contract__customer"]
    list_select_related = ["service", "contract"]
    search_fields = ["service__code", "service__names", "contract__reference", "text"]


@admin.register(SlaTarget)
class SlaTargetAdmin(HistoryAdmin):
    list_display = ["contract", "priority", "first_response", "resolution"]
    list_filter = ["priority", "contract__customer"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference"]


@admin.register(UptimeCredit)
class UptimeCreditAdmin(HistoryAdmin):
    list_display = ["contract", "below", "credit_percent"]
    list_filter = ["contract__customer"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference"]


@admin.register(TopUp)
class TopUpAdmin(HistoryAdmin):
    list_display = ["contract", "minutes", "purchased_on", "note"]
    list_filter = ["contract__customer"]
    list_select_related = ["contract"]
    search_fields = ["contract__reference", "note"]
    date_hierarchy = "purchased_on"


# --- reply wording ------------------------------------------------------------


@admin.register(ReplyWording)
class ReplyWordingAdmin(HistoryAdmin):
    form = ReplyWordingForm
    list_display = ["verdict", "language", "beginning"]
    list_filter = ["verdict", "language"]
    search_fields = ["text"]
    fields = ["verdict", "language", "text", "default_wording"]
    readonly_fields = ["default_wording"]

    @admin.display(description=_("text"))
    def beginning(self, wording: ReplyWording) -> str:
        return wording.text[:80]

    @admin.display(description=_("default English wording"))
    def default_wording(self, wording: ReplyWording | None) -> str:
        """The built-in wording of each verdict, the chosen one opened; the script
        keeps it in step with the verdict select."""
        chosen = wording.verdict if wording and wording.pk else ""
        return format_html(
            '<div class="default-wordings">{}</div>',
            format_html_join(
                "",
                '<details data-verdict="{}"{}><summary>{}</summary><pre>{}</pre></details>',
                (
                    (verdict.value, " open" if verdict == chosen else "", verdict.value, text)
                    for verdict, text in DEFAULT_WORDING.items()
                ),
            ),
        )
