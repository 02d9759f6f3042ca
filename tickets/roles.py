"""The ticket permissions of the staff groups (see contracts.roles)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from contracts.roles import LEADS, TECHNICIANS, ensure_staff_groups

LEADS_ONLY = ["override_decision", "confirm_credit", "close_statement", "view_reports"]


def grant_ticket_permissions(**kwargs) -> None:
    """Technicians work tickets; leads may also override verdicts, confirm
    uptime credits, close statements and read the reports."""
    ensure_staff_groups()
    ticket_perms = Permission.objects.filter(content_type__app_label="tickets")
    everyday = ticket_perms.exclude(codename__in=LEADS_ONLY)
    Group.objects.get(name=TECHNICIANS).permissions.add(*everyday)
    Group.objects.get(name=LEADS).permissions.add(*ticket_perms)
