"""A query-string parameter named but empty is refused on that parameter (api.serializers.QuerySerializer), not
read as left out: `?program=` is no program id. Parameters that take words (a search's `q`, `zip`) may be empty."""

import pytest


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/referrals/", "program"),
        ("/api/v1/referrals/", "status"),
        ("/api/v1/referrals/", "direction"),
        ("/api/v1/programs/", "seeker"),
        ("/api/v1/programs/", "radius_miles"),
        ("/api/v1/exports/referrals.csv", "organization"),
    ],
)
def test_an_empty_parameter_is_refused_on_it(network, api, url, parameter):
    response = api(network.site_admin).get(url, {parameter: ""}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {parameter: [f"Give a value for {parameter}, or leave it out."]}


def test_words_may_be_empty(network, api):
    response = api(network.referrer).get("/api/v1/programs/", {"q": "", "zip": "", "category": ""})
    assert response.status_code == 200
