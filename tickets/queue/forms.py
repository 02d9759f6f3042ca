"""The forms behind the queue's actions. They validate input only; the services
decide what is allowed."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contracts.api import IdFormField
from contracts.models import PRIORITY_LABELS, VERDICT_LABELS, Service
from tickets.models import Status, Ticket
from tickets.services.override_messages import OVERRIDE_VERDICTS

MAX_BODY = 50_000


class QueueForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _staff():
    return get_user_model().objects.filter(is_staff=True, is_active=True)


class ReplyForm(QueueForm):
    prefix = "reply"
    body = forms.CharField(
        label=_("Reply to the customer"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6, "data-submit-on-ctrl-enter": ""}),
        help_text=_("E-mailed to the requester. Ctrl+Enter sends."),
    )


class NoteForm(QueueForm):
    prefix = "note"
    body = forms.CharField(
        label=_("Internal note"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "data-submit-on-ctrl-enter": ""}),
        help_text=_("Only the support team sees notes."),
    )


class AssignForm(QueueForm):
    assignee = forms.ModelChoiceField(
        queryset=_staff(), to_field_name="username", required=False, label=_("Assignee")
    )


class StatusForm(QueueForm):
    status = forms.ChoiceField(choices=Status.choices, label=_("Status"))


class PriorityForm(QueueForm):
    priority = forms.ChoiceField(choices=list(PRIORITY_LABELS.items()), label=_("Priority"))


class ServiceForm(QueueForm):
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(), to_field_name="code", label=_("Service")
    )


class TimeEntryForm(QueueForm):
    prefix = "time"
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=24 * 60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 1}),
    )
    worked_on = forms.DateField(
        label=_("Worked on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Blank: today."),
    )
    note = forms.CharField(label=_("What was done"), max_length=500, required=False)
    # A mixed ticket's part (its id); blank: the leading part. The service checks
    # that it is a part of this ticket's current decision.
    part = IdFormField(label=_("For the part"), required=False)


class OverrideForm(QueueForm):
    prefix = "override"
    verdict = forms.ChoiceField(
        choices=[(v.value, VERDICT_LABELS[v.value]) for v in OVERRIDE_VERDICTS],
        label=_("New verdict"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. Kept with the decision and shown to the team."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("Write down why you override the verdict."))
        return reason


class BulkAssignForm(QueueForm):
    tickets = forms.ModelMultipleChoiceField(
        queryset=Ticket.objects.none(),
        label=_("Tickets"),
        error_messages={"required": _("Select at least one ticket first.")},
    )
    assignee = forms.ModelChoiceField(
        queryset=_staff(), to_field_name="username", required=False, label=_("Assign to")
    )

    def __init__(self, *args, tickets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tickets is not None:
            self.fields["tickets"].queryset = tickets


class BulkChangeForm(QueueForm):
    """Status, priority or close for the selected tickets (assignment has its own)."""

    tickets = forms.ModelMultipleChoiceField(
        queryset=Ticket.objects.none(),
        label=_("Tickets"),
        error_messages={"required": _("Select at least one ticket first.")},
    )
    action = forms.ChoiceField(
        choices=[("status", _("Status")), ("priority", _("Priority")), ("close", _("Close"))]
    )
    status = forms.ChoiceField(
        choices=[("", ""), *list(Status.choices)], required=False, label=_("Status")
    )
    priority = forms.ChoiceField(
        choices=[("", ""), *list(PRIORITY_LABELS.items())], required=False, label=_("Priority")
    )

    def __init__(self, *args, tickets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tickets is not None:
            self.fields["tickets"].queryset = tickets


class SavedViewForm(QueueForm):
    name = forms.CharField(label=_("Name of the view"), max_length=80, strip=True)
    query = forms.CharField(max_length=2000, required=False)
