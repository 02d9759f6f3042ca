"""An invitation for a contact added in the editor: an e-mail, in the contact's
language, with a link to choose a password. The link is Django's password reset
link (one use, signed with the login's current password, expires after
PASSWORD_RESET_TIMEOUT), so it needs no table of its own; its address is
SITE_URL, as in every e-mail the desk sends."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from contracts.models import Contact


def set_password_link(contact: Contact) -> str:
    user = contact.user
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def invitation_send(contact: Contact) -> None:
    """E-mail the contact a link to choose a password, in their language."""
    with translation.override(contact.reply_language):
        context = {
            "contact": contact,
            "customer": contact.customer.name,
            "link": set_password_link(contact),
            "login": contact.user.username,
            "portal": f"{settings.SITE_URL}{reverse('login')}",
        }
        # No customer's name in the subject: no language's grammar has to bend it.
        subject = _("Choose your password for our support desk")
        body = render_to_string("contracts/invitation_email.txt", context)
    EmailMessage(subject=subject, body=body, to=[contact.user.email]).send()


def invitations_send(contacts) -> int:
    """Invite each contact; the number invited."""
    count = 0
    for contact in contacts:
        invitation_send(contact)
        count += 1
    return count
