"""The ticket search that the queue and the API share (``q`` in tickets/filters.py).

What is typed decides what is searched:

- ``#123``: that ticket, and nothing else;
- ``123``: that ticket, and the tickets whose words or names hold "123" (an
  error code such as 502 is a word as well as a number);
- anything with an ``@``: the requesters whose e-mail starts with it, in any case
  (``sara@northwind`` finds sara@northwind.example);
- anything else: the subject and body's words, the customer's name and the
  requester's (contact's) name.

On PostgreSQL the words are matched by full-text search: the stored
``search_vector`` (migration 0020: subject weight A, body weight B, in the
ticket's language's configuration, kept by a trigger) against the query read in
each of ``QUERY_CONFIGS``, OR-ed, so the searcher's word finds its stem whatever
language they type in: "invoices" finds "invoice", "счёт" finds "счета",
"laskut" finds "lasku". Latvian has no configuration in PostgreSQL: Latvian
tickets are indexed with ``simple`` and match the word as written (in any case).
Names are matched by substring in the customers' and contacts' own (small)
tables first, in one query, and the tickets are then found by those ids: the plan is a BitmapOr
of the GIN index and the foreign keys' indexes, never a scan of all tickets.

On SQLite (development, tests) the words are matched by substring (icontains),
as before. Replies (messages) are not searched, on either.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import Q, QuerySet, Value

from contracts.models import Contact, Customer
from tickets.models import Ticket

# The configuration a ticket's text is indexed in, by its language (the same
# mapping as the SQL function tickets_search_config in migration 0020); any other
# language, Latvian included, is indexed with "simple".
INDEX_CONFIGS = {"en": "english", "ru": "russian", "fi": "finnish"}
# The configurations a search text is read in: every one a ticket may be indexed in.
QUERY_CONFIGS = ("english", "russian", "finnish", "simple")


def search_tickets(tickets: QuerySet[Ticket], text: str) -> QuerySet[Ticket]:
    """``tickets`` narrowed to those ``text`` finds; their order is kept."""
    text = text.strip()
    if not text:
        return tickets
    number = text.removeprefix("#")
    # isdecimal, not isdigit: "²" is a digit that int() refuses. An id too large
    # for the column matches nothing (Django leaves it out of the query).
    if number.isdecimal() and number != text:
        return tickets.filter(pk=int(number))
    if "@" in text:
        users = get_user_model().objects.filter(email__istartswith=text)
        return tickets.filter(requester_id__in=_ids(users, "pk"))
    customers, people = _named(text)
    words = _words(text) if connections[tickets.db].vendor == "postgresql" else _substring(text)
    condition = words | Q(customer_id__in=customers) | Q(requester_id__in=people)
    if number.isdecimal():
        condition |= Q(pk=int(number))
    return tickets.filter(condition)


def _words(text: str) -> Q:
    query = SearchQuery(text, config=QUERY_CONFIGS[0], search_type="websearch")
    for config in QUERY_CONFIGS[1:]:
        query |= SearchQuery(text, config=config, search_type="websearch")
    return Q(search_vector=query)


def _substring(text: str) -> Q:
    return Q(subject__icontains=text) | Q(body__icontains=text)


def _ids(rows: QuerySet, field: str) -> list[int]:
    return list(rows.order_by().values_list(field, flat=True))


def _named(text: str) -> tuple[list[int], list[int]]:
    """The customers and the people (contacts' logins) whose name holds ``text``,
    read first, in one query of their own (small tables).

    As lists of numbers the planner knows how many tickets they stand for: it
    reads them off the foreign keys' indexes, in a BitmapOr with the words' GIN
    index. A subquery of unknown size instead (IN, or ANY(ARRAY(...))) is guessed
    at thousands of tickets, and with the queue's ORDER BY ... LIMIT the planner
    then walks the whole order index, testing every ticket for a rare word."""
    customers = Customer.objects.filter(name__icontains=text).values_list(Value(1), "pk")
    people = Contact.objects.filter(name__icontains=text).values_list(Value(2), "user_id")
    rows = customers.order_by().union(people.order_by(), all=True)
    found: tuple[list[int], list[int]] = ([], [])
    for kind, pk in rows:
        found[kind - 1].append(pk)
    return found
