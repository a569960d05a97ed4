"""Pagination of large lists: the page's ids first, then its rows.

``IdsFirst(qs)`` stands in for an ordered queryset wherever a page is cut from it (Django's
``Paginator``, DRF's pagination through ``mgtrade.api.IdsFirstPagination``). A slice runs
two queries: the ids of the page, with the queryset's filters and ordering but no joins,
annotations or deferred columns (so a covering index answers it, and the rows skipped by
OFFSET cost an index entry each, not a heap row and its joins); then the rows of those ids,
with the queryset's select_related / only / annotations / prefetches, put back in the ids'
order. The count is the queryset's own. So a page costs one query more, whatever its size.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet


class IdsFirst:
    """An ordered queryset, sliced ids first (see the module docstring)."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset
        self.ordered = queryset.ordered  # Paginator warns about unordered lists

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: Any) -> list:
        if not isinstance(key, slice):
            rows = self[key : key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        ids = list(self.queryset.prefetch_related(None).values_list("pk", flat=True)[key])
        if not ids:
            return []
        # The queryset's own filters again (cheap for a page of ids), so a row is never
        # shown that the queryset would not have returned.
        by_pk = {row.pk: row for row in self.queryset.filter(pk__in=ids).order_by()}
        return [by_pk[pk] for pk in ids if pk in by_pk]
