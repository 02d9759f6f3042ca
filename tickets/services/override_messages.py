"""What the customer is told when a lead overrides a verdict (or a later decision
changes the answer): the new answer in plain words, what became of the earlier
offer, and the new offer or the clause's advice.

Plain functions, no database writes: ``override_text`` renders the message for a
pair of verdicts from plain facts (``make replies`` renders every pair × language
with it); ``override_message`` gathers those facts from a ticket's decisions.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from contracts.engine import terms
from contracts.engine.scope import PriceQuote
from contracts.greetings import greeting
from contracts.replies import format_offer, written_in
from tickets.models import Offer, ScopeDecision
from tickets.services.base import offer_quote
from tickets.snapshots import clause_as_told

V = terms.Verdict
COVERED = frozenset({V.IN_SCOPE, V.OUTSIDE_HOURS})
PAID = frozenset({V.PAID_OPTION, V.OVER_ALLOWANCE, V.NO_CONTRACT})
# The verdicts a lead may choose: "not opened" says who wrote, not what the
# work is, so it is the engine's alone.
OVERRIDE_VERDICTS: tuple[V, ...] = tuple(v for v in V if v is not V.NOT_AUTHORIZED)

# What a customer can read into a verdict: whether we do it at no charge, for a
# price, not at all, or are still looking. Two verdicts with the same answer
# (in scope and outside hours) tell the customer nothing new.
_ANSWERS = {
    **{v: "covered" for v in COVERED},
    **{v: "paid" for v in PAID},
    V.OUT_OF_SCOPE: "refused",
    V.NEEDS_REVIEW: "review",
    V.NOT_AUTHORIZED: "not_opened",
}


def answer_of(verdict: str) -> str:
    return _ANSWERS[V(verdict)]


def _same_answer(previous: str, verdict: str) -> bool:
    return previous == verdict or answer_of(previous) == answer_of(verdict) == "covered"


def answer_changes(previous: str, verdict: str, *, part_verdicts: tuple[str, ...] = ()) -> bool:
    """Whether the customer is told something new: another kind of answer, or
    another paid verdict (another offer). A mixed request's parts are superseded
    by a verdict on the whole, which is news unless every part said the same."""
    if part_verdicts:
        return any(not _same_answer(part, verdict) for part in part_verdicts)
    return not _same_answer(previous, verdict)


# An example offer and advice for ``make replies``, which renders each pair
# without a ticket: the shapes a real contract gives.
EXAMPLE_OFFER = PriceQuote(Decimal("90.00"), "EUR", terms.Pricing.HOURLY, terms.Duration(2, "h"))


def override_text(
    previous: str,
    verdict: str,
    language: str,
    *,
    offer: PriceQuote | None = None,
    withdrawn: bool | None = None,
    clause: str = "",
    advice: str = "",
    name: str = "",
) -> str:
    """The message for an answer that changed from ``previous`` to ``verdict``, in
    ``language``. ``offer``: the new offer (a paid verdict); ``withdrawn``: an
    earlier offer still awaiting an answer was taken back (default: when
    ``previous`` is paid); ``clause`` and ``advice``: a refusal's contract words,
    already in the reader's language; ``name``: the contact's, greeted as their
    language greets. An unchanged answer gets no message: ""."""
    if not answer_changes(previous, verdict):
        return ""
    if withdrawn is None:
        withdrawn = V(previous) in PAID
    if V(verdict) in PAID and offer is None:
        offer = EXAMPLE_OFFER
    with translation.override(language):
        paragraphs = [
            greeting(name, language),
            *_body(previous, verdict, offer, withdrawn, clause, advice),
        ]
        paragraphs.append(_("Kind regards,\nYour support team"))
        return "\n\n".join(p for p in paragraphs if p)


def _body(
    previous: str,
    verdict: str,
    offer: PriceQuote | None,
    withdrawn: bool,
    clause: str,
    advice: str,
) -> list[str]:
    answer, was = answer_of(verdict), answer_of(previous)
    if answer == "covered":
        return [
            _(
                "We have looked at your request again, and we will do this at no charge: "
                "it is covered by your contract."
            ),
            _("Our earlier offer is withdrawn, so there is nothing for you to accept or pay.")
            if withdrawn
            else "",
            _("A technician will take it from here and keep you posted."),
        ]
    if answer == "paid":
        assert offer is not None
        opening = (
            _(
                "We have looked at your request again, and we are sorry to say that it "
                "is not included in your contract after all."
            )
            if was == "covered"
            else _("We have looked at your request again.")
        )
        why = {
            V.PAID_OPTION: _("We would be glad to do it as paid work: %(offer)s."),
            V.OVER_ALLOWANCE: _(
                "This month's included support is used up, so we can do it now as paid "
                "work: %(offer)s."
            ),
            V.NO_CONTRACT: _(
                "Your support contract is not valid at the moment, so we can do it as "
                "paid one-off work: %(offer)s."
            ),
        }[V(verdict)] % {"offer": format_offer(offer)}
        return [
            opening,
            why,
            _("This offer replaces our earlier one.") if withdrawn else "",
            _(
                "Nothing is charged unless you accept. You can accept or decline the "
                "offer on your ticket page, or with the links in our e-mail."
            ),
        ]
    if answer == "refused":
        return [
            _(
                "We have looked at your request again, and we are sorry: this is not "
                "something we can take on under your contract."
            ),
            _("Your contract says: “%(clause)s”") % {"clause": clause} if clause else "",
            _("Where you could get help: %(advice)s") % {"advice": advice} if advice else "",
            _("Our earlier offer is withdrawn, so there is nothing for you to accept or pay.")
            if withdrawn
            else "",
            _("If we have misunderstood you, just reply here and we will look again."),
        ]
    # needs_review: a person is looking again; nothing is promised or charged yet.
    return [
        _(
            "We are taking another look at your request, to be sure we handle it under "
            "the right part of your contract. A technician will get back to you personally."
        ),
        _(
            "Please leave our earlier offer aside for now: we have withdrawn it, and "
            "nothing is charged before we write to you again."
        )
        if withdrawn
        else "",
    ]


def with_withdrawn_note(text: str, *, verdict: str, language: str) -> str:
    """A later decision's own reply (the engine's, on a technician's change) with
    a word about the offer it withdrew, before the signature: the customer must
    not wonder whether the earlier offer still stands. A new paid verdict's
    reply carries its own offer, which replaces the old."""
    if V(verdict) in PAID:
        return text
    with translation.override(language):
        note = (
            _(
                "Please leave our earlier offer aside for now: we have withdrawn it, and "
                "nothing is charged before we write to you again."
            )
            if V(verdict) is V.NEEDS_REVIEW
            else _("Our earlier offer is withdrawn, so there is nothing for you to accept or pay.")
        )
        signature = _("Kind regards,\nYour support team")
    head, found, tail = text.rpartition(signature)
    if not found:
        return f"{text.rstrip()}\n\n{note}"
    return f"{head.rstrip()}\n\n{note}\n\n{signature}{tail}"


def override_message(decision: ScopeDecision, previous: ScopeDecision, language: str) -> str:
    """The message for ``decision`` that superseded ``previous`` on a ticket, in
    ``language``: the facts read from the records (the new offer, whether an
    earlier one was withdrawn, the clause's words). "" when nothing changed for
    the customer."""
    part_verdicts = tuple(previous.parts.order_by("position").values_list("verdict", flat=True))
    if not answer_changes(previous.verdict, decision.verdict, part_verdicts=part_verdicts):
        return ""
    new_offer = decision.offers.filter(part=None).first()
    quote = offer_quote(new_offer) if new_offer else None
    withdrawn = previous.offers.filter(status=Offer.Status.WITHDRAWN).exists()
    with translation.override(language):
        told = clause_as_told(
            decision.clause_snapshot,
            language=language,
            customer_language=decision.ticket.customer.language,
        )
        # Quoted only from a clause that excludes the work: a lead who refuses
        # work an included clause names has reasons of their own, not its words.
        excluded = told.get("coverage") == terms.Coverage.EXCLUDED
        clause = written_in(told["text"], told["text_language"]) if excluded else ""
        advice = written_in(told["advice"], told["advice_language"]) if excluded else ""
    # A mixed request's parts all superseded: the message is the new answer's,
    # told as a change from whatever the leading part said.
    was = previous.verdict
    if part_verdicts:
        was = next(p for p in part_verdicts if not _same_answer(p, decision.verdict))
    return override_text(
        was,
        decision.verdict,
        language,
        offer=quote,
        withdrawn=withdrawn,
        clause=clause,
        advice=advice,
        name=getattr(getattr(decision.ticket.requester, "contact", None), "name", ""),
    )
