"""The ticket search (tickets/search.py): numbers, e-mails, names and words.

On PostgreSQL the words go through full-text search in each ticket's language's
configuration; those tests skip themselves on SQLite, where the words are matched
by substring."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from contracts.models import Customer
from tests.helpers import api
from tickets.models import Ticket
from tickets.queue.selectors import _ordered
from tickets.search import search_tickets

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search: PostgreSQL only"
)


def make(customer: Customer, subject: str, body: str = "", *, language: str = "en", email=""):
    """A ticket of ``customer``, filed by the contact with ``email`` (else the first)."""
    contacts = customer.contacts.select_related("user")
    contact = contacts.get(user__email=email) if email else contacts.first()
    return Ticket.objects.create(
        customer=customer,
        requester=contact.user,
        subject=subject,
        body=body,
        language=language,
    )


def found(text: str, tickets=None) -> set[int]:
    return set(search_tickets(tickets or Ticket.objects.all(), text).values_list("pk", flat=True))


def vector(ticket: Ticket) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM tickets_ticket WHERE id = %s", [ticket.pk])
        return cursor.fetchone()[0]


# --- on every database -------------------------------------------------------------------


def test_a_number_finds_that_ticket_and_a_hash_only_that_ticket(northwind):
    first = make(northwind, "Mailbox full")
    second = make(northwind, "Error 502", "The shop answers 502.")
    assert found(f"#{first.pk}") == {first.pk}
    assert found(f"  #{second.pk} ") == {second.pk}
    assert found(str(first.pk)) >= {first.pk}
    # A bare number is a word too: an error code finds the tickets that name it.
    assert found("502") >= {second.pk}
    assert found("#" + str(10**23)) == set()


def test_an_e_mail_finds_its_requester_by_prefix_in_any_case(northwind, volga):
    saras = make(northwind, "Mailbox full", email="sara@northwind.example")
    mikkos = make(northwind, "Backup", email="mikko@northwind.example")
    olgas = make(volga, "Почта", email="olga@volga-media.example")
    assert found("sara@northwind.example") == {saras.pk}
    assert found("SARA@Northwind.EXAMPLE") == {saras.pk}
    assert found("mikko@north") == {mikkos.pk}
    assert found("olga@") == {olgas.pk}
    assert found("ara@northwind.example") == set()  # a prefix, not any part
    assert found("nobody@northwind.example") == set()


def test_names_of_customers_and_requesters_are_found_by_any_part(northwind, volga, daugava):
    saras = make(northwind, "Mailbox full", email="sara@northwind.example")
    aino = make(northwind, "Invoice", email="aino@northwind.example")
    olgas = make(volga, "Почта", email="olga@volga-media.example", language="ru")
    janis = make(daugava, "Rēķins", language="lv")
    assert found("sara berg") == {saras.pk}
    assert found("Northwind Webshop") == {saras.pk, aino.pk}
    assert found("daugavas") == {janis.pk}
    assert found("Смирнова") == {olgas.pk}
    # SQLite folds the case of ASCII letters only: "волга" is found on PostgreSQL.
    assert found("Волга") == {olgas.pk}


def test_words_of_the_subject_and_body_are_found(northwind, daugava):
    quota = make(northwind, "Mailbox full", "The inbox says quota exceeded.")
    backup = make(northwind, "Backup question", "Where is last night's backup?")
    latvian = make(daugava, "Pasts nedarbojas: Почта не работает", language="lv")
    assert found("quota") == {quota.pk}
    assert found("Backup") == {backup.pk}
    assert found("Почта") == {latvian.pk}
    assert found("nothing like this") == set()
    assert found("   ") == {quota.pk, backup.pk, latvian.pk}


def test_a_contact_searching_through_the_api_sees_only_their_own_customers_tickets(
    northwind, volga, technician
):
    ours = make(northwind, "Server down", "The server is down.", email="aino@northwind.example")
    theirs = make(volga, "Server down", "The server is down.", language="en")
    by_name = make(volga, "Northwind Webshop Oy is mentioned", language="en")

    def ids(client, q: str) -> set[int]:
        response = client.get("/api/v1/tickets/", {"q": q})
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    aino = api("aino@northwind.example")  # a manager: all of Northwind's tickets
    assert ids(aino, "server") == {ours.pk}
    assert ids(aino, f"#{theirs.pk}") == set()
    assert ids(aino, "olga@volga") == set()
    assert ids(aino, "Волга") == set()
    assert ids(aino, "northwind webshop") == {ours.pk}
    assert ids(api(technician), "server") == {ours.pk, theirs.pk}
    assert by_name.pk in ids(api(technician), "northwind webshop")


# --- PostgreSQL: full-text search ----------------------------------------------------------


@postgresql_only
def test_each_language_is_stemmed_in_its_own_configuration(northwind, volga, daugava):
    english = make(northwind, "Two invoices missing", "Where are the invoices?")
    russian = make(volga, "Не пришёл счёт", "Счёт за октябрь не пришёл.", language="ru")
    finnish = make(northwind, "Laskut puuttuvat", "Lokakuun laskut eivät tulleet.", language="fi")
    latvian = make(daugava, "Nav rēķina", "Oktobra rēķins nav pienācis.", language="lv")
    assert "'invoic':2A,7B" in vector(english)
    assert found("invoice") == {english.pk}
    assert found("INVOICES") == {english.pk}
    assert found("счета") == {russian.pk}
    assert found("счет") == {russian.pk}  # ё and е are one letter to the Russian stemmer
    assert found("счётом") == {russian.pk}
    assert found("СЧЕТ") == {russian.pk}  # SQLite's icontains folds ASCII letters only
    assert found("волга медиа") == {russian.pk}  # the customer's name, as well
    assert found("lasku") == {finnish.pk}
    assert found("laskua") == {finnish.pk}
    # No Latvian configuration: the word as written, in any case, and no other form.
    assert "'rēķins':4B" in vector(latvian)
    assert found("Rēķins") == {latvian.pk}
    assert found("rēķina") == {latvian.pk}
    assert found("rēķinu") == set()
    # Web search syntax: a phrase, an OR, a word left out.
    assert found('"invoices missing"') == {english.pk}
    assert found("invoice or lasku") == {english.pk, finnish.pk}
    assert found("invoices -missing") == set()
    # Only stop words: a query that matches nothing, not an error.
    assert found("the") == set()


@postgresql_only
def test_the_trigger_keeps_the_vector_right_on_update_and_bulk_insert(northwind):
    ticket = make(northwind, "Mailbox full", "Quota exceeded.")
    assert vector(ticket) == "'exceed':4B 'full':2A 'mailbox':1A 'quota':3B"
    # The ORM writes back the empty vector it holds: the stored one stays.
    ticket.status = "in_progress"
    ticket.save()
    assert vector(ticket) == "'exceed':4B 'full':2A 'mailbox':1A 'quota':3B"
    Ticket.objects.filter(pk=ticket.pk).update(subject="Certificate expired")
    assert vector(ticket) == "'certif':1A 'exceed':4B 'expir':2A 'quota':3B"
    assert found("mailbox") == set() and found("certificates") == {ticket.pk}
    ticket.refresh_from_db()
    ticket.language = "fi"
    ticket.save()
    assert "'certificat':1A" in vector(ticket)  # read again, in Finnish
    requester = northwind.contacts.first().user
    made = Ticket.objects.bulk_create(
        Ticket(customer=northwind, requester=requester, subject=f"Domain {n}", body="DNS renewals")
        for n in range(3)
    )
    assert {vector(t) for t in made} == {
        f"'{n}':2A 'dns':3B 'domain':1A 'renew':4B" for n in range(3)
    }
    assert found("renewal") == {t.pk for t in made}


@postgresql_only
def test_the_trigger_fills_the_vector_of_rows_loaded_with_copy(volga):
    requester = volga.contacts.first().user
    columns = (
        "customer_id, requester_id, subject, body, priority, status, language, channel,"
        " verdict, created_at, updated_at, sla_paused_minutes, message_id"
    )
    times = ("2026-11-23T10:00Z", "2026-11-23T10:00Z")
    rows = [
        (
            *(volga.pk, requester.pk, subject, "", "normal", "open", language, "portal", ""),
            *(*times, 0, f"copy-{language}@test"),
        )
        for language, subject in [("ru", "Счета не пришли"), ("fi", "Laskut")]
    ]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY tickets_ticket ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    russian, finnish = Ticket.objects.filter(message_id__startswith="copy-").order_by("pk")
    assert vector(russian) == "'пришл':3A 'счет':1A"
    assert vector(finnish) == "'lasku':1A"
    assert found("счёт") == {russian.pk} and found("lasku") == {finnish.pk}


@postgresql_only
def test_the_search_reads_indexes_not_the_whole_table(northwind, volga, daugava):
    """Enough tickets for the planner to prefer the indexes: no sequential scan of
    the tickets for words, names, an e-mail or a number, in the queue's order.

    The texts have a vocabulary of some thousands of words, as real ones do: with
    the statistics of the search vector (0020 samples ten times the usual) the
    planner knows a word outside it is rare, and reads it off the GIN index."""
    rare = make(northwind, "Wildcard certificate", "It expired.", email="aino@northwind.example")
    owners = [Customer.objects.create(name=f"Firm {n}", slug=f"firm-{n}") for n in range(200)]
    people = get_user_model().objects.bulk_create(
        get_user_model()(username=f"person{n}", email=f"person{n}@firm{n}.example")
        for n in range(400)
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO tickets_ticket (
                customer_id, requester_id, subject, body, priority, status, language,
                channel, verdict, created_at, updated_at, sla_paused_minutes, message_id
            )
            SELECT
                (%s::bigint[])[1 + g %% 200], (%s::int[])[1 + g %% 400],
                'Routine request ' || g,
                (ARRAY['Mailbox quota', 'Backup restore', 'DNS record', 'Slow site'])[1 + g %% 4]
                    || ' please, ticket ' || g || ' about thing' || (g %% 2999)
                    || ' and item' || (g * 7 %% 3001),
                'normal', 'open', (ARRAY['en', 'ru', 'fi', 'lv'])[1 + g %% 4], 'portal', '',
                now() - g * interval '1 minute', now(), 0, 'filler-' || g || '@test'
            FROM generate_series(1, 30000) AS g
            """,
            [[c.pk for c in owners], [p.pk for p in people]],
        )
        loaded = time.perf_counter() - started
        # What autovacuum does after a bulk load: the GIN index's pending list of
        # new entries merged into the index proper (else each search reads it all).
        cursor.execute("SELECT gin_clean_pending_list('tickets_ticket_search')")
        cursor.execute("ANALYZE tickets_ticket")
        cursor.execute("ANALYZE auth_user")
    print(f"\n30,000 tickets inserted through the trigger in {loaded:.2f} s")

    queries = {
        "word": "certificates",
        "customer": "northwind web",
        "e-mail": "aino@northwind",
        "number": str(rare.pk),
    }
    for what, text in queries.items():
        tickets = search_tickets(Ticket.objects.all(), text)
        page = _ordered(tickets, "sla_due")[:50]
        plans = page.explain() + "\n" + tickets.explain()  # the page, and its count
        print(f"--- {what}: {text!r}\n{plans}")
        assert "Seq Scan on tickets_ticket" not in plans, plans
        if what == "word":
            assert "Bitmap Index Scan on tickets_ticket_search" in page.explain(), plans
        started = time.perf_counter()
        assert rare.pk in {t.pk for t in page}
        print(f"{what}: the page in {1000 * (time.perf_counter() - started):.1f} ms")
    assert "tickets_ticket_search" in search_tickets(Ticket.objects.all(), "certificate").explain()
    people = get_user_model().objects.filter(email__istartswith="aino@north")
    assert "auth_user_email_upper" in people.explain()
