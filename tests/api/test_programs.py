from tests import factories

URL = "/api/v1/programs/"


def test_it_searches_by_zip_with_distances_nearest_first(network, api):
    far = factories.ProgramFactory(
        organization=network.provider, name="Far Pantry", zip_code="60601", latitude=41.8858, longitude=-87.6181
    )
    response = api(network.referrer).get(URL, {"zip": "60640", "radius_miles": 25})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "count_is_capped", "next", "previous", "results"}
    assert body["count_is_capped"] is False
    names = [program["name"] for program in body["results"]]
    assert names[-1] == far.name
    assert all(isinstance(program["distance_miles"], float) for program in body["results"])
    assert body["results"][-1]["distance_miles"] > body["results"][0]["distance_miles"]


def test_without_a_zip_there_is_no_distance(network, api):
    results = api(network.referrer).get(URL).json()["results"]
    assert results and all(program["distance_miles"] is None for program in results)


def test_it_filters_by_keyword_and_accepting(network, api):
    factories.ProgramFactory(organization=network.provider, name="Closed Shelter", accepts_referrals=False)
    client = api(network.claimer)
    assert [p["name"] for p in client.get(URL, {"q": "shelter"}).json()["results"]] == ["Closed Shelter"]
    accepting = [p["name"] for p in client.get(URL, {"accepting": "true"}).json()["results"]]
    assert "Closed Shelter" not in accepting and "Community Food Pantry" in accepting


def test_an_unknown_zip_is_a_field_error(network, api):
    response = api(network.referrer).get(URL, {"zip": "00000"})
    assert response.status_code == 400
    assert "zip" in response.json()


def test_malformed_filters_are_field_errors(network, api):
    response = api(network.referrer).get(URL, {"zip": "abc", "radius_miles": "far", "accepting": "maybe"})
    assert response.status_code == 400
    assert set(response.json()) == {"zip", "radius_miles", "accepting"}


def test_one_program(network, api):
    response = api(network.outsider).get(f"{URL}{network.program.public_id}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Community Food Pantry"
    assert response.json()["organization"] == "City Food Bank"


def test_a_non_uuid_id_is_404(network, api):
    assert api(network.referrer).get(f"{URL}42/").status_code == 404
