"""The automatic reply to a decision, in the contact's language.

Every verdict has a default wording (translated with Django's i18n) and admins
may replace it per verdict and language (``ReplyWording``). Both are templates
with the same ``{placeholders}``, so one path renders them. The same decision
always gets the same reply, whoever is on duty.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from contracts.engine import hours
from contracts.engine.scope import Catalogue, Decision, PriceQuote, Reason
from contracts.engine.terms import (
    ROUND_THE_CLOCK,
    ClauseTerms,
    Coverage,
    Duration,
    Pricing,
    Role,
    SupportHours,
    Verdict,
    clause_advice,
    clause_text,
    parse_weekly,
)
from contracts.greetings import greeting


@dataclass(frozen=True, slots=True)
class Reply:
    language: str
    text: str


# Default wordings, marked for translation and translated when rendered. Each
# thanks the customer, says what happens next and when, puts a limit in everyday
# words with the options and their prices, and leaves the door open.
DEFAULT_WORDING: dict[Verdict, str] = {
    Verdict.NOT_AUTHORIZED: gettext_noop(
        "{greeting}\n\n"
        "Thank you for writing to us. We can open support requests only for the people "
        "whom {customer} has named as its contacts with us, and this address is not one "
        "of them yet, so we cannot take the request on from here.\n\n"
        "{who_can_help}\n\n"
        "As soon as that is sorted out, we will gladly help.\n\n"
        "{signature}"
    ),
    Verdict.NO_CONTRACT: gettext_noop(
        "{greeting}\n\n"
        "Thank you for your message. {contract_state}, so we cannot take this request on "
        "under a contract at the moment.\n\n"
        "If it cannot wait, we can do it right away as paid one-off work at {price}. You "
        "can accept or decline this offer with one click; nothing is charged unless you "
        "accept. {next_step}\n\n"
        "{signature}"
    ),
    Verdict.NEEDS_REVIEW: gettext_noop(
        "{greeting}\n\n"
        "Thank you for your message, it has reached us. A technician will look at it "
        "personally and reply {reply_by}.\n\n"
        "So that we can help straight away: which site or address is affected, and what "
        "exactly do you see (an error message or a screenshot helps)? Just reply to this "
        "message.\n\n"
        "{signature}"
    ),
    Verdict.OUT_OF_SCOPE: gettext_noop(
        "{greeting}\n\n"
        "Thank you for asking us. This request ({service}) is something we do not take "
        "care of under your contract: {clause}\n\n"
        "{advice}\n\n"
        "If there is anything else we can do for you, just write. We are always glad "
        "to help.\n\n"
        "{signature}"
    ),
    Verdict.PAID_OPTION: gettext_noop(
        "{greeting}\n\n"
        "Thank you for your request. This request ({service}) is not part of the support included "
        "in your contract, but we will gladly do it for you as paid work: {clause}\n\n"
        "Price: {price}.\n\n"
        "You can accept or decline this offer with one click; nothing is charged unless "
        "you accept. As soon as you do, a technician starts on it. If you have a question "
        "about the offer first, just reply to this message.\n\n"
        "{signature}"
    ),
    Verdict.OVER_ALLOWANCE: gettext_noop(
        "{greeting}\n\n"
        "Thank you for your message. This request ({service}) is covered by your "
        "contract, but {limit_used_up} this month.\n\n"
        "You can choose: we do it now as paid work at {price} (accept the offer with one "
        "click; nothing is charged unless you accept), or it waits until {next_month}, "
        "when your monthly allowance starts afresh. If you often need more, we would be "
        "glad to suggest a plan with a larger monthly allowance.\n\n"
        "{signature}"
    ),
    Verdict.OUTSIDE_HOURS: gettext_noop(
        "{greeting}\n\n"
        "Thank you for your message. This is covered by your contract: {clause}\n\n"
        "It reached us outside our support hours, so a technician will take it up "
        "{starts_at}. {response_promise} If anything changes in the meantime, just reply "
        "to this message.\n\n"
        "{signature}"
    ),
    Verdict.IN_SCOPE: gettext_noop(
        "{greeting}\n\n"
        "Thank you for your message. This is covered by your contract: {clause}\n\n"
        "{response_promise} If you think of anything that would help us, just reply to "
        "this message.\n\n"
        "{signature}"
    ),
}

# Something is down (an outage service, or a request marked urgent): the reply
# says first that we are on it and when a person answers; money is not the news.
OUTAGE_WORDING: dict[Verdict, str] = {
    Verdict.IN_SCOPE: gettext_noop(
        "{greeting}\n\n"
        "Thank you for telling us straight away, and we are sorry for the trouble. We "
        "are on it: getting this working again is part of your contract. "
        "{response_promise}\n\n"
        "If you can, reply with the address that is affected and what you see (an error "
        "message or a screenshot helps). We will not wait for your answer to start, "
        "though.\n\n"
        "{signature}"
    ),
    Verdict.OUTSIDE_HOURS: gettext_noop(
        "{greeting}\n\n"
        "Thank you for telling us, and we are sorry for the trouble. Your contract covers "
        "this within our support hours, and your message reached us outside them: our "
        "technicians are back {starts_at}, and this is the first thing they take up. You "
        "will hear from us {reply_by}.\n\n"
        "Your contract does not include round-the-clock support for this, so we cannot "
        "promise that someone looks at it sooner. What you can do now: if the fault is "
        "on our side, you will see it on our incidents page, {incidents_page}; and it "
        "helps to tell your own customers what is going on. If you reply with the address "
        "that is affected and what you see, the technician can start on it the moment we "
        "are back.\n\n"
        "{signature}"
    ),
}

# An urgent request outside support hours under a contract that offers paid
# on-call work: when a person answers anyway, and what the customer can do now.
OUTSIDE_HOURS_EMERGENCY = gettext_noop(
    "{greeting}\n\n"
    "Thank you for telling us, and we are sorry for the trouble. Your contract covers "
    "this within our support hours, and your message reached us outside them: our "
    "technicians are back {starts_at}, and this is the first thing they take up. You "
    "will hear from us {reply_by}.\n\n"
    "If it cannot wait: our on-call technician can start on it now, at {price}. You "
    "can accept this with one click; nothing is charged unless you accept. If you do "
    "not, nothing changes: we take it up when we are back, as part of your contract.\n\n"
    "If you reply with the address that is affected and what you see, whoever takes "
    "it up can start at once.\n\n"
    "{signature}"
)

# An ended contract whose offer for one-off work is already with the customer on
# another ticket: one offer to answer, not one per ticket.
NO_CONTRACT_OFFER_PENDING = gettext_noop(
    "{greeting}\n\n"
    "Thank you for your message. {contract_state}, so we cannot take this request on "
    "under a contract at the moment.\n\n"
    "We have already sent you our offer for paid one-off work on ticket {offer_ticket}, "
    "at {price}, so we are not sending a second one here. If you accept it there, just "
    "add that this request should be done too. {next_step}\n\n"
    "{signature}"
)

# An ended contract with a monthly fee: the offer is its renewal, one click to
# accept. Urgent work meanwhile is a technician's answer to a reply, never a
# second offer promised beside the Accept button.
NO_CONTRACT_RENEWAL = gettext_noop(
    "{greeting}\n\n"
    "Thank you for your message. {contract_state}, so we cannot take this request on "
    "under a contract at the moment.\n\n"
    "We would be glad to renew it: {contract} at {price}. {how_to_accept} As soon as the "
    "renewed contract is in place, we take this request up.\n\n"
    "If something cannot wait until then, just reply and a technician will tell you "
    "what we can do.\n\n"
    "{signature}"
)

# The renewal offer already waits on another ticket: this reply points there.
NO_CONTRACT_RENEWAL_PENDING = gettext_noop(
    "{greeting}\n\n"
    "Thank you for your message. {contract_state}, so we cannot take this request on "
    "under a contract at the moment.\n\n"
    "We have already sent you our offer to renew your contract on ticket {offer_ticket}, "
    "so we are not sending a second one here. As soon as the renewed contract is in "
    "place, we take this request up too.\n\n"
    "If something cannot wait until then, just reply and a technician will tell you "
    "what we can do.\n\n"
    "{signature}"
)

# The customer has accepted the renewal on another ticket; a lead is loading it.
NO_CONTRACT_RENEWAL_ACCEPTED = gettext_noop(
    "{greeting}\n\n"
    "Thank you for your message. {contract_state}, and you have accepted its renewal "
    "on ticket {offer_ticket}: we are preparing the renewed contract. As soon as it "
    "is in place, we take this request up too.\n\n"
    "If something cannot wait until then, just reply and a technician will tell you "
    "what we can do.\n\n"
    "{signature}"
)

# A mixed request ("mail is down, and please install plugin X") is answered in one
# message: an opening, a paragraph for each part in the order the customer asked,
# and the signature. Admins' own wordings are per verdict and so fit whole
# requests only; the parts are answered in these words.
PARTS_OPENING = gettext_noop(
    "{greeting}\n\n"
    "Thank you for your message. You asked us for more than one thing, so here is "
    "our answer to each."
)
PARTS_CLOSING = gettext_noop(
    "If anything here is unclear, or you would like it done differently, just reply to "
    "this message."
)
PART_WORDING: dict[Verdict, str] = {
    Verdict.IN_SCOPE: gettext_noop(
        "{service}: we are on it now. This is covered by your contract. {response_promise}"
    ),
    Verdict.OUTSIDE_HOURS: gettext_noop(
        "{service}: this is covered by your contract. It reached us outside our support "
        "hours, so a technician will take it up {starts_at}. {response_promise}"
    ),
    Verdict.OVER_ALLOWANCE: gettext_noop(
        "{service}: this is covered by your contract, but {limit_used_up} this month. We "
        "can still do it now as paid work at {price}, or it can wait until {next_month}. "
        "You can accept or decline this offer with one click; nothing is charged unless "
        "you accept."
    ),
    Verdict.PAID_OPTION: gettext_noop(
        "{service}: this is not part of the support included in your contract, but we will "
        "gladly do it for you as paid work. Price: {price}. You can accept or decline this "
        "offer with one click; nothing is charged unless you accept."
    ),
    Verdict.OUT_OF_SCOPE: gettext_noop(
        "{service}: this is something we do not take care of under your contract: {clause} {advice}"
    ),
}
# Said after an outside-hours part that has the contract's on-call offer.
PART_EMERGENCY = gettext_noop(
    "If it cannot wait: our on-call technician can start on it now, at {price}. You can "
    "accept or decline this offer with one click; nothing is charged unless you accept."
)

# The catalogue's services (examples/services.yaml) that report something down.
# A request marked urgent says the same ("something is down right now", as the
# portal's priority choice explains it).
OUTAGE_SERVICES = frozenset({"hosting.availability"})

PLACEHOLDERS = frozenset(
    {
        "greeting",
        "name",
        "customer",
        "who_can_help",
        "contract",
        "contract_state",
        "next_step",
        "service",
        "clause",
        "advice",
        "price",
        "limit_used_up",
        "next_month",
        "starts_at",
        "response_promise",
        "reply_by",
        "incidents_page",
        "signature",
    }
)


def is_outage(service: str | None, priority: str) -> bool:
    """Whether the request reports something down: an outage service, or urgent."""
    return service in OUTAGE_SERVICES or priority == "urgent"


def template_problems(template: str) -> list[str]:
    """What is wrong with an admin's wording: unknown placeholders or broken braces."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        return [str(exc)]
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        return [f"unknown placeholder {{{f}}}" for f in unknown]
    return []


