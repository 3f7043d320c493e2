"""Pagination that never counts a whole large set on a page view.

Django's Paginator (and DRF's PageNumberPagination) run ``SELECT COUNT(*)`` over everything the filters
match, on every page view. Over a million referrals with per-row visibility checks that count costs more
than the page. These count at most ``count_cap`` rows (``SELECT COUNT(*) FROM (... LIMIT cap + 1)``); past
the cap they say "more than 1,000" and still let people page on, by fetching one row more than a page.

    from core.pagination import CappedCountPaginator
    page = CappedCountPaginator(queryset, 25).get_page(request.GET.get("page"))
    # templates: {{ page.paginator.count }}{% if page.paginator.count_is_capped %}+{% endif %}

    # The API's DEFAULT_PAGINATION_CLASS (referrals_site/settings/base.py): every API list's "count" stops at
    # the cap, and "count_is_capped" says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connections
from django.db.models import Count, F, Window
from django.db.models.expressions import OrderBy, RawSQL
from django.utils.functional import cached_property
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core import numbers

COUNT_CAP = 1000
# However far someone pages on past the cap, OFFSET stays bounded.
MAX_PAGE = 10_000


def page_number(request) -> int:
    """The ``?page=`` asked for, from 1 to MAX_PAGE (a larger number is MAX_PAGE); anything else is the first
    page (core.numbers)."""
    return numbers.page_number(request.GET.get("page"), maximum=MAX_PAGE)


@dataclass(frozen=True)
class OneMorePage:
    """A page of a list that learns whether a next page exists by fetching one row more than a page, so nothing
    is counted for it (Inbound Referrals, Sent referrals; templates/includes/page_links.html)."""

    number: int
    size: int

    @classmethod
    def asked(cls, request, size: int) -> OneMorePage:
        return cls(page_number(request), size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def window(self) -> slice:
        """The rows to fetch: the page's, and one more."""
        return slice(self.offset, self.offset + self.size + 1)

    def context(self, request, fetched, *, list_has_rows: bool = True) -> dict:
        """The page's rows (``fetched`` through ``window``) and its links: previous, next, and the first page's
        when this page is past the end of a list that has rows (an old link, a list that shrank)."""
        rows = list(fetched)[: self.size]
        query = request.GET.copy()
        query.pop("page", None)

        def url(number):
            return "?" + urlencode({**query.dict(), "page": number})

        return {
            "rows": rows,
            "page": self.number,
            "first_shown": self.offset + 1 if rows else 0,
            "last_shown": self.offset + len(rows),
            "previous_url": url(self.number - 1) if self.number > 1 else "",
            "next_url": url(self.number + 1) if len(fetched) > self.size else "",
            "past_the_end_url": url(1) if self.number > 1 and not rows and list_has_rows else "",
        }


def _capped(counted: int, cap: int) -> tuple[int, bool]:
    """A count of at most ``cap + 1`` rows as (the count up to the cap, whether there are more)."""
    return min(counted, cap), counted > cap


