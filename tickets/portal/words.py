"""What the customer reads about a ticket: its status, the verdict and the offer
in plain words, never codes.

Templates cannot look labels up by key or call functions with arguments, so the
views hand the pages these ready-made strings.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from contracts.engine import terms
from contracts.engine.scope import PriceQuote
from contracts.replies import format_duration, format_money, format_offer
from tickets.models import Offer, Status

# Keyed by plain strings: callers pass the stored value, which equals the choice.
STATUS_WORDS: dict[str, Promise] = {
    Status.NEW: pgettext_lazy("ticket status", "Received"),
    Status.OPEN: pgettext_lazy("ticket status", "In progress"),
    Status.WAITING_ON_CUSTOMER: pgettext_lazy("ticket status", "Waiting for your reply"),
    Status.AWAITING_DECISION: pgettext_lazy("ticket status", "Waiting for your answer"),
    Status.RESOLVED: pgettext_lazy("ticket status", "Resolved"),
    Status.CLOSED: pgettext_lazy("ticket status", "Closed"),
}

# The verdict as a short tag in a list, and as a sentence on the ticket page.
VERDICT_TAGS = {
    "": gettext_lazy("Being checked"),
    "in_scope": gettext_lazy("Included in your contract"),
    "outside_hours": gettext_lazy("Included, starts in working hours"),
    "paid_option": gettext_lazy("Paid work"),
    "over_allowance": gettext_lazy("Beyond this month's allowance"),
    "out_of_scope": gettext_lazy("Not covered by your contract"),
    "needs_review": gettext_lazy("A technician will take a look"),
    "no_contract": gettext_lazy("No valid contract"),
    "not_authorized": gettext_lazy("Not opened"),
}
VERDICT_SENTENCES = {
    "": gettext_lazy(
        "We are checking your request against your contract. This usually takes only a moment."
    ),
    "in_scope": gettext_lazy(
        "Good news: this is covered by your contract, so there is nothing extra to pay."
    ),
    "outside_hours": gettext_lazy(
        "This is covered by your contract. It reached us outside working hours, so we "
        "will start on it when they begin."
    ),
    "paid_option": gettext_lazy(
        "Your contract does not include this, but we would be glad to do it as paid "
        "work. Nothing is charged unless you accept the offer."
    ),
    "over_allowance": gettext_lazy(
        "This would normally be included, but this month's included support is used "
        "up. We can do it now as paid work, or it is included again from next month."
    ),
    "out_of_scope": gettext_lazy(
        "This is not something we can take on under your contract. We have explained "
        "why in our reply, and where you could get help instead."
    ),
    "needs_review": gettext_lazy(
        "A technician will look at this personally and answer you. Which site or "
        "address is affected, and what do you see? Tell us in a reply and we can help "
        "sooner."
    ),
    "no_contract": gettext_lazy(
        "Your support contract is not valid at the moment. We would be glad to renew "
        "it; if something cannot wait, just reply and a technician will tell you what "
        "we can do."
    ),
    "not_authorized": gettext_lazy(
        "We could not open this request from your login. Our reply explains who can help."
    ),
}
# A part of a mixed request, on its own card: covered work is already being done.
PART_SENTENCES = {
    "in_scope": gettext_lazy(
        "We are on it: this is covered by your contract, so there is nothing extra to pay."
    ),
    "outside_hours": gettext_lazy(
        "This is covered by your contract. It reached us outside working hours, so we "
        "start on it when they begin."
    ),
}
# Something is down: the customer needs to read that we are on it, not that it
# costs nothing (contracts.replies.is_outage).
OUTAGE_SENTENCES = {
    "in_scope": gettext_lazy(
        "We are on it: getting this working again is part of your contract, and a "
        "technician is taking it up now."
    ),
    "outside_hours": gettext_lazy(
        "Getting this working again is part of your contract. It reached us outside "
        "support hours, so it is the first thing our technicians take up when they are back."
    ),
}
OUTAGE_LATER_SENTENCE = gettext_lazy(
    "This is covered by your contract, and a technician is working on it."
)
# Once the work is under way or done, the forward-looking sentences above no
# longer fit the covered verdicts.
LATER_SENTENCES = {
    "in_scope": gettext_lazy("This is covered by your contract, so there is nothing extra to pay."),
    "outside_hours": gettext_lazy(
        "This is covered by your contract, so there is nothing extra to pay."
    ),
    "needs_review": gettext_lazy("A technician has looked at this personally."),
}
# Once the customer has answered the offer (or let it lapse), the verdict's
# sentence says where things stand instead of asking again.
ANSWERED_SENTENCES: dict[str | None, Promise] = {
    Offer.Status.ACCEPTED: gettext_lazy(
        "You accepted our offer, so we are doing this as paid work at the price below."
    ),
    Offer.Status.DECLINED: gettext_lazy(
        "You declined our offer, so we have closed this request. You are welcome to "
        "write to us again any time."
    ),
    Offer.Status.EXPIRED: gettext_lazy(
        "We did not hear back about our offer, so we have closed this request for now. "
        "Just reply if you would still like us to do it."
    ),
}
OFFER_STATUS_WORDS: dict[str, Promise] = {
    Offer.Status.PENDING: gettext_lazy("Waiting for your answer"),
    Offer.Status.ACCEPTED: gettext_lazy("You accepted this offer"),
    Offer.Status.DECLINED: gettext_lazy("You declined this offer"),
    Offer.Status.EXPIRED: gettext_lazy("This offer has lapsed"),
    Offer.Status.WITHDRAWN: gettext_lazy("We have withdrawn this offer"),
}
# An offer a later decision took back, said with what the new answer means for
# it: the customer must never wonder whether they still owe an answer (or money).
WITHDRAWN_SENTENCES = {
    "in_scope": gettext_lazy("This offer was withdrawn: we will do this at no charge."),
    "outside_hours": gettext_lazy("This offer was withdrawn: we will do this at no charge."),
    "needs_review": gettext_lazy(
        "This offer was withdrawn for now: a technician will get back to you before "
        "anything is charged."
    ),
}


def withdrawn_sentence(verdict: str) -> str:
    """What a withdrawn offer means under the ticket's current verdict."""
    return str(
        WITHDRAWN_SENTENCES.get(
            verdict, gettext_lazy("This offer was withdrawn, so there is nothing to accept or pay.")
        )
    )


