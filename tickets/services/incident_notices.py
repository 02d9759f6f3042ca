"""What an incident notice says and how it is e-mailed: the news in the
contact's language, whose fault it is, when it is fixed, whom to call."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from contracts.greetings import greeting
from tickets.models import Incident, IncidentNotice, IncidentUpdate
from tickets.services.base import one_line

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def incident_update_text(update: IncidentUpdate, language: str) -> tuple[str, bool]:
    """The update's text in ``language``, or the first one written with True:
    the translation is still to come."""
    if language in update.texts:
        return update.texts[language], False
    for lang in ("en", *LANGUAGES):
        if lang in update.texts:
            return update.texts[lang], True
    return "", True


def notice_email(notice: IncidentNotice) -> EmailMessage:
    update = notice.update
    incident = update.incident
    with translation.override(notice.language), timezone.override(notice.contact.customer.timezone):
        subject = {
            IncidentUpdate.Kind.OPENED: _("We have a problem: %(title)s"),
            IncidentUpdate.Kind.UPDATE: _("Update: %(title)s"),
            IncidentUpdate.Kind.RESOLVED: _("Resolved: %(title)s"),
        }[IncidentUpdate.Kind(update.kind)] % {"title": incident.title}
        body = notice_text(update, notice.language, name=notice.contact.name)
    return EmailMessage(
        subject=one_line(subject),
        body=body,
        to=[notice.contact.user.email],
        headers={
            "Message-ID": notice.message_id,
            "Auto-Submitted": "auto-generated",
            # Every notice of one incident threads under its opening.
            "References": f"<incident-{incident.pk}@scopedesk>",
        },
    )


def notice_text(update: IncidentUpdate, language: str, *, name: str = "") -> str:
    """What a contact reads: the news, whose fault, sorry, when it is fixed, when
    they hear from us next, and whom to call. In the active language and zone,
    greeting the contact by ``name``."""
    incident = update.incident
    text, untranslated = incident_update_text(update, language)
    services = ", ".join(s.name(language) for s in incident.services.all())
    lines = [greeting(name, language), ""]
    if update.kind == IncidentUpdate.Kind.RESOLVED:
        lines.append(
            _("%(services)s work again since %(when)s. The problem lasted %(duration)s.")
            % {
                "services": services,
                "when": when(incident.resolved_at),
                "duration": _duration(incident),
            }
        )
    elif incident.kind == Incident.Kind.MAINTENANCE:
        lines.append(
            _("We will carry out maintenance on %(services)s from %(when)s.")
            % {"services": services, "when": when(incident.started_at)}
        )
    else:
        lines.append(
            _("Since %(when)s, this is not working as it should: %(services)s.")
            % {"services": services, "when": when(incident.started_at)}
        )
    if incident.our_fault and incident.kind != Incident.Kind.MAINTENANCE:
        lines.append(
            _("This is our fault, and we are sorry for the trouble it causes you.")
            if update.kind != IncidentUpdate.Kind.RESOLVED
            else _("This was our fault, and we are sorry for the trouble it caused you.")
        )
    lines += ["", text]
    if untranslated:
        lines += ["", _("(We are translating this update and will send it in your language.)")]
    if update.kind != IncidentUpdate.Kind.RESOLVED:
        lines.append("")
        if update.eta:
            lines.append(_("We expect it to be fixed by %(eta)s.") % {"eta": when(update.eta)})
        if update.next_update_at:
            lines.append(
                _("You will hear from us again by %(when)s, sooner if there is news.")
                % {"when": when(update.next_update_at)}
            )
        else:
            lines.append(_("You will hear from us as soon as there is news."))
        lines.append(_("You do not need to open a ticket: we are already on it."))
    owner = incident.owner
    lines += [
        "",
        _("If you need anything, %(name)s is your contact for this: %(email)s")
        % {"name": owner.get_full_name() or owner.email, "email": owner.email},
        "",
        _("Follow the incident: %(link)s")
        % {"link": settings.SITE_URL + reverse("portal:incident", args=[incident.pk])},
        "",
        _("Kind regards,\nYour support team"),
    ]
    return "\n".join(lines)


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _duration(incident: Incident) -> str:
    end = incident.resolved_at or timezone.now()
    minutes = max(1, round((end - incident.started_at).total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}
