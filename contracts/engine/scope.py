"""The scope engine: what the contract says about one request, at one moment.

``decide`` is a pure function. Everything it needs — the customer's terms, the
request, this month's usage, the moment and the service catalogue — is passed
in; it reads no database, clock or settings, and writes nothing. The verdicts
are checked in the order of ``terms.Verdict``; the first that applies wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from contracts.engine import hours
from contracts.engine.matching import Recognition, ServiceMatcher
from contracts.engine.parts import Segment, split_request
from contracts.engine.quotes import is_reply_subject, split_quoted
from contracts.engine.terms import (
    ClauseTerms,
    ContactTerms,
    ContractTerms,
    Coverage,
    CustomerTerms,
    Duration,
    Price,
    Pricing,
    ServiceEntry,
    Verdict,
    always_covered_clause,
    contract_for,
)

# How complete a phrase of another service the text must hold to contradict the
# service the requester picked: half a phrase, as for a subject line.
PICKED_CONTRADICTED = 0.5


class UnknownService(ValueError):
    """The request names a service code that the catalogue does not have."""


class Catalogue:
    """The service catalogue with its recogniser, built once and shared."""

    def __init__(self, entries: Iterable[ServiceEntry]) -> None:
        self.entries: dict[str, ServiceEntry] = {entry.code: entry for entry in entries}
        self.matcher = ServiceMatcher(self.entries.values())
        self.always_covered = frozenset(c for c, e in self.entries.items() if e.always_covered)

    def clause_for(self, contract: ContractTerms, code: str) -> ClauseTerms:
        """The clause that holds for the service under the contract: for an
        always-covered service the same under every contract, else the contract's
        clause or its policy for unlisted services."""
        if code in self.always_covered:
            return always_covered_clause(code)
        return contract.clause_for(code)

    def __contains__(self, code: object) -> bool:
        return code in self.entries

    def name(self, code: str, language: str) -> str:
        entry = self.entries.get(code)
        return entry.name(language) if entry else code


@dataclass(frozen=True, slots=True)
class ScopeRequest:
    email: str
    text: str
    subject: str = ""
    service: str | None = None  # picked by the requester, if they did
    priority: str = "normal"
    # A technician chose the service: take it whatever the text says.
    service_confirmed: bool = False


@dataclass(frozen=True, slots=True)
class Usage:
    """What the customer has used of the current calendar month, before this request."""

    minutes_used: int = 0
    tickets_used: int = 0
    topup_minutes_left: int = 0
    service_counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """The price a decision quotes the customer; the desk stores it as the
    ticket's ``Offer`` (tickets.models) for the customer to accept or decline."""

    amount: Decimal  # the fixed price, or the price per hour (a renewal's: per month)
    currency: str
    pricing: Pricing
    estimate: Duration | None = None
    # A renewal of an ended contract: ``amount`` a month for this many months.
    term_months: int | None = None
    # Paid on-call work now, outside support hours: the covered work waits for
    # the opening unless the customer accepts (``emergency_offer``).
    emergency: bool = False

    @property
    def is_renewal(self) -> bool:
        return self.term_months is not None

    @property
    def estimated_total(self) -> Decimal:
        return Price(self.pricing, self.amount, self.estimate).estimated_total

    @property
    def kind(self) -> str:
        """What is offered, in the words of ``tickets.models.Offer.Kind``."""
        if self.is_renewal:
            return "renewal"
        return "emergency" if self.emergency else "work"


class Reason:
    """Why a verdict was given, in one word the reply and the queue can use."""

    UNKNOWN_SENDER = "unknown_sender"
    NO_VALID_CONTRACT = "no_valid_contract"
    # Valid now, but over before the desk opens again: no work can be promised under it.
    ENDS_BEFORE_OPENING = "contract_ends_before_opening"
    UNRECOGNISED = "unrecognised"
    CONFLICTING_SERVICE = "conflicting_service"
    CLAUSE = "clause"
    UNLISTED = "unlisted"
    CLAUSE_COUNT_USED_UP = "clause_count_used_up"
    TICKETS_USED_UP = "tickets_used_up"
    MINUTES_USED_UP = "minutes_used_up"
    OUTSIDE_SUPPORT_HOURS = "outside_support_hours"
    COVERED = "covered"
    # A complaint or a compensation claim: covered under any contract, even an ended one.
    ALWAYS_COVERED = "always_covered"


