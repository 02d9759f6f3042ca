"""The customer ticket portal: a contact's tickets, a new ticket, one ticket with
its conversation and offer, and what the contract covers.

Every object is looked up through ``tickets_visible_to`` (a requester sees their
own tickets, a manager their organisation's): asking for anyone else's ticket,
offer or file gets a 404, which does not even confirm that it exists.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.coverage import on_call_price
from contracts.engine import hours, terms
from contracts.replies import format_money
from tickets import services
from tickets.attachments import attachment_response
from tickets.models import Incident, Offer, Status, Ticket
from tickets.paging import IdsFirstPaginator
from tickets.portal import words
from tickets.portal.forms import EscalateForm, RatingForm, ReplyForm, TicketForm
from tickets.portal.selectors import person_name, portal_incident, portal_ticket
from tickets.selectors import (
    allowance_summary,
    attachments_visible_to,
    contract_coverage,
    incidents_visible_to,
    month_start,
    portal_tickets,
    tickets_visible_to,
)
from tickets.statement_display import (
    neighbour_months,
    statement_csv,
    statement_month,
    statement_page,
)
from tickets.statements import customer_statement
from tickets.uptime import status_page_uptime

PAGE_SIZE = 25
STATES = {
    "open": Q(status__in=Status.UNRESOLVED),
    "yours": Q(status__in=Status.CUSTOMERS_TURN),
    "done": Q(status__in=Status.DONE),
}


def portal_page(view):
    """Contacts only: anonymous visitors log in first, staff go to the queue. The
    pages show times in the customer's time zone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if user.is_staff:
            return redirect("queue:list")
        contact = getattr(user, "contact", None)
        if contact is None:
            return render(request, "no_access.html", status=403)
        request.contact = contact
        # The banner on every portal page: one query, made once, when it is shown.
        request.open_incidents = SimpleLazyObject(lambda: open_incidents(user))
        with timezone.override(hours.zone(contact.customer.timezone)):
            return view(request, *args, **kwargs)

    return wrapper


def _is_manager(request) -> bool:
    return request.contact.role == terms.Role.MANAGER


def _visible_ticket(request, pk: int) -> Ticket:
    return get_object_or_404(
        tickets_visible_to(request.user).select_related(
            "service", "contract", "requester__contact", "customer__account_manager"
        ),
        pk=pk,
    )


# --- my tickets ----------------------------------------------------------------


@portal_page
@require_GET
def ticket_list(request):
    manager = _is_manager(request)
    whose = "all" if manager and request.GET.get("whose") == "all" else "mine"
    state = request.GET.get("state", "")
    if state not in STATES:
        state = "all"

    def narrowed(tickets):
        return tickets if whose == "all" else tickets.filter(requester=request.user)

    counts = narrowed(tickets_visible_to(request.user)).aggregate(
        all=Count("pk"),
        **{name: Count("pk", filter=condition) for name, condition in STATES.items()},
    )
    tickets = narrowed(portal_tickets(request.user))
    if state != "all":
        tickets = tickets.filter(STATES[state])
    paginator = IdsFirstPaginator(tickets, PAGE_SIZE)
    paginator.count = counts[state]  # counted above already: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    language = get_language()
    for ticket in page:
        ticket.status_text = words.status_words(ticket.status)
        ticket.verdict_text = words.verdict_tag(ticket.verdict)
        ticket.your_turn = ticket.status in Status.CUSTOMERS_TURN or ticket.has_pending_offer
        ticket.service_name = ticket.service.name(language) if ticket.service else ""
        ticket.requester_name = person_name(ticket.requester)
    return render(
        request,
        "portal/ticket_list.html",
        {
            "page": page,
            "counts": counts,
            "state": state,
            "whose": whose,
            "manager": manager,
            "customer": request.contact.customer,
            "today": timezone.localdate(),
            "allowance": allowance_summary(customer=request.contact.customer, at=timezone.now()),
        },
    )


