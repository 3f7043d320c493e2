"""core.parsers.JSONParser: deep nesting is a 400 on every JSON door, never a RecursionError."""

import json

import pytest
from rest_framework.test import APIClient

from core.parsers import MAX_DEPTH, has_nul, too_deep
from referrals.models import Note, Referral
from tests.factories import api_token

DEEP = "[" * 2000 + "]" * 2000  # a 4 KB body: past Python's recursion limit
DEEP_OBJECT = '{"a":' * 300 + "1" + "}" * 300
JUST_TOO_DEEP = json.dumps({"body": json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)})


def test_depth_and_nul_are_found_without_recursion():
    assert not too_deep([[]], 2) and too_deep([[[]]], 2)
    assert too_deep(json.loads("[" * 900 + "]" * 900))
    assert has_nul({"a": ["b", {"c\x00": 1}]}) and not has_nul({"a": ["b", 1, None]})


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT, JUST_TOO_DEEP])
def test_deeply_nested_json_is_a_400_on_every_json_door(network, body):
    referral = network.refer()
    notes, version = Note.objects_across_tenants.count(), referral.version
    anonymous = APIClient(raise_request_exception=False)
    response = anonymous.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]

    api = APIClient(raise_request_exception=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(network.claimer)}")
    for method, path in [
        ("post", f"/api/v1/referrals/{referral.public_id}/notes/"),
        ("patch", f"/api/v1/referrals/{referral.public_id}/"),
        ("post", "/api/v1/seekers/"),
    ]:
        response = getattr(api, method)(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert "nested too deeply" in response.json()["detail"]
    for content_type in ("application/fhir+json", "application/json-patch+json", "application/json"):
        response = api.patch(f"/fhir/Task/{referral.public_id}", body, content_type=content_type)
        assert response.status_code == 400
        assert response.json()["resourceType"] == "OperationOutcome"
        assert "nested too deeply" in response.json()["issue"][0]["diagnostics"]
    response = api.post("/fhir/", body, content_type="application/fhir+json")
    assert response.status_code == 400 and response.json()["resourceType"] == "OperationOutcome"
    assert Note.objects_across_tenants.count() == notes
    assert Referral.objects_across_tenants.get(pk=referral.pk).version == version
