"""Logging in: by e-mail for contacts, locked out after repeated failures, a
Content-Security-Policy on every page, and password reset mails that point at
SITE_URL and are sent a few times an hour at most."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tickets.accounts import RESETS_PER_CLIENT

SARA = "sara@northwind.example"
AINO = "aino@northwind.example"

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


def test_a_password_kept_with_pbkdf2_still_logs_in_and_is_kept_with_argon2_after(
    client, sara, settings
):
    from django.contrib.auth.hashers import make_password

    from helpdesk import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS  # the tests' own is fast MD5
    sara.password = make_password("right-horse-battery", hasher="pbkdf2_sha256")
    sara.save()

    assert log_in(client, SARA, "right-horse-battery").status_code == 302
    sara.refresh_from_db()
    assert sara.password.startswith("argon2$argon2id$")


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


PROXY = "172.18.0.2"  # the TLS proxy, as the desk sees it


def log_in_through_the_proxy(client, forwarded_for: str, password: str) -> int:
    """The answer's status code."""
    return client.post(
        reverse("login"),
        {"username": SARA, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    ).status_code


def test_behind_the_proxy_an_attackers_failures_do_not_lock_out_the_user(client, sara, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in_through_the_proxy(client, "198.51.100.7", "guess")
    assert log_in_through_the_proxy(client, "198.51.100.7", "right-horse-battery") == 429
    assert log_in_through_the_proxy(client, "203.0.113.5", "right-horse-battery") == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_behind_the_proxy_a_forged_forwarded_address_is_not_believed(client, sara, settings):
    """The proxy appends the address it saw; what stands left of it the client wrote."""
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in_through_the_proxy(client, "203.0.113.5, 198.51.100.7", "guess")
    assert log_in_through_the_proxy(client, "198.51.100.7", "right-horse-battery") == 429
    assert log_in_through_the_proxy(client, "203.0.113.5", "right-horse-battery") == 302


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, sara, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in_through_the_proxy(client, f"198.51.100.{number}", "guess")
    assert log_in_through_the_proxy(client, "203.0.113.5", "right-horse-battery") == 429


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


# --- password reset: the link's address and how often it is sent -----------------


def reset(client, email: str, *, address: str = "192.0.2.10", host: str = "testserver"):
    return client.post(
        reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, HTTP_HOST=host
    )


def test_the_reset_link_points_at_site_url_whatever_the_host_header(client, sara, settings):
    settings.ALLOWED_HOSTS = ["*"]  # a careless operator: any Host is accepted
    settings.SITE_URL = "https://desk.example.com"
    assert reset(client, SARA, host="evil.example").status_code == 302
    (sent,) = mail.outbox
    assert "evil.example" not in sent.body
    assert "https://desk.example.com/accounts/reset/" in sent.body


def test_a_fourth_reset_within_the_hour_sends_nothing_and_looks_the_same(client, sara):
    answers = [reset(client, SARA) for _ in range(4)]
    assert len(mail.outbox) == 3
    assert {(a.status_code, a.url) for a in answers} == {(302, reverse("password_reset_done"))}
    # An address without a login gets the very same answer: nothing to tell them apart.
    unknown = reset(client, "nobody@northwind.example")
    assert (unknown.status_code, unknown.url) == (answers[-1].status_code, answers[-1].url)
    done = client.get(answers[-1].url).content.decode()
    assert "we send only a few links an hour to one address" in done
    # Another address is not held up by Sara's.
    reset(client, AINO)
    assert mail.outbox[-1].to == [AINO]


def test_one_client_address_cannot_send_reset_mail_to_many_addresses(client, django_user_model):
    emails = [f"user{i}@example.com" for i in range(RESETS_PER_CLIENT + 2)]
    for email in emails:
        django_user_model.objects.create_user(email, email, "a-password-of-theirs")
        assert reset(client, email).status_code == 302
    assert len(mail.outbox) == RESETS_PER_CLIENT
    reset(client, emails[-1], address="198.51.100.7")  # someone else, elsewhere
    assert len(mail.outbox) == RESETS_PER_CLIENT + 1
