"""FHIR Task changes that are not what they should be: each a 4xx OperationOutcome, and nothing changes."""

import json

import pytest

from referrals.models import Referral

FHIR_JSON = "application/fhir+json"


@pytest.fixture
def claimer(client, network):
    client.force_login(network.claimer)
    return client


def assert_refused(response, referral, status):
    assert response.status_code == status, response.content
    assert response.json()["resourceType"] == "OperationOutcome"
    after = Referral.objects_across_tenants.get(pk=referral.pk)
    assert (after.status, after.version) == (referral.status, referral.version)


@pytest.mark.parametrize("if_match", ['W/"' + "9" * 5000 + '"', '"' + "1" * 40 + '"'])
def test_an_if_match_of_thousands_of_digits_is_a_412(claimer, network, if_match):
    referral = network.refer()
    response = claimer.patch(
        f"/fhir/Task/{referral.public_id}",
        json.dumps({"status": "accepted"}),
        content_type=FHIR_JSON,
        headers={"If-Match": if_match},
    )
    assert_refused(response, referral, 412)


@pytest.mark.parametrize("if_match", ['W/"٣"', 'W/"３"', 'W/"²"'])
def test_an_if_match_in_other_digits_is_a_400(claimer, network, if_match):
    referral = network.refer()
    response = claimer.patch(
        f"/fhir/Task/{referral.public_id}",
        json.dumps({"status": "accepted"}),
        content_type=FHIR_JSON,
        headers={"If-Match": if_match},
    )
    assert_refused(response, referral, 400)


@pytest.mark.parametrize("element", ["statusReason", "businessStatus"])
@pytest.mark.parametrize("coding", [{"code": "no_capacity"}, "no_capacity", 7])
def test_a_coding_that_is_not_a_list_is_a_400(claimer, network, element, coding):
    referral = network.refer()
    body = {"resourceType": "Task", "status": "rejected", element: {"coding": coding}}
    response = claimer.patch(f"/fhir/Task/{referral.public_id}", json.dumps(body), content_type=FHIR_JSON)
    assert_refused(response, referral, 400)
    assert f"Task.{element}.coding must be a list" in response.json()["issue"][0]["diagnostics"]
    patch = [
        {"op": "replace", "path": "/status", "value": "rejected"},
        {"op": "add", "path": f"/{element}", "value": {"coding": coding}},
    ]
    response = claimer.patch(
        f"/fhir/Task/{referral.public_id}", json.dumps(patch), content_type="application/json-patch+json"
    )
    assert_refused(response, referral, 400)


def test_a_version_in_other_digits_is_a_400(claimer, network):
    referral = network.refer()
    body = {"resourceType": "Task", "status": "accepted", "meta": {"versionId": "٣"}}
    response = claimer.patch(f"/fhir/Task/{referral.public_id}", json.dumps(body), content_type=FHIR_JSON)
    assert_refused(response, referral, 400)


def test_a_nul_anywhere_in_a_fhir_body_is_a_400(claimer, network):
    referral = network.refer()
    body = {"resourceType": "Task", "status": "accepted", "note": [{"text": "nul\x00byte"}]}
    response = claimer.patch(f"/fhir/Task/{referral.public_id}", json.dumps(body), content_type=FHIR_JSON)
    assert_refused(response, referral, 400)
    assert "NUL" in response.json()["issue"][0]["diagnostics"]
