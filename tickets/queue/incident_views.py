"""The queue's incident pages: the list, opening one, and an incident's page with
its news, the all-clear, the delivery of its notices, its tickets and the
internal review; and linking a ticket to an incident from the ticket page.

Like the ticket pages: validate, call one service, redirect; a refusal is shown
beside the form that asked, with what was typed kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tickets import services
from tickets.models import Incident
from tickets.queue import incident_forms as forms
from tickets.queue.incident_selectors import incident_lists, incident_page
from tickets.queue.views import _act, staff_only


@require_GET
@staff_only
def incident_list(request: HttpRequest) -> HttpResponse:
    open_incidents, resolved = incident_lists()
    return render(
        request,
        "queue/incidents.html",
        {"open_incidents": open_incidents, "resolved": resolved, "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
@staff_only
def incident_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = forms.IncidentOpenForm(
            initial={"owner": request.user, "next_update_at": now + timedelta(hours=1)}
        )
        return render(request, "queue/incident_new.html", {"form": form})
    form = forms.IncidentOpenForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_open(
                by=cast(User, request.user),  # staff_only let only staff in
                title=data["title"],
                kind=data["kind"],
                services=data["services"],
                customers=data["customers"],
                our_fault=data["our_fault"],
                owner=data["owner"],
                started_at=data["started_at"],
                eta=data["eta"],
                next_update_at=data["next_update_at"],
                texts=form.texts,
            )
        except services.TicketError as exc:
            form.add_error(None, str(exc))
            status = 403 if isinstance(exc, services.NotAllowed) else 409
        else:
            messages.success(
                request, _("The incident is open. Every affected contact is being told now.")
            )
            return redirect("queue:incident", incident.pk)
    return render(request, "queue/incident_new.html", {"form": form}, status=status)


def _page(request: HttpRequest, pk: int, *, status: int = 200, **forms_given) -> HttpResponse:
    try:
        page = incident_page(incident_id=pk, user=request.user)
    except Incident.DoesNotExist:
        raise Http404 from None
    context = {
        "p": page,
        "incident": page.incident,
        "update_form": forms.IncidentUpdateForm(),
        "resolve_form": forms.IncidentResolveForm(),
        "review_form": forms.IncidentReviewForm(
            initial={"cause": page.incident.cause, "changes": page.incident.changes}
        ),
        **forms_given,
    }
    return render(request, "queue/incident.html", context, status=status)


@require_GET
@staff_only
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


def _incident_action(request, pk: int, *, form_class, name: str, call) -> HttpResponse:
    """Validate ``form_class``, run ``call(data, form)`` and come back to the page:
    with its message, or with the form and the reason it was refused."""
    if not Incident.objects.filter(pk=pk).exists():
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        return _page(request, pk, status=400, **{name: form})
    try:
        text = call(form.cleaned_data, form)
    except services.TicketError as exc:
        form.add_error(None, str(exc))
        if isinstance(exc, services.NotAllowed) or (
            name != "review_form" and not Incident.objects.filter(pk=pk, resolved_at=None).exists()
        ):
            # The page shows no such form to this person (or no longer, once the
            # incident is resolved): the reason is said on top instead.
            messages.error(request, str(exc))
        status = 403 if isinstance(exc, services.NotAllowed) else 409
        return _page(request, pk, status=status, **{name: form})
    messages.success(request, text)
    return redirect(reverse("queue:incident", args=[pk]))


@require_POST
@staff_only
def incident_update(request: HttpRequest, pk: int) -> HttpResponse:
    def call(data, form):
        services.incident_post_update(
            incident_id=pk,
            by=request.user,
            texts=form.texts,
            eta=data["eta"],
            next_update_at=data["next_update_at"],
        )
        return _("Update posted. The affected contacts are being told.")

    return _incident_action(
        request, pk, form_class=forms.IncidentUpdateForm, name="update_form", call=call
    )


@require_POST
@staff_only
def incident_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def call(data, form):
        services.incident_resolve(
            incident_id=pk, by=request.user, texts=form.texts, resolved_at=data["resolved_at"]
        )
        return _("Resolved. The all-clear is on its way, and the linked tickets are resolved.")

    return _incident_action(
        request, pk, form_class=forms.IncidentResolveForm, name="resolve_form", call=call
    )


@require_POST
@staff_only
def incident_review(request: HttpRequest, pk: int) -> HttpResponse:
    def call(data, form):
        services.incident_review_save(
            incident_id=pk, by=request.user, cause=data["cause"], changes=data["changes"]
        )
        return _("Review saved.")

    return _incident_action(
        request, pk, form_class=forms.IncidentReviewForm, name="review_form", call=call
    )


@require_POST
@staff_only
def ticket_incident(request: HttpRequest, pk: int) -> HttpResponse:
    """Link the ticket to an open incident of its customer, or unlink it."""

    def call(ticket, data):
        incident = data["incident"]
        services.incident_ticket_link(
            ticket_id=ticket.pk, incident_id=incident.pk if incident else None, by=request.user
        )
        if incident is None:
            return _("The ticket is no longer linked to an incident.")
        return _("Linked to the incident “%(title)s”.") % {"title": incident.title}

    return _act(request, pk, form_class=forms.IncidentLinkForm, slot="incident", call=call)
