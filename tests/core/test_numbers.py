"""core.numbers: the one reader of whole numbers that arrive as text, and the pages that read them."""

import pytest

from core.numbers import page_number, parse_int

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "value, expected",
    [
        ("3", 3),
        (" 42 ", 42),
        ("-2", -2),
        (7, 7),
        ("٣", None),
        ("３", None),
        ("²", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (True, None),
        (HUGE, None),
        ("9" * 19, None),
        ("9" * 18, 10**18 - 1),
    ],
)
def test_parse_int_reads_ascii_digits_only(value, expected):
    assert parse_int(value) == expected


def test_parse_int_bounds():
    assert parse_int("0", minimum=1) is None
    assert parse_int("4", maximum=3) is None
    assert parse_int("3", minimum=1, maximum=3) == 3


@pytest.mark.parametrize(
    "value, expected",
    [("2", 2), ("0", 1), ("-5", 1), ("²", 1), ("٣", 1), ("abc", 1), (None, 1), ("99", 50), (HUGE, 50), ("-" + HUGE, 1)],
)
def test_a_page_number_is_always_a_page(value, expected):
    assert page_number(value, maximum=50) == expected


@pytest.mark.parametrize("page", ["²", "٣", HUGE, "-1", "0", "999999999999"])
def test_every_paginated_page_answers_a_page_for_any_page_number(client, network, page):
    network.refer()
    client.force_login(network.site_admin)
    organization = network.site.public_id
    for path in [
        "/sent/",
        "/people/",
        "/programs/",
        "/organization/",
        f"/organization/{organization}/members/",
        f"/organization/{organization}/teams/",
        f"/organization/{organization}/programs/",
    ]:
        response = client.get(path, {"page": page})
        assert response.status_code in (200, 302), (path, response.status_code)
    client.force_login(network.claimer)
    assert client.get("/inbound/", {"page": page}).status_code == 200


@pytest.mark.parametrize("page", ["²", "٣", HUGE])
def test_api_and_hsds_pages_refuse_numbers_they_cannot_read(client, network, page):
    client.force_login(network.referrer)
    assert client.get("/api/v1/referrals/", {"page": page}).status_code == 404  # DRF's "Invalid page."
    response = client.get("/hsds/services", {"page": page})
    assert response.status_code == 400 and "whole number" in response.json()["detail"]
    assert client.get("/fhir/Task", {"_count": page}).status_code == 400
