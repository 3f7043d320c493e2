"""The isolation walker must fail on unprotected endpoints (a test that cannot fail would prove nothing)."""

import pytest

from .test_tenant_isolation import check_another_tenant, check_page_without_identifiers, check_same_tenant_without_right
from .urlwalk import discover

LEAKY = "tests.security.leaky_urls"


def _route(name):
    return next(route for route in discover(LEAKY) if route.name == name)


def test_an_unprotected_profile_fails_the_walker(settings, network, victims):
    settings.ROOT_URLCONF = LEAKY
    route = _route("leaky_profile")
    with pytest.raises(AssertionError, match="another tenant got 200"):
        check_another_tenant(route, network, victims)
    with pytest.raises(AssertionError, match="no right"):
        check_same_tenant_without_right(route, network, victims)


def test_an_unprotected_list_fails_the_walker(settings, network, victims):
    settings.ROOT_URLCONF = LEAKY
    with pytest.raises(AssertionError, match="another tenant's person"):
        check_page_without_identifiers(_route("leaky_list"), network, victims)


def test_a_primary_key_in_a_url_is_reported():
    route = _route("leaky_by_key")
    assert [p.kind for p in route.parameters] == ["integer"]


def test_the_walker_finds_routes_inside_includes():
    labels = {route.label for route in discover(LEAKY)}
    assert "privacy:seeker_access /people/<uuid:public_id>/access/" in labels