# The verdicts a part of a mixed request may have, most urgent first: the
# decision as a whole (its verdict, service, SLA and status) follows the first
# of its parts in this order, so covered work is never held up by an offer.
PART_ORDER: tuple[Verdict, ...] = (
    Verdict.IN_SCOPE,
    Verdict.OUTSIDE_HOURS,
    Verdict.OVER_ALLOWANCE,
    Verdict.PAID_OPTION,
    Verdict.OUT_OF_SCOPE,
)


@dataclass(frozen=True, slots=True)
class DecisionPart:
    """One request of a mixed text, judged on its own."""

    text: str  # the words of the request that ask for it
    service: str
    verdict: Verdict
    reason: str
    clause: ClauseTerms
    contract: ContractTerms
    offer: PriceQuote | None = None
    starts_at: datetime | None = None
    confidence: float = 0.0


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    reason: str
    language: str
    customer: CustomerTerms | None = None
    contact: ContactTerms | None = None
    contract: ContractTerms | None = None
    service: str | None = None
    clause: ClauseTerms | None = None  # for an unlisted service: the contract's policy as a clause
    offer: PriceQuote | None = None
    starts_at: datetime | None = None  # outside_hours: when work starts
    candidates: tuple[str, ...] = ()  # needs_review: the services a technician chooses from
    confidence: float = 0.0
    priority: str = "normal"  # the request's: the reply promises that priority's response time
    # A mixed request: each part with its own verdict; the fields above are
    # those of the most urgent part (``PART_ORDER``).
    parts: tuple[DecisionPart, ...] = ()


def decide(
    *,
    customer: CustomerTerms | None,
    request: ScopeRequest,
    usage: Usage,
    at: datetime,
    catalogue: Catalogue,
) -> Decision:
    if request.service is not None and request.service not in catalogue:
        raise UnknownService(request.service)

    contact = customer.contact(request.email) if customer else None
    if customer is None or contact is None or not customer.contracts:
        language = contact.language if contact else customer.language if customer else "en"
        return Decision(
            Verdict.NOT_AUTHORIZED,
            Reason.UNKNOWN_SENDER,
            language,
            customer,
            priority=request.priority,
        )
    language = contact.language

    local_day = at.astimezone(hours.zone(customer.timezone)).date()
    valid = list(customer.contracts_on(local_day))
    latest = max(customer.contracts, key=lambda c: c.precedence)
    text, subject = _what_is_new(request.text, request.subject)
    recognition = catalogue.matcher.recognise(text, subject=subject)
    service: str | None
    review: tuple[str, ...]
    if request.service_confirmed and request.service:
        service, review = request.service, ()
    else:
        service, review = _service_to_judge(
            request.service, recognition, valid or [latest], catalogue
        )
    always = service in catalogue.always_covered
    if not valid and not always:
        return Decision(
            Verdict.NO_CONTRACT,
            Reason.NO_VALID_CONTRACT,
            language,
            customer,
            contact,
            contract=latest,
            offer=_no_contract_offer(latest, local_day),
            priority=request.priority,
        )
    if not request.service_confirmed and request.service in (None, service):
        split = split_request(text, catalogue.matcher, recognition)
        parted = _decide_in_parts(split, customer, request, usage, at, catalogue) if split else None
        if parted is not None:
            return parted
    if service is None:
        return Decision(
            Verdict.NEEDS_REVIEW,
            Reason.CONFLICTING_SERVICE if review else Reason.UNRECOGNISED,
            language,
            customer,
            contact,
            contract=contract_for(valid, request.service),
            service=request.service,
            candidates=review or tuple(code for code, _ in recognition.candidates),
            confidence=recognition.confidence,
            priority=request.priority,
        )

    # A complaint or claim from a customer whose contract has ended is still
    # answered, under the contract that was theirs last.
    contract = contract_for(valid, service) if valid else latest
    clause = catalogue.clause_for(contract, service)
    if always:
        reason = Reason.ALWAYS_COVERED
    else:
        reason = Reason.CLAUSE if service in contract.clauses else Reason.UNLISTED
    judged = Decision(
        Verdict.IN_SCOPE,
        reason,
        language,
        customer,
        contact,
        contract=contract,
        service=service,
        clause=clause,
        confidence=1.0 if service == request.service else recognition.confidence,
        priority=request.priority,
    )

    if clause.coverage is Coverage.EXCLUDED:
        return replace(judged, verdict=Verdict.OUT_OF_SCOPE)
    if clause.coverage is Coverage.PAID:
        assert clause.price is not None  # a database constraint guarantees it
        price = clause.price
        offer = PriceQuote(price.amount, contract.currency, price.pricing, price.estimate)
        return replace(judged, verdict=Verdict.PAID_OPTION, offer=offer)

    used_up = _allowance_used_up(contract, clause, usage)
    if used_up:
        estimate = (
            Duration(clause.max_minutes_per_ticket, "m") if clause.max_minutes_per_ticket else None
        )
        offer = PriceQuote(contract.hourly_rate, contract.currency, Pricing.HOURLY, estimate)
        return replace(judged, verdict=Verdict.OVER_ALLOWANCE, reason=used_up, offer=offer)

    if not clause.round_the_clock and not hours.is_open(contract.support_hours, at):
        starts_at = hours.next_opening(contract.support_hours, at)
        if starts_at is not None and not always and not _any_valid_on(customer, starts_at):
            # Late on a contract's last day: the desk opens again only after every
            # contract has ended, so no work under it can be promised. Answer as
            # for an ended contract: renewal, or paid one-off work now.
            return replace(
                judged,
                verdict=Verdict.NO_CONTRACT,
                reason=Reason.ENDS_BEFORE_OPENING,
                offer=PriceQuote(contract.hourly_rate, contract.currency, Pricing.HOURLY),
            )
        return replace(
            judged,
            verdict=Verdict.OUTSIDE_HOURS,
            reason=Reason.OUTSIDE_SUPPORT_HOURS,
            starts_at=starts_at,
            # A complaint or a claim is answered by a person, not sold as on-call work.
            offer=None if always else emergency_offer(contract, request.priority),
        )
    return replace(judged, reason=Reason.ALWAYS_COVERED if always else Reason.COVERED)


