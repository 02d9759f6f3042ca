"""Pages of the tickets app that belong to neither the portal nor the queue."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tickets import services
from tickets.models import Offer


def home(request):
    """Staff start at the queue, contacts at their tickets."""
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user.is_staff:
        return redirect("queue:list")
    if hasattr(user, "contact"):
        return redirect("portal:tickets")
    return render(request, "no_access.html", status=403)


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
    if offer.status == Offer.Status.WITHDRAWN:
        # A later decision took the offer back (a lead's override): the e-mail
        # the customer still holds must not show a button for it.
        context["error"] = _(
            "We have withdrawn this offer, so there is nothing to answer; our "
            "latest message on the ticket says why."
        )
        context["withdrawn"] = True
        return render(request, "tickets/offer_link.html", context, status=410)
    if request.method == "POST":
        try:
            services.offer_answer(offer_id=offer.pk, accept=action == "accept")
        except services.TicketError as exc:
            context["error"] = str(exc)
            return render(request, "tickets/offer_link.html", context, status=409)
        context["done"] = True
    return render(request, "tickets/offer_link.html", context)