# A priority as the customer reads it, and what choosing it means (the
# new-ticket form); staff read contracts.models.PRIORITY_LABELS.
PRIORITY_WORDS = {
    "low": pgettext_lazy("priority", "Low"),
    "normal": pgettext_lazy("priority", "Normal"),
    "high": pgettext_lazy("priority", "High"),
    "urgent": pgettext_lazy("priority", "Urgent"),
}
PRIORITY_MEANINGS = {
    "low": gettext_lazy("whenever you get to it"),
    "high": gettext_lazy("it gets in the way of our work"),
    "urgent": gettext_lazy("something is down right now"),
}
SCORE_WORDS = {
    1: gettext_lazy("Poor"),
    2: gettext_lazy("Not great"),
    3: gettext_lazy("Okay"),
    4: gettext_lazy("Good"),
    5: gettext_lazy("Excellent"),
}


def priority_words(priority: str) -> str:
    return str(PRIORITY_WORDS.get(priority, priority))


def priority_choice(priority: str) -> str:
    """A priority with what it means, for choosing one: "Urgent: something is
    down right now"."""
    meaning = PRIORITY_MEANINGS.get(priority)
    if meaning is None:
        return priority_words(priority)
    return _("%(priority)s: %(meaning)s") % {
        "priority": priority_words(priority),
        "meaning": meaning,
    }


def status_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def verdict_tag(verdict: str) -> str:
    return str(VERDICT_TAGS.get(verdict or "", VERDICT_TAGS[""]))


def verdict_sentence(
    verdict: str,
    *,
    under_way: bool = False,
    offer_status: str | None = None,
    outage: bool = False,
) -> str:
    """The verdict as a sentence; ``under_way``: a technician has replied or the
    ticket is resolved, so "we will start" is no longer true; ``offer_status``:
    how the customer answered the verdict's offer; ``outage``: something is down."""
    if offer_status in ANSWERED_SENTENCES:
        return str(ANSWERED_SENTENCES[offer_status])
    if outage and verdict in OUTAGE_SENTENCES:
        return str(OUTAGE_LATER_SENTENCE if under_way else OUTAGE_SENTENCES[verdict])
    if under_way and verdict in LATER_SENTENCES:
        return str(LATER_SENTENCES[verdict])
    return str(VERDICT_SENTENCES.get(verdict or "", VERDICT_SENTENCES[""]))


