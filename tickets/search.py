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
Names are matched by substring through small subqueries of ids
(``customer_id = ANY(ARRAY(SELECT ...))``), which PostgreSQL reads as index
conditions: the plan is a BitmapOr of the GIN index and the foreign keys' indexes,
never a scan of all tickets.

On SQLite (development, tests) the words are matched by substring (icontains),
as before. Replies (messages) are not searched, on either.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import F, Lookup, Q, QuerySet

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
        users = get_user_model().objects.filter(email__istartswith=text).values("pk")
        return tickets.filter(requester__in=users)
    postgresql = connections[tickets.db].vendor == "postgresql"
    condition = _words(text) if postgresql else _substring(text)
    condition |= _among(
        "customer_id", Customer.objects.filter(name__icontains=text).values("pk"), postgresql
    )
    condition |= _among(
        "requester_id",
        Contact.objects.filter(name__icontains=text).values("user_id"),
        postgresql,
    )
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


def _among(field: str, rows: QuerySet, postgresql: bool) -> Q:
    """``field`` is one of the ids ``rows`` select (their first column)."""
    if not postgresql:
        return Q(**{f"{field}__in": rows})
    # ANY(ARRAY(subquery)), not IN (subquery): PostgreSQL runs the subquery once,
    # first, and uses the array as an index condition inside a BitmapOr; an IN
    # OR-ed with other conditions is checked row by row over the whole table.
    return Q(_AnyOf(F(field), ArraySubquery(rows.order_by())))


class _AnyOf(Lookup):
    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)
