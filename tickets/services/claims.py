"""Requests about our service rather than for work: a compensation claim is
answered with the figures already computed, never a form to fill in; a
complaint reaches the account manager (or the leads) at once and is answered
with an apology and a named person, never a sales offer."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.engine import hours, terms
from contracts.engine.scope import Decision
from contracts.greetings import greeting
from contracts.replies import format_money, format_percent
from tickets.claims import ClaimMonth, CreditClaimFacts, credit_claim_facts
from tickets.models import Ticket
from tickets.services.base import TicketError
from tickets.services.escalations import escalation_contact, ticket_escalate

# The catalogue codes (examples/services.yaml) whose answer this module gives.
CREDIT_CLAIM = "billing.credit_claim"
COMPLAINT = "service.complaint"


def our_service_answer(*, ticket: Ticket, decision: Decision) -> str | None:
    """The automatic reply to a claim or a complaint, which no verdict's wording
    can give; a complaint is escalated first. None for any other request."""
    if decision.verdict not in terms.COVERED_VERDICTS:
        return None
    if decision.service == CREDIT_CLAIM:
        # The figures as they stand when the reply is written.
        facts = credit_claim_facts(ticket)
        with translation.override(decision.language):
            return credit_claim_reply(decision, facts) if facts else None
    if decision.service == COMPLAINT:
        # A manager asked on this ticket already (a changed service) is not paged twice.
        with contextlib.suppress(TicketError):
            ticket_escalate(
                ticket_id=ticket.pk,
                user=ticket.requester,
                reason=ticket.body.strip() or ticket.subject,
            )
        with translation.override(decision.language):
            return complaint_reply(decision, person=complaint_contact(ticket))
    return None


def complaint_contact(ticket: Ticket) -> str:
    """The person a complaint is answered by, named so the customer knows whom to
    expect: the ticket's assignee, else the account manager, else "a team lead"."""
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active:
        return assignee.get_full_name() or assignee.username
    return escalation_contact(ticket.customer)


def complaint_reply(decision: Decision, *, person: str) -> str:
    return "\n\n".join(
        [
            _greeting(decision),
            _(
                "Thank you for telling us, and we are sorry that we let you down. We take "
                "this seriously and have passed your message on at once: %(person)s will "
                "get in touch with you personally."
            )
            % {"person": person},
            _(
                "Until then a technician keeps your ticket moving, and you can reply to "
                "this message at any time: whatever you add reaches them too."
            ),
            _signature(),
        ]
    )


def credit_claim_reply(decision: Decision, facts: CreditClaimFacts) -> str:
    parts = [_greeting(decision)]
    if facts.incidents:
        parts.append(
            _(
                "Thank you for asking, and we are sorry for the trouble our outages caused "
                "you. Here is what we measured for your contract %(contract)s."
            )
            % {"contract": facts.contract}
        )
        parts.append("\n".join(_incident_line(facts, incident) for incident in facts.incidents))
    else:
        parts.append(
            _(
                "Thank you for asking. Here is what we measured for your contract "
                "%(contract)s: we have no outage on record that affected your services "
                "last month or this month."
            )
            % {"contract": facts.contract}
        )
    parts.append("\n".join(_month_line(month) for month in facts.months))
    if not facts.has_promise:
        parts.append(
            _(
                "Your contract makes no promise of a monthly availability, so it sets no "
                "credit for downtime. We are sorry for the trouble all the same."
            )
        )
    elif any(_credit(month) for month in facts.months):
        parts.append(
            _(
                "You do not need to do anything for the credit: we compute it at the end "
                "of each month and let your company's managers know."
            )
        )
    parts.append(
        _(
            "If you noticed downtime that is missing here, just reply with when it "
            "happened and a technician will check it."
        )
    )
    parts.append(_signature())
    return "\n\n".join(parts)


def _incident_line(facts: CreditClaimFacts, incident) -> str:
    local = incident.started_at.astimezone(hours.zone(facts.timezone))
    values = {
        "title": incident.title,
        "start": _("%(day)s at %(time)s")
        % {
            "day": formats.date_format(local, "DATE_FORMAT"),
            "time": formats.time_format(local, "TIME_FORMAT"),
        },
        "duration": _span(incident.minutes),
    }
    if incident.ongoing:
        return _("• %(title)s: since %(start)s, still going on (%(duration)s so far)") % values
    return _("• %(title)s: from %(start)s, for %(duration)s") % values


def _month_line(month: ClaimMonth) -> str:
    uptime = month.uptime
    # Finnish month names are lower-case; this one starts a line.
    name = capfirst(formats.date_format(uptime.month, "YEAR_MONTH_FORMAT"))
    values = {
        "month": name if month.complete else _("%(month)s so far") % {"month": name},
        "downtime": _span(uptime.downtime_minutes) if uptime.downtime_minutes else "",
        "availability": format_percent(uptime.availability),
        "target": format_percent(uptime.target) if uptime.target is not None else "",
        "credit": format_money(_credit(month), uptime.currency),
        "share": format_percent(uptime.credit_percent),
    }
    if uptime.downtime_minutes:
        line = _("%(month)s: %(downtime)s of downtime, availability %(availability)s %%") % values
    else:
        line = _("%(month)s: no downtime, availability %(availability)s %%") % values
    if uptime.target is None:
        return line + "."
    line += " " + _("(your contract promises %(target)s %%).") % values
    if _credit(month):
        return line + " " + _("Credit: %(credit)s (%(share)s %% of the monthly fee).") % values
    if uptime.availability >= uptime.target:
        return line + " " + _("The promise was kept, so no credit is due.")
    return line + " " + _("Your contract sets no credit for this level.")


def _credit(month: ClaimMonth) -> Decimal:
    """What is owed: the amount a lead confirmed, else the computed one."""
    return month.owed if month.owed is not None else month.uptime.credit


def _span(minutes: int) -> str:
    """“6 hours and 5 minutes”, “40 minutes”, “2 hours”."""
    h, m = divmod(minutes, 60)
    in_minutes = ngettext("%(n)d minute", "%(n)d minutes", m) % {"n": m}
    if not h:
        return in_minutes
    in_hours = ngettext("%(n)d hour", "%(n)d hours", h) % {"n": h}
    if not m:
        return in_hours
    return _("%(hours)s and %(minutes)s") % {"hours": in_hours, "minutes": in_minutes}


def _greeting(decision: Decision) -> str:
    return greeting(decision.contact.name if decision.contact else "", decision.language)


def _signature() -> str:
    return _("Kind regards,\nYour support team")
