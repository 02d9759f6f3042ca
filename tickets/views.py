"""Pages of the tickets app that belong to neither the portal nor the queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from contracts.engine import hours
from tickets import services
from tickets.models import Offer
from tickets.portal.selectors import offer_link_page


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


@require_POST
def language_choose(request):
    """The menu's language (Django's set_language); a logged-in contact has
    chosen it for replies and e-mail too."""
    response = set_language(request)
    language = request.POST.get("language", "")
    contact = getattr(request.user, "contact", None) if request.user.is_authenticated else None
    # A language the desk does not speak is ignored, as Django's view ignores it.
    if contact is not None and language in dict(settings.LANGUAGES):
        services.contact_language_choose(contact_id=contact.pk, language=language)
    return response


@require_http_methods(["GET", "POST"])
def offer_by_link(request, token: str):
    """Answer an offer from the e-mailed link, without logging in.

    The page is in the language of the contact the offer was made to, whatever
    the browser says, with their times. GET only shows the offer and both
    answers, so that mail scanners following links never answer for the
    customer; each answer is a POST."""
    try:
        offer, action = services.offer_from_token(token)
    except services.TicketError as exc:
        return render(request, "tickets/offer_link.html", {"error": str(exc)}, status=400)
    ticket = offer.ticket
    contact = getattr(ticket.requester, "contact", None)
    language = contact.reply_language if contact is not None else ticket.language
    translation.activate(language)
    request.LANGUAGE_CODE = language
    with timezone.override(hours.zone(ticket.customer.timezone)):
        return _offer_page(request, offer, action)


def _offer_page(request, offer, action: str):
    if offer.status == Offer.Status.WITHDRAWN:
        # A later decision took the offer back (a lead's override): the e-mail
        # the customer still holds must not show a button for it.
        error = translation.gettext(
            "We have withdrawn this offer, so there is nothing to answer; our "
            "latest message on the ticket says why."
        )
        context = {"error": error, "withdrawn": True, "ticket": offer.ticket}
        return render(request, "tickets/offer_link.html", context, status=410)
    context = {
        "page": offer_link_page(offer=offer, now=timezone.now()),
        "action": action,
        "ticket": offer.ticket,
    }
    if request.method == "POST":
        # The button's answer; a form without one (a page from before both were
        # shown) answers as its link says.
        answer = request.POST.get("answer") or action
        if answer not in ("accept", "decline"):
            context["error"] = translation.gettext(
                "Please choose whether to accept or decline the offer."
            )
            return render(request, "tickets/offer_link.html", context, status=400)
        try:
            answered = services.offer_answer(offer_id=offer.pk, accept=answer == "accept")
        except services.TicketError as exc:
            context["error"] = str(exc)
            return render(request, "tickets/offer_link.html", context, status=409)
        context.update(done=True, answer=answer)
        if answer == "accept":
            context["accepted_text"] = services.offer_accepted_text(answered, answered.ticket)
        elif answered.kind == Offer.Kind.EMERGENCY:
            context["declined_text"] = services.on_call_declined_text()
    return render(request, "tickets/offer_link.html", context)
