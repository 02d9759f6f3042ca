"""What a contract covers, service by service, in words a customer reads.

The portal shows it on "What my contract covers" and beside each service of the
new-ticket form, so the customer knows the answer before sending anything. It is
the same rule the scope engine applies: the clause naming the service, else the
contract's policy for services that no clause names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contracts.engine.scope import EMERGENCY_PRIORITY, Catalogue, PriceQuote, emergency_offer
from contracts.engine.terms import ContractTerms, Coverage, Pricing, clause_advice, clause_text
from contracts.replies import format_money, format_offer, written_in


@dataclass(frozen=True, slots=True)
class CoverageLine:
    service: str
    name: str
    coverage: Coverage
    label: str  # "Included", "Paid: 60.00 EUR", "Not covered"
    price: str  # the price as the customer reads it, with the estimate; "" if none
    text: str  # in the reader's language if the contract has it, else with a note
    advice: str
    limits: tuple[str, ...]
    text_language: str  # the language the text is quoted in; "" without text
    advice_language: str


def coverage_lines(
    contract: ContractTerms, catalogue: Catalogue, language: str, customer_language: str = "en"
) -> list[CoverageLine]:
    """Every catalogue service under this contract, in catalogue order; the
    clauses' words in ``language``, else by the fallback rule of ``clause_text``."""
    with translation.override(language):
        return [
            _line(contract, catalogue, code, (language, customer_language))
            for code in catalogue.entries
        ]


def on_call_price(contract: ContractTerms) -> str:
    """The price of the contract's paid on-call work outside support hours, as the
    customer reads it; "" if the contract has none."""
    offer = emergency_offer(contract, EMERGENCY_PRIORITY)
    return format_offer(offer) if offer else ""


def _line(
    contract: ContractTerms, catalogue: Catalogue, code: str, languages: tuple[str, str]
) -> CoverageLine:
    language = languages[0]
    clause = catalogue.clause_for(contract, code)
    price = ""
    if clause.coverage is Coverage.INCLUDED:
        label = _("Included")
    elif clause.coverage is Coverage.PAID:
        assert clause.price is not None
        offer = PriceQuote(
            clause.price.amount, contract.currency, clause.price.pricing, clause.price.estimate
        )
        price = format_offer(offer)
        amount = format_money(clause.price.amount, contract.currency)
        label = (
            _("Paid: %(amount)s") % {"amount": amount}
            if clause.price.pricing is Pricing.FIXED
            else _("Paid: %(amount)s per hour") % {"amount": amount}
        )
    else:
        label = _("Not covered")
    limits = []
    if clause.max_per_month is not None:
        limits.append(
            ngettext("%(n)d request a month", "%(n)d requests a month", clause.max_per_month)
            % {"n": clause.max_per_month}
        )
    if clause.max_minutes_per_ticket is not None:
        limits.append(
            ngettext(
                "up to %(n)d minute a request",
                "up to %(n)d minutes a request",
                clause.max_minutes_per_ticket,
            )
            % {"n": clause.max_minutes_per_ticket}
        )
    if clause.round_the_clock:
        limits.append(_("around the clock, also outside support hours"))
    if clause.coverage is Coverage.INCLUDED and not clause.counts_against_allowance:
        limits.append(_("does not use up your monthly allowance"))
    text, text_language = clause_text(clause, *languages)
    advice, advice_language = clause_advice(clause, *languages)
    return CoverageLine(
        service=code,
        name=catalogue.name(code, language),
        coverage=clause.coverage,
        label=label,
        price=price,
        text=written_in(text, text_language),
        advice=written_in(advice, advice_language),
        limits=tuple(limits),
        text_language=text_language,
        advice_language=advice_language,
    )
