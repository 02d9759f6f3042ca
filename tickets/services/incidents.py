"""When we fail: opening an incident, posting its news, resolving it, and the
notice each affected contact gets of each (speaking first, once each)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.models import Contact, Customer, Service
from tickets.models import Incident, IncidentNotice, IncidentUpdate, Status, Ticket
from tickets.selectors import incident_customers
from tickets.services.base import NotAllowed, TicketError, one_line
from tickets.services.incident_notices import LANGUAGES, when
from tickets.services.notices import send_mail_safely
from tickets.services.queueing import SEND_INCIDENT_NOTICES, queue_batches_after_commit


def incident_open(
    *,
    by: User,
    title: str,
    services: Iterable[Service],
    texts: Mapping[str, str],
    kind: str = Incident.Kind.OUTAGE,
    customers: Iterable[Customer] = (),
    our_fault: bool = True,
    owner: User | None = None,
    started_at: datetime | None = None,
    detected_at: datetime | None = None,
    eta: datetime | None = None,
    next_update_at: datetime | None = None,
) -> Incident:
    """Open an incident and tell every affected contact at once, managers first."""
    _require(by, "tickets.add_incident", _("Only support staff can open an incident."))
    services = list(services)
    if not services:
        raise TicketError(_("Name at least one affected service."))
    if not title.strip():
        raise TicketError(_("Give the incident a title customers will understand."))
    now = timezone.now()
    with transaction.atomic():
        incident = Incident.objects.create(
            title=one_line(title),
            kind=kind,
            our_fault=our_fault,
            owner=owner or by,
            started_at=started_at or now,
            detected_at=detected_at or now,
            created_by=by,
        )
        incident.services.set(services)
        incident.customers.set(customers)
        _post(
            incident,
            kind=IncidentUpdate.Kind.OPENED,
            by=by,
            texts=texts,
            eta=eta,
            next_update_at=next_update_at,
        )
    return incident


def incident_post_update(
    *,
    incident_id: int,
    by: User,
    texts: Mapping[str, str],
    eta: datetime | None = None,
    next_update_at: datetime | None = None,
) -> IncidentUpdate:
    """News on an open incident, e-mailed to the same people as its opening."""
    _require(by, "tickets.add_incident", _("Only support staff can post an update."))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if not incident.is_open:
            raise TicketError(_("The incident is resolved; open a new one if it is back."))
        return _post(
            incident,
            kind=IncidentUpdate.Kind.UPDATE,
            by=by,
            texts=texts,
            eta=eta,
            next_update_at=next_update_at,
        )


def incident_resolve(
    *,
    incident_id: int,
    by: User,
    texts: Mapping[str, str],
    resolved_at: datetime | None = None,
) -> IncidentUpdate:
    """The all-clear: once to each affected contact, however many tickets they
    filed; the tickets linked to the incident are resolved with it, without a
    message of their own."""
    _require(by, "tickets.add_incident", _("Only support staff can resolve an incident."))
    now = timezone.now()
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        if not incident.is_open:
            raise TicketError(_("The incident is already resolved."))
        resolved_at = resolved_at or now
        if resolved_at < incident.started_at or resolved_at > now:
            raise TicketError(_("The end of an incident lies between its start and now."))
        incident.resolved_at = resolved_at
        incident.save(update_fields=["resolved_at"])
        update = _post(incident, kind=IncidentUpdate.Kind.RESOLVED, by=by, texts=texts)
        incident_tickets_resolve(incident, at=now)
    return update


def incident_tickets_resolve(incident: Incident, *, at: datetime) -> int:
    """Resolve the incident's unresolved tickets (their all-clear is the incident's)."""
    return incident.tickets.filter(status__in=Status.UNRESOLVED).update(
        status=Status.RESOLVED, resolved_at=at, sla_paused_at=None, updated_at=at
    )


def incident_ticket_link(*, ticket_id: int, incident_id: int | None, by: User) -> Ticket:
    """A technician links a ticket to an incident by hand (or unlinks it: None)."""
    _require(by, "tickets.change_ticket", _("Only support staff can link tickets."))
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        if incident_id is not None:
            incident = Incident.objects.get(pk=incident_id)
            if not incident_customers(incident).filter(pk=ticket.customer_id).exists():
                raise TicketError(_("This incident does not affect the ticket's customer."))
        ticket.incident_id = incident_id
        ticket.save(update_fields=["incident", "updated_at"])
    return ticket


def affected_contacts(incident: Incident) -> QuerySet[Contact]:
    """Every contact of every affected customer, managers first."""
    managers_first = Case(
        When(role=terms.Role.MANAGER, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        Contact.objects.filter(customer__in=incident_customers(incident), user__is_active=True)
        .select_related("customer", "user")
        .order_by(managers_first, "customer_id", "pk")
    )


def _post(
    incident: Incident,
    *,
    kind: str,
    by: User,
    texts: Mapping[str, str],
    eta: datetime | None = None,
    next_update_at: datetime | None = None,
) -> IncidentUpdate:
    texts = {lang: text.strip() for lang, text in texts.items() if text and text.strip()}
    unknown = set(texts) - set(LANGUAGES)
    if unknown:
        raise TicketError(_("Unknown language: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    if not texts:
        raise TicketError(_("Write what customers should know, in at least one language."))
    now = timezone.now()
    if next_update_at is not None and next_update_at <= now:
        raise TicketError(_("The next update is due in the future."))
    update = IncidentUpdate.objects.create(
        incident=incident,
        kind=kind,
        texts=texts,
        eta=eta,
        next_update_at=next_update_at if kind != IncidentUpdate.Kind.RESOLVED else None,
        posted_by=by,
    )
    # An update supersedes the promise of the one before: its owner is not warned.
    incident.updates.exclude(pk=update.pk).filter(overdue_warned_at=None).update(
        overdue_warned_at=now
    )
    notices = IncidentNotice.objects.bulk_create(
        IncidentNotice(update=update, contact=contact, language=contact.reply_language)
        for contact in affected_contacts(incident)
    )
    # Fifty notices a task: a thousand customers' contacts cost sixty publishes.
    queue_batches_after_commit(SEND_INCIDENT_NOTICES, [n.pk for n in notices], size=50)
    return update


def _require(user: User, permission: str, message: str) -> None:
    if not (user.is_staff and user.has_perm(permission)):
        raise NotAllowed(message)


def incident_updates_watch(*, now: datetime | None = None) -> int:
    """Warn an incident's owner when its next update was due and none came: once
    per promise. The number of owners warned."""
    now = now or timezone.now()
    overdue = IncidentUpdate.objects.filter(
        overdue_warned_at=None, next_update_at__lte=now, incident__resolved_at=None
    ).select_related("incident__owner")
    warned = 0
    for update in overdue:
        # Claim first, so that two watchers never warn twice of one promise.
        claimed = IncidentUpdate.objects.filter(pk=update.pk, overdue_warned_at=None).update(
            overdue_warned_at=now
        )
        if not claimed:
            continue
        incident = update.incident
        facts = {"title": incident.title, "due": when(update.next_update_at)}
        send_mail_safely(
            subject=_("Incident update overdue: %(title)s") % facts,
            body=_(
                "Customers were promised news on %(title)s by %(due)s, and none has been "
                "posted. Post an update, even if it is only that the work goes on."
            )
            % facts
            + "\n\n"
            + settings.SITE_URL
            + reverse("queue:incident", args=[incident.pk]),
            to=[incident.owner.email],
        )
        warned += 1
    return warned


def may_review_incidents(user: User) -> bool:
    """Leads write the internal review: those holding the permission that only
    leads hold (tickets.roles), as for overrides and everyone's time."""
    return user.is_staff and user.has_perm("tickets.override_decision")


def incident_review_save(*, incident_id: int, by: User, cause: str, changes: str) -> Incident:
    """The internal post-incident review: why it happened, what we change. Never
    shown to customers."""
    if not may_review_incidents(by):
        raise NotAllowed(_("Only leads write the post-incident review."))
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident_id)
        incident.cause, incident.changes = cause.strip(), changes.strip()
        incident.save(update_fields=["cause", "changes"])
    return incident