def render_reply(
    decision: Decision,
    *,
    at: datetime,
    catalogue: Catalogue,
    wordings: Mapping[tuple[str, str], str] | None = None,
    offer_elsewhere: str = "",
    elsewhere_renewal: bool = False,
    renewal_accepted: bool = False,
) -> Reply:
    """The reply that the customer gets for this decision.

    ``offer_elsewhere``: the ticket (number and link) where an ended contract's
    offer already waits for the customer's answer, so this reply points there
    instead of making another; ``elsewhere_renewal``: that offer is a renewal,
    ``renewal_accepted``: one the customer has accepted already."""
    language = decision.language
    if decision.parts:
        return _render_parts(decision, at=at, catalogue=catalogue)
    with translation.override(language):
        template = _template(
            decision,
            wordings or {},
            offer_elsewhere=bool(offer_elsewhere),
            elsewhere_renewal=elsewhere_renewal,
            renewal_accepted=renewal_accepted,
        )
        values = _placeholder_values(
            decision,
            at=at,
            catalogue=catalogue,
            extra={"offer_ticket": offer_elsewhere},
        )
        return Reply(language, template.format_map(values).strip())


def _template(
    decision: Decision,
    wordings: Mapping[tuple[str, str], str],
    *,
    offer_elsewhere: bool,
    elsewhere_renewal: bool = False,
    renewal_accepted: bool = False,
) -> str:
    """The wording for the decision: the admins' own for its verdict and language,
    else the default, which speaks of an outage, a renewal or an offer elsewhere
    in words of its own."""
    verdict = decision.verdict
    if verdict is Verdict.NO_CONTRACT and offer_elsewhere:
        # The admins' wording offers one-off work here; this reply must not.
        if elsewhere_renewal and renewal_accepted:
            return _(NO_CONTRACT_RENEWAL_ACCEPTED)
        if elsewhere_renewal:
            return _(NO_CONTRACT_RENEWAL_PENDING)
        return _(NO_CONTRACT_OFFER_PENDING)
    if verdict is Verdict.NO_CONTRACT and decision.offer and decision.offer.is_renewal:
        # The admins' no_contract wording offers one-off work at {price}; a
        # renewal's price in those words would read as an hourly job's.
        return _(NO_CONTRACT_RENEWAL)
    if verdict is Verdict.OUTSIDE_HOURS and decision.offer and decision.offer.emergency:
        # The admins' outside_hours wording knows no offer: the customer would
        # get an Accept link for a price the reply never named.
        return _(OUTSIDE_HOURS_EMERGENCY)
    own = wordings.get((verdict.value, decision.language))
    if own is not None:
        return own
    if verdict in OUTAGE_WORDING and is_outage(decision.service, decision.priority):
        return _(OUTAGE_WORDING[verdict])
    return _(DEFAULT_WORDING[verdict])


