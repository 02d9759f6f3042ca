"""What was promised: the service catalogue, customers, contacts, contracts, clauses."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from contracts.engine import terms, uptime

LANGUAGE_CHOICES = [(code, code) for code in terms.LANGUAGES]
PRIORITY_LABELS = {
    "urgent": _("Urgent"),
    "high": _("High"),
    "normal": _("Normal"),
    "low": _("Low"),
}
PRIORITY_CHOICES = [(p, PRIORITY_LABELS[p]) for p in terms.PRIORITIES]
# The verdicts as staff read them; customers read kinder words (tickets.portal.words).
VERDICT_LABELS = {
    "not_authorized": _("Not authorized"),
    "no_contract": _("No contract"),
    "needs_review": _("Needs review"),
    "out_of_scope": _("Out of scope"),
    "paid_option": _("Paid option"),
    "over_allowance": _("Over allowance"),
    "outside_hours": _("Outside hours"),
    "in_scope": _("In scope"),
}
VERDICT_CHOICES = [(v.value, VERDICT_LABELS[v.value]) for v in terms.Verdict]
# Short, as the editor's clause rows need them; the portal has its own, longer words.
COVERAGE_LABELS = {
    "included": pgettext_lazy("coverage", "Included"),
    "paid": pgettext_lazy("coverage", "Paid"),
    "excluded": pgettext_lazy("coverage", "Excluded"),
}
COVERAGE_CHOICES = [(c.value, COVERAGE_LABELS[c.value]) for c in terms.Coverage]
PRICING_LABELS = {
    "fixed": _("Fixed price"),
    "hourly": _("Per hour"),
}
PRICING_CHOICES = [(p.value, PRICING_LABELS[p.value]) for p in terms.Pricing]
ROLE_LABELS = {
    "requester": _("Requester"),
    "manager": _("Manager"),
}
service_code_validator = RegexValidator(
    r"^[a-z0-9_]+(\.[a-z0-9_]+)*$",
    _("Use lower-case letters, digits and underscores, in parts joined by dots."),
)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name like Europe/Helsinki."), params={"value": value}
        )


def validate_duration(value: str) -> None:
    try:
        terms.parse_duration(value)
    except terms.TermsError as exc:
        raise ValidationError(str(exc)) from None


def validate_wording(value) -> None:
    problems = terms.wording_problems(value)
    if problems:
        raise ValidationError(
            "; ".join(
                f"{language}: {problem}" if language else problem for language, problem in problems
            )
        )


def validate_weekly(value) -> None:
    try:
        terms.parse_weekly(value)
    except terms.TermsError as exc:
        raise ValidationError(str(exc)) from None


def validate_holiday_calendar(value: str) -> None:
    from contracts.engine.hours import holiday_calendars

    if value and value.upper() not in holiday_calendars():
        raise ValidationError(
            _("%(value)s is no public-holiday calendar we know."), params={"value": value}
        )


_M = TypeVar("_M", bound=models.Model)


def terms_changed(**kwargs) -> None:
    """A new version of what the scope check reads (``TermsVersion``): a random
    one, so that a database emptied and filled again (as between tests) never
    meets a version a process has seen. Connected to every save and delete of
    the models it is built from (apps.py); their bulk writes call it too."""
    token = uuid.uuid4().hex
    if not TermsVersion.objects.filter(pk=1).update(token=token):
        TermsVersion.objects.bulk_create([TermsVersion(pk=1, token=token)], ignore_conflicts=True)


class TermsQuerySet(models.QuerySet[_M]):
    """Writes that send no signals change the terms too."""

    def update(self, **kwargs) -> int:
        updated = super().update(**kwargs)
        if updated:
            terms_changed()
        return updated

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        terms_changed()
        return created

    def bulk_update(self, *args, **kwargs) -> int:
        updated = super().bulk_update(*args, **kwargs)
        terms_changed()
        return updated


class Service(models.Model):
    code = models.CharField(
        _("code"), max_length=64, unique=True, validators=[service_code_validator]
    )
    names = models.JSONField(
        _("names"), default=dict, help_text=_("Name per language: {en: …, ru: …}")
    )
    phrases = models.JSONField(
        _("phrases"), default=dict, blank=True, help_text=_("Recognition phrases per language.")
    )
    everyday_words = models.JSONField(
        _("everyday words"),
        default=dict,
        blank=True,
        help_text=_("Everyday words customers use for this service, per language."),
    )
    always_covered = models.BooleanField(
        _("always covered"),
        default=False,
        help_text=_(
            "A complaint or compensation claim: covered under every contract and never "
            "counted against the allowance."
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    objects = TermsQuerySet["Service"].as_manager()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "en") -> str:
        return self.names.get(language) or self.names.get("en") or self.code


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        blank=True,
        # It picks the public holidays of contracts that name none.
        validators=[validate_holiday_calendar],
        help_text=_("ISO code, e.g. FI"),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, default="en")
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
        limit_choices_to={"is_staff": True},
        verbose_name=_("account manager"),
    )
    history = HistoricalRecords()

    objects = TermsQuerySet["Customer"].as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=[(r.value, ROLE_LABELS[r.value]) for r in terms.Role],
        default=terms.Role.REQUESTER,
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=LANGUAGE_CHOICES,
        blank=True,
        help_text=_("Blank: the customer's language."),
    )
    # A hard bounce of the desk's e-mail to this address (tickets/services/inbound.py):
    # shown to technicians, so they reach the person another way.
    bounced_at = models.DateTimeField(_("e-mail bounced"), null=True, blank=True)
    bounce_reason = models.TextField(_("bounce reason"), blank=True)
    history = HistoricalRecords()

    objects = TermsQuerySet["Contact"].as_manager()

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name} <{self.user.email}>"

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def reply_language(self) -> str:
        return self.language or self.customer.language


def valid_on(day: date | Combinable) -> Q:
    """A contract holds on ``day`` from ``valid_from`` through ``valid_until``, both
    included (blank: open-ended): the rule of ``ContractTerms.is_valid_on``. ``day``
    may be an expression, such as an ``OuterRef`` to each customer's local day."""
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))


