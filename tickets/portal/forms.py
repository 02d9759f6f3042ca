"""The portal's forms: they validate what a contact sends; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contracts.engine import terms
from tickets.attachments import attachment_check
from tickets.portal.words import SCORE_WORDS, priority_choice
from tickets.services import TicketError
from tickets.services.long_text import BODY_MAX, too_long


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files, each checked as the desk checks every attachment."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        single = super().clean
        cleaned = [single(upload, initial) for upload in uploads if upload]
        if len(cleaned) > settings.ATTACHMENTS_PER_TICKET:
            raise forms.ValidationError(
                _("You can add at most %(n)d files; please put more into a zip file.")
                % {"n": settings.ATTACHMENTS_PER_TICKET}
            )
        errors = []
        for upload in cleaned:
            try:
                attachment_check(upload)
            except TicketError as exc:
                errors.append(str(exc))
        if errors:
            raise forms.ValidationError(errors)
        return cleaned


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        required=False,
        label=gettext_lazy("Files (optional)"),
        help_text=gettext_lazy("Screenshots, logs or documents that help us see the problem."),
    )


def body_within_limit(body: str) -> str:
    """The body's limit is checked here, not by a maxlength on the text box: a
    browser cuts a pasted text at maxlength without a word, and the customer sends
    the beginning believing it is the whole. Refused, the text stays in the form."""
    if len(body) > BODY_MAX:
        raise forms.ValidationError(too_long(len(body)), code="max_length")
    return body


class TicketForm(forms.Form):
    subject = forms.CharField(
        max_length=200,
        label=gettext_lazy("Subject"),
        help_text=gettext_lazy("A few words, for example: Mail to info@ is not arriving."),
    )
    body = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label=gettext_lazy("What do you need?"),
        help_text=gettext_lazy(
            "Tell us what happened, what you expected, and since when. Addresses, links "
            "and error messages help us a lot."
        ),
    )
    service = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Which service is it about?"),
        help_text=gettext_lazy("Not sure? Leave it: we will work it out from your description."),
    )
    priority = forms.ChoiceField(label=gettext_lazy("How urgent is it?"), initial="normal")
    attachments = _files_field()

    def __init__(self, *args, coverage_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("I'm not sure, please decide for me"))]
        for line in coverage_lines:
            choices.append((line.service, f"{line.name} · {line.label}"))
        self.fields["service"].choices = choices
        self.fields["priority"].choices = [
            (p, priority_choice(p)) for p in reversed(terms.PRIORITIES)
        ]

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Please tell us what you need."))
        return body_within_limit(body)


class ReplyForm(forms.Form):
    body = forms.CharField(
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=gettext_lazy("Your reply"),
    )
    attachments = _files_field()

    def clean_body(self):
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(_("Write something first."))
        return body_within_limit(body)


class EscalateForm(forms.Form):
    reason = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("What went wrong?"),
        help_text=gettext_lazy("A few sentences are enough. A manager will read them."),
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, SCORE_WORDS[n]) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        label=gettext_lazy("How did we do?"),
    )
    comment = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Anything you would like to tell us? (optional)"),
    )
