"""The contract editor's page where leads review the recognition phrases that the
desk's tickets suggest: accept (the phrase joins the catalogue) or reject (it is
not suggested again). Nothing changes recognition until a lead accepts."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.forms import current_language
from contracts.learning import (
    SuggestionError,
    may_review_phrases,
    phrase_suggestion_accept,
    phrase_suggestion_reject,
    phrase_suggestions_decided,
    phrase_suggestions_for_review,
    phrase_suggestions_refresh,
)
from contracts.models import RecognitionExample

DECISIONS = {"accept": phrase_suggestion_accept, "reject": phrase_suggestion_reject}


def phrase_review_view(request: HttpRequest, *, model_admin) -> HttpResponse:
    """GET lists the pending suggestions; POST decides one, or looks for new ones."""
    if not may_review_phrases(request.user):
        raise PermissionDenied
    if request.method == "POST":
        _act(request)
        return HttpResponseRedirect(reverse("admin:contracts_service_phrases"))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Suggested recognition phrases"),
        "subtitle": None,
        "opts": model_admin.opts,
        "groups": phrase_suggestions_for_review(current_language()),
        "decided": phrase_suggestions_decided(),
        "examples": RecognitionExample.objects.count(),
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/contracts/service/phrases.html", context)


def _act(request: HttpRequest) -> None:
    if "refresh" in request.POST:
        pending = phrase_suggestions_refresh()
        text = ngettext(
            "Looked through the tickets kept: %(count)d suggestion waits.",
            "Looked through the tickets kept: %(count)d suggestions wait.",
            pending,
        )
        messages.success(request, text % {"count": pending})
        return
    decide = DECISIONS.get(request.POST.get("decision", ""))
    suggestion_id = request.POST.get("suggestion", "")
    if decide is None or not suggestion_id.isdigit() or len(suggestion_id) > 18:
        messages.error(request, _("Choose Accept or Reject for a suggestion."))
        return
    try:
        # The admin lets only a logged-in lead this far.
        lead = cast(User, request.user)
        suggestion = decide(suggestion_id=int(suggestion_id), by=lead)
    except SuggestionError as exc:
        messages.error(request, str(exc))
        return
    if suggestion.status == suggestion.Status.ACCEPTED:
        text = _("“%(phrase)s” now recognises %(service)s (%(language)s).")
    else:
        text = _("“%(phrase)s” is set aside and will not be suggested again.")
    messages.success(
        request,
        text
        % {
            "phrase": suggestion.phrase,
            "service": suggestion.service.code,
            "language": suggestion.language,
        },
    )