# --- a new ticket --------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "POST"])
def ticket_new(request):
    contact = request.contact
    now = timezone.now()
    coverage = contract_coverage(customer=contact.customer, language=get_language(), at=now)
    form = TicketForm(
        request.POST or None,
        request.FILES or None,
        coverage_lines=coverage.lines,
        initial={"service": request.GET.get("service", ""), "priority": "normal"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                requester=request.user,
                subject=data["subject"],
                body=data["body"],
                service=data["service"] or None,
                priority=data["priority"],
                channel="portal",
                uploads=data["attachments"],
            )
        except services.TicketError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Thank you! We have received your ticket #%(number)d. What your "
                    "contract says about it appears here in a moment."
                )
                % {"number": ticket.pk},
            )
            return redirect("portal:ticket", pk=ticket.pk)
    return render(
        request,
        "portal/ticket_new.html",
        {
            "form": form,
            "coverage": coverage,
            "allowance": allowance_summary(customer=contact.customer, at=now),
        },
        status=400 if form.is_bound else 200,
    )


# --- one ticket ----------------------------------------------------------------


def _ticket_page(request, ticket: Ticket, *, status: int = 200, **forms):
    """The ticket with its conversation, verdict, offer and the customer's actions;
    ``forms`` holds a form that failed, to show with its errors."""
    page = portal_ticket(ticket=ticket, user=request.user, now=timezone.now())
    context = {
        "page": page,
        "ticket": ticket,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "rating_form": forms.get("rating_form") or RatingForm(),
    }
    return render(request, "portal/ticket_detail.html", context, status=status)


@portal_page
@require_GET
def ticket_detail(request, pk: int):
    return _ticket_page(request, _visible_ticket(request, pk))


@portal_page
@require_GET
def ticket_verdict(request, pk: int):
    """Asked every few seconds while a new ticket waits for its scope check: once
    it is decided, the page reloads to show the verdict and our reply."""
    ticket = _visible_ticket(request, pk)
    if ticket.decided_at is not None:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "portal/_checking.html", {"ticket": ticket})


@portal_page
@require_POST
def ticket_reply(request, pk: int):
    ticket = _visible_ticket(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        reopens = services.customer_reply_reopens(ticket)
        try:
            message = services.message_post(
                ticket_id=ticket.pk,
                author=request.user,
                body=form.cleaned_data["body"],
                uploads=form.cleaned_data["attachments"],
            )
        except services.TicketError as exc:
            form.add_error(None, str(exc))
        else:
            if ticket.status == Status.RESOLVED:
                text = _("Thank you. We have reopened the ticket and a technician will pick it up.")
            elif reopens:
                text = _("Thank you for your answer. A technician will continue from here.")
            else:
                text = _("Thank you, your reply has been added. We will get back to you soon.")
            messages.success(request, text)
            return redirect(reverse("portal:ticket", args=[ticket.pk]) + f"#message-{message.pk}")
    return _ticket_page(request, ticket, reply_form=form, status=400)


@portal_page
@require_POST
def offer_answer(request, pk: int):
    offer = get_object_or_404(
        Offer.objects.filter(ticket__in=tickets_visible_to(request.user)), pk=pk
    )
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Please choose whether to accept or decline the offer."))
        return redirect("portal:ticket", pk=offer.ticket_id)
    try:
        answered = services.offer_answer(
            offer_id=offer.pk, accept=answer == "accept", user=request.user
        )
    except services.TicketError as exc:
        messages.error(request, str(exc))
    else:
        if answer == "accept":
            text = services.offer_accepted_text(answered, answered.ticket)
        elif offer.kind == Offer.Kind.EMERGENCY:
            text = services.on_call_declined_text()
        elif offer.part_id is not None:
            text = _(
                "Thank you for letting us know. We leave that part aside; the rest of your "
                "request goes on as before."
            )
        else:
            text = _(
                "Thank you for letting us know. We have closed this request; if you change "
                "your mind, just write to us."
            )
        messages.success(request, text)
    return redirect("portal:ticket", pk=offer.ticket_id)


@portal_page
@require_POST
def ticket_escalate(request, pk: int):
    ticket = _visible_ticket(request, pk)
    form = EscalateForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_escalate(
                ticket_id=ticket.pk, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.TicketError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Thank you for telling us. We have asked a manager to look at this ticket "
                    "personally; they will get in touch with you."
                ),
            )
        return redirect("portal:ticket", pk=ticket.pk)
    return _ticket_page(request, ticket, escalate_form=form, status=400)


