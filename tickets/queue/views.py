"""The technicians' queue: the list of tickets and the ticket page with its actions.

Every view validates, calls one selector or service and renders. Actions answer
htmx with the panels that changed (swapped out of band), and plain form posts
with a redirect, so the pages work with JavaScript off as well. A refusal is
shown next to the form that asked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from contracts.engine import hours
from tickets import services
from tickets.models import CannedReply, SavedView, Ticket
from tickets.queue import forms
from tickets.queue.display import format_span
from tickets.queue.selectors import (
    SAVED_VIEWS,
    SLA_SHORTCUTS,
    customers_matching,
    new_tickets_count,
    queue_page,
    queue_row,
    saved_query,
    ticket_workspace,
)
from tickets.selectors import (
    month_start,
    sees_everyones_time,
    tickets_visible_to,
    time_by_technician,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


def staff_only(view: Callable) -> Callable:
    """Anonymous visitors log in first; customers' contacts are turned away."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if is_htmx(request):
                # A session that ran out mid-work: htmx follows this to the login page.
                back = request.headers.get("HX-Current-URL") or reverse("queue:list")
                response = HttpResponse(status=204)
                response["HX-Redirect"] = redirect_to_login(back)["Location"]
                return response
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            return render(request, "queue/not_staff.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def leads_only(permission: str, *, why: StrOrPromise) -> Callable[[Callable], Callable]:
    """Staff holding a lead's ``permission`` only; others read ``why`` on a page
    that says so (and where to turn)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            if not request.user.has_perm(permission):
                return render(request, "queue/leads_only.html", {"why": why}, status=403)
            return view(request, *args, **kwargs)

        return staff_only(wrapped)

    return decorator


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- the list --------------------------------------------------------------------


@require_GET
@staff_only
def ticket_list(request: HttpRequest) -> HttpResponse:
    queue = queue_page(user=request.user, params=request.GET, request=request)
    context = {
        "queue": queue,
        "saved_views": SAVED_VIEWS,
        "sla_shortcuts": SLA_SHORTCUTS,
        "next_url": request.get_full_path(),
    }
    # The filter form asks htmx for the results only; the rest of the page stays.
    if is_htmx(request) and request.headers.get("HX-Target") == "queue-results":
        return render(request, "queue/_results.html", {**context, "oob_tabs": True})
    context["my_views"] = list(SavedView.objects.filter(user=cast(User, request.user)))
    context["current_query"] = saved_query(request.GET)
    return render(request, "queue/list.html", context)


@require_GET
@staff_only
def customer_suggestions(request: HttpRequest) -> HttpResponse:
    """The customer filter's suggestions (a <datalist>'s options) for what was
    typed in it: htmx asks as the person types."""
    customers = customers_matching(request.GET.get("customer", "")[:100])
    return render(request, "queue/_customer_options.html", {"customers": customers})


@require_POST
@staff_only
def bulk_assign(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("queue:list")
    form = forms.BulkAssignForm(request.POST, tickets=tickets_visible_to(request.user))
    if not form.is_valid():
        messages.error(request, _error_text(form))
        return redirect(back)
    assignee = form.cleaned_data["assignee"]
    tickets = form.cleaned_data["tickets"]
    try:
        count = services.tickets_assign(ticket_ids=[t.pk for t in tickets], assignee=assignee)
    except services.TicketError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if assignee is None:
        text = ngettext(
            "%(count)d ticket is now unassigned.", "%(count)d tickets are now unassigned.", count
        ) % {"count": count}
    else:
        text = ngettext(
            "%(count)d ticket assigned to %(name)s.",
            "%(count)d tickets assigned to %(name)s.",
            count,
        ) % {"count": count, "name": assignee.get_full_name() or assignee.get_username()}
    messages.success(request, text)
    return redirect(back)


def _back(request: HttpRequest) -> str:
    """Where a list form sends the person back to: the list they were on."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("queue:list")
    return back