def capped_count(queryset, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows, counting no further than ``cap``: (the count up to the cap, whether there are more)."""
    if hasattr(queryset, "capped_count"):  # counts itself, no further than it is asked
        return _capped(queryset.capped_count(cap + 1), cap)
    return _capped(queryset.order_by()[: cap + 1].count(), cap)


def capped_counts(querysets, cap: int = COUNT_CAP) -> list[tuple[int, bool]]:
    """``capped_count`` of each of ``querysets`` (of one database), in one query: each is counted in a scalar
    subquery of one ``SELECT``, as ``capped_count`` counts it (a set that counts itself counts itself). For a page
    that shows several counts (Inbound Referrals: three), one round trip where each took its own, and no ORM
    aggregation built for each."""
    parts, params, counted, db = [], [], {}, None
    for index, queryset in enumerate(querysets):
        if hasattr(queryset, "capped_count"):
            counted[index] = queryset.capped_count(cap + 1)
            continue
        if hasattr(queryset, "_check_scope"):
            queryset._check_scope()  # a tenant's table is counted only from a scope, as count() would insist
        try:
            sql, part_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        except EmptyResultSet:  # filtered by an empty list: nothing to count
            counted[index] = 0
            continue
        parts.append((index, f"(SELECT COUNT(*) FROM ({sql}) counted_{index})"))
        params.extend(part_params)
        db = queryset.db
    if parts:
        with connections[db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(part for _, part in parts), params)
            counted.update(zip((index for index, _ in parts), cursor.fetchone(), strict=True))
    return [_capped(counted[index], cap) for index in range(len(querysets))]


class CappedCountPaginator(Paginator):
    count_cap = COUNT_CAP

    def __init__(
        self,
        object_list,
        per_page,
        orphans=0,
        allow_empty_first_page=True,
        count_cap: int | None = None,
        counter=None,
    ):
        """``counter``: a function of a cap that counts the same rows another way, up to that cap (one that need
        not read each row the list shows)."""
        super().__init__(object_list, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page)
        if count_cap is not None:
            self.count_cap = count_cap
        self.counter = counter

    @cached_property
    def count(self) -> int:
        """How many rows, up to ``count_cap``; ``count_is_capped`` tells whether there are more."""
        if self.counter is not None:
            counted = self.counter(self.count_cap + 1)
            self.count_is_capped = counted > self.count_cap
            return min(counted, self.count_cap)
        if hasattr(self.object_list, "query") or hasattr(self.object_list, "capped_count"):
            count, self.count_is_capped = capped_count(self.object_list, self.count_cap)
            return count
        counted = len(self.object_list)
        self.count_is_capped = counted > self.count_cap
        return min(counted, self.count_cap)

    @property
    def count_is_capped(self) -> bool:
        self.count  # noqa: B018  (counting sets it)
        return self.__dict__["count_is_capped"]

    @count_is_capped.setter
    def count_is_capped(self, value: bool):
        self.__dict__["count_is_capped"] = value

    def validate_number(self, number):
        # ASCII digits only, and never more than core.numbers reads (int() takes "٣" and fails past 4,300 digits).
        if numbers.parse_int(number) is None:
            raise PageNotAnInteger("That page number is not an integer")
        number = numbers.parse_int(number)
        if not self.count_is_capped:
            return super().validate_number(number)
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MAX_PAGE:
            raise EmptyPage("That page is too far")
        return number

    def page(self, number):
        number = self.validate_number(number)
        if not self.count_is_capped:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return CappedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


class WindowCountPaginator(Paginator):
    """A paginator whose count comes with the page's rows: ``COUNT(*) OVER ()`` on the page's own query (the
    whole list's count, computed after any grouping), so that a page costs one query, not a count and then the
    page. For lists whose count costs what their page does (a program's People I'm Helping: a grouped query).
    The count is exact. A page past the end is counted apart and answered with the last page, as get_page does."""

    count_is_capped = False

    def validate_number(self, number):
        # Only whether it is a page number: whether the page has rows is learnt by reading them (page()).
        parsed = numbers.parse_int(number)
        if parsed is None:
            raise PageNotAnInteger("That page number is not an integer")
        if parsed < 1:
            raise EmptyPage("That page number is less than 1")
        return min(parsed, MAX_PAGE)

    def _rows(self, number):
        bottom = (number - 1) * self.per_page
        return list(self.object_list.annotate(_whole_count=Window(Count("*")))[bottom : bottom + self.per_page])

    def page(self, number):
        number = self.validate_number(number)
        rows = self._rows(number)
        if not rows and number > 1:
            number = max(1, self.num_pages)  # counted apart: the list is shorter than the page asked for
            rows = self._rows(number)
        if rows:
            first = rows[0]
            self.__dict__["count"] = first["_whole_count"] if isinstance(first, dict) else first._whole_count
        else:
            self.__dict__["count"] = 0
        return self._get_page(rows, number, self)


class CappedPage(Page):
    """A page past (or before) the counting cap: whether there is a next one comes from the extra row."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CappedCountPagination(PageNumberPagination):
    """DRF page-number pagination with a capped count: ``count`` stops at the cap, ``count_is_capped`` says so.

    Another cap: a subclass of CappedCountPaginator with its own ``count_cap`` as ``django_paginator_class``.
    """

    django_paginator_class = CappedCountPaginator

    def get_page_number(self, request, paginator):
        """``?page=last`` is the last page only while the count is exact; past the cap it is not known. A page
        named but empty (``?page=``) is no page number: refused as any other that is not one (404)."""
        named = request.query_params.get(self.page_query_param)
        if named is not None and not named.strip():
            raise NotFound("Invalid page: give a page number (1 is the first), or leave page out.")
        number = named or 1
        if number in self.last_page_strings and paginator.count_is_capped:
            raise NotFound(f'Past {paginator.count_cap:,} results the last page is not known: follow "next".')
        return super().get_page_number(request, paginator)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_is_capped": paginator.count_is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        cap = self.django_paginator_class.count_cap
        response["properties"]["count"]["description"] = (
            f"How many results, counted up to {cap:,}: with more, this is {cap:,} and `count_is_capped` is true."
        )
        response["properties"]["count_is_capped"] = {
            "type": "boolean",
            "example": False,
            "description": "There are more results than `count`; page on with `next`.",
        }
        response["required"] = [*response["required"], "count_is_capped"]
        return response


def ids_by_parts(queryset, field: str, keys, *, order, window: slice) -> list:
    """The ids in ``window`` of ``queryset.filter(field__in=keys)`` in ``order`` (field names, "-name" for
    descending, or expressions; it must end with a unique key, so that the order is total): on PostgreSQL read as
    one part per key, each from an index in that order, and the parts' first rows merged. ``keys`` are integers
    (ids: they are bound as one ``bigint[]``).

    A list of several programs' referrals in one order (Inbound Referrals: urgent first, then the oldest) is one
    ordered run per program in an index keyed (program, the order...). Asked with ``program IN (...)``,
    PostgreSQL cannot follow the runs in order: it reads every row of every program and sorts them for the first
    page (the benchmark claimer's 4,463 open referrals: 2.7 ms). Asked for each program in turn (``CROSS JOIN
    LATERAL`` over the keys, the part's ``LIMIT`` the window's end), it reads the first rows of each run and
    sorts those alone (0.2 ms), however many referrals the programs hold. The parts' SQL is the ORM's, from
    ``queryset`` with ``field`` compared with each key in turn, so every filter applies as written. Other
    databases (SQLite, the ``make run`` default) read the list as one query."""
    keys = sorted(set(keys))
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or not keys or window.stop is None:
        return list(queryset.filter(**{f"{field}__in": keys}).order_by(*order).values_list("pk", flat=True)[window])
    if hasattr(queryset, "_check_scope"):
        queryset._check_scope()  # the raw statement below bypasses the tenant guard of _fetch_all
    named, inner, outer = {}, [], []
    for index, item in enumerate(order):
        name = f"ordered_{index}"
        if isinstance(item, str):
            item = F(item[1:]).desc() if item.startswith("-") else F(item).asc()
        elif not isinstance(item, OrderBy):
            item = item.asc()
        named[name] = item.expression
        inner.append(
            OrderBy(F(name), descending=item.descending, nulls_first=item.nulls_first, nulls_last=item.nulls_last)
        )
        nulls = " NULLS FIRST" if item.nulls_first else " NULLS LAST" if item.nulls_last else ""
        outer.append(f"part.{name}{' DESC' if item.descending else ''}{nulls}")
    part = queryset.filter(**{field: RawSQL('"parts"."key"', ())}).annotate(**named).order_by(*inner)
    part = part.values_list("pk", *named)[: window.stop]
    try:
        sql, params = part.query.sql_with_params()
    except EmptyResultSet:  # filtered by an empty list: no rows
        return []
    columns = ", ".join(["id", *named])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT part.id FROM unnest(%s::bigint[]) AS parts(key) CROSS JOIN LATERAL ({sql}) AS part({columns})"
            f" ORDER BY {', '.join(outer)} LIMIT %s OFFSET %s",
            [keys, *params, window.stop - (window.start or 0), window.start or 0],
        )
        return [row[0] for row in cursor.fetchall()]