def _render_parts(decision: Decision, *, at: datetime, catalogue: Catalogue) -> Reply:
    """One message that answers each part of a mixed request in turn."""
    with translation.override(decision.language):
        whole = _placeholder_values(decision, at=at, catalogue=catalogue)
        paragraphs = [_(PARTS_OPENING).format_map(whole)]
        for part in decision.parts:
            one = replace(
                decision,
                verdict=part.verdict,
                reason=part.reason,
                service=part.service,
                clause=part.clause,
                contract=part.contract,
                offer=part.offer,
                starts_at=part.starts_at,
                parts=(),
            )
            values = _placeholder_values(one, at=at, catalogue=catalogue)
            paragraph = _(PART_WORDING[part.verdict]).format_map(values).strip()
            if part.offer is not None and part.offer.emergency:
                paragraph += " " + _(PART_EMERGENCY).format_map(values)
            paragraphs.append(paragraph)
        paragraphs.append(_(PARTS_CLOSING))
        paragraphs.append(whole["signature"])
        return Reply(decision.language, "\n\n".join(paragraphs))


class _OnDemand(dict):
    """Placeholder values computed only when the wording uses them: formatting
    dates and promises for a placeholder that is not there costs the most."""

    def __init__(self, makers: Mapping[str, Callable[[], str]]) -> None:
        super().__init__()
        self._makers = makers

    def __missing__(self, key: str) -> str:
        value = self[key] = self._makers[key]()
        return value


