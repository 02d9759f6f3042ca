"""Reads that build the scope engine's plain inputs from the database."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from contracts.engine import terms
from contracts.engine.scope import Catalogue, Decision, ScopeRequest, Usage, decide
from contracts.engine.uptime import CreditBand, UptimeTerms, parse_notice
from contracts.models import (
    Clause,
    Contact,
    Contract,
    Customer,
    ReplyWording,
    Service,
    SlaTarget,
    TermsVersion,
    TopUp,
    UptimeCredit,
    terms_changed,
)
from contracts.replies import Reply, render_reply


def service_catalogue(services: Iterable[Service] | None = None) -> tuple[terms.ServiceEntry, ...]:
    if services is None:
        services = Service.objects.all()
    return tuple(
        terms.ServiceEntry(
            code=service.code,
            names=dict(service.names),
            phrases={lang: tuple(p) for lang, p in (service.phrases or {}).items()},
            everyday_words={lang: tuple(w) for lang, w in (service.everyday_words or {}).items()},
            always_covered=service.always_covered,
        )
        for service in services
    )


def current_catalogue() -> Catalogue:
    """The catalogue with its recogniser, as of the terms' version now."""
    return terms_now().catalogue


def _price(pricing: str, amount: Decimal, estimate: str) -> terms.Price:
    """A clause's or the on-call work's price, as the contract's fields store it."""
    return terms.Price(
        pricing=terms.Pricing(pricing),
        amount=amount,
        estimate=terms.parse_duration(estimate) if estimate else None,
    )


def contract_terms(contract: Contract) -> terms.ContractTerms:
    """The contract's terms; expects clauses (with services) and SLA targets prefetched
    or accepts the queries otherwise."""
    clauses = {}
    for clause in contract.clauses.all():
        price = None
        if clause.coverage == terms.Coverage.PAID:
            # The clause_price_on_paid_only constraint: a paid clause has a price.
            assert clause.price is not None
            price = _price(clause.pricing, clause.price, clause.estimate)
        clauses[clause.service.code] = terms.ClauseTerms(
            service=clause.service.code,
            coverage=terms.Coverage(clause.coverage),
            text=clause.text,
            advice=clause.advice,
            price=price,
            max_per_month=clause.max_per_month,
            max_minutes_per_ticket=clause.max_minutes_per_ticket,
            round_the_clock=clause.round_the_clock,
            counts_against_allowance=clause.counts_against_allowance,
        )
    return terms.ContractTerms(
        reference=contract.reference,
        title=contract.title,
        valid_from=contract.valid_from,
        valid_until=contract.valid_until,
        currency=contract.currency,
        hourly_rate=contract.hourly_rate,
        monthly_fee=contract.monthly_fee,
        unlisted_services=terms.Coverage(contract.unlisted_services),
        included_minutes=contract.included_minutes,
        included_tickets=contract.included_tickets,
        support_hours=terms.SupportHours(
            timezone=contract.timezone,
            weekly=terms.parse_weekly(contract.support_hours),
            holiday_calendar=contract.holiday_calendar.upper(),
        ),
        clauses=clauses,
        emergency=(
            _price(
                contract.emergency_pricing, contract.emergency_price, contract.emergency_estimate
            )
            # The contract_emergency_priced constraint: a pricing comes with a price.
            if contract.emergency_pricing and contract.emergency_price is not None
            else None
        ),
        sla={
            target.priority: terms.SlaTarget(
                first_response=terms.parse_duration(target.first_response),
                resolution=terms.parse_duration(target.resolution),
            )
            for target in contract.sla_targets.all()
        },
    )


def uptime_terms(contract: Contract) -> UptimeTerms:
    """What the contract promises about uptime, for ``engine.uptime.uptime_month``."""
    return UptimeTerms(
        target=contract.uptime_target,
        bands=tuple(
            CreditBand(below=band.below, credit_percent=band.credit_percent)
            for band in contract.uptime_credits.all()
        ),
        monthly_fee=contract.monthly_fee,
        currency=contract.currency,
        maintenance_excluded=contract.maintenance_excluded,
        maintenance_notice=parse_notice(contract.maintenance_notice),
    )


def customers_with_terms():
    """Customers with everything ``customer_terms`` reads, in a fixed number of queries."""
    return Customer.objects.prefetch_related(
        Prefetch("contacts", queryset=Contact.objects.select_related("user")),
        Prefetch(
            "contracts",
            queryset=Contract.objects.select_related("customer").prefetch_related(
                Prefetch("clauses", queryset=Clause.objects.select_related("service")),
                "sla_targets",
                "top_ups",
            ),
        ),
    )


def customer_terms(customer: Customer) -> terms.CustomerTerms:
    contacts = {}
    for contact in customer.contacts.all():
        email = contact.user.email.strip().lower()
        contacts[email] = terms.ContactTerms(
            email=email,
            name=contact.name,
            role=terms.Role(contact.role),
            language=contact.language or customer.language,
        )
    return terms.CustomerTerms(
        slug=customer.slug,
        name=customer.name,
        language=customer.language,
        timezone=customer.timezone,
        contacts=contacts,
        contracts=tuple(contract_terms(c) for c in customer.contracts.all()),
    )