def may_change_tickets(view: Callable) -> Callable:
    """Changes from the list need the ticket permission the staff groups hold; a
    member of staff in neither group reads the queue only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.has_perm("tickets.change_ticket"):
            return HttpResponse(_("You may not change tickets."), status=403)
        return view(request, *args, **kwargs)

    return wrapped


BULK_DONE = {
    "status": _("Status changed on %(count)d of the selected tickets."),
    "priority": _("Priority changed on %(count)d of the selected tickets."),
    "close": _("%(count)d of the selected tickets resolved."),
}


@require_POST
@staff_only
@may_change_tickets
def bulk_change(request: HttpRequest) -> HttpResponse:
    """Status, priority or close for the selected tickets, each ticket as its own
    change would go; those it does not suit are named, not failed silently."""
    back = _back(request)
    form = forms.BulkChangeForm(request.POST, tickets=tickets_visible_to(request.user))
    if not form.is_valid():
        messages.error(request, _error_text(form))
        return redirect(back)
    ids = [t.pk for t in form.cleaned_data["tickets"]]
    action = form.cleaned_data["action"]
    try:
        if action == "status":
            if not form.cleaned_data["status"]:
                raise services.TicketError(_("Choose a status first."))
            count, left = services.tickets_change_status(
                ticket_ids=ids, status=form.cleaned_data["status"]
            )
        elif action == "priority":
            if not form.cleaned_data["priority"]:
                raise services.TicketError(_("Choose a priority first."))
            count, left = services.tickets_change_priority(
                ticket_ids=ids, priority=form.cleaned_data["priority"], by=cast(User, request.user)
            )
        else:
            count, left = services.tickets_close(ticket_ids=ids)
    except services.TicketError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, BULK_DONE[action] % {"count": count})
    if left:
        messages.warning(
            request,
            _("Left as they were (the change does not suit them): %(numbers)s.")
            % {"numbers": ", ".join(f"#{pk}" for pk in left)},
        )
    return redirect(back)


ROW_FORMS = {
    "assignee": forms.AssignForm,
    "status": forms.StatusForm,
    "priority": forms.PriorityForm,
    "service": forms.ServiceForm,
}


@require_POST
@staff_only
def row_change(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """One field of one ticket, changed on its row of the list: answered with the
    row again (htmx swaps it), or a redirect back to the list without JavaScript.
    The same services as the ticket page's forms."""
    if field not in ROW_FORMS:
        raise Http404
    ticket = tickets_visible_to(request.user).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    # Each row's selects are named after its ticket (``row-12-status``): every row
    # sits in the one bulk form, whose values htmx sends along.
    form = ROW_FORMS[field](request.POST, prefix=f"row-{pk}")
    error, status = "", 200
    if not request.user.has_perm("tickets.change_ticket"):
        error, status = _("You may not change tickets."), 403
    elif not form.is_valid():
        error, status = _error_text(form), 400
    else:
        data = form.cleaned_data
        try:
            if field == "assignee":
                services.ticket_assign(ticket_id=pk, assignee=data["assignee"])
            elif field == "status" and data["status"] != ticket.status:
                services.ticket_change_status(ticket_id=pk, status=data["status"])
            elif field == "priority" and data["priority"] != ticket.priority:
                services.ticket_change_priority(
                    ticket_id=pk, priority=data["priority"], by=cast(User, request.user)
                )
            elif field == "service":
                services.ticket_change_service(
                    ticket_id=pk, service=data["service"].code, by=cast(User, request.user)
                )
        except services.NotAllowed as exc:
            error, status = str(exc), 403
        except services.TicketError as exc:
            error, status = str(exc), 409
    if not is_htmx(request):
        if error:
            messages.error(request, error)
        return redirect(_back(request))
    row = queue_row(ticket_id=pk, user=request.user)
    context = {"row": row, "row_error": error}
    return render(request, "queue/_row.html", context, status=status)


@require_GET
@staff_only
def news(request: HttpRequest) -> HttpResponse:
    """What the list polls: how many tickets came in since it was drawn. A
    banner to click, never the table replaced under the person's cursor."""
    since = request.GET.get("since", "")
    count = new_tickets_count(user=request.user, since=int(since)) if since.isdecimal() else 0
    return render(request, "queue/_news.html", {"new_count": count})


