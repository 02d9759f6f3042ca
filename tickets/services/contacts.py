"""A contact's own choices: the language they read the desk in."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from contracts.models import Contact
from tickets.models import Status, Ticket
from tickets.services.base import TicketError


def contact_language_choose(*, contact_id: int, language: str) -> Contact:
    """The language a contact picked in the menu is theirs for replies and e-mail
    too: stored on the contact (the next ticket's reply, the password reset mail)
    and on their tickets still in progress (the notes and e-mails still to come)."""
    if language not in dict(settings.LANGUAGES):
        raise TicketError("unknown language")
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        if contact.language != language:
            contact.language = language
            contact.save(update_fields=["language"])
        Ticket.objects.filter(requester_id=contact.user_id).exclude(status=Status.CLOSED).exclude(
            language=language
        ).update(language=language)
    return contact
