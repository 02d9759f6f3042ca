"""Named actors and small helpers for the portal tests."""

from __future__ import annotations

import html as html_text
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=HELSINKI)
SARA = "sara@northwind.example"  # requester, English
MIKKO = "mikko@northwind.example"  # requester, the customer's Finnish
AINO = "aino@northwind.example"  # manager, Finnish
IVAN = "ivan@volga-media.example"  # manager at another customer
OLGA = "olga@volga-media.example"  # requester there
JANIS = "janis@daugava.example"  # a customer whose contract has ended
MAIL = "Emails to our mailbox info@ are not arriving since yesterday, please check."
PLUGIN = "Could you please install the WooCommerce plugin on our WordPress shop?"
SCRIPT = "Our own PHP script for the contact form gives a 500 error, can you debug it?"
SEO = "Can you improve our search ranking with SEO and link building?"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
BACKEND = "django.contrib.auth.backends.ModelBackend"


def user(email: str):
    return get_user_model().objects.get(email=email)


def logged_in(someone) -> Client:
    """A browser logged in as this user."""
    client = Client()
    client.force_login(someone, backend=BACKEND)
    return client


def portal(email: str) -> Client:
    """A browser logged in as this contact."""
    return logged_in(user(email))


def upload(name: str, content: bytes = PNG, content_type: str = "image/png"):
    return SimpleUploadedFile(name, content, content_type)


def page(email: str, url: str) -> str:
    response = portal(email).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def options(html: str) -> dict[str, str]:
    """The service picker's options: value → the text the customer reads."""
    select = re.search(r'<select name="service".*?</select>', html, re.S).group(0)
    return {
        value: html_text.unescape(re.sub(r"\s+", " ", text).strip())
        for value, text in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select, re.S)
    }