@require_POST
@staff_only
def saved_view_save(request: HttpRequest) -> HttpResponse:
    form = forms.SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _error_text(form))
        return redirect(_back(request))
    query = saved_query(QueryDict(form.cleaned_data["query"]))
    view, _created = SavedView.objects.update_or_create(
        user=cast(User, request.user), name=form.cleaned_data["name"], defaults={"query": query}
    )
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(reverse("queue:list") + (f"?{query}" if query else ""))


@require_POST
@staff_only
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Another person's view is not found: nobody learns that it exists.
    view = SavedView.objects.filter(pk=pk, user=cast(User, request.user)).first()
    if view is None:
        raise Http404
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(_back(request))


@require_GET
@staff_only
def time_report(request: HttpRequest) -> HttpResponse:
    """Minutes worked in a month per technician (``?month=2026-11``): covered,
    billable and goodwill. Leads see everyone, technicians themselves."""
    this_month = month_start(None)
    try:
        first_day = month_start(request.GET.get("month"))
    except ValueError:
        first_day = this_month
    rows = time_by_technician(first_day=first_day, user=request.user)
    context = {
        "month": first_day,
        "previous": (first_day - timedelta(days=1)).replace(day=1),
        "next": hours.first_of_next_month(first_day) if first_day < this_month else None,
        "rows": rows,
        "totals": {
            part: sum(getattr(row, part) for row in rows)
            for part in ("covered", "billable", "goodwill", "total")
        },
        "everyone": sees_everyones_time(request.user),
    }
    return render(request, "queue/time.html", context)


# --- the ticket page -------------------------------------------------------------


def _workspace(request: HttpRequest, pk: int):
    try:
        return ticket_workspace(ticket_id=pk, user=request.user)
    except Ticket.DoesNotExist:
        raise Http404 from None


def _page_context(request: HttpRequest, workspace, **extra) -> dict:
    context = {
        "w": workspace,
        "reply_form": forms.ReplyForm(),
        "note_form": forms.NoteForm(),
        "time_form": forms.TimeEntryForm(),
        "override_form": forms.OverrideForm(),
    }
    context.update(extra)
    return context


@require_GET
@staff_only
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workspace = _workspace(request, pk)
    extra = {}
    canned = request.GET.get("canned", "")
    if canned.isdecimal():  # not isdigit: "²" is a digit that int() refuses
        # Without JavaScript, picking a canned reply reloads the page with it filled in.
        reply = CannedReply.objects.filter(pk=int(canned)).first()
        if reply is not None:
            extra["reply_form"] = forms.ReplyForm(initial={"body": reply.body})
    return render(request, "queue/ticket.html", _page_context(request, workspace, **extra))


