"""Logging in and choosing a password, for staff and customers' contacts alike."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


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

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # In the contact's own language, whichever language the form was sent in.
        contact = getattr(context["user"], "contact", None)
        language = contact.reply_language if contact else translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)


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
