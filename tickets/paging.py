"""Pages of tickets that stay fast deep into a long list and on a big desk.

A page far down a list is an OFFSET: the database reads and throws away every
row before it. With the joins and per-row subqueries a list shows (the last
message, a pending offer), each thrown-away row costs as much as a shown one, so
page 200 of a customer's 10,000 tickets took fifty times page 1. Here the page's
ids are read first, off the ordering's index alone, and only those rows are then
read in full: one more query, however deep the page.

Counting a filter that matches a good part of a million tickets reads them all;
the queue counts up to ``COUNT_CAP`` and says "10000+" beyond, as big helpdesks do
(nobody pages through ten thousand tickets: they narrow the filters).
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def count_capped(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows ``queryset`` holds, counting no further than ``cap`` + 1."""
    return queryset.order_by().values("pk")[: cap + 1].count()


class IdsFirstPaginator(Paginator):
    """A ``Paginator`` over a queryset that reads a page's ids, then its rows;
    with ``count_cap``, it counts no further than the cap (``capped`` says so)."""

    object_list: QuerySet
    count_cap: int | None = None

    @cached_property
    def count(self) -> int:
        if self.count_cap is None:
            return super().count
        return count_capped(self.object_list, self.count_cap)

    @property
    def capped(self) -> bool:
        return self.count_cap is not None and self.count > self.count_cap

    def _get_page(self, object_list, number, paginator) -> Page:
        ids = list(object_list.values_list("pk", flat=True))
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)} if ids else {}
        return Page([rows[pk] for pk in ids if pk in rows], number, paginator)
