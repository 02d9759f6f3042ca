"""REST API for what was promised: the catalogue, customers, contacts, contracts
and their parts (clauses, SLA targets, uptime credits, top-ups), reply wording.

Who may do what:

- A customer's contact reads the service catalogue, their own customer and its
  contracts with their parts. A manager also reads their organisation's contacts,
  a requester only themselves. Reply wording is staff business.
- Staff read with the model's view permission (technicians and leads have it).
- Writes need the model's add, change or delete permission: leads and admins.
  Technicians only read. A contact never writes, whatever permissions it holds.
- Every write is checked by the contract editor's own form, so the API and the
  editor accept and refuse the same rows with the same messages, and the database
  constraints are checked before the database has to refuse a row.

A row outside the caller's reach answers 404, exactly like one that does not exist.

This module also holds the small API helpers the tickets API shares
(``StaffOnlyFieldsMixin``, ``refused``, the id filter and field); ``contracts``
never imports ``tickets``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import cast

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Model, Prefetch, ProtectedError, QuerySet, RestrictedError
from django.forms.models import model_to_dict, modelform_factory
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from contracts.coverage import coverage_lines
from contracts.engine import terms
from contracts.forms import ClauseForm, ContactForm, ContractForm, ReplyWordingForm
from contracts.models import (
    COVERAGE_CHOICES,
    Clause,
    Contact,
    Contract,
    Customer,
    ReplyWording,
    Service,
    SlaTarget,
    TopUp,
    UptimeCredit,
    valid_on,
)
from contracts.selectors import contract_terms, current_catalogue

# --- shared helpers ------------------------------------------------------------


def refused(message: str) -> ValidationError:
    """A request the desk refuses: 400 with ``{"detail": message}``."""
    return ValidationError({"detail": message})


# Ids are 64-bit (BigAutoField). A larger number names no row, and the database
# cannot even compare with it: SQLite's driver raises OverflowError, so an id
# from a caller is checked against this before any query sees it.
MAX_ID = 2**63 - 1


class IdFormField(forms.IntegerField):
    """A row's id in a query string: a whole number from 1 to ``MAX_ID``.
    ``1e30``, ``1.5``, ``-1`` and ``0`` are refused (400), never rounded."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """Filters on a row's id, refusing what can be no id (see ``IdFormField``)."""

    field_class = IdFormField


def id_field(**kwargs) -> serializers.IntegerField:
    """A row's id in a request body, with the same bounds as ``IdFormField``."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def contract_field() -> serializers.PrimaryKeyRelatedField:
    """A contract named by id: a number that is no id is refused before the lookup
    (a plain lookup would round 1.5 to contract 1)."""
    return serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(), pk_field=id_field())


def contact_of(user) -> Contact | None:
    """The caller's contact, or None for staff and anyone else."""
    if not (user and user.is_authenticated) or user.is_staff:
        return None
    return getattr(user, "contact", None)


class StaffOnlyFieldsMixin:
    """Leaves ``Meta.staff_only_fields`` out of what anyone but staff reads.

    The fields are dropped from the output, not from the serializer, so the schema
    documents them; a serializer used without a request shows them to nobody."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not (request and request.user.is_staff):
            for name in self.Meta.staff_only_fields:
                data.pop(name, None)
        return data


class ContractsAccess(BasePermission):
    """Reads: contacts (the queryset keeps them to their own rows) where the view
    allows it, staff with the view permission. Writes: staff with the add,
    change or delete permission of the view's model."""

    WRITES = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        opts = view.queryset.model._meta
        if request.method in SAFE_METHODS:
            if user.is_staff:
                return user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
            return view.contacts_read and contact_of(user) is not None
        change = self.WRITES.get(request.method)
        return bool(
            change
            and user.is_staff
            and user.has_perm(f"{opts.app_label}.{change}_{opts.model_name}")
        )


# --- writes through the editor's forms ------------------------------------------


