"""The capped-count paginator: never a COUNT(*) over a whole large set, and people can still page on."""

import pytest
from django.core.paginator import EmptyPage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import generics, serializers
from rest_framework.test import APIRequestFactory

from core.pagination import CappedCountPagination, CappedCountPaginator
from programs.models import Category


@pytest.fixture
def twelve(db):
    Category.objects.bulk_create([Category(name=f"Category {n:02d}", slug=f"category-{n:02d}") for n in range(12)])
    return Category.objects.order_by("name")


def test_below_the_cap_it_counts_exactly(twelve):
    paginator = CappedCountPaginator(twelve, 5, count_cap=100)
    assert paginator.count == 12 and not paginator.count_is_capped
    assert paginator.num_pages == 3
    assert [c.name for c in paginator.page(3)] == ["Category 10", "Category 11"]


def test_the_count_stops_at_the_cap_with_a_limited_query(twelve):
    paginator = CappedCountPaginator(twelve, 5, count_cap=7)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 7
    assert paginator.count_is_capped
    [count_query] = captured.captured_queries
    assert "COUNT(" in count_query["sql"].upper() and "LIMIT 8" in count_query["sql"].upper()


def test_past_the_cap_people_can_page_on_until_the_rows_run_out(twelve):
    paginator = CappedCountPaginator(twelve, 5, count_cap=7)
    second = paginator.page(2)
    assert second.has_next() and second.start_index() == 6 and second.end_index() == 10
    third = paginator.page(3)  # beyond the 7 counted rows
    assert [c.name for c in third] == ["Category 10", "Category 11"]
    assert not third.has_next() and third.has_previous()
    with pytest.raises(EmptyPage):
        paginator.page(4)
    assert paginator.get_page("not a number").number == 1


def test_a_list_is_counted_by_its_length():
    paginator = CappedCountPaginator(list(range(30)), 10, count_cap=5)
    assert paginator.count == 5 and paginator.count_is_capped
    assert list(paginator.page(3)) == list(range(20, 30))


class _CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["name"]


class _CappedAtSeven(CappedCountPaginator):
    count_cap = 7


class _CappedPagination(CappedCountPagination):
    page_size = 5
    django_paginator_class = _CappedAtSeven


class _CategoryList(generics.ListAPIView):
    queryset = Category.objects.order_by("name")
    serializer_class = _CategorySerializer
    pagination_class = _CappedPagination
    permission_classes = []
    authentication_classes = []


def test_the_api_pagination_says_when_the_count_is_capped(twelve):
    response = _CategoryList.as_view()(APIRequestFactory().get("/categories/", {"page": 3}))
    assert response.status_code == 200
    assert response.data["count"] == 7 and response.data["count_is_capped"] is True
    assert [row["name"] for row in response.data["results"]] == ["Category 10", "Category 11"]
    assert response.data["next"] is None and response.data["previous"]


class _UncappedPagination(CappedCountPagination):
    page_size = 5  # the default cap, 1,000: twelve rows are counted exactly


class _UncappedCategoryList(_CategoryList):
    pagination_class = _UncappedPagination


def test_the_last_page_is_named_only_while_the_count_is_exact(twelve):
    last = _UncappedCategoryList.as_view()(APIRequestFactory().get("/categories/", {"page": "last"}))
    assert last.status_code == 200
    assert [row["name"] for row in last.data["results"]] == ["Category 10", "Category 11"]
    capped = _CategoryList.as_view()(APIRequestFactory().get("/categories/", {"page": "last"}))
    assert capped.status_code == 404
    assert "last page is not known" in str(capped.data["detail"])


def test_the_schema_documents_the_capped_count():
    schema = CappedCountPagination().get_paginated_response_schema({"type": "array"})
    assert {"count", "count_is_capped", "results"} <= set(schema["required"])
    assert schema["properties"]["count_is_capped"]["type"] == "boolean"
    assert "1,000" in schema["properties"]["count"]["description"]


def test_several_capped_counts_in_one_query_say_what_each_capped_count_says(twelve, network):
    """capped_counts (Inbound Referrals' three figures) counts each set in a scalar subquery of one SELECT: the same
    figures as capped_count, an empty set included, and a tenant's table only from a scope."""
    from accounts.tenancy import UnscopedQueryError
    from core.pagination import capped_count, capped_counts
    from referrals.models import Referral

    sets = [twelve, twelve.filter(name__gte="Category 05"), twelve.filter(pk__in=[]), twelve.filter(name="none")]
    for cap in (3, 7, 100):
        with CaptureQueriesContext(connection) as captured:
            counts = capped_counts(sets, cap)
        assert counts == [capped_count(one, cap) for one in sets]
        assert len(captured.captured_queries) == 1 and captured.captured_queries[0]["sql"].count("LIMIT") == 3
    assert capped_counts(sets, 7)[:2] == [(7, True), (7, False)]
    assert capped_counts([twelve.filter(pk__in=[])]) == [(0, False)]
    network.refer()
    assert capped_counts([Referral.objects.restrict(network.claimer, "receive:ids")]) == [(1, False)]
    with pytest.raises(UnscopedQueryError):
        capped_counts([Referral.objects.all()])

    class CountsItself:  # as program search's compiled statements do (capped_count asks them)
        def capped_count(self, asked):
            return 12 if asked > 12 else asked

    for cap in (3, 100):
        assert capped_counts([CountsItself(), twelve], cap) == [capped_count(CountsItself(), cap)] * 2