@portal_page
@require_POST
def ticket_rate(request, pk: int):
    ticket = _visible_ticket(request, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_rate(
                ticket_id=ticket.pk,
                user=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except services.TicketError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Thank you for your rating! It helps us get better."))
        return redirect("portal:ticket", pk=ticket.pk)
    return _ticket_page(request, ticket, rating_form=form, status=400)


@portal_page
@require_GET
def attachment_download(request, pk: int):
    return attachment_response(get_object_or_404(attachments_visible_to(request.user), pk=pk))


# --- what my contract covers ---------------------------------------------------


@portal_page
@require_GET
def coverage(request):
    customer = request.contact.customer
    now = timezone.now()
    found = contract_coverage(customer=customer, language=get_language(), at=now)
    groups = {coverage: [] for coverage in terms.Coverage}
    for line in found.lines:
        groups[line.coverage].append(line)
    contract = found.contract
    return render(
        request,
        "portal/coverage.html",
        {
            "coverage": found,
            "contract": contract,
            "included": groups[terms.Coverage.INCLUDED],
            "paid": groups[terms.Coverage.PAID],
            "excluded": groups[terms.Coverage.EXCLUDED],
            "hourly_rate": (
                format_money(contract.hourly_rate, contract.currency) if contract else ""
            ),
            "support_hours": words.support_hours_lines(contract.support_hours) if contract else [],
            "on_call": on_call_price(contract) if contract else "",
            "holidays": contract.support_hours.holiday_calendar if contract else "",
            "sla": words.sla_rows(contract) if contract else [],
            "allowance": allowance_summary(customer=customer, at=now),
            "customer": customer,
            "today": timezone.localdate(now),
        },
    )


# --- the monthly statement --------------------------------------------------------


@portal_page
@require_GET
def statement(request):
    """The customer's statement for a month (``?month=2026-11``, this month by
    default), as a page to read or print, or as CSV (``&format=csv``). A manager
    reads the whole statement; a requester only the lines of their own tickets.
    The customer is always the contact's own: the page takes no other."""
    latest = month_start(None)  # the customer's month: portal_page set their time zone
    first = statement_month(request.GET.get("month"), latest=latest)
    requester_id = None if _is_manager(request) else request.user.pk
    found = customer_statement(request.contact.customer, first, requester_id=requester_id)
    if request.GET.get("format") == "csv":
        return statement_csv(found)
    previous, following = neighbour_months(first, latest=latest)
    return render(
        request,
        "portal/statement.html",
        {
            "page": statement_page(found, language=get_language()),
            "previous": previous,
            "next": following,
        },
    )


# --- our incidents ---------------------------------------------------------------


def open_incidents(user) -> list[Incident]:
    """The open incidents that affect the contact's customer, oldest first."""
    return list(
        incidents_visible_to(user)
        .filter(resolved_at=None)
        .prefetch_related(None)
        .order_by("started_at", "pk")
    )


@portal_page
@require_GET
def incident_list(request):
    language, now = request.contact.reply_language, timezone.now()
    incidents = [
        portal_incident(incident, language=language, now=now)
        for incident in incidents_visible_to(request.user).select_related("owner")[:100]
    ]
    return render(
        request,
        "portal/incidents.html",
        {
            "open": [i for i in incidents if i.incident.is_open],
            "past": [i for i in incidents if not i.incident.is_open][:50],
            "uptime": status_page_uptime(request.contact.customer),
        },
    )


@portal_page
@require_GET
def incident_detail(request, pk: int):
    incident = get_object_or_404(incidents_visible_to(request.user).select_related("owner"), pk=pk)
    about = portal_incident(incident, language=request.contact.reply_language, now=timezone.now())
    news = about.news
    return render(
        request,
        "portal/incident.html",
        {
            "incident": incident,
            "about": about,
            "news": news,
            "next_update_at": news[0].update.next_update_at if news and incident.is_open else None,
            "eta": next((n.update.eta for n in news if n.update.eta), None),
            "tickets": tickets_visible_to(request.user)
            .filter(incident=incident)
            .order_by("-created_at")[:20],
        },
    )