def _error_text(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _act(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type,
    slot: str,
    call: Callable[[Ticket, dict], str],
) -> HttpResponse:
    """Validate the form, run the action's service and answer with the result.

    ``slot`` names the place on the page where the outcome is said: the panel of
    the form that was sent."""
    ticket = tickets_visible_to(request.user).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        return _refused(request, pk, slot, _error_text(form), form=form, status=400)
    try:
        text = call(ticket, form.cleaned_data)
    except services.NotAllowed as exc:
        # Not for this person's role (only leads override): said beside the form.
        return _refused(request, pk, slot, str(exc), form=form, status=403)
    except services.TicketError as exc:
        return _refused(request, pk, slot, str(exc), form=form, status=409)
    if not is_htmx(request):
        messages.success(request, text)
        return redirect(reverse("queue:ticket", args=[pk]) + f"#{slot}")
    workspace = _workspace(request, pk)
    context = _page_context(
        request, workspace, feedback={"slot": slot, "text": text, "ok": True}, oob=True
    )
    # The compose forms are sent back only after a message went out, so that
    # other actions never wipe a reply that is being written.
    context["with_compose"] = slot in ("reply", "note")
    return render(request, "queue/_ticket_update.html", context)


def _refused(request, pk: int, slot: str, text: str, *, form, status: int) -> HttpResponse:
    feedback = {"slot": slot, "text": text, "ok": False}
    if is_htmx(request):
        return render(request, "queue/_feedback.html", {"feedback": feedback}, status=status)
    workspace = _workspace(request, pk)
    forms_by_slot = {
        "reply": "reply_form",
        "note": "note_form",
        "time": "time_form",
        "decision": "override_form",
    }
    extra = {"feedback": feedback}
    if slot in forms_by_slot:
        extra[forms_by_slot[slot]] = form  # keep what was typed
    return render(
        request, "queue/ticket.html", _page_context(request, workspace, **extra), status=status
    )


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@require_POST
@staff_only
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    def call(ticket, data):
        services.message_post(ticket_id=ticket.pk, author=request.user, body=data["body"])
        return _("Your reply was sent to the customer.")

    return _act(request, pk, form_class=forms.ReplyForm, slot="reply", call=call)


@require_POST
@staff_only
def note(request: HttpRequest, pk: int) -> HttpResponse:
    def call(ticket, data):
        services.message_post(
            ticket_id=ticket.pk, author=request.user, body=data["body"], internal=True
        )
        return _("Internal note added.")

    return _act(request, pk, form_class=forms.NoteForm, slot="note", call=call)


@require_POST
@staff_only
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def call(ticket, data):
        assignee = data["assignee"]
        services.ticket_assign(ticket_id=ticket.pk, assignee=assignee)
        if assignee is None:
            return _("The ticket is unassigned.")
        return _("Assigned to %(name)s.") % {"name": _name(assignee)}

    return _act(request, pk, form_class=forms.AssignForm, slot="summary", call=call)


@require_POST
@staff_only
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    def call(ticket, data):
        if data["status"] == ticket.status:
            return _("The status stays %(status)s.") % {"status": ticket.get_status_display()}
        ticket = services.ticket_change_status(ticket_id=ticket.pk, status=data["status"])
        return _("Status changed to %(status)s.") % {"status": ticket.get_status_display()}

    return _act(request, pk, form_class=forms.StatusForm, slot="summary", call=call)


@require_POST
@staff_only
def change_priority(request: HttpRequest, pk: int) -> HttpResponse:
    def call(ticket, data):
        if data["priority"] == ticket.priority:
            return _("The priority stays as it was.")
        services.ticket_change_priority(
            ticket_id=ticket.pk, priority=data["priority"], by=cast(User, request.user)
        )
        return _("Priority changed; the SLA due times follow it.")

    return _act(request, pk, form_class=forms.PriorityForm, slot="summary", call=call)


@require_POST
@staff_only
def change_service(request: HttpRequest, pk: int) -> HttpResponse:
    def call(ticket, data):
        services.ticket_change_service(
            ticket_id=ticket.pk, service=data["service"].code, by=cast(User, request.user)
        )
        return _("Service changed. The ticket was checked against the contract again.")

    return _act(request, pk, form_class=forms.ServiceForm, slot="summary", call=call)


@require_POST
@staff_only
def log_time(request: HttpRequest, pk: int) -> HttpResponse:
    def call(ticket, data):
        entries = services.time_entry_log(
            ticket_id=ticket.pk,
            technician=request.user,
            minutes=data["minutes"],
            note=data["note"],
            worked_on=data["worked_on"],
            part_id=data.get("part"),
        )
        parts = [
            f"{format_span(entry.counted_minutes)} ({entry.get_kind_display()})"
            for entry in entries
        ]
        return _("Time logged: %(parts)s.") % {"parts": "; ".join(parts)}

    return _act(request, pk, form_class=forms.TimeEntryForm, slot="time", call=call)


@require_POST
@staff_only
def override(request: HttpRequest, pk: int) -> HttpResponse:
    # Only leads see the form; the service refuses anyone else who posts it (403).
    def call(ticket, data):
        services.decision_override(
            ticket_id=ticket.pk, lead=request.user, verdict=data["verdict"], reason=data["reason"]
        )
        return _("Verdict overridden. The new decision names you and your reason.")

    return _act(request, pk, form_class=forms.OverrideForm, slot="decision", call=call)
