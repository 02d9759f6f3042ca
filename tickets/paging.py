"""Pages of tickets that stay fast deep into a long list.

A page far down a list is an OFFSET: the database reads and throws away every
row before it. With the joins and per-row subqueries a list shows (the last
message, a pending offer), each thrown-away row costs as much as a shown one, so
page 200 of a customer's 10,000 tickets took fifty times page 1. Here the page's
ids are read first, off the ordering's index alone, and only those rows are then
read in full: one more query, however deep the page.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator


class IdsFirstPaginator(Paginator):
    """A ``Paginator`` over a queryset that reads a page's ids, then its rows."""

    def _get_page(self, object_list, number, paginator) -> Page:
        ids = list(object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)} if ids else {}
        return Page([rows[pk] for pk in ids if pk in rows], number, paginator)
