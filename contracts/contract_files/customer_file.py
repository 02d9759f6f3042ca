"""What a customer's contract file says: the customer, its contacts and its
contracts (each read by contract_entry), and what the database must agree to."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from contracts.contract_files.contract_entry import read_contract
from contracts.contract_files.reading import Reader
from contracts.engine import hours, terms
from contracts.models import Contact, Contract, Service

CUSTOMER_KEYS = ["country", "timezone", "language", "account_manager", "contacts"]


@dataclass
class Plan:
    """A checked file: plain values per model, ready to apply."""

    customer: dict
    contacts: list[dict]
    account_manager: str | None
    contracts: list[dict]


def read_customer_file(reader: Reader, data: Any) -> Plan | None:
    root = reader.mapping(data, "", required=["customer", "contracts"])
    if root is None:
        return None
    customer = (
        reader.mapping(
            root["customer"], "customer", required=["name", "slug"], allowed=CUSTOMER_KEYS
        )
        if "customer" in root
        else None
    )
    if customer is None:
        return None
    slug = reader.text(customer.get("slug"), "customer.slug", max_length=64)
    if slug and not re.fullmatch(r"[-a-zA-Z0-9_]+", slug):
        reader.problem("customer.slug", "use letters, digits, hyphens and underscores")
    timezone = reader.text(customer.get("timezone") or "UTC", "customer.timezone", max_length=64)
    if timezone not in zoneinfo.available_timezones():
        reader.problem("customer.timezone", f"{timezone!r} is not a time zone like Europe/Riga")
    language = reader.choice(
        customer.get("language"), "customer.language", terms.LANGUAGES, default="en"
    )
    country = reader.text(customer.get("country"), "customer.country", required=False)
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        reader.problem("customer.country", f"{country!r} is not a two-letter code like FI")
    elif country and country not in hours.holiday_calendars():
        # The country picks the public holidays of contracts that name none.
        reader.problem(
            "customer.country",
            f"{country!r} is no country whose public holidays we know; "
            "use a code like FI, or leave country out",
        )
    contacts = _read_contacts(reader, customer.get("contacts"))
    manager = customer.get("account_manager")
    plan = Plan(
        customer={
            "name": reader.text(customer.get("name"), "customer.name"),
            "slug": slug,
            "country": country,
            "timezone": timezone,
            "language": language,
        },
        contacts=contacts,
        account_manager=reader.text(manager, "customer.account_manager", required=False) or None,
        contracts=[],
    )
    references: set[str] = set()
    for i, item in enumerate(reader.items(root.get("contracts"), "contracts")):
        contract = read_contract(reader, item, f"contracts[{i}]", timezone, country)
        if contract is None:
            continue
        if contract["fields"]["reference"] in references:
            reader.problem(f"contracts[{i}].reference", "is given twice")
        references.add(contract["fields"]["reference"])
        plan.contracts.append(contract)
    return plan


def _read_contacts(reader: Reader, value: Any) -> list[dict]:
    contacts, seen = [], set()
    for i, item in enumerate(reader.items(value, "customer.contacts")):
        path = f"customer.contacts[{i}]"
        entry = reader.mapping(item, path, required=["email", "name"], allowed=["role", "language"])
        if entry is None:
            continue
        email = reader.text(entry.get("email"), f"{path}.email", max_length=254).lower()
        try:
            validate_email(email)
        except ValidationError:
            reader.problem(f"{path}.email", f"{email!r} is not an e-mail address")
        if email in seen:
            reader.problem(f"{path}.email", f"{email} is given twice")
        seen.add(email)
        contacts.append(
            {
                "email": email,
                "name": reader.text(entry.get("name"), f"{path}.name"),
                "role": reader.choice(
                    entry.get("role"),
                    f"{path}.role",
                    [r.value for r in terms.Role],
                    default=terms.Role.REQUESTER.value,
                ),
                "language": reader.choice(
                    entry.get("language"), f"{path}.language", terms.LANGUAGES, default=""
                ),
            }
        )
    return contacts


def check_against_database(reader: Reader, plan: Plan) -> None:
    """What the file cannot say wrong on its own: unknown services, people who
    belong to another customer, contracts of another customer."""
    known = set(Service.objects.values_list("code", flat=True))
    for contract in plan.contracts:
        for clause in contract["clauses"]:
            if clause["service"] and clause["service"] not in known:
                reader.problem(
                    f"{contract['path']}.clauses[{clause['position']}].service",
                    f"{clause['service']!r} is not in the service catalogue",
                )
        owner = (
            Contract.objects.filter(reference=contract["fields"]["reference"])
            .exclude(customer__slug=plan.customer["slug"])
            .values_list("customer__slug", flat=True)
            .first()
        )
        if owner:
            reader.problem(f"{contract['path']}.reference", f"belongs to customer {owner!r}")
    elsewhere = dict(
        Contact.objects.filter(user__username__in=[c["email"] for c in plan.contacts])
        .exclude(customer__slug=plan.customer["slug"])
        .values_list("user__username", "customer__slug")
    )
    for i, contact in enumerate(plan.contacts):
        if contact["email"] in elsewhere:
            reader.problem(
                f"customer.contacts[{i}].email",
                f"{contact['email']} is already a contact of {elsewhere[contact['email']]!r}",
            )
    if plan.account_manager:
        users = get_user_model().objects.filter(email__iexact=plan.account_manager, is_staff=True)
        if users.count() != 1:
            reader.problem("customer.account_manager", f"{plan.account_manager} is no staff user")
