"""The staff roles, as groups with the permissions each needs."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

LEADS = "Leads"
TECHNICIANS = "Technicians"

_CONTRACT_MODELS = (
    "service",
    "customer",
    "contact",
    "contract",
    "clause",
    "slatarget",
    "uptimecredit",
    "topup",
    "replywording",
)


def ensure_staff_groups(**kwargs) -> None:
    """Create the staff groups; leads edit contracts, technicians read them (through
    the API and the queue, never the admin: see ``may_use_admin``).

    Runs after every migrate, so new permissions reach the groups."""
    leads, _ = Group.objects.get_or_create(name=LEADS)
    technicians, _ = Group.objects.get_or_create(name=TECHNICIANS)
    contract_perms = Permission.objects.filter(
        content_type__app_label="contracts", content_type__model__in=_CONTRACT_MODELS
    )
    leads.permissions.add(*contract_perms)
    technicians.permissions.add(*contract_perms.filter(codename__startswith="view_"))


def may_use_admin(user) -> bool:
    """The admin (the contract editor and all else under /admin/) is for admins and
    leads: those who may change contracts. Technicians hold view and ticket
    permissions for the queue and the API, and those alone must not open it."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("contracts.change_contract")
    )