class EditorFormSerializer(serializers.ModelSerializer):
    """Validates and saves a write with the contract editor's form of the model.

    The serializer's own fields parse the JSON and document it; the form then
    checks the whole row (its clean methods, the model's validators and
    constraints) as the editor would, and saves it."""

    form_class: type[forms.ModelForm]

    def form_data(self, attrs: dict) -> dict:
        """What the form gets: the row as it stands (a new one with the model's
        defaults), with the request's changes."""
        row = self.instance or cast(type[Model], self.Meta.model)()
        data = model_to_dict(row, fields=list(self.form_class.base_fields))
        for name, value in attrs.items():
            data[name] = value.pk if isinstance(value, Model) else value
        for name, field in self.form_class.base_fields.items():
            # The editor's JSON fields read JSON text, as typed into the box.
            if isinstance(field, forms.JSONField) and name in data:
                data[name] = json.dumps(data[name])
        return data

    def validate(self, attrs):
        instance = self.instance or self.Meta.model()
        form = self.form_class(data=self.form_data(attrs), instance=instance)
        if not form.is_valid():
            raise ValidationError(
                {
                    ("non_field_errors" if name == "__all__" else name): messages
                    for name, messages in form.errors.items()
                }
            )
        self._form = form
        return attrs

    def create(self, validated_data):
        return self._form.save()

    def update(self, instance, validated_data):
        return self._form.save()


def editor_form(model: type[Model], fields: list[str], form: type[forms.ModelForm] | None = None):
    return modelform_factory(model, form=form or forms.ModelForm, fields=fields)


# --- serializers ----------------------------------------------------------------


class ServiceSerializer(EditorFormSerializer):
    form_class = editor_form(
        Service, ["code", "names", "phrases", "everyday_words", "always_covered", "position"]
    )

    class Meta:
        model = Service
        fields = ["id", "code", "names", "phrases", "everyday_words", "always_covered", "position"]


class CustomerSerializer(StaffOnlyFieldsMixin, EditorFormSerializer):
    account_manager = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.filter(is_staff=True),
        allow_null=True,
        required=False,
        help_text="A staff username. Staff only.",
    )
    form_class = editor_form(
        Customer, ["name", "slug", "country", "timezone", "language", "account_manager"]
    )

    class Meta:
        model = Customer
        fields = ["id", "name", "slug", "country", "timezone", "language", "account_manager"]
        staff_only_fields = ["account_manager"]


class ContactSerializer(EditorFormSerializer):
    """A contact and its login: the editor's form creates or renames the user."""

    customer = serializers.SlugRelatedField(slug_field="slug", queryset=Customer.objects.all())
    email = serializers.EmailField(source="user.email", help_text="Also the contact's login.")
    form_class = editor_form(
        Contact, ["customer", "name", "email", "role", "language"], form=ContactForm
    )

    class Meta:
        model = Contact
        fields = ["id", "customer", "name", "email", "role", "language"]

    def form_data(self, attrs: dict) -> dict:
        attrs = dict(attrs)
        email = attrs.pop("user", {}).get("email")
        data = super().form_data(attrs)
        if email is not None:
            data["email"] = email
        elif self.instance is not None:
            data["email"] = self.instance.user.email
        return data


