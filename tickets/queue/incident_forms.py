"""The forms of the queue's incident pages. They check input only; the incident
services decide what is allowed (and say why not)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from contracts.models import Customer, Service
from tickets.models import Incident
from tickets.queue.forms import MAX_BODY, QueueForm, _staff

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TEXT_LABELS = {
    "en": _("In English"),
    "ru": _("In Russian"),
    "fi": _("In Finnish"),
    "lv": _("In Latvian"),
}


class MomentField(forms.DateTimeField):
    """A moment picked in the browser's own control, read in the desk's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ServiceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Service) -> str:
        return obj.name(translation.get_language() or "en")


class TextsForm(QueueForm):
    """What customers read, written in as many of their languages as we can: the
    others get the first text with a word that the translation follows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in LANGUAGES:
            self.fields[f"text_{code}"] = forms.CharField(
                label=TEXT_LABELS.get(code, code),
                max_length=MAX_BODY,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
            )

    def text_fields(self):
        return [self[f"text_{code}"] for code in LANGUAGES]

    def clean(self):
        data = super().clean()
        if not any((data.get(f"text_{code}") or "").strip() for code in LANGUAGES):
            raise ValidationError(_("Write what customers should know, in at least one language."))
        return data

    @property
    def texts(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"text_{code}") or "" for code in LANGUAGES}


class IncidentOpenForm(TextsForm):
    prefix = "open"
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("In customers' words: what does not work for them?"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Incident.Kind.choices)
    services = ServiceChoices(
        label=_("Affected services"),
        queryset=Service.objects.order_by("position", "code"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one affected service.")},
    )
    customers = forms.ModelMultipleChoiceField(
        label=_("Only these customers"),
        queryset=Customer.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_(
            "Leave empty to tell every customer whose contract includes an affected service."
        ),
    )
    our_fault = forms.BooleanField(
        label=_("It is our fault"),
        required=False,
        initial=True,
        help_text=_("Customers are told so plainly, with an apology."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=_staff().order_by("first_name", "username"),
        help_text=_("The named person customers may contact about it."),
    )
    started_at = MomentField(label=_("Started at"), required=False, help_text=_("Blank: now."))
    eta = MomentField(label=_("Expected fix"), required=False)
    next_update_at = MomentField(label=_("Next update due"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username


class IncidentUpdateForm(TextsForm):
    prefix = "update"
    eta = MomentField(label=_("Expected fix"), required=False)
    next_update_at = MomentField(label=_("Next update due"), required=False)


class IncidentResolveForm(TextsForm):
    prefix = "resolve"
    resolved_at = MomentField(label=_("Resolved at"), required=False, help_text=_("Blank: now."))


class IncidentReviewForm(QueueForm):
    prefix = "review"
    cause = forms.CharField(
        label=_("Cause"),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    changes = forms.CharField(
        label=_("What we change"),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class IncidentLinkForm(QueueForm):
    incident = forms.ModelChoiceField(
        label=_("Incident"),
        queryset=Incident.objects.filter(resolved_at=None),
        required=False,
        error_messages={"invalid_choice": _("That incident is resolved or does not exist.")},
    )
