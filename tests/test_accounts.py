"""Logging in: by e-mail for contacts, locked out after repeated failures, and a
Content-Security-Policy on every page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

SARA = "sara@northwind.example"

pytestmark = pytest.mark.django_db


@pytest.fixture
def sara(northwind):
    user = get_user_model().objects.get(email=SARA)
    user.set_password("right-horse-battery")
    user.save()
    return user


def log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_contact_logs_in_with_the_email_address_in_any_case(client, sara):
    response = log_in(client, "Sara@Northwind.Example", "right-horse-battery")
    assert response.status_code == 302
    assert client.get(reverse("home")).url == reverse("portal:tickets")


def test_a_wrong_password_says_so_without_saying_which_part_was_wrong(client, sara):
    response = log_in(client, SARA, "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_login_even_for_the_right_password(client, sara, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, SARA, "guess")
    locked = log_in(client, SARA, "right-horse-battery")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, sara, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, SARA, "guess")
    assert log_in(client, SARA, "right-horse-battery").status_code == 302


@pytest.mark.parametrize(
    "address",
    ["/accounts/login/", "/accounts/password_reset/", "/portal/", "/queue/", "/admin/login/"],
)
def test_every_page_carries_a_content_security_policy(client, sara, address):
    client.force_login(sara)
    response = client.get(address, follow=True)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