def _decide_in_parts(
    split: tuple[Segment, ...],
    customer: CustomerTerms,
    request: ScopeRequest,
    usage: Usage,
    at: datetime,
    catalogue: Catalogue,
) -> Decision | None:
    """A mixed request judged part by part, or None when its parts do not differ
    in verdict (one answer fits them all) or one of them cannot be a part."""
    decided = []
    for segment in split:
        if segment.service in catalogue.always_covered:
            return None  # a complaint or claim is answered as a whole (tickets.services.claims)
        one = replace(request, text=segment.text, service=segment.service, service_confirmed=True)
        decision = decide(customer=customer, request=one, usage=usage, at=at, catalogue=catalogue)
        if decision.verdict not in PART_ORDER:
            return None
        decided.append((segment, decision))
    if len({decision.verdict for _, decision in decided}) < 2:
        return None
    parts = tuple(
        DecisionPart(
            text=segment.text,
            service=segment.service,
            verdict=d.verdict,
            reason=d.reason,
            clause=d.clause,
            contract=d.contract,
            offer=d.offer,
            starts_at=d.starts_at,
            confidence=segment.confidence,
        )
        for segment, d in decided
        if d.clause is not None and d.contract is not None
    )
    lead = min(decided, key=lambda item: PART_ORDER.index(item[1].verdict))[1]
    return replace(lead, confidence=min(part.confidence for part in parts), parts=parts)


def _what_is_new(text: str, subject: str) -> tuple[str, str]:
    """The text and subject of what the customer writes now. The earlier messages
    quoted below a reply and the signature talk about other things ("> the mailbox
    is fixed"), and judging them would judge a request already answered; so does a
    reply's subject ("Re: Mailbox") when the text quotes the message it names. A
    text that is all quote is judged whole."""
    if "\n" not in text:  # one line holds no quote under it and no signature
        return text, subject
    new, quoted = split_quoted(text)
    if quoted and new and is_reply_subject(subject):
        subject = ""
    return new or text, subject