def customer_terms_by_slug(slug: str) -> terms.CustomerTerms | None:
    customer = customers_with_terms().filter(slug=slug).first()
    return customer_terms(customer) if customer else None


def reply_wordings() -> dict[tuple[str, str], str]:
    """Admins' own reply wording, by (verdict, language)."""
    return {(w.verdict, w.language): w.text for w in ReplyWording.objects.all()}


# --- the terms, kept per process ------------------------------------------------
# The scope check reads the catalogue, the customer's contracts and the reply
# wording on every ticket, and they change only when a lead edits them. Each
# process keeps them and asks the database one cheap question per decision: has
# the terms' version changed? Every change to a model they are built from bumps
# it (``terms_changed``, connected in apps.py), in the same transaction as the
# change, so the next decision in every worker process sees the edit. Writes
# that send no signals (``QuerySet.update``, ``bulk_create``) on those models
# bump it too (``TermsQuerySet``).
TERMS_MODELS = (
    Service,
    Customer,
    Contact,
    Contract,
    Clause,
    SlaTarget,
    UptimeCredit,
    TopUp,
    ReplyWording,
)


def terms_version_query() -> QuerySet:
    """The version's token, for a caller to read in a statement it runs anyway."""
    return TermsVersion.objects.filter(pk=1).values_list("token", flat=True)


def terms_version() -> str:
    token = terms_version_query().first()
    if token is None:
        terms_changed()
        token = TermsVersion.objects.values_list("token", flat=True).get(pk=1)
    return token


@dataclass(frozen=True)
class CustomerTermsEntry:
    """A customer's terms for the engine, and the rows a decision records."""

    terms: terms.CustomerTerms
    customer: Customer  # with its contracts, clauses and services prefetched
    contracts: dict[str, Contract]  # by reference
    clauses: dict[tuple[str, str], Clause]  # by (contract reference, service code)

    @property
    def top_ups(self) -> list[TopUp]:
        return [top_up for contract in self.contracts.values() for top_up in contract.top_ups.all()]


@dataclass
class TermsSnapshot:
    version: str
    entries: tuple[terms.ServiceEntry, ...]
    catalogue: Catalogue
    services: dict[str, Service]
    wordings: dict[tuple[str, str], str]
    customers: dict[int, CustomerTermsEntry] = field(default_factory=dict)

    def customer(self, pk: int) -> CustomerTermsEntry:
        """The customer's terms, read once per version."""
        entry = self.customers.get(pk)
        if entry is None:
            customer = customers_with_terms().get(pk=pk)
            contracts = {c.reference: c for c in customer.contracts.all()}
            entry = CustomerTermsEntry(
                terms=customer_terms(customer),
                customer=customer,
                contracts=contracts,
                clauses={
                    (reference, clause.service.code): clause
                    for reference, contract in contracts.items()
                    for clause in contract.clauses.all()
                },
            )
            self.customers[pk] = entry
        return entry


_snapshot: TermsSnapshot | None = None


def terms_now(version: str | None = None) -> TermsSnapshot:
    """The terms as of their version in the database: one query when unchanged,
    none when the caller has read ``version`` (``terms_version_query``). A new
    version rebuilds them; the recogniser, which costs far more to build than the
    rest, only when the services themselves changed."""
    global _snapshot
    version = version or terms_version()
    if _snapshot is not None and _snapshot.version == version:
        return _snapshot
    services = {service.code: service for service in Service.objects.all()}
    entries = service_catalogue(services.values())
    catalogue = (
        _snapshot.catalogue
        if _snapshot is not None and _snapshot.entries == entries
        else Catalogue(entries)
    )
    _snapshot = TermsSnapshot(
        version=version,
        entries=entries,
        catalogue=catalogue,
        services=services,
        wordings=reply_wordings(),
    )
    return _snapshot


def terms_forget() -> None:
    """Drop this process's terms (tests that empty the database between them)."""
    global _snapshot
    _snapshot = None


UsageReader = Callable[[str, datetime], Usage]


class ScopePreview:
    """Decides sample requests without writing anything: for checkscope and the
    contract editor's try box. Reads the catalogue once and each customer once.

    ``usage_for(slug, at)`` gives the customer's usage of that month; contracts
    cannot count tickets, so the tickets app passes its reader in. Without one,
    nothing is used yet."""

    def __init__(self, usage_for: UsageReader | None = None) -> None:
        self.catalogue = current_catalogue()
        self.wordings = reply_wordings()
        self.usage_for = usage_for
        self._customers: dict[str, terms.CustomerTerms | None] = {}

    def customer(self, slug: str) -> terms.CustomerTerms:
        if slug not in self._customers:
            self._customers[slug] = customer_terms_by_slug(slug)
        found = self._customers[slug]
        if found is None:
            raise ValueError(f"no customer with the slug {slug!r}")
        return found

    def decide(
        self, *, customer_slug: str, request: ScopeRequest, at: datetime
    ) -> tuple[Decision, Reply]:
        customer = self.customer(customer_slug)
        usage = self.usage_for(customer_slug, at) if self.usage_for else Usage()
        decision = decide(
            customer=customer, request=request, usage=usage, at=at, catalogue=self.catalogue
        )
        return decision, render_reply(
            decision, at=at, catalogue=self.catalogue, wordings=self.wordings
        )
