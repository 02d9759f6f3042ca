"""The contract editor as a lead meets it: clauses by service name (code on
hover), placeholders that read as examples, a history that says what changed
(for the clauses edited on the contract's page too), the desk's look and icon,
and invitations for new contacts in their language."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from contracts.models import Clause, Contact, Contract, Customer
from tests.contracts.test_admin import change_form_data, page, url

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-long-Password-of-her-own-42"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def contract() -> Contract:
    return Contract.objects.get(reference="HOST-2026-014")


# --- clauses by name -------------------------------------------------------------


def test_the_contracts_clauses_name_their_service_with_the_code_on_hover(admin_client, northwind):
    html = page(admin_client.get(url(Contract, "change", contract().pk)))
    assert re.search(r'<option value="\d+" title="hosting.email"[^>]*>Email on our servers<', html)
    assert ">hosting.email<" not in html


def test_the_names_are_in_the_editors_language(admin_client, northwind):
    admin_client.cookies["django_language"] = "ru"
    html = page(admin_client.get(url(Contract, "change", contract().pk)))
    assert re.search(r'title="hosting.email"[^>]*>Почта на наших серверах<', html)


def test_the_clause_list_names_the_service_with_the_code_on_hover(admin_client, northwind):
    html = page(admin_client.get(url(Clause, "changelist")))
    assert '<span class="service-name" title="hosting.email">Email on our servers</span>' in html


def test_placeholders_read_as_examples(admin_client, northwind):
    html = page(admin_client.get(url(Contract, "change", contract().pk)))
    assert 'placeholder="e.g. 2h"' in html
    assert 'placeholder="e.g. mon-fri 08:00-18:00; sat 10:00-14:00"' in html
    css = b"".join(Client().get("/static/css/admin.css").streaming_content).decode()
    assert "::placeholder" in css and "italic" in css


# --- history -----------------------------------------------------------------------


def edit_on_the_contract_page(client, **clause_changes) -> Contract:
    """Post the contract's page back, as a lead who changed one clause's price."""
    the_contract = contract()
    data = change_form_data(client.get(url(Contract, "change", the_contract.pk)))
    email = Clause.objects.get(contract=the_contract, service__code="hosting.email")
    row = next(
        key.split("-")[1]
        for key, value in data.items()
        if re.fullmatch(r"clauses-\d+-id", key) and value == str(email.pk)
    )
    for name, value in clause_changes.items():
        data[f"clauses-{row}-{name}"] = value
    data["title"] = "Hosting, renewed"
    response = client.post(url(Contract, "change", the_contract.pk), data)
    assert response.status_code == 302, response.context["errors"]
    return the_contract


def test_the_contract_history_shows_its_own_and_its_clauses_changes(admin_client, northwind):
    email = Clause.objects.get(contract=contract(), service__code="hosting.email")
    old_price = email.price
    edited = edit_on_the_contract_page(
        admin_client, coverage="paid", pricing="fixed", price="45.50"
    )
    email.refresh_from_db()
    assert email.price == Decimal("45.50")
    html = page(admin_client.get(url(Contract, "history", edited.pk)))
    # The contract's own edit: field, old, new.
    assert re.search(r"<strong>Title:</strong>[^<]*→[^<]*Hosting, renewed", html)
    # The clause edited on the same page, in the parts' section, by name.
    part = html.split('id="part-history"')[1]
    assert "Clause: Email on our servers (hosting.email)" in part
    assert re.search(
        rf"<strong>Price:</strong> <span class=\"old\">{old_price or '—'}</span>", part
    )
    assert '<span class="new">45.50</span>' in part
    # An empty value reads as a dash, never as Python's None, in either table.
    assert not re.search(r">\s*None\s*<", html) and "None →" not in html
    # The clause's own history is one click away and shows the same change.
    own = page(admin_client.get(url(Clause, "history", email.pk)))
    assert re.search(r"<strong>Price:</strong>.*45\.50", own, re.S)


# --- the desk's look ---------------------------------------------------------------


def test_the_editor_wears_the_desks_icon_and_colours(admin_client, northwind):
    html = page(admin_client.get(reverse("admin:index")))
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="stylesheet" href="/static/css/admin.css">' in html
    # Django's own admin stylesheet is still there: styled, not replaced.
    assert "/static/admin/css/base.css" in html


@pytest.mark.parametrize("path", ["/accounts/login/", "/portal/", "/queue/"])
def test_every_face_links_the_favicon(client, path, northwind, technician):
    client.force_login(technician) if path == "/queue/" else None
    html = client.get(path, follow=True).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html


def test_the_favicon_is_served(client):
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)
    assert client.get("/favicon.ico")["Location"] == "/static/favicon.svg"


# --- invitations -------------------------------------------------------------------

GREETING = {"en": "Hello,", "ru": "Здравствуйте!", "fi": "Hei,", "lv": "Labdien!"}
SUBJECT = {
    "en": "Choose your password for our support desk",
    "ru": "Выберите пароль для нашей службы поддержки",
    "fi": "Valitse salasana tukipalveluumme",
    "lv": "Izvēlieties paroli mūsu atbalsta dienestam",
}


def add_contact_with_invitation(client, customer: Customer, language: str) -> Contact:
    data = change_form_data(client.get(url(Customer, "change", customer.pk)))
    new = int(data["contacts-TOTAL_FORMS"]) - 1
    data.update(
        {
            f"contacts-{new}-name": "Emil Nieminen",
            f"contacts-{new}-email": "emil@northwind.example",
            f"contacts-{new}-role": "requester",
            f"contacts-{new}-language": language,
            f"contacts-{new}-send_invitation": "on",
        }
    )
    response = client.post(url(Customer, "change", customer.pk), data)
    assert response.status_code == 302, response.context["errors"]
    return Contact.objects.get(name="Emil Nieminen")


def set_password_through(link: str) -> None:
    """Follow the e-mail's link as the contact would and choose a password."""
    browser = Client()
    response = browser.get(urlsplit(link).path, follow=True)
    assert response.status_code == 200
    form_path = response.redirect_chain[-1][0] if response.redirect_chain else urlsplit(link).path
    response = browser.post(
        form_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.mark.parametrize("language", ["en", "ru", "fi", "lv"])
def test_a_contact_added_in_the_editor_is_invited_in_their_language(
    admin_client, northwind, language, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "http://127.0.0.1:8123"
    with django_capture_on_commit_callbacks(execute=True):
        contact = add_contact_with_invitation(admin_client, northwind, language)
    (sent,) = mail.outbox
    assert sent.to == ["emil@northwind.example"]
    assert sent.subject == SUBJECT[language]
    assert sent.body.startswith(GREETING[language])
    (link,) = re.findall(r"http://127\.0\.0\.1:8123/accounts/reset/\S+", sent.body)
    assert not contact.user.has_usable_password()
    set_password_through(link)
    contact.user.refresh_from_db()
    assert contact.user.check_password(NEW_PASSWORD)
    # The link works once.
    assert "set-password" not in Client().get(urlsplit(link).path, follow=True).request["PATH_INFO"]


def test_no_invitation_unless_asked(admin_client, northwind, django_capture_on_commit_callbacks):
    data = change_form_data(admin_client.get(url(Customer, "change", northwind.pk)))
    new = int(data["contacts-TOTAL_FORMS"]) - 1
    data.update(
        {
            f"contacts-{new}-name": "Emil Nieminen",
            f"contacts-{new}-email": "emil@northwind.example",
            f"contacts-{new}-role": "requester",
        }
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url(Customer, "change", northwind.pk), data)
    assert mail.outbox == []


def test_the_contact_list_action_invites_each_contact_in_their_own_language(
    admin_client, northwind, volga
):
    contacts = Contact.objects.filter(
        user__email__in=["aino@northwind.example", "ivan@volga-media.example"]
    )
    response = admin_client.post(
        url(Contact, "changelist"),
        {"action": "send_invitations", "_selected_action": [c.pk for c in contacts]},
        follow=True,
    )
    assert "Invitations were sent to 2 contacts" in page(response)
    by_address = {sent.to[0]: sent for sent in mail.outbox}
    assert by_address["aino@northwind.example"].body.startswith(GREETING["fi"])
    assert by_address["ivan@volga-media.example"].body.startswith(GREETING["ru"])
    assert get_user_model().objects.filter(email="ivan@volga-media.example").exists()