EMERGENCY_PRIORITY = "urgent"


def emergency_offer(contract: ContractTerms, priority: str) -> PriceQuote | None:
    """What an urgent covered request outside support hours may have on top of
    the wait for the opening: the contract's paid on-call work, if it has one.
    Only urgent requests: anything else can wait, and is not sold as if it could not."""
    price = contract.emergency
    if price is None or priority != EMERGENCY_PRIORITY:
        return None
    return PriceQuote(
        price.amount, contract.currency, price.pricing, price.estimate, emergency=True
    )


def _no_contract_offer(latest: ContractTerms, day: date) -> PriceQuote:
    """What a customer without a valid contract is offered: the renewal of the
    contract that ended, at its monthly fee for its own length; one-off work at
    the hourly rate where it had no fee (nothing to renew at a price we know) or
    where it has not started yet."""
    ended = latest.valid_until is not None and latest.valid_until < day
    if ended and latest.monthly_fee > 0:
        return PriceQuote(
            latest.monthly_fee, latest.currency, Pricing.FIXED, term_months=latest.term_months
        )
    return PriceQuote(latest.hourly_rate, latest.currency, Pricing.HOURLY)


def _any_valid_on(customer: CustomerTerms, moment: datetime) -> bool:
    """Whether a contract of the customer (this one, or a renewal) is valid then."""
    day = moment.astimezone(hours.zone(customer.timezone)).date()
    return bool(customer.contracts_on(day))


def _service_to_judge(
    picked: str | None,
    recognition: Recognition,
    contracts: list[ContractTerms],
    catalogue: Catalogue,
) -> tuple[str | None, tuple[str, ...]]:
    """The service to judge, or None and the services a technician must choose from.

    A picked service never outweighs a text that asks for another service whose
    coverage differs: customers sometimes pick "Site down" to get a plugin
    installed, and that must not turn paid work into free work. The text need
    not be clear enough to be judged on its own for that: a candidate with real
    evidence (``PICKED_CONTRADICTED``) and more of it than the picked service has
    is enough to send the ticket to a technician, with both. A complaint or claim
    that the text makes wins over the picked service: the customer picked what
    the complaint is about.
    """
    recognised = recognition.service
    if picked is None:
        return recognised, ()
    if recognised == picked:
        return picked, ()
    if recognised in catalogue.always_covered:
        return recognised, ()
    contract = contract_for(contracts, picked)
    covered = _coverage_of(catalogue, contract, picked)
    evidence = dict(recognition.candidates)
    # A text recognised with confidence names its one service; else every
    # candidate with real evidence, and more than the picked service has, counts.
    asked = (
        [recognised]
        if recognised
        else [
            code
            for code, score in recognition.candidates
            if score >= PICKED_CONTRADICTED and score > evidence.get(picked, 0.0)
        ]
    )
    others = [code for code in dict.fromkeys(asked) if code != picked]
    differing = tuple(c for c in others if _coverage_of(catalogue, contract, c) != covered)
    if differing:
        return None, (picked, *differing)
    return picked, ()


def _coverage_of(
    catalogue: Catalogue, contract: ContractTerms, service: str
) -> tuple[Coverage, Price | None]:
    clause = catalogue.clause_for(contract, service)
    return clause.coverage, clause.price


def _allowance_used_up(contract: ContractTerms, clause: ClauseTerms, usage: Usage) -> str | None:
    """Which of this month's limits is used up for covered work, if any."""
    count = usage.service_counts.get(clause.service, 0)
    if clause.max_per_month is not None and count >= clause.max_per_month:
        return Reason.CLAUSE_COUNT_USED_UP
    if not clause.counts_against_allowance or usage.topup_minutes_left > 0:
        # Prepaid top-ups are drawn on once the monthly allowance is gone.
        return None
    if contract.included_tickets is not None and usage.tickets_used >= contract.included_tickets:
        return Reason.TICKETS_USED_UP
    if contract.included_minutes is not None and usage.minutes_used >= contract.included_minutes:
        return Reason.MINUTES_USED_UP
    return None
