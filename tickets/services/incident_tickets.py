"""Tickets during an incident: a ticket about a service that an open incident of
its customer affects joins the incident, is answered with the incident's latest
news instead of the usual acknowledgement, is covered work that costs no
allowance, and is resolved with the incident (``incident_resolve``)."""

from __future__ import annotations

from dataclasses import replace

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.scope import Decision, Reason
from contracts.greetings import greeting
from tickets.models import Incident, ScopeDecision, Ticket
from tickets.selectors import incidents_open_for
from tickets.services.incident_notices import incident_update_text, when

V = terms.Verdict
INCIDENT = "incident"  # the reason of a decision that answers for an incident


def reported_service(decision: Decision) -> str | None:
    """The service the ticket reports trouble with: the one decided or, when the
    service the requester picked contradicts the text, the one the text names.
    Never a picked service alone: picking "site down" must not make a plugin
    installation free work."""
    if decision.verdict in (V.NOT_AUTHORIZED, V.NO_CONTRACT):
        return None  # not someone we work for, or not now
    if decision.verdict is V.NEEDS_REVIEW:
        if decision.reason == Reason.CONFLICTING_SERVICE:
            _picked, recognised = decision.candidates
            return recognised
        return None
    return decision.service


def incident_reported(
    ticket: Ticket, decision: Decision, *, previous: ScopeDecision | None
) -> tuple[Incident | None, str | None]:
    """The open incident the ticket reports and the service it reports it on, or
    (None, None). On the first decision, and whenever the ticket's service changes,
    the ticket is matched against its customer's open incidents and linked (or
    unlinked); a decision on the same service (a new priority) leaves the link as
    it is, set or unset by hand. Call it inside the decision's transaction."""
    service = reported_service(decision)
    if previous is not None and (previous.service.code if previous.service else None) == service:
        incident = ticket.incident if ticket.incident_id is not None else None
        if service is None or incident is None or not _held_open(incident.pk):
            return None, None
        return incident, service
    ticket.incident = None
    # Most hours nothing of ours is broken: one cheap question, not the matching.
    if service is None or not Incident.objects.filter(resolved_at=None).exists():
        return None, None
    for incident in incidents_open_for(customer=ticket.customer, service=service):
        if _held_open(incident.pk):
            ticket.incident = incident
            return incident, service
    return None, None


def _held_open(incident_id: int) -> bool:
    """Whether the incident is still open, held so until this transaction ends:
    resolving it takes its row lock, which waits for ours, and then finds this
    ticket linked and resolves it too, so no ticket is linked to an incident
    that was resolved without it. A key-share lock, so that decisions of many
    customers' tickets never wait on each other. (SQLite runs one writing
    transaction at a time, so a resolution cannot come in between there.)"""
    if connection.vendor != "postgresql":
        return Incident.objects.filter(pk=incident_id, resolved_at=None).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {Incident._meta.db_table} "
            "WHERE id = %s AND resolved_at IS NULL FOR KEY SHARE",
            [incident_id],
        )
        return cursor.fetchone() is not None


def incident_work(decision: Decision) -> Decision:
    """A ticket about our own failure is covered work, whatever the contract says
    of the service and however much of the month is used, and its SLA clock runs
    from its arrival; that it costs no allowance follows from its link
    (``charges_allowance``)."""
    return replace(decision, verdict=V.IN_SCOPE, reason=INCIDENT, offer=None, starts_at=None)


def incident_reply(incident: Incident, *, ticket: Ticket, decision: Decision) -> str:
    """The automatic reply to a ticket about an open incident, in the ticket's
    language: we know, it is our fault, we are on it, the latest news, when the
    next comes, nothing for you to do, and we say when it is fixed."""
    language = decision.language
    latest = incident.updates.order_by("-posted_at", "-pk").first()
    assert latest is not None  # an incident is opened with its first update
    news, untranslated = incident_update_text(latest, language)
    name = decision.contact.name if decision.contact else ""
    with translation.override(language), timezone.override(ticket.customer.timezone):
        services = ", ".join(s.name(language) for s in incident.services.all())
        lines = [greeting(name, language), ""]
        lines.append(
            _(
                "Thank you for letting us know. We already know about this problem and "
                "are working on it."
            )
        )
        if incident.kind == Incident.Kind.MAINTENANCE:
            lines.append(
                _("We will carry out maintenance on %(services)s from %(when)s.")
                % {"services": services, "when": when(incident.started_at)}
            )
        else:
            lines.append(
                _("Since %(when)s, this is not working as it should: %(services)s.")
                % {"services": services, "when": when(incident.started_at)}
            )
            if incident.our_fault:
                lines.append(
                    _("This is our fault, and we are sorry for the trouble it causes you.")
                )
        lines += ["", _("Our latest news, from %(when)s:") % {"when": when(latest.posted_at)}]
        lines.append(news)
        if untranslated:
            lines.append(_("(We are translating this update and will send it in your language.)"))
        lines.append("")
        if latest.eta:
            lines.append(_("We expect it to be fixed by %(eta)s.") % {"eta": when(latest.eta)})
        if latest.next_update_at:
            lines.append(
                _("You will hear from us again by %(when)s, sooner if there is news.")
                % {"when": when(latest.next_update_at)}
            )
        else:
            lines.append(_("You will hear from us as soon as there is news."))
        lines += [
            "",
            _(
                "You do not need to do anything: we will tell you as soon as it is fixed, "
                "and close this ticket then. It does not count against your monthly "
                "allowance."
            ),
            "",
            _("If you need anything, %(name)s is your contact for this: %(email)s")
            % {
                "name": incident.owner.get_full_name() or incident.owner.email,
                "email": incident.owner.email,
            },
            "",
            _("Kind regards,\nYour support team"),
        ]
    return "\n".join(lines)
