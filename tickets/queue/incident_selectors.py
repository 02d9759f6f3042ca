"""Reads for the queue's incident pages: the list, and an incident with its
updates, the delivery of each update's notices and its tickets. Each runs a fixed
number of queries, whatever the number of notices or tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone, translation

from tickets.models import Delivery, Incident, IncidentNotice, IncidentUpdate, Status, Ticket
from tickets.queue.display import format_span
from tickets.selectors import incident_customers
from tickets.services import may_review_incidents

RECENT_RESOLVED = 30
NOTICES_SHOWN = 200  # per update; the counts always cover all of them
TICKETS_SHOWN = 200
# The notices that need someone's attention come first.
_DELIVERY_RANK = Case(
    When(delivery=Delivery.FAILED, then=Value(0)),
    When(delivery=Delivery.PENDING, then=Value(1)),
    When(delivery=Delivery.SENDING, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
DELIVERY_STATES = [Delivery.FAILED, Delivery.PENDING, Delivery.SENDING, Delivery.SENT]


def _with_ticket_counts(incidents):
    latest = IncidentUpdate.objects.filter(incident=OuterRef("pk")).order_by("-posted_at", "-pk")
    return (
        incidents.select_related("owner")
        .prefetch_related("services")
        .annotate(
            open_tickets=Count("tickets", filter=Q(tickets__status__in=Status.UNRESOLVED)),
            all_tickets=Count("tickets"),
            # The promise that stands is the latest update's.
            next_update_due=Subquery(latest.values("next_update_at")[:1]),
        )
    )


def incident_lists() -> tuple[list[Incident], list[Incident]]:
    """Open incidents, oldest first, then the most recently resolved; each with
    its services' names and how long it lasted (or lasts so far)."""
    incidents = _with_ticket_counts(Incident.objects.all())
    open_incidents = list(incidents.filter(resolved_at=None).order_by("started_at", "pk"))
    resolved = list(
        incidents.exclude(resolved_at=None).order_by("-resolved_at", "-pk")[:RECENT_RESOLVED]
    )
    now = timezone.now()
    language = translation.get_language() or "en"
    for incident in (*open_incidents, *resolved):
        incident.service_names = [s.name(language) for s in incident.services.all()]
        incident.duration = incident_duration(incident, now)
    return open_incidents, resolved


@dataclass(frozen=True, slots=True)
class UpdateView:
    update: IncidentUpdate
    texts: list[tuple[str, str, str]]  # (language code, language name, text or "")
    counts: list[tuple[str, str, int]]  # (delivery state, its label, how many)
    total: int
    notices: list[IncidentNotice]  # the first NOTICES_SHOWN, failed ones first


@dataclass
class IncidentPage:
    incident: Incident
    services: list[str]
    chosen_customers: list  # empty: every customer whose contract includes a service
    affected_customers: int
    duration: str
    updates: list[UpdateView]  # newest first
    tickets: list[Ticket]
    ticket_counts: dict[str, int]  # "all" and "open"
    can_review: bool
    now: datetime


def incident_duration(incident: Incident, now: datetime) -> str:
    end = incident.resolved_at or now
    return format_span(max(1, int((end - incident.started_at).total_seconds() // 60)))


def incident_page(*, incident_id: int, user) -> IncidentPage:
    """Everything the incident page shows. Raises ``Incident.DoesNotExist``."""
    incident = Incident.objects.select_related("owner", "created_by").get(pk=incident_id)
    now = timezone.now()
    language = translation.get_language() or "en"
    chosen = list(incident.customers.order_by("name"))
    updates = list(incident.updates.select_related("posted_by").order_by("-posted_at", "-pk"))
    counts: dict[int, dict[str, int]] = {}
    for row in (
        IncidentNotice.objects.filter(update__incident=incident)
        .values("update_id", "delivery")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts.setdefault(row["update_id"], {})[row["delivery"]] = row["n"]
    notices: dict[int, list[IncidentNotice]] = {}
    shown = (
        IncidentNotice.objects.filter(update__incident=incident)
        .select_related("contact__user", "contact__customer")
        .annotate(
            place=Window(
                RowNumber(), partition_by=[F("update_id")], order_by=[_DELIVERY_RANK.asc(), "pk"]
            )
        )
        .filter(place__lte=NOTICES_SHOWN)
        .order_by("update_id", "place")
    )
    for notice in shown:
        notices.setdefault(notice.update_id, []).append(notice)
    labels = dict(Delivery.choices)
    names = dict(settings.LANGUAGES)
    views = []
    for update in updates:
        mine = counts.get(update.pk, {})
        views.append(
            UpdateView(
                update=update,
                texts=[
                    (code, str(names[code]), update.texts.get(code, ""))
                    for code in names
                    if code in update.texts
                ],
                counts=[
                    (state, str(labels[state]), mine.get(state, 0)) for state in DELIVERY_STATES
                ],
                total=sum(mine.values()),
                notices=notices.get(update.pk, []),
            )
        )
    linked = Ticket.objects.filter(incident=incident)
    ticket_counts = linked.aggregate(
        all=Count("pk"), open=Count("pk", filter=Q(status__in=Status.UNRESOLVED))
    )
    return IncidentPage(
        incident=incident,
        services=[s.name(language) for s in incident.services.order_by("position", "code")],
        chosen_customers=chosen,
        affected_customers=len(chosen) if chosen else incident_customers(incident).count(),
        duration=incident_duration(incident, now),
        updates=views,
        tickets=list(
            linked.select_related("customer", "assignee").order_by("-created_at", "-pk")[
                :TICKETS_SHOWN
            ]
        ),
        ticket_counts=ticket_counts,
        can_review=may_review_incidents(user),
        now=now,
    )
