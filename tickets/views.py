"""Pages of the tickets app."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tickets import services


@require_http_methods(["GET", "POST"])
def offer_by_link(request, token: str):
    """Answer an offer from the e-mailed link, without logging in.

    GET only shows the question, so that mail scanners following links never
    answer for the customer; the button POSTs."""
    try:
        offer, action = services.offer_from_token(token)
    except services.TicketError as exc:
        return render(request, "tickets/offer_link.html", {"error": str(exc)}, status=400)
    context = {"offer": offer, "action": action, "ticket": offer.ticket}
    if request.method == "POST":
        try:
            services.offer_answer(offer_id=offer.pk, accept=action == "accept")
        except services.TicketError as exc:
            context["error"] = str(exc)
            return render(request, "tickets/offer_link.html", context, status=409)
        context["done"] = True
    return render(request, "tickets/offer_link.html", context)