@extend_schema_field(
    {
        "oneOf": [
            {
                "type": "object",
                "properties": {code: {"type": "string"} for code in terms.LANGUAGES},
                "additionalProperties": False,
            },
            {"type": "string", "description": "The text in the customer's language."},
        ]
    }
)
class TextPerLanguageField(serializers.DictField):
    """Text per language code (en, ru, fi, lv), a blank one left out; or, as in
    a contract file, a plain string: the text in the customer's language. Always
    read back per language."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.CharField(allow_blank=True), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):  # made per language by ClauseSerializer.form_data
            return data
        return super().to_internal_value(data)


class ClauseSerializer(EditorFormSerializer):
    contract = contract_field()
    service = serializers.SlugRelatedField(slug_field="code", queryset=Service.objects.all())
    text = TextPerLanguageField(
        help_text="What the customer reads, per language: at least one. A contact whose "
        "language is missing reads the customer's language, else English, else any."
    )
    advice = TextPerLanguageField(
        required=False, help_text="Excluded clauses: where else to go, per language."
    )
    missing_languages = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The language codes (en, ru, fi, lv) that its text, or its advice when "
        "it has one, lacks.",
    )
    form_class = ClauseForm

    class Meta:
        model = Clause
        fields = ["id", *ClauseForm.Meta.fields, "missing_languages"]
        # One clause per service is checked by the form, in the editor's words.
        validators: list = []

    def form_data(self, attrs: dict) -> dict:
        data = super().form_data(attrs)
        # A plain string, as older clients send: in the language its letters show.
        for name in ("text", "advice"):
            if isinstance(data.get(name), str):
                data[name] = terms.as_wording(data[name].strip())
        return data


class SlaTargetSerializer(EditorFormSerializer):
    contract = contract_field()
    form_class = editor_form(SlaTarget, ["contract", "priority", "first_response", "resolution"])

    class Meta:
        model = SlaTarget
        fields = ["id", "contract", "priority", "first_response", "resolution"]
        validators: list = []


class UptimeCreditSerializer(EditorFormSerializer):
    contract = contract_field()
    form_class = editor_form(UptimeCredit, ["contract", "below", "credit_percent"])

    class Meta:
        model = UptimeCredit
        fields = ["id", "contract", "below", "credit_percent"]
        validators: list = []


class TopUpSerializer(EditorFormSerializer):
    contract = contract_field()
    form_class = editor_form(TopUp, ["contract", "minutes", "purchased_on", "note"])

    class Meta:
        model = TopUp
        fields = ["id", "contract", "minutes", "purchased_on", "note"]


class ContractSerializer(EditorFormSerializer):
    """A contract with its parts. The parts are read here and written through
    their own endpoints (clauses, sla-targets, uptime-credits, top-ups)."""

    customer = serializers.SlugRelatedField(slug_field="slug", queryset=Customer.objects.all())
    support_hours = serializers.JSONField(
        help_text='Weekly window, e.g. {"mon-fri": "08:00-18:00"}, or "24/7".'
    )
    clauses = ClauseSerializer(many=True, read_only=True)
    sla_targets = SlaTargetSerializer(many=True, read_only=True)
    uptime_credits = UptimeCreditSerializer(many=True, read_only=True)
    top_ups = TopUpSerializer(many=True, read_only=True)
    form_class = ContractForm

    class Meta:
        model = Contract
        fields = [
            "id",
            *ContractForm.Meta.fields,
            "clauses",
            "sla_targets",
            "uptime_credits",
            "top_ups",
        ]


class ReplyWordingSerializer(EditorFormSerializer):
    form_class = ReplyWordingForm

    class Meta:
        model = ReplyWording
        fields = ["id", "verdict", "language", "text"]
        validators: list = []


class CoverageLineSerializer(serializers.Serializer):
    service = serializers.CharField()
    name = serializers.CharField()
    coverage = serializers.ChoiceField(choices=COVERAGE_CHOICES)
    # DRF's metaclass takes declared fields off the class; the stubs see Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    price = serializers.CharField()
    text = serializers.CharField(
        help_text="In the language asked for; in another one, with a note saying which."
    )
    advice = serializers.CharField()
    limits = serializers.ListField(child=serializers.CharField())
    text_language = serializers.CharField(help_text="The language the text is in; blank if none.")
    advice_language = serializers.CharField(
        help_text="The language the advice is in; blank if none."
    )


# --- filters: only the fields named here, nothing else ---------------------------


class ServiceFilter(django_filters.FilterSet):
    code = django_filters.CharFilter()

    class Meta:
        model = Service
        fields: list[str] = []


class CustomerFilter(django_filters.FilterSet):
    slug = django_filters.CharFilter()

    class Meta:
        model = Customer
        fields: list[str] = []


class ContactFilter(django_filters.FilterSet):
    # By slug, not a choice of customers: another customer's slug and an unknown
    # one give the same empty answer, so the filter tells nobody which exist.
    customer = django_filters.CharFilter(field_name="customer__slug")
    role = django_filters.ChoiceFilter(choices=[(r.value, r.value) for r in terms.Role])

    class Meta:
        model = Contact
        fields: list[str] = []


class ContractFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__slug")
    reference = django_filters.CharFilter()
    valid_on = django_filters.DateFilter(method="valid_on_day", label="Valid on this day")

    class Meta:
        model = Contract
        fields: list[str] = []

    def valid_on_day(self, queryset: QuerySet[Contract], name: str, value) -> QuerySet[Contract]:
        return queryset.filter(valid_on(value))


class ContractPartFilter(django_filters.FilterSet):
    contract = IdFilter(field_name="contract_id")


class ClauseFilter(ContractPartFilter):
    service = django_filters.CharFilter(field_name="service__code")
    coverage = django_filters.ChoiceFilter(choices=[(c.value, c.value) for c in terms.Coverage])

    class Meta:
        model = Clause
        fields: list[str] = []


class ReplyWordingFilter(django_filters.FilterSet):
    verdict = django_filters.ChoiceFilter(choices=[(v.value, v.value) for v in terms.Verdict])
    language = django_filters.ChoiceFilter(choices=[(lang, lang) for lang in terms.LANGUAGES])

    class Meta:
        model = ReplyWording
        fields: list[str] = []


def part_filter(model: type[Model]) -> type[django_filters.FilterSet]:
    meta = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}Filter", (ContractPartFilter,), {"Meta": meta})


# --- views ------------------------------------------------------------------------


class ContractsViewSet(viewsets.ModelViewSet):
    """Staff read everything their permissions allow; a contact only what
    ``for_contact`` keeps."""

    permission_classes = [ContractsAccess]
    contacts_read = True

    def get_queryset(self):
        rows = super().get_queryset()
        if self.request.user.is_staff:
            return rows
        contact = contact_of(self.request.user)
        return rows.none() if contact is None else self.for_contact(rows, contact)

    def for_contact(self, rows: QuerySet, contact: Contact) -> QuerySet:
        return rows.filter(contract__customer_id=contact.customer_id)

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except (ProtectedError, RestrictedError):
            raise refused(f"{instance} is still in use, so it cannot be deleted.") from None


class ServiceViewSet(ContractsViewSet):
    """The catalogue of services: every contact reads it, to pick a service."""

    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter

    def for_contact(self, rows, contact):
        return rows


class CustomerViewSet(ContractsViewSet):
    queryset = Customer.objects.select_related("account_manager")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter

    def for_contact(self, rows, contact):
        return rows.filter(pk=contact.customer_id)


class ContactViewSet(ContractsViewSet):
    """A manager reads their organisation's contacts, a requester only themselves."""

    queryset = Contact.objects.select_related("customer", "user")
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    def for_contact(self, rows, contact):
        if contact.role == terms.Role.MANAGER:
            return rows.filter(customer_id=contact.customer_id)
        return rows.filter(pk=contact.pk)


