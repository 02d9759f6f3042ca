"""Applying a checked file, all or nothing.

The whole file is read and checked first (reading, catalogue_file,
customer_file); only a clean file is applied, in one transaction. Applying
writes only what changed, so loading the same file twice writes nothing (and
leaves no history), and an edited file updates in place with its history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from contracts.contract_files.catalogue_file import read_catalogue
from contracts.contract_files.customer_file import Plan, check_against_database, read_customer_file
from contracts.contract_files.reading import ContractFileError, Reader, parse_yaml
from contracts.models import (
    Clause,
    Contact,
    Contract,
    Customer,
    Service,
    SlaTarget,
    TopUp,
    UptimeCredit,
)


@dataclass
class LoadResult:
    counts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    )
    customer: Customer | None = None

    def count(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] += n

    @property
    def changed(self) -> bool:
        return any(self.counts[k] for k in ("created", "updated", "removed"))

    def summary(self) -> str:
        return ", ".join(f"{n} {outcome}" for outcome, n in self.counts.items())


def load_services(text: str, *, source: str, user=None) -> LoadResult:
    """Create or update the services of a catalogue file, matched by code."""
    try:
        data = parse_yaml(text)
    except ContractFileError as exc:
        raise ContractFileError(source, exc.problems) from None
    reader = Reader()
    services = read_catalogue(reader, data)
    if reader.problems:
        raise ContractFileError(source, reader.problems)

    result = LoadResult()
    with transaction.atomic():
        existing = {s.code: s for s in Service.objects.all()}
        for values in services:
            code = values.pop("code")
            outcome = _save_if_changed(
                existing.get(code) or Service(code=code),
                values,
                reason=f"loadservices {source}",
                user=user,
            )
            result.count(outcome)
    return result


def load_contract_file(text: str, *, source: str, user=None) -> LoadResult:
    """Create or update one customer, its contacts and its contracts from a file."""
    try:
        data = parse_yaml(text)
    except ContractFileError as exc:
        raise ContractFileError(source, exc.problems) from None
    reader = Reader()
    plan = read_customer_file(reader, data)
    with transaction.atomic():
        if plan is not None:
            check_against_database(reader, plan)
        if reader.problems:
            raise ContractFileError(source, reader.problems)
        assert plan is not None
        return _apply(plan, reason=f"loadcontract {source}", user=user)


def _save_if_changed(instance: models.Model, values: dict, *, reason: str, user=None) -> str:
    """Set the values and save only if something differs: no write, no history."""
    created = instance.pk is None
    if not created and all(getattr(instance, k) == v for k, v in values.items()):
        return "unchanged"
    for key, value in values.items():
        setattr(instance, key, value)
    instance._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history (untyped)
    if user is not None:
        instance._history_user = user  # type: ignore[attr-defined]  # read by django-simple-history (untyped)
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    return "created" if created else "updated"


def _sync_children(
    result: LoadResult,
    existing: Iterable[models.Model],
    wanted: list[dict],
    *,
    key: Callable[[Any], Any],
    make: Callable[[], models.Model],
    reason: str,
    user,
) -> None:
    """Update children matched by key, create new ones, delete the rest."""
    by_key = {key(child): child for child in existing}
    for values in wanted:
        child = by_key.pop(key(values), None) or make()
        result.count(_save_if_changed(child, values, reason=reason, user=user))
    for child in by_key.values():
        child._change_reason = reason  # type: ignore[attr-defined]  # read by django-simple-history (untyped)
        child.delete()
        result.count("removed")


def _apply(plan: Plan, *, reason: str, user=None) -> LoadResult:
    result = LoadResult()
    customer = Customer.objects.filter(slug=plan.customer["slug"]).first() or Customer()
    values = dict(plan.customer)
    if plan.account_manager:
        values["account_manager"] = get_user_model().objects.get(
            email__iexact=plan.account_manager, is_staff=True
        )
    result.count(_save_if_changed(customer, values, reason=reason, user=user))
    result.customer = customer

    users = get_user_model().objects
    people = {}
    for contact in plan.contacts:
        person = users.filter(username=contact["email"]).first()
        if person is None:
            person = users.create_user(username=contact["email"], email=contact["email"])
            person.set_unusable_password()
            person.save()
        people[contact["email"]] = person
    _sync_children(
        result,
        customer.contacts.select_related("user"),
        [
            {
                "user": people[c["email"]],
                "name": c["name"],
                "role": c["role"],
                "language": c["language"],
            }
            for c in plan.contacts
        ],
        key=lambda c: c.user.username if isinstance(c, Contact) else c["user"].username,
        make=partial(Contact, customer=customer),
        reason=reason,
        user=user,
    )

    services = {s.code: s for s in Service.objects.all()}
    for item in plan.contracts:
        contract = (
            Contract.objects.filter(reference=item["fields"]["reference"]).first() or Contract()
        )
        result.count(
            _save_if_changed(
                contract, {**item["fields"], "customer": customer}, reason=reason, user=user
            )
        )
        _sync_children(
            result,
            contract.clauses.select_related("service"),
            [{**c, "service": services[c["service"]]} for c in item["clauses"]],
            key=lambda c: c.service.code if isinstance(c, Clause) else c["service"].code,
            make=partial(Clause, contract=contract),
            reason=reason,
            user=user,
        )
        _sync_children(
            result,
            contract.sla_targets.all(),
            item["sla"],
            key=lambda t: t.priority if isinstance(t, SlaTarget) else t["priority"],
            make=partial(SlaTarget, contract=contract),
            reason=reason,
            user=user,
        )
        _sync_children(
            result,
            contract.uptime_credits.all(),
            item["credits"],
            key=lambda b: b.below if isinstance(b, UptimeCredit) else b["below"],
            make=partial(UptimeCredit, contract=contract),
            reason=reason,
            user=user,
        )
        _sync_children(
            result,
            contract.top_ups.all(),
            item["top_ups"],
            key=lambda t: (
                (t.purchased_on, t.minutes, t.price, t.note)
                if isinstance(t, TopUp)
                else (t["purchased_on"], t["minutes"], t["price"], t["note"])
            ),
            make=partial(TopUp, contract=contract),
            reason=reason,
            user=user,
        )
    return result
