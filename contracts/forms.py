"""Forms of the contract editor: clear messages before the database has to refuse a row."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contracts.engine import terms
from contracts.engine.hours import zone
from contracts.engine.scope import ScopeRequest
from contracts.invitations import invitation_send
from contracts.models import PRIORITY_CHOICES, ROLE_LABELS, Clause, Contact, Contract, ReplyWording
from contracts.replies import PLACEHOLDERS, template_problems


def example(value: str):
    """A placeholder that reads as an example ("e.g. 2h"), never as a value already
    filled in; the style sheet also sets it lighter and slanted."""
    return format_lazy("{} {}", _("e.g."), value)


def current_language() -> str:
    """The language the editor is shown in, as the catalogue names its languages."""
    return (get_language() or "en").split("-")[0]


def _constraint_message(model, name: str) -> str:
    """The violation message of a model constraint, so the form and the database agree."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return constraint.violation_error_message
    raise LookupError(name)


# --- contacts -----------------------------------------------------------------


class ContactForm(forms.ModelForm):
    """A contact with its login: the user is created (username = lower-cased e-mail)
    or renamed along with the contact, so the editor never deals with users."""

    email = forms.EmailField(label=_("e-mail"), help_text=_("Also the contact's login name."))
    send_invitation = forms.BooleanField(
        label=_("send invitation"),
        required=False,
        help_text=_("E-mail a link to choose a password, in the contact's language."),
    )

    class Meta:
        model = Contact
        fields = ["name", "email", "role", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.user_id:
            self.fields["email"].initial = self.instance.user.email
        self._existing_user = None

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        users = get_user_model().objects.select_related("contact__customer")
        others = users.filter(username=email) | users.filter(email__iexact=email)
        if self.instance.user_id:
            others = others.exclude(pk=self.instance.user_id)
        other = others.first()
        if other is None:
            return email
        contact = getattr(other, "contact", None)
        if contact is not None:
            raise ValidationError(
                _("%(email)s is already a contact of %(customer)s."),
                params={"email": email, "customer": contact.customer},
            )
        if other.is_staff or self.instance.user_id:
            # A staff login is never turned into a customer's; and a contact keeps its
            # own login rather than taking over another account.
            raise ValidationError(
                _("%(email)s already belongs to another login (%(username)s)."),
                params={"email": email, "username": other.username},
            )
        # A former contact's login (its contact was deleted): take it up again.
        self._existing_user = other
        return email

    def save(self, commit: bool = True) -> Contact:
        # The user is saved even with commit=False: the admin saves the contact
        # itself later, and it cannot exist without its user.
        contact = super().save(commit=False)
        email = self.cleaned_data["email"]
        if contact.user_id:
            user = contact.user
            if user.username == user.email.lower() or not user.username:
                user.username = email
        else:
            user = self._existing_user or get_user_model()(username=email)
            if user.pk is None:
                user.set_unusable_password()
        user.email = email
        user.save()
        contact.user = user
        if self.cleaned_data.get("send_invitation"):
            # Once the contact is saved: the e-mail names its customer and language.
            transaction.on_commit(partial(invitation_send, contact))
        if commit:
            contact.save()
            self._save_m2m()  # type: ignore[attr-defined]  # Django's, missing in django-stubs
        return contact


class ContactFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            email = getattr(form, "cleaned_data", {}).get("email")
            if email is None:
                continue
            if email in seen:
                form.add_error("email", _("This e-mail is given twice."))
            seen.add(email)


# --- contracts and clauses ----------------------------------------------------


class SupportHoursField(forms.CharField):
    """Support hours as people write them: ``mon-fri 08:00-18:00; sat 10:00-14:00``,
    or ``24/7``; stored as the mapping the contract file uses."""

    widget = forms.TextInput(
        attrs={"size": 48, "placeholder": example("mon-fri 08:00-18:00; sat 10:00-14:00")}
    )

    def prepare_value(self, value):
        if isinstance(value, str) and value.strip().startswith("{"):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        if isinstance(value, dict):
            return "; ".join(f"{days} {windows}" for days, windows in value.items())
        return value

    def to_python(self, value):
        if isinstance(value, dict):  # from the API, in the contract file's form
            try:
                terms.parse_weekly(value)
            except terms.TermsError as exc:
                raise ValidationError(str(exc)) from None
            return value
        text = (super().to_python(value) or "").strip()
        if text == terms.ROUND_THE_CLOCK:
            return text
        weekly = {}
        for part in text.replace("\n", ";").split(";"):
            if not part.strip():
                continue
            days, _space, windows = part.strip().partition(" ")
            if not windows.strip():
                raise ValidationError(
                    _("%(part)s: write the days and then the hours, like mon-fri 08:00-18:00."),
                    params={"part": part.strip()},
                )
            weekly[days.strip()] = windows.replace(" ", "")
        try:
            terms.parse_weekly(weekly)
        except terms.TermsError as exc:
            raise ValidationError(str(exc)) from None
        return weekly


class ContractForm(forms.ModelForm):
    support_hours = SupportHoursField(
        label=_("Support hours"),
        help_text=_("Days and hours, like mon-fri 08:00-18:00; sat 10:00-14:00 — or 24/7."),
    )

    class Meta:
        model = Contract
        fields = [
            "customer",
            "reference",
            "title",
            "valid_from",
            "valid_until",
            "currency",
            "monthly_fee",
            "hourly_rate",
            "unlisted_services",
            "included_minutes",
            "included_tickets",
            "rounding_minutes",
            "support_hours",
            "support_timezone",
            "holiday_calendar",
            "uptime_target",
            "maintenance_excluded",
            "maintenance_notice",
            "emergency_pricing",
            "emergency_price",
            "emergency_estimate",
        ]

    def clean(self):
        data = super().clean()
        valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
        if valid_from and valid_until and valid_until < valid_from:
            self.add_error(
                "valid_until",
                _constraint_message(Contract, "contract_valid_until_after_valid_from"),
            )
        # On-call work: a pricing and a price together, or neither (the field
        # that is missing is named, not the constraint's general words).
        pricing, price = data.get("emergency_pricing"), data.get("emergency_price")
        if pricing and price is None and "emergency_price" not in self.errors:
            self.add_error("emergency_price", _("On-call work needs a price."))
        if not pricing and "emergency_pricing" not in self.errors:
            for name in ("emergency_price", "emergency_estimate"):
                if data.get(name) not in (None, "") and name not in self.errors:
                    self.add_error(
                        "emergency_pricing",
                        _("Choose a pricing (fixed or hourly), or clear the price and estimate."),
                    )
                    break
        return data


class WordingWidget(forms.MultiWidget):
    """One small box per language of the desk, each marked with its code."""

    template_name = "contracts/widgets/wording.html"

    def __init__(self, attrs=None):
        boxes = {
            code: forms.Textarea(attrs={"rows": 2, "lang": code, "aria-label": code})
            for code in terms.LANGUAGES
        }
        super().__init__(boxes, attrs)

    def decompress(self, value):
        value = value if isinstance(value, dict) else {}
        return [value.get(code, "") for code in terms.LANGUAGES]

    def value_from_datadict(self, data, files, name):
        if isinstance(data.get(name), dict):  # from the API: the mapping as it is
            return data[name]
        boxes = super().value_from_datadict(data, files, name)
        return dict(zip(terms.LANGUAGES, boxes, strict=True))


class WordingField(forms.Field):
    """Text per language (``{"en": ..., "fi": ...}``): the blank ones are left
    out; required, it needs text in at least one language."""

    widget = WordingWidget

    def to_python(self, value):
        if value in self.empty_values:
            return {}
        if not isinstance(value, dict):
            raise ValidationError(_('Give the text per language, like {"en": "..."}.'))
        return {
            code: text.strip() if isinstance(text, str) else text
            for code, text in value.items()
            if not (text is None or (isinstance(text, str) and not text.strip()))
        }

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(_("Write it in at least one language."), code="required")
        problems = terms.wording_problems(value)
        if problems:
            raise ValidationError(
                [
                    _("%(language)s: %(problem)s") % {"language": code, "problem": problem}
                    for code, problem in problems
                ]
            )

    def has_changed(self, initial, data):
        try:
            return (initial or {}) != self.to_python(data)
        except ValidationError:
            return True


class ClauseForm(forms.ModelForm):
    """Says which field of a clause is wrong; the check constraint would only say
    that the row as a whole is."""

    text = WordingField(
        label=_("text"), help_text=_("What the customer reads about this clause, per language.")
    )
    advice = WordingField(
        label=_("advice"),
        required=False,
        help_text=_("Excluded clauses: where else to go, per language."),
    )

    class Meta:
        model = Clause
        fields = [
            "contract",
            "service",
            "coverage",
            "pricing",
            "price",
            "estimate",
            "max_per_month",
            "max_minutes_per_ticket",
            "round_the_clock",
            "counts_against_allowance",
            "text",
            "advice",
            "position",
        ]
        labels = {
            "max_per_month": _("max / month"),
            "max_minutes_per_ticket": _("max min / ticket"),
            "round_the_clock": _("24/7"),
            "counts_against_allowance": _("counts"),
        }
        help_texts = {
            "counts_against_allowance": _("Counts against the monthly allowance."),
            "max_per_month": _("Requests a month. Blank: no limit."),
            "max_minutes_per_ticket": _("Minutes a ticket. Blank: no limit."),
        }
        widgets = {
            "price": forms.NumberInput(attrs={"step": "0.01", "class": "vIntegerField"}),
            "estimate": forms.TextInput(attrs={"size": 5, "placeholder": example("2h")}),
            "max_per_month": forms.NumberInput(attrs={"class": "vIntegerField"}),
            "max_minutes_per_ticket": forms.NumberInput(attrs={"class": "vIntegerField"}),
            "position": forms.NumberInput(attrs={"class": "vIntegerField"}),
        }

    def clean(self):
        data = super().clean()
        coverage = data.get("coverage")
        if coverage == terms.Coverage.PAID:
            if not data.get("pricing") and "pricing" not in self.errors:
                self.add_error("pricing", _("A paid clause needs a pricing: fixed or hourly."))
            if data.get("price") is None and "price" not in self.errors:
                self.add_error("price", _("A paid clause needs a price."))
        elif coverage:
            for name in ("pricing", "price", "estimate"):
                if data.get(name) not in (None, "") and name not in self.errors:
                    self.add_error(
                        name,
                        _("Only paid clauses have a %(field)s; clear it or make the clause paid.")
                        % {"field": Clause._meta.get_field(name).verbose_name},
                    )
        return data


class ClauseFormSet(BaseInlineFormSet):
    """One clause per service: named on the row, in the constraint's own words,
    instead of the formset's generic "duplicate data" note."""

    def clean(self):
        message = _constraint_message(Clause, "one_clause_per_service")
        seen = set()
        duplicate = False
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            service = getattr(form, "cleaned_data", {}).get("service")
            if service is None:
                continue
            if service.pk in seen:
                form.add_error("service", message)
                duplicate = True
            seen.add(service.pk)
        if duplicate:
            raise ValidationError(message)
        super().clean()


# --- reply wording ------------------------------------------------------------


class ReplyWordingForm(forms.ModelForm):
    class Meta:
        model = ReplyWording
        fields = ["verdict", "language", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 14, "cols": 90})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _(
            "Placeholders in braces are filled in for each reply: %(placeholders)s. "
            "Write a literal brace as {{ or }}."
        ) % {"placeholders": ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        problems = template_problems(text)
        if problems:
            raise ValidationError(problems)
        return text


# --- import -------------------------------------------------------------------


class ContractFileForm(forms.Form):
    file = forms.FileField(
        label=_("Contract file"),
        required=False,
        help_text=_("A .yaml file in the form of examples/contract-*.yaml."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )
    text = forms.CharField(
        label=_("…or paste it"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 90, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text") or ""
        if upload and text.strip():
            raise ValidationError(_("Upload a file or paste the text, not both."))
        if upload:
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(
                    _("%(name)s is not UTF-8 text."), params={"name": upload.name}
                ) from None
            data["source"] = upload.name
        elif text.strip():
            data["content"], data["source"] = text, _("pasted text")
        else:
            raise ValidationError(_("Choose a contract file or paste its text."))
        return data


# --- the try box --------------------------------------------------------------

SOMEONE_ELSE = "*"


class TryRequestForm(forms.Form):
    """A sample request to decide, as one of the customer's contacts or a stranger."""

    sender = forms.ChoiceField(label=_("From"))
    other_email = forms.EmailField(
        label=_("Someone else's e-mail"),
        required=False,
        help_text=_("Only when the request comes from someone else."),
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 5, "cols": 70}), max_length=10000
    )
    service = forms.ChoiceField(label=_("Service picked"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=PRIORITY_CHOICES, initial="normal")
    at = forms.DateTimeField(
        label=_("Moment"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(
        self,
        *args,
        contacts: Iterable[Contact],
        services: Iterable[terms.ServiceEntry],
        timezone_name: str,
        now: datetime,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.timezone_name = timezone_name
        cast(forms.ChoiceField, self.fields["sender"]).choices = [
            (
                c.user.email,
                f"{c.name} <{c.user.email}> ({ROLE_LABELS[c.role].lower()}, {c.reply_language})",
            )
            for c in contacts
        ] + [(SOMEONE_ELSE, _("someone else…"))]
        language = current_language()
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            ("", _("none — let the desk recognise it"))
        ] + [(s.code, f"{s.code} — {s.name(language)}") for s in services]
        self.fields["at"].help_text = _("In %(zone)s time, or with an offset.") % {
            "zone": timezone_name
        }
        self.fields["at"].initial = timezone.localtime(now, zone(timezone_name)).replace(
            tzinfo=None, second=0, microsecond=0
        )

    def full_clean(self):
        # A moment without an offset is read in the contract's support-hours time zone.
        with timezone.override(self.timezone_name):
            super().full_clean()

    def clean(self):
        data = super().clean()
        someone_else = data.get("sender") == SOMEONE_ELSE
        if someone_else and not data.get("other_email") and "other_email" not in self.errors:
            self.add_error("other_email", _("Type the address the request comes from."))
        return data

    def scope_request(self) -> ScopeRequest:
        data = self.cleaned_data
        email = data["other_email"] if data["sender"] == SOMEONE_ELSE else data["sender"]
        return ScopeRequest(
            email=email,
            text=data["text"],
            subject=data["subject"],
            service=data["service"] or None,
            priority=data["priority"],
        )