class ContractViewSet(ContractsViewSet):
    queryset = Contract.objects.select_related("customer").prefetch_related(
        Prefetch("clauses", queryset=Clause.objects.select_related("service")),
        "sla_targets",
        "uptime_credits",
        "top_ups",
    )
    serializer_class = ContractSerializer
    filterset_class = ContractFilter

    def for_contact(self, rows, contact):
        return rows.filter(customer_id=contact.customer_id)

    @extend_schema(
        parameters=[OpenApiParameter("language", enum=list(terms.LANGUAGES))],
        responses=CoverageLineSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filterset_class=None, pagination_class=None)
    def coverage(self, request, pk=None):
        """Every catalogue service under this contract, in words a customer reads:
        the same rule the scope engine applies."""
        contract = self.get_object()
        language = request.query_params.get("language") or _language_of(request.user)
        if language not in terms.LANGUAGES:
            raise refused(f"Language must be one of {', '.join(terms.LANGUAGES)}.")
        lines = coverage_lines(
            contract_terms(contract), current_catalogue(), language, contract.customer.language
        )
        return Response(CoverageLineSerializer([asdict(line) for line in lines], many=True).data)


def _language_of(user) -> str:
    contact = contact_of(user)
    return contact.reply_language if contact else "en"


class ClauseViewSet(ContractsViewSet):
    queryset = Clause.objects.select_related("service")
    serializer_class = ClauseSerializer
    filterset_class = ClauseFilter


class SlaTargetViewSet(ContractsViewSet):
    queryset = SlaTarget.objects.order_by("contract", "pk")
    serializer_class = SlaTargetSerializer
    filterset_class = part_filter(SlaTarget)


class UptimeCreditViewSet(ContractsViewSet):
    queryset = UptimeCredit.objects.all()
    serializer_class = UptimeCreditSerializer
    filterset_class = part_filter(UptimeCredit)


class TopUpViewSet(ContractsViewSet):
    queryset = TopUp.objects.all()
    serializer_class = TopUpSerializer
    filterset_class = part_filter(TopUp)


class ReplyWordingViewSet(ContractsViewSet):
    """Admins' own wording of the automatic replies: staff business only."""

    queryset = ReplyWording.objects.all()
    serializer_class = ReplyWordingSerializer
    filterset_class = ReplyWordingFilter
    contacts_read = False