class ContractQuerySet(TermsQuerySet["Contract"]):
    def valid_on(self, day: date | Combinable) -> ContractQuerySet:
        """The contracts valid on ``day``, the one that holds first (the newest, as
        ``ContractTerms.precedence`` ranks them)."""
        return self.filter(valid_on(day)).order_by(*terms.CONTRACT_PRECEDENCE)


class Contract(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    reference = models.CharField(_("reference"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Blank: open-ended.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    monthly_fee = models.DecimalField(_("monthly fee"), max_digits=12, decimal_places=2, default=0)
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=12, decimal_places=2)
    unlisted_services = models.CharField(
        _("unlisted services"),
        max_length=8,
        choices=[
            (terms.Coverage.PAID.value, COVERAGE_LABELS["paid"]),
            (terms.Coverage.EXCLUDED.value, COVERAGE_LABELS["excluded"]),
        ],
        default=terms.Coverage.EXCLUDED,
        help_text=_("What happens to a catalogue service that no clause names."),
    )
    included_minutes = models.PositiveIntegerField(
        _("included minutes"),
        null=True,
        blank=True,
        help_text=_("Free minutes a month. Blank: no limit."),
    )
    included_tickets = models.PositiveIntegerField(
        _("included tickets"),
        null=True,
        blank=True,
        help_text=_("Free tickets a month. Blank: no limit."),
    )
    rounding_minutes = models.PositiveSmallIntegerField(
        _("rounding (minutes)"),
        null=True,
        blank=True,
        help_text=_("Round time entries up to this many minutes."),
    )
    support_hours = models.JSONField(
        _("support hours"),
        default=dict,
        validators=[validate_weekly],
        help_text=_('Weekly window, e.g. {"mon-fri": "08:00-18:00"}, or "24/7".'),
    )
    support_timezone = models.CharField(
        _("support time zone"),
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text=_("Blank: the customer's time zone."),
    )
    holiday_calendar = models.CharField(
        _("public holidays"),
        max_length=8,
        blank=True,
        validators=[validate_holiday_calendar],
        help_text=_("Country code of the public holidays with no support, e.g. FI."),
    )
    uptime_target = models.DecimalField(
        _("uptime target (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    maintenance_excluded = models.BooleanField(
        _("maintenance is no downtime"),
        default=True,
        help_text=_("Announced maintenance does not count against the uptime target."),
    )
    maintenance_notice = models.CharField(
        _("maintenance notice"),
        max_length=16,
        default=uptime.MAINTENANCE_NOTICE,
        validators=[validate_duration],
        help_text=_(
            "How long before maintenance it must be announced to count as no downtime, "
            "e.g. 2d or 48h; a day is 24 hours here."
        ),
    )
    # Paid on-call work outside support hours, offered to urgent requests only;
    # no pricing: the contract offers none.
    emergency_pricing = models.CharField(
        _("emergency pricing"),
        max_length=8,
        choices=PRICING_CHOICES,
        blank=True,
        help_text=_(
            "Paid on-call work outside support hours, offered to urgent requests. "
            "Blank: none is offered."
        ),
    )
    emergency_price = models.DecimalField(
        _("emergency price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    emergency_estimate = models.CharField(
        _("emergency estimate"),
        max_length=16,
        blank=True,
        validators=[validate_duration],
        help_text=_("The usual effort of on-call work, e.g. 1h."),
    )
    history = HistoricalRecords()

    objects = ContractQuerySet.as_manager()

    class Meta:
        ordering = ["customer", "-valid_from"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="contract_valid_until_after_valid_from",
                violation_error_message=_("A contract cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(unlisted_services__in=["paid", "excluded"]),
                name="contract_unlisted_services_known",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0) & Q(monthly_fee__gte=0),
                name="contract_prices_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    emergency_pricing__in=["fixed", "hourly"],
                    emergency_price__isnull=False,
                    emergency_price__gte=0,
                )
                | Q(emergency_pricing="", emergency_price__isnull=True, emergency_estimate=""),
                name="contract_emergency_priced",
                violation_error_message=_(
                    "Emergency work needs a pricing and a price (and may have an estimate); "
                    "without a pricing, leave the price and estimate blank."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    @property
    def timezone(self) -> str:
        return self.support_timezone or self.customer.timezone

    def is_valid_on(self, day: date) -> bool:
        return terms.is_within(day, self.valid_from, self.valid_until)


class SlaTarget(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="sla_targets", verbose_name=_("contract")
    )
    priority = models.CharField(_("priority"), max_length=8, choices=PRIORITY_CHOICES)
    first_response = models.CharField(
        _("first response"), max_length=16, validators=[validate_duration]
    )
    resolution = models.CharField(_("resolution"), max_length=16, validators=[validate_duration])
    history = HistoricalRecords()

    objects = TermsQuerySet["SlaTarget"].as_manager()

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["contract", "priority"], name="one_sla_per_priority"),
        ]

    def __str__(self) -> str:
        return f"{self.priority}: {self.first_response} / {self.resolution}"


class UptimeCredit(models.Model):
    contract = models.ForeignKey(
        Contract,
        on_delete=models.CASCADE,
        related_name="uptime_credits",
        verbose_name=_("contract"),
    )
    below = models.DecimalField(
        _("uptime below (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    credit_percent = models.DecimalField(
        _("credit (percent of the monthly fee)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    history = HistoricalRecords()

    objects = TermsQuerySet["UptimeCredit"].as_manager()

    class Meta:
        ordering = ["-below"]
        verbose_name = _("uptime credit band")
        verbose_name_plural = _("uptime credit bands")
        constraints = [
            models.UniqueConstraint(fields=["contract", "below"], name="one_credit_band_per_level"),
        ]

    def __str__(self) -> str:
        return f"below {self.below} %: {self.credit_percent} %"


class TopUp(models.Model):
    """A prepaid block of minutes, drawn on after the monthly allowance is used."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="top_ups", verbose_name=_("contract")
    )
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1)])
    purchased_on = models.DateField(_("purchased on"))
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Charged on the statement of the month it was bought in; 0: billed elsewhere."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = TermsQuerySet["TopUp"].as_manager()

    class Meta:
        ordering = ["purchased_on", "pk"]
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")

    def __str__(self) -> str:
        return f"{self.minutes} min ({self.purchased_on})"


class Clause(models.Model):
    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("contract")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="clauses", verbose_name=_("service")
    )
    coverage = models.CharField(_("coverage"), max_length=8, choices=COVERAGE_CHOICES)
    pricing = models.CharField(
        _("pricing"),
        max_length=8,
        choices=PRICING_CHOICES,
        blank=True,
        help_text=_("Paid clauses only: a fixed price or a price per hour."),
    )
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    estimate = models.CharField(
        _("estimate"),
        max_length=16,
        blank=True,
        validators=[validate_duration],
        help_text=_("Paid clauses: the usual effort, e.g. 2h."),
    )
    max_per_month = models.PositiveSmallIntegerField(_("at most per month"), null=True, blank=True)
    max_minutes_per_ticket = models.PositiveIntegerField(
        _("at most minutes per ticket"), null=True, blank=True
    )
    round_the_clock = models.BooleanField(
        _("round the clock"),
        default=False,
        help_text=_("Covered 24/7, outside the support hours too."),
    )
    counts_against_allowance = models.BooleanField(_("counts against the allowance"), default=True)
    # One field per wording, holding every language ({"en": ..., "fi": ...}), so
    # there is one place to read, write, dump and snapshot it (terms.Wording).
    text = models.JSONField(
        _("text"),
        validators=[validate_wording],
        help_text=_("What the customer reads about this clause, per language."),
    )
    advice = models.JSONField(
        _("advice"),
        default=dict,
        blank=True,
        validators=[validate_wording],
        help_text=_("Excluded clauses: where else to go, per language."),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    objects = TermsQuerySet["Clause"].as_manager()

    class Meta:
        ordering = ["contract", "position", "pk"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "service"],
                name="one_clause_per_service",
                violation_error_message=_("This contract already has a clause for that service."),
            ),
            models.CheckConstraint(
                condition=Q(coverage="paid", pricing__in=["fixed", "hourly"], price__isnull=False)
                | (~Q(coverage="paid") & Q(pricing="", price__isnull=True, estimate="")),
                name="clause_price_on_paid_only",
                violation_error_message=_(
                    "A paid clause needs a price (fixed or hourly); other clauses have none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="clause_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code}: {self.coverage}"

    @property
    def missing_languages(self) -> tuple[str, ...]:
        """The desk's languages that its text (or its advice, when it has one) lacks."""
        return terms.missing_languages(self.text, self.advice)


class ReplyWording(models.Model):
    """An admin's own wording for the automatic reply to one verdict in one language."""

    verdict = models.CharField(_("verdict"), max_length=16, choices=VERDICT_CHOICES)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    text = models.TextField(_("text"))
    history = HistoricalRecords()

    objects = TermsQuerySet["ReplyWording"].as_manager()

    class Meta:
        ordering = ["verdict", "language"]
        verbose_name = _("reply wording")
        verbose_name_plural = _("reply wordings")
        constraints = [
            models.UniqueConstraint(fields=["verdict", "language"], name="one_wording_per_verdict"),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} ({self.language})"


# --- learning customers' words ------------------------------------------------


class RecognitionExample(models.Model):
    """A ticket's text and the service a technician named for it, kept when the
    catalogue had not recognised that service: what the desk may learn from."""

    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="recognition_examples",
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    text = models.TextField(_("text"))
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    # The ticket's number: contracts knows no tickets, and an example outlives one.
    ticket_ref = models.PositiveBigIntegerField(_("ticket"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("named by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("recognition example")
        verbose_name_plural = _("recognition examples")
        constraints = [
            # A ticket teaches one thing: the service it was last given.
            models.UniqueConstraint(
                fields=["ticket_ref"],
                condition=Q(ticket_ref__isnull=False),
                name="one_example_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} ({self.language}): {self.text[:60]}"


class PhraseSuggestion(models.Model):
    """A recognition phrase suggested from the examples, for a lead to accept or
    reject. A decided one stays, so a rejected phrase is not suggested again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a lead")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="phrase_suggestions",
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    phrase = models.CharField(_("phrase"), max_length=200)
    # The phrase's stems (engine.learning's Suggestion.key): one row however inflected.
    key = models.CharField(_("key"), max_length=200)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    support = models.PositiveIntegerField(_("examples with it"), default=0)
    recognised = models.PositiveIntegerField(_("examples it recognises"), default=0)
    snippets = models.JSONField(_("examples"), default=list, blank=True)
    created_at = models.DateTimeField(_("suggested"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["service", "language", "-recognised", "phrase"]
        verbose_name = _("phrase suggestion")
        verbose_name_plural = _("phrase suggestions")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "language", "key"], name="one_suggestion_per_phrase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service.code} ({self.language}): {self.phrase}"


class TermsVersion(models.Model):
    """One row whose token changes with every change to what the scope check
    reads (the catalogue, customers, contacts, contracts, clauses, reply wording):
    each worker process keeps those terms in memory and rebuilds them when the
    token it read them at is no longer the database's (``selectors.terms_now``)."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("terms version")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="one_terms_version")]

    def __str__(self) -> str:
        return self.token
