"""The desk's people, for Locust: contacts in the portal, technicians in the queue,
leads reading the reports. Run by benchmarks/load.py, which builds the desk and
writes who may log in to the file SCOPEDESK_LOAD_PEOPLE names:

    {"contacts": [{"email", "password", "token"}], "technicians": [{"username",
     "password"}], "leads": [...]}

Each request is named by its kind ("portal: ticket", "queue: reply") so that each
kind has its own line and p95. Runs only against 127.0.0.1 or localhost.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}

with open(os.environ["SCOPEDESK_LOAD_PEOPLE"]) as _file:
    PEOPLE = json.load(_file)
# Each simulated person takes the next account of their kind, round the list.
_next = {kind: itertools.cycle(accounts) for kind, accounts in PEOPLE.items()}

PORTAL_TICKET = re.compile(r'href="/portal/tickets/(\d+)/"')
QUEUE_TICKET = re.compile(r'href="/queue/tickets/(\d+)/"')

# What contacts write; the worker decides each ticket filed.
REQUESTS = [
    ("Mail not arriving", "Emails to our mailbox info@ are not arriving since yesterday."),
    ("WooCommerce plugin", "Could you please install the WooCommerce plugin on our shop?"),
    ("DNS record", "Please add a TXT record to the DNS of our domain for Google verification."),
    ("Website slow", "Our website takes ten seconds to open since this morning."),
    ("Call me", "Hello, something is not right, please call me back."),
]
ANSWERS = [
    "Thank you, we are looking into it and will write again within the hour.",
    "Done: the record is in place; it can take up to an hour to show everywhere.",
    "Could you send us the exact error message and the time it happened?",
]


@events.init.add_listener
def refuse_other_hosts(environment, **kwargs) -> None:
    """A load test is for the scratch desk on this machine only, never a real one."""
    host = urlsplit(environment.host or "").hostname
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"refusing to load {environment.host!r}: only 127.0.0.1 or localhost")


class Person(HttpUser):
    abstract = True
    kind = ""

    def on_start(self) -> None:
        if urlsplit(self.host).hostname not in LOCAL_HOSTS:
            raise StopUser()
        self.account = next(_next[self.kind])
        self.log_in()

    def log_in(self) -> None:
        """Through the login page, as a browser does: the form, then its POST."""
        self.client.cookies.clear()
        self.client.get("/accounts/login/", name="login: form")
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.account.get("email") or self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": self.csrf(),
            },
            name="login: post",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"not logged in: {response.status_code}")

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def page(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as response:
            # A page that sends to the login form answers 200 after the redirect.
            if "/accounts/login/" in response.url:
                response.failure("sent to the login page")
            return response.text or ""


class Contact(Person):
    """A customer's contact: reads their tickets, now and then files one (in the
    portal or over the API), rarely reads the statement, comes back later."""

    weight = 20
    kind = "contacts"
    wait_time = between(5, 20)

    def on_start(self) -> None:
        super().on_start()
        self.tickets: list[str] = []

    @task(12)
    def ticket_list(self) -> None:
        found = PORTAL_TICKET.findall(self.page("/portal/", "portal: ticket list"))
        self.tickets = found or self.tickets

    @task(8)
    def ticket(self) -> None:
        if self.tickets:
            self.page(f"/portal/tickets/{random.choice(self.tickets)}/", "portal: ticket")

    @task(1)
    def file_in_portal(self) -> None:
        self.page("/portal/new/", "portal: new ticket form")
        subject, body = random.choice(REQUESTS)
        with self.client.post(
            "/portal/new/",
            data={
                "subject": subject,
                "body": body,
                "service": "",
                "priority": "normal",
                "csrfmiddlewaretoken": self.csrf(),
            },
            name="portal: file ticket",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"not filed: {response.status_code}")
                return
            filed = response.headers["Location"]
        self.page(filed, "portal: ticket")

    @task(2)
    def file_over_api(self) -> None:
        subject, body = random.choice(REQUESTS)
        self.client.post(
            "/api/v1/tickets/",
            json={"subject": subject, "body": body},
            headers={"Authorization": f"Token {self.account['token']}"},
            name="api: file ticket",
        )

    @task(1)
    def statement(self) -> None:
        self.page("/portal/statement/", "portal: statement")

    @task(1)
    def come_back_later(self) -> None:
        """The session ends; the next visit starts at the login page."""
        self.log_in()


class Staff(Person):
    abstract = True
    TABS = ["open", "ours", "mine", "unassigned", "due"]

    def on_start(self) -> None:
        super().on_start()
        self.tickets: list[str] = []

    def queue(self, url: str, name: str) -> None:
        found = QUEUE_TICKET.findall(self.page(url, name))
        self.tickets = found or self.tickets

    def ticket(self) -> None:
        if self.tickets:
            self.page(f"/queue/tickets/{random.choice(self.tickets)}/", "queue: ticket")


class Technician(Staff):
    """Pages the queue (tabs, a filter, page 2), opens tickets, answers some."""

    weight = 4
    kind = "technicians"
    wait_time = between(3, 10)

    @task(6)
    def tab(self) -> None:
        self.queue(f"/queue/?view={random.choice(self.TABS)}", "queue: tab")

    @task(2)
    def filtered(self) -> None:
        narrow = random.choice(
            ["verdict=paid_option", "priority=urgent", "sla=breached", "q=mail", "verdict=in_scope"]
        )
        self.queue(f"/queue/?view=open&{narrow}", "queue: filtered")

    @task(2)
    def page_two(self) -> None:
        self.queue("/queue/?view=all&page=2", "queue: page 2")

    @task(5)
    def open_ticket(self) -> None:
        self.ticket()

    @task(2)
    def reply(self) -> None:
        """As the ticket page's htmx form sends it."""
        self.queue("/queue/?view=ours", "queue: tab")
        if not self.tickets:
            return
        number = random.choice(self.tickets)
        self.page(f"/queue/tickets/{number}/", "queue: ticket")
        self.client.post(
            f"/queue/tickets/{number}/reply/",
            data={"reply-body": random.choice(ANSWERS)},
            headers={"HX-Request": "true", "X-CSRFToken": self.csrf()},
            name="queue: reply",
        )


class Lead(Staff):
    """Reads the reports now and then, and the queue."""

    weight = 1
    kind = "leads"
    wait_time = between(10, 30)

    @task(1)
    def reports(self) -> None:
        self.page("/queue/reports/", "queue: reports")

    @task(3)
    def tab(self) -> None:
        self.queue(f"/queue/?view={random.choice(self.TABS)}", "queue: tab")

    @task(1)
    def open_ticket(self) -> None:
        self.ticket()
