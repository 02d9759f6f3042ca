"""Shared actors: the example catalogue and customers, and the staff."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from contracts.contract_files import load_contract_file, load_services
from contracts.models import Customer
from contracts.roles import LEADS, TECHNICIANS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _static_files_without_manifest(settings):
    """Production serves collected, hashed files; tests render pages without
    running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Fixtures set passwords for staff and contacts; a real hasher spends most of
    a second on each. Tests that log in through the form work the same."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _language_of_the_desk_again():
    """A request activates the contact's language for its thread and Django leaves
    it there; code that a test calls directly must not inherit the last page's."""
    yield
    translation.deactivate()


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run in parallel (`make test`: pytest-xdist, --dist loadgroup), the worker
    tests keep to one process, one module after another: each starts a Redis, a
    web server and a Celery worker of its own, and two such desks at once on a
    small machine make their timing tests flaky. The other tests are dealt out one
    by one."""
    for item in items:
        if item.get_closest_marker("worker"):
            item.add_marker(pytest.mark.xdist_group("live-desk"))


@pytest.fixture(scope="session", autouse=True)
def _own_redis_database_in_parallel():
    """Each test clears the cache (FLUSHDB on Redis); two processes of a parallel
    run on one Redis database would wipe each other's throttle counts and locks.
    Worker gwN takes the database N places after REDIS_URL's (redis://…/8: gw0 8,
    gw1 9), so REDIS_URL's number plus the number of workers must stay under
    Redis's 16."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker or not settings.REDIS_URL:
        yield
        return
    url = urlsplit(settings.REDIS_URL)
    if url.scheme not in ("redis", "rediss"):
        raise pytest.UsageError("a parallel run needs REDIS_URL as redis://host:port/N")
    database = int(url.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    location = url._replace(path=f"/{database}").geturl()
    with override_settings(
        CACHES={"default": {**settings.CACHES["default"], "LOCATION": location}}
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counts live in the cache (Redis in CI); each test starts afresh."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_in_process_unless_testing_the_worker(request):
    """With REDIS_URL set (CI), only the tests marked ``worker`` talk to a real
    worker; the rest run their tasks in-process, as in the embedded set-up."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from helpdesk.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


@pytest.fixture
def catalogue(db):
    return load_services(example("services.yaml"), source="services.yaml")


def _customer(file: str) -> Customer:
    return load_contract_file(example(file), source=file).customer


@pytest.fixture
def northwind(catalogue) -> Customer:
    """Covered: a valid hosting contract, 10 tickets and 120 minutes a month."""
    return _customer("contract-northwind.yaml")


@pytest.fixture
def volga(catalogue) -> Customer:
    """A small basic plan: little included, unlisted services excluded."""
    return _customer("contract-volga.yaml")


@pytest.fixture
def daugava(catalogue) -> Customer:
    """A contract that ended on 31 December 2025."""
    return _customer("contract-daugava.yaml")


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        "admin", "admin@scopedesk.example", "admin-pass"
    )


def _staff(django_user_model, username: str, group: str):
    user = django_user_model.objects.create_user(
        username, f"{username}@scopedesk.example", f"{username}-pass", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def lead(django_user_model):
    return _staff(django_user_model, "lead", LEADS)


@pytest.fixture
def technician(django_user_model):
    return _staff(django_user_model, "tech", TECHNICIANS)