def _placeholder_values(
    decision: Decision,
    *,
    at: datetime,
    catalogue: Catalogue,
    extra: Mapping[str, str] | None = None,
) -> _OnDemand:
    customer, contract = decision.customer, decision.contract
    given = dict(extra or {})

    def service() -> str:
        return catalogue.name(decision.service, decision.language) if decision.service else ""

    return _OnDemand(
        {
            "greeting": lambda: greeting(
                decision.contact.name if decision.contact else "", decision.language
            ),
            "name": lambda: decision.contact.name if decision.contact else "",
            "customer": lambda: customer.name if customer else _("your company"),
            "who_can_help": lambda: _who_can_help(decision),
            "how_to_accept": lambda: _how_to_accept(decision),
            "contract": lambda: contract.reference if contract else "",
            "contract_state": lambda: _contract_state(decision, at),
            "next_step": lambda: _next_step(decision, at),
            "service": service,
            "clause": lambda: _clause_wording(decision, service),
            "advice": lambda: (
                _quoted(decision, clause_advice)
                or _("We would be happy to suggest where you could get help with it.")
            ),
            "price": lambda: format_offer(decision.offer) if decision.offer else "",
            "limit_used_up": lambda: _limit_used_up(decision),
            "next_month": lambda: _format_day(_first_of_next_month(decision, at)),
            "starts_at": lambda: (
                _format_moment(decision, decision.starts_at) if decision.starts_at else ""
            ),
            "response_promise": lambda: _response_promise(decision),
            "reply_by": lambda: _reply_by(decision, at),
            "offer_ticket": lambda: given.get("offer_ticket", ""),
            "incidents_page": incidents_page,
            "signature": lambda: _("Kind regards,\nYour support team"),
        }
    )