def part_sentence(verdict: str, *, outage: bool = False) -> str:
    """A part's verdict as a sentence on its card; ``outage``: the part reports
    something down."""
    if outage and verdict in OUTAGE_SENTENCES:
        return str(OUTAGE_SENTENCES[verdict])
    sentence = PART_SENTENCES.get(verdict) or VERDICT_SENTENCES.get(verdict)
    return str(sentence) if sentence else ""


def estimate_duration(minutes: int | None) -> terms.Duration | None:
    """The offer's estimate as a duration people say: "2 hours", "45 minutes"."""
    if not minutes:
        return None
    if minutes % 60 == 0:
        return terms.Duration(minutes // 60, "h")
    return terms.Duration(minutes, "m")


@dataclass(frozen=True, slots=True)
class OfferWords:
    price: str  # "60.00 EUR", or the hourly price with the estimate
    total: str  # what to expect to pay in all: "60.00 EUR", "around 180.00 EUR"
    estimate: str  # "2 hours", or ""
    hourly: bool
    status: str
    renewal: bool = False  # the renewal of an ended contract: price a month, term
    term: str = ""  # a renewal's term: "12 months"
    on_call: bool = False  # paid on-call work now, outside support hours


def offer_words(offer: Offer) -> OfferWords:
    estimate = estimate_duration(offer.estimate_minutes)
    renewal = offer.kind == Offer.Kind.RENEWAL
    priced = PriceQuote(
        offer.amount,
        offer.currency,
        terms.Pricing(offer.pricing),
        estimate,
        term_months=(offer.term_months or 1) if renewal else None,
    )
    hourly = priced.pricing is terms.Pricing.HOURLY
    if renewal:
        total = _("%(money)s a month") % {"money": format_money(offer.amount, offer.currency)}
    elif hourly and estimate is not None:
        total = _("around %(money)s") % {
            "money": format_money(priced.estimated_total, offer.currency)
        }
    elif hourly:
        total = _("%(money)s per hour of work") % {
            "money": format_money(offer.amount, offer.currency)
        }
    else:
        total = format_money(offer.amount, offer.currency)
    return OfferWords(
        price=format_offer(priced),
        total=total,
        estimate=format_duration(estimate, support_time=False) if estimate else "",
        hourly=hourly,
        status=str(OFFER_STATUS_WORDS.get(offer.status, offer.status)),
        renewal=renewal,
        on_call=offer.kind == Offer.Kind.EMERGENCY,
        term=(
            ngettext("%(n)d month", "%(n)d months", offer.term_months or 1)
            % {"n": offer.term_months or 1}
            if renewal
            else ""
        ),
    )


def support_hours_lines(support_hours: terms.SupportHours) -> list[str]:
    """The weekly support hours as people read them: "Monday – Friday: 08:00–18:00"."""
    from django.utils.dates import WEEKDAYS

    if support_hours.round_the_clock:
        return [_("Around the clock, every day of the year")]
    lines = []
    day = 0
    while day < 7:
        windows = support_hours.weekly[day]
        last = day
        while last + 1 < 7 and support_hours.weekly[last + 1] == windows:
            last += 1
        days = str(WEEKDAYS[day]) if last == day else f"{WEEKDAYS[day]} – {WEEKDAYS[last]}"
        if windows:
            times = ", ".join(f"{_clock(start)}–{_clock(end)}" for start, end in windows)
            lines.append(f"{days}: {times}")
        else:
            lines.append(_("%(days)s: closed") % {"days": days})
        day = last + 1
    return lines


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class SlaWords:
    priority: str
    first_response: str
    resolution: str


def sla_rows(contract: terms.ContractTerms) -> list[SlaWords]:
    """How soon we answer and solve, by priority, most urgent first."""
    return [
        SlaWords(
            priority=priority_words(priority),
            first_response=format_duration(contract.sla[priority].first_response),
            resolution=format_duration(contract.sla[priority].resolution),
        )
        for priority in terms.PRIORITIES
        if priority in contract.sla
    ]
