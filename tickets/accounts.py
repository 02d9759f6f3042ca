"""Logging in and choosing a password, for staff and customers' contacts alike."""

from __future__ import annotations

import hashlib
import logging
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.cache import cache
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin

log = logging.getLogger(__name__)

# Reset mails a person can ask for in an hour: to one e-mail address (so nobody
# fills a stranger's inbox), and from one client address (so nobody sprays the
# whole contact list). Counted in the cache, Redis in production.
RESET_WINDOW_SECONDS = 60 * 60
RESETS_PER_EMAIL = 3
RESETS_PER_CLIENT = 10


class LoginForm(AuthenticationForm):
    """Contacts log in with their e-mail address, whatever its case."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if "@" in username:
            self.cleaned_data["username"] = username.strip().lower()
        return super().clean()


class ContactPasswordResetForm(PasswordResetForm):
    """Contacts are created without a password (the contract file or the editor
    adds them), so the reset link is also how they choose their first one."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.has_usable_password() or hasattr(u, "contact"))

    def save(self, *, request=None, **kwargs):
        """Send the link, unless this address or this client had its share this
        hour. Either way the person sees the same page, so it never tells whether
        the address has a login. The link's address is SITE_URL, never the
        request's Host header, which the sender of the form chooses."""
        client = get_client_ip_address(request) if request is not None else None
        if not reset_mail_allowed(email=self.cleaned_data["email"], client=client):
            log.info("password reset mail not sent: too many asked for within the hour")
            return
        site = urlsplit(settings.SITE_URL)
        kwargs.update(domain_override=site.netloc, use_https=site.scheme == "https")
        super().save(request=request, **kwargs)

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # In the contact's own language, whichever language the form was sent in.
        contact = getattr(context["user"], "contact", None)
        language = contact.reply_language if contact else translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


def reset_mail_allowed(*, email: str, client: str | None) -> bool:
    """Count one reset mail against the e-mail address and the client address;
    False once either has had its share of the hour. A cache that is down lets
    the mail go (as the API throttles do): a lost reset link costs more."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    limits = {f"password-reset:email:{digest}": RESETS_PER_EMAIL}
    if client:
        limits[f"password-reset:client:{client}"] = RESETS_PER_CLIENT
    allowed = True
    try:
        for key, limit in limits.items():
            cache.add(key, 0, timeout=RESET_WINDOW_SECONDS)
            allowed = cache.incr(key) <= limit and allowed
    except Exception:  # the cache backend's errors vary
        log.warning("the password reset throttle's cache is unavailable; sending anyway")
        return True
    return allowed


class ContactLanguageMiddleware(MiddlewareMixin):
    """A contact reads the desk in their profile's language until they pick
    another from the menu (which sets the language cookie)."""

    def process_request(self, request):
        from django.conf import settings

        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
            return
        user = getattr(request, "user", None)
        contact = getattr(user, "contact", None) if user and user.is_authenticated else None
        if contact is not None:
            translation.activate(contact.reply_language)
            request.LANGUAGE_CODE = translation.get_language()
