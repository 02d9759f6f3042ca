"""A real Chromium on the pages: Debian's chromium driven by Playwright's sync API,
against pytest-django's live server.

Without /usr/bin/chromium the tests skip, so `make test` passes on a machine with
only Python; `.ci/run` installs it. Every page a test visits is saved, full length,
to screenshots/ at the repository root, named by flow and step.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "screenshots"
# Playwright's own browser download does not work here; Debian's build does with these.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# What the browser may complain about, each for a reason (none at present: every
# page, the admin's included, links the favicon, and /favicon.ico is served).
KNOWN_PROBLEMS: list[re.Pattern[str]] = []
# How long to wait for something the page does by itself (the scope check, htmx).
PATIENCE_MS = 10_000


@pytest.fixture(scope="package")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which makes
    # Django refuse the ORM calls that the tests' fixtures make; they are safe here.
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


class Tab:
    """One browser tab of one flow: it remembers what the browser complained about
    (console errors, CSP violations, uncaught exceptions) and saves each page."""

    def __init__(self, page, flow: int) -> None:
        self.page = page
        self.flow = flow
        self.steps = 0
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            # A resource that failed names itself only in the location.
            source = message.location.get("url") or ""
            problem = f"console error on {self.page.url}: {message.text} [{source}]"
            if not any(known.search(problem) for known in KNOWN_PROBLEMS):
                self.problems.append(problem)

    def goto(self, path: str) -> None:
        self.page.goto(path)

    def shot(self, step: str) -> Path:
        """Save the page as it stands and check that the browser had nothing to
        complain about on the way here."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        path = SCREENSHOTS / f"{self.flow}-{self.steps:02d}-{step}.png"
        # caret="initial": hiding the caret leaves style="" on every input, which
        # htmx then copies when it swaps a form, and the CSP blocks that.
        self.page.screenshot(path=str(path), full_page=True, caret="initial")
        self.assert_no_problems()
        return path

    def assert_no_problems(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "the browser complained:\n" + "\n".join(problems)

    def fits_the_width(self) -> None:
        """Nothing sticks out sideways: the page never scrolls horizontally."""
        scroll_width, inner_width = self.page.evaluate(
            "[document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert scroll_width <= inner_width, (
            f"{self.page.url} is {scroll_width}px wide in a {inner_width}px window"
        )

    def log_in(self, username: str, password: str) -> None:
        """Through the login form on screen, as a person would."""
        self.page.get_by_label(re.compile(r"user ?name", re.I)).fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_load_state("load")


@pytest.fixture
def browse(browser, live_server) -> Iterator:
    """Open a tab of flow N: a fresh browser (no cookies) on the live server, in
    English, desktop-sized."""
    from playwright.sync_api import expect

    expect.set_options(timeout=PATIENCE_MS)
    SCREENSHOTS.mkdir(exist_ok=True)
    contexts = []

    def browse(flow: int) -> Tab:
        context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, locale="en-GB")
        context.set_default_timeout(PATIENCE_MS)
        # The first page of a run compiles the templates, on a busy machine slowly.
        context.set_default_navigation_timeout(3 * PATIENCE_MS)
        contexts.append(context)
        return Tab(context.new_page(), flow)

    yield browse
    for context in contexts:
        context.close()


SARA = "sara@northwind.example"
SARA_PASSWORD = "sara-browser-pass"


@pytest.fixture
def sara(northwind):
    """Contacts are loaded without a password; Sara has chosen one."""
    user = get_user_model().objects.get(email=SARA)
    user.set_password(SARA_PASSWORD)
    user.save()
    return user