def format_money(amount: Decimal, currency: str) -> str:
    """“4,000.00 RUB”, “4 000,00 RUB”: thousands grouped as the reader's language
    groups them (a no-break space in Russian, Finnish and Latvian)."""
    money = formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
    return f"{money} {currency}"


def format_percent(value: Decimal) -> str:
    """A percentage with the decimals it has, at most three: 99.9 (not 99.900),
    99.153, 100, in the reader's number format."""
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return formats.number_format(value, min(places, 3), use_l10n=True)


def format_duration(duration: Duration, *, support_time: bool = True) -> str:
    """“8 working hours”, “30 minutes”, “3 working days”: support time in plain words."""
    n = duration.value
    if duration.unit == "m":
        return ngettext("%(n)d minute", "%(n)d minutes", n) % {"n": n}
    if not support_time:
        minutes = duration.minutes
        if minutes % 60 == 0 and minutes < 48 * 60:
            return ngettext("%(n)d hour", "%(n)d hours", minutes // 60) % {"n": minutes // 60}
        return ngettext("%(n)d day", "%(n)d days", minutes // 1440) % {"n": minutes // 1440}
    if duration.unit == "h":
        return ngettext("%(n)d working hour", "%(n)d working hours", n) % {"n": n}
    if duration.unit == "d":
        return ngettext("%(n)d working day", "%(n)d working days", n) % {"n": n}
    return ngettext("%(n)d week", "%(n)d weeks", n) % {"n": n}


def format_renewal(amount: Decimal, currency: str, months: int) -> str:
    """A renewal's price: “150.00 EUR a month for 12 months”."""
    return ngettext(
        "%(money)s a month for %(n)d month", "%(money)s a month for %(n)d months", months
    ) % {"money": format_money(amount, currency), "n": months}


def format_offer(offer: PriceQuote) -> str:
    """The price as the customer reads it: fixed, or hourly with the estimate, or
    a renewal's monthly fee for its term."""
    if offer.term_months is not None:
        return format_renewal(offer.amount, offer.currency, offer.term_months)
    if offer.pricing is Pricing.FIXED:
        return format_money(offer.amount, offer.currency)
    per_hour = _("%(money)s per hour") % {"money": format_money(offer.amount, offer.currency)}
    if offer.estimate is None:
        return per_hour
    return _("%(per_hour)s; we expect about %(estimate)s, so around %(total)s") % {
        "per_hour": per_hour,
        "estimate": format_duration(offer.estimate, support_time=False),
        "total": format_money(offer.estimated_total, offer.currency),
    }


def _who_can_help(decision: Decision) -> str:
    customer = decision.customer
    managers = (
        sorted(c.name for c in customer.contacts.values() if c.role is Role.MANAGER)
        if customer
        else []
    )
    if managers:
        return _("%(names)s can open tickets for you or ask us to add you as a contact.") % {
            "names": ", ".join(managers)
        }
    return _(
        "Please ask the person who manages your company's contract with us to open the "
        "ticket or to add you as a contact."
    )


def manager_names(contacts: Iterable[tuple[str, str]]) -> str:
    """“Anna Petrova and Ivan Sokolov”: the managers among (name, role) pairs, the
    people who may accept a renewal for their company; "" when there are none."""
    names = sorted(name for name, role in contacts if role == Role.MANAGER)
    if len(names) < 2:
        return "".join(names)
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


def who_can_accept_renewal(customer: str, names: str) -> str:
    """Beside a renewal, for a requester who is not a manager: who can accept it."""
    if names:
        return _(
            "A renewal is an agreement for all of %(customer)s, so only %(names)s can "
            "accept it: please pass this on."
        ) % {"customer": customer, "names": names}
    return _(
        "A renewal is an agreement for all of %(customer)s, so only the person who "
        "manages your company's contract with us can accept it: please pass this on."
    ) % {"customer": customer}


def _how_to_accept(decision: Decision) -> str:
    """How the reader accepts a renewal: a manager with one click; anyone else
    reads who can (it binds the company), never that they can themselves."""
    contact, customer = decision.contact, decision.customer
    if contact is None or customer is None or contact.role is Role.MANAGER:
        return _("You can accept with one click; nothing is charged unless you accept.")
    names = manager_names((c.name, c.role) for c in customer.contacts.values())
    return who_can_accept_renewal(customer.name, names)


def _contract_state(decision: Decision, at: datetime) -> str:
    contract = decision.contract
    if decision.verdict is not Verdict.NO_CONTRACT or contract is None:
        return ""
    if decision.reason == Reason.ENDS_BEFORE_OPENING:
        return _(
            "Your support contract %(reference)s ends on %(day)s, before our working hours "
            "start again"
        ) % {"reference": contract.reference, "day": _format_day(contract.valid_until)}
    if contract.valid_from > _local_day(decision, at):
        return _("Your support contract %(reference)s starts on %(day)s") % {
            "reference": contract.reference,
            "day": _format_day(contract.valid_from),
        }
    return _("Your support contract %(reference)s ended on %(day)s") % {
        "reference": contract.reference,
        "day": _format_day(contract.valid_until),
    }


def _clause_wording(decision: Decision, service_name: Callable[[], str]) -> str:
    """The clause's own words; for a service that no clause names, what the
    contract's policy for such services means."""
    clause = decision.clause
    text = _quoted(decision, clause_text)
    if text:
        return text
    if decision.reason == Reason.UNLISTED and clause is not None:
        if clause.coverage is Coverage.EXCLUDED:
            return _("your contract lists the services it covers, and this is not one of them.")
        return _("work that your contract does not list is done at its hourly rate.")
    return service_name()


# Said after a clause's words quoted in another language than the reply's.
WRITTEN_IN = {
    "en": gettext_noop("(This part of your contract is written in English.)"),
    "ru": gettext_noop("(This part of your contract is written in Russian.)"),
    "fi": gettext_noop("(This part of your contract is written in Finnish.)"),
    "lv": gettext_noop("(This part of your contract is written in Latvian.)"),
}


def written_in(text: str, language: str) -> str:
    """The words of a clause in ``language`` as the reader of the active language
    reads them: with a note when the contract has them in another language only."""
    reader = (translation.get_language() or "en").split("-")[0]
    if not text or language == reader or language not in WRITTEN_IN:
        return text
    return f"{text} {_(WRITTEN_IN[language])}"


def _quoted(decision: Decision, pick: Callable[[ClauseTerms, str, str], tuple[str, str]]) -> str:
    """The clause's text or advice in the contact's language, else by the fallback
    rule (``terms.text_in``), saying in which language it is quoted."""
    if decision.clause is None:
        return ""
    customer_language = decision.customer.language if decision.customer else "en"
    return written_in(*pick(decision.clause, decision.language, customer_language))


def _next_step(decision: Decision, at: datetime) -> str:
    contract = decision.contract
    if decision.verdict is not Verdict.NO_CONTRACT or contract is None:
        return ""
    if contract.valid_from > _local_day(decision, at):
        return _("Your support starts on that day.")
    return _(
        "We would also be glad to renew your contract: just tell us, and we will go "
        "through it with you."
    )


def _limit_used_up(decision: Decision) -> str:
    contract, clause = decision.contract, decision.clause
    limits = {
        Reason.CLAUSE_COUNT_USED_UP: clause.max_per_month if clause else None,
        Reason.TICKETS_USED_UP: contract.included_tickets if contract else None,
        Reason.MINUTES_USED_UP: contract.included_minutes if contract else None,
    }
    if limits.get(decision.reason) == 0:
        # "All 0 included tickets have been used" reads like a mistake.
        return _("your plan includes none of this free of charge")
    if decision.reason == Reason.CLAUSE_COUNT_USED_UP and clause:
        n = clause.max_per_month or 0
        return ngettext(
            "the %(n)d request of this kind included in your plan has been used",
            "the %(n)d requests of this kind included in your plan have been used",
            n,
        ) % {"n": n}
    if decision.reason == Reason.TICKETS_USED_UP and contract:
        n = contract.included_tickets or 0
        return ngettext(
            "the %(n)d included ticket has been used",
            "all %(n)d included tickets have been used",
            n,
        ) % {"n": n}
    if decision.reason == Reason.MINUTES_USED_UP and contract:
        n = contract.included_minutes or 0
        return ngettext(
            "the %(n)d included minute of work has been used",
            "all %(n)d included minutes of work have been used",
            n,
        ) % {"n": n}
    return ""


def _response_promise(decision: Decision) -> str:
    contract, clause = decision.contract, decision.clause
    # The request's priority; one without a target is held to the normal one,
    # as the SLA clock is (tickets.sla.due_times).
    target = (
        (contract.sla.get(decision.priority) or contract.sla.get("normal")) if contract else None
    )
    if not target:
        return _("A technician will reply as soon as possible.")
    round_the_clock = bool(clause and clause.round_the_clock)
    return _("A technician will reply within %(time)s.") % {
        "time": format_duration(target.first_response, support_time=not round_the_clock)
    }


def _local_day(decision: Decision, at: datetime) -> date:
    tz = decision.customer.timezone if decision.customer else "UTC"
    return at.astimezone(hours.zone(tz)).date()


def _first_of_next_month(decision: Decision, at: datetime) -> date:
    return hours.first_of_next_month(_local_day(decision, at))


def _format_day(day: date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def _format_moment(decision: Decision, moment: datetime, *, by: bool = False) -> str:
    """A moment of this decision at its support hours' wall clock, for the
    customer of the decision (``format_moment``)."""
    tz = decision.contract.support_hours.timezone if decision.contract else "UTC"
    home = decision.customer.timezone if decision.customer else tz
    return format_moment(moment, zone_name=tz, home_zone=home, by=by)


# Latvian says "on Monday, 23 November" with the weekday as an adverb and the month
# in the locative ("pirmdien, 2026. gada 23. novembrī"); Django's formats give the
# nominative ("pirmdiena, … novembris"), which reads wrong inside a sentence.
_LV_ON_WEEKDAY = (
    "pirmdien",
    "otrdien",
    "trešdien",
    "ceturtdien",
    "piektdien",
    "sestdien",
    "svētdien",
)
# Russian says "в понедельник", "в среду": the weekday in the accusative, in lower case.
_RU_ON_WEEKDAY = (
    "понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье",
)  # fmt: skip
_LV_IN_MONTH = (
    "janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā",
    "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī",
)  # fmt: skip


def format_moment(moment: datetime, *, zone_name: str, home_zone: str, by: bool = False) -> str:
    """“on Monday, 24 November at 8:00” (or, ``by``, “no later than …”) in the
    active language and its local style, at ``zone_name``'s wall clock; the zone
    is named only when it is not the reader's own (``home_zone``)."""
    local = moment.astimezone(hours.zone(zone_name))
    weekday = formats.date_format(local, "l")
    if translation.get_language() == "ru":
        weekday = _RU_ON_WEEKDAY[local.weekday()]  # "в понедельник", "в среду"
    day = formats.date_format(local, "DATE_FORMAT")
    if translation.get_language() == "lv":
        weekday = _LV_ON_WEEKDAY[local.weekday()]
        day = f"{local.year}. gada {local.day}. {_LV_IN_MONTH[local.month - 1]}"
    values = {
        "weekday": weekday,
        "day": day,
        "time": formats.time_format(local, "TIME_FORMAT"),
        "zone": zone_name,
    }
    own_zone = home_zone == zone_name
    if by:
        if own_zone:
            return _("no later than %(weekday)s, %(day)s at %(time)s") % values
        return _("no later than %(weekday)s, %(day)s at %(time)s (%(zone)s time)") % values
    if own_zone:
        return _("on %(weekday)s, %(day)s at %(time)s") % values
    return _("on %(weekday)s, %(day)s at %(time)s (%(zone)s time)") % values


def first_reply_due(decision: Decision, at: datetime) -> datetime | None:
    """When a person answers at the latest: the first-response target of the
    request's priority, counted in support time from when work starts (as
    ``tickets.sla.due_times`` counts it; round the clock for a 24/7 clause)."""
    contract = decision.contract
    if contract is None:
        return None
    target = contract.sla.get(decision.priority) or contract.sla.get("normal")
    if target is None:
        return None
    support_hours = contract.support_hours
    if decision.clause is not None and decision.clause.round_the_clock:
        support_hours = SupportHours(support_hours.timezone, parse_weekly(ROUND_THE_CLOCK))
    try:
        return hours.add_support_time(
            support_hours, decision.starts_at or at, target.first_response
        )
    except ValueError:  # support hours without a single window
        return None


def _reply_by(decision: Decision, at: datetime) -> str:
    """“no later than Monday, 23 November 2026 at 10:30”, or “as soon as we can”."""
    due = first_reply_due(decision, at)
    if due is None:
        return _("as soon as we can")
    return _format_moment(decision, due, by=True)


def incidents_page() -> str:
    """The portal's page of our own outages, where a customer sees whether the
    fault is on our side."""
    return settings.SITE_URL + reverse("portal:incidents")
