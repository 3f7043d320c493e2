"""/fhir/: referrals as SDOH Clinical Care Task and ServiceRequest, searched and updated over FHIR.

Every resource the server emits is validated with fhir.resources (R4B, the R4-compatible models of the
pinned 8.3.0 release; it has no separate R4 subpackage).
"""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task

from fhir_api.resources import TASK_PROFILE, TASK_STATUS_CODES
from referrals.models import Referral
from referrals.services import referral_change_status, referral_mark_viewed, referral_withdraw_consent

FHIR_JSON = "application/fhir+json"


def fhir(response, model, status=200):
    """The response body, after checking its status, content type and FHIR validity."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(FHIR_JSON)
    body = response.json()
    model.model_validate(body)  # raises when the resource is not valid FHIR
    if body["resourceType"] == "Task":
        assert body["status"] in TASK_STATUS_CODES
    return body


def outcome(response, status):
    body = fhir(response, OperationOutcome, status)
    assert body["issue"][0]["severity"] == "error"
    return body["issue"][0]


def patch(client, referral, body, *, content_type="application/json-patch+json", **headers):
    return client.patch(
        f"/fhir/Task/{referral.public_id}", json.dumps(body), content_type=content_type, headers=headers
    )


@pytest.fixture
def referral(network):
    return network.refer(urgency="urgent", comment="Needs groceries for a family of four.")


def test_task_renders_the_referral_for_its_program(client, network, referral):
    client.force_login(network.claimer)
    task = fhir(client.get(f"/fhir/Task/{referral.public_id}"), Task)
    assert task["id"] == str(referral.public_id)
    assert task["meta"]["versionId"] == str(referral.version)
    assert task["meta"]["profile"] == [TASK_PROFILE]
    assert (task["status"], task["intent"], task["priority"]) == ("requested", "order", "urgent")
    assert task["businessStatus"]["coding"][0]["code"] == "sent"
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"]["reference"] == f"ServiceRequest/{referral.public_id}"
    assert task["owner"]["reference"] == f"Organization/{network.provider.public_id}"
    assert task["requester"]["reference"] == f"Organization/{network.site.public_id}"
    assert task["for"] == {"reference": "#patient", "display": "Luis Hernandez"}
    assert task["contained"][0]["name"][0]["family"] == "Hernandez"
    assert "statusReason" not in task
    assert task["authoredOn"] and task["lastModified"]


def test_viewed_shows_as_business_status(client, network, referral):
    referral_mark_viewed(actor=network.claimer, referral=referral)
    client.force_login(network.claimer)
    task = fhir(client.get(f"/fhir/Task/{referral.public_id}"), Task)
    assert task["status"] == "requested"
    assert task["businessStatus"]["coding"][0]["code"] == "viewed"


def test_closing_reason_shows_as_status_reason(client, network, referral):
    referral_change_status(actor=network.claimer, referral=referral, to_status="declined", reason="no_capacity")
    client.force_login(network.referrer)
    task = fhir(client.get(f"/fhir/Task/{referral.public_id}"), Task)
    assert task["status"] == "rejected"
    assert task["statusReason"]["coding"][0]["code"] == "no_capacity"
    service_request = fhir(client.get(f"/fhir/ServiceRequest/{referral.public_id}"), ServiceRequest)
    assert service_request["status"] == "revoked"


def test_service_request(client, network, referral):
    client.force_login(network.referrer)
    response = client.get(f"/fhir/ServiceRequest/{referral.public_id}")
    service_request = fhir(response, ServiceRequest)
    assert response["ETag"] == f'W/"{referral.version}"'
    assert (service_request["status"], service_request["intent"]) == ("active", "order")
    assert service_request["code"]["text"] == "Community Food Pantry"
    assert service_request["subject"]["reference"] == "#patient"
    assert service_request["performer"][0]["reference"] == f"Organization/{network.provider.public_id}"
    assert service_request["note"][0]["text"] == "Needs groceries for a family of four."


def test_without_consent_the_patient_has_no_name(client, network, referral):
    referral_withdraw_consent(actor=network.referrer, referral=referral)
    client.force_login(network.claimer)
    task = fhir(client.get(f"/fhir/Task/{referral.public_id}"), Task)
    assert "name" not in task["contained"][0]
    assert task["contained"][0]["meta"]["security"][0]["code"] == "REDACTED"
    assert "display" not in task["for"]
    assert "Hernandez" not in json.dumps(task)
    service_request = fhir(client.get(f"/fhir/ServiceRequest/{referral.public_id}"), ServiceRequest)
    assert "Hernandez" not in json.dumps(service_request)


@pytest.mark.parametrize("path", ["Task", "ServiceRequest"])
def test_other_tenants_and_unknown_ids_get_404(client, network, referral, path):
    client.force_login(network.outsider)
    assert outcome(client.get(f"/fhir/{path}/{referral.public_id}"), 404)["code"] == "not-found"
    client.force_login(network.other_claimer)  # same provider organization, another program
    outcome(client.get(f"/fhir/{path}/{referral.public_id}"), 404)
    client.force_login(network.claimer)
    outcome(client.get(f"/fhir/{path}/not-a-uuid"), 404)
    outcome(client.get(f"/fhir/{path}/00000000-0000-4000-8000-000000000000"), 404)


def test_anonymous_gets_401(client, referral):
    assert outcome(client.get(f"/fhir/Task/{referral.public_id}"), 401)["code"] == "login"


def test_search_by_owner_and_status(client, network, referral, django_assert_max_num_queries):
    other = network.refer(program=network.other_program)
    referral_change_status(actor=network.other_claimer, referral=other, to_status="accepted")
    network.refer(seeker=network.outsider_seeker, referrer=network.outsider)

    client.force_login(network.referrer)
    client.get("/fhir/Task")  # the first request of a session may do one-off work
    with django_assert_max_num_queries(100) as one:
        assert fhir(client.get("/fhir/Task", {"_count": 1}), Bundle)["total"] == 2
    with django_assert_max_num_queries(len(one.captured_queries)):  # one Task or two: the same queries
        bundle = fhir(client.get("/fhir/Task"), Bundle)
    assert (bundle["type"], bundle["total"]) == ("searchset", 2)  # not the outsider's referral
    assert {entry["resource"]["id"] for entry in bundle["entry"]} == {str(referral.public_id), str(other.public_id)}
    assert bundle["entry"][0]["fullUrl"].startswith("http://testserver/fhir/Task/")

    accepted = fhir(client.get("/fhir/Task", {"status": "accepted"}), Bundle)
    assert [entry["resource"]["id"] for entry in accepted["entry"]] == [str(other.public_id)]
    owned = fhir(
        client.get(
            "/fhir/Task", {"owner": f"Organization/{network.provider.public_id}", "status": "requested,accepted"}
        ),
        Bundle,
    )
    assert owned["total"] == 2
    nobody = fhir(client.get("/fhir/Task", {"owner": f"Organization/{network.other_site.public_id}"}), Bundle)
    assert (nobody["total"], nobody.get("entry", [])) == (0, [])

    paged = fhir(client.get("/fhir/Task", {"_count": 1}), Bundle)
    assert len(paged["entry"]) == 1
    assert any(link["relation"] == "next" for link in paged["link"])

    outcome(client.get("/fhir/Task", {"status": "finished"}), 400)
    outcome(client.get("/fhir/Task", {"owner": "Organization/x"}), 400)
    outcome(client.get("/fhir/Task", {"_count": "lots"}), 400)


def test_claimer_accepts_through_a_json_patch_and_history_says_fhir(client, network, referral):
    client.force_login(network.claimer)
    response = patch(client, referral, [{"op": "replace", "path": "/status", "value": "accepted"}])
    task = fhir(response, Task)
    assert task["status"] == "accepted"
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert task["meta"]["versionId"] == str(referral.version)
    assert response["ETag"] == f'W/"{referral.version}"'
    event = referral.events.order_by("-created_at", "-id").first()
    assert (event.kind, event.to_status, event.via, event.actor) == (
        "status_changed",
        "accepted",
        "fhir",
        network.claimer,
    )

    # The history the web and the API show carries it too.
    client.force_login(network.referrer)
    assert fhir(client.get(f"/fhir/Task/{referral.public_id}"), Task)["status"] == "accepted"


def test_decline_with_reason_through_a_partial_task(client, network, referral):
    client.force_login(network.claimer)
    body = {
        "resourceType": "Task",
        "status": "rejected",
        "statusReason": {"coding": [{"code": "not_eligible"}]},
        "note": [{"text": "Outside our age range."}],
    }
    task = fhir(patch(client, referral, body, content_type=FHIR_JSON), Task)
    assert (task["status"], task["statusReason"]["coding"][0]["code"]) == ("rejected", "not_eligible")
    referral.refresh_from_db()
    assert (referral.status, referral.status_reason) == ("declined", "not_eligible")
    assert referral.notes.get().body == "Outside our age range."


def test_on_hold_needs_business_status(client, network, referral):
    client.force_login(network.claimer)
    issue = outcome(patch(client, referral, [{"op": "replace", "path": "/status", "value": "on-hold"}]), 400)
    assert "businessStatus" in issue["diagnostics"]
    task = fhir(
        patch(
            client,
            referral,
            [
                {"op": "replace", "path": "/status", "value": "on-hold"},
                {"op": "replace", "path": "/businessStatus", "value": {"coding": [{"code": "waitlisted"}]}},
            ],
        ),
        Task,
    )
    assert task["businessStatus"]["coding"][0]["code"] == "waitlisted"


def test_put_of_the_whole_task_with_if_match(client, network, referral):
    client.force_login(network.claimer)
    task = fhir(client.get(f"/fhir/Task/{referral.public_id}"), Task)
    task["status"] = "in-progress"
    url = f"/fhir/Task/{referral.public_id}"
    response = client.put(url, json.dumps(task), content_type=FHIR_JSON, headers={"If-Match": 'W/"1"'})
    assert fhir(response, Task)["status"] == "in-progress"

    # The same If-Match again is stale now: 412, and nothing changes.
    task["status"] = "completed"
    response = client.put(url, json.dumps(task), content_type=FHIR_JSON, headers={"If-Match": 'W/"1"'})
    assert outcome(response, 412)["code"] == "conflict"
    referral.refresh_from_db()
    assert referral.status == "in_service"


def test_stale_meta_version_is_a_409(client, network, referral):
    client.force_login(network.claimer)
    response = patch(
        client,
        referral,
        {"resourceType": "Task", "status": "accepted", "meta": {"versionId": "7"}},
        content_type=FHIR_JSON,
    )
    assert outcome(response, 409)["code"] == "conflict"
    response = patch(
        client,
        referral,
        [
            {"op": "test", "path": "/meta/versionId", "value": "7"},
            {"op": "replace", "path": "/status", "value": "accepted"},
        ],
    )
    outcome(response, 409)
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_illegal_transition_is_a_409(client, network, referral):
    referral_change_status(actor=network.claimer, referral=referral, to_status="declined", reason="other")
    client.force_login(network.claimer)
    issue = outcome(patch(client, referral, [{"op": "replace", "path": "/status", "value": "accepted"}]), 409)
    assert issue["code"] == "business-rule"
    outcome(patch(client, referral, [{"op": "replace", "path": "/status", "value": "requested"}]), 409)


def test_repeating_the_same_change_answers_the_task_as_it_is(client, network, referral):
    client.force_login(network.claimer)
    change = [{"op": "replace", "path": "/status", "value": "accepted"}]
    fhir(patch(client, referral, change), Task)
    again = fhir(patch(client, referral, change), Task)
    assert again["status"] == "accepted"
    assert referral.events.filter(to_status="accepted").count() == 1


def test_a_referrer_may_not_accept_but_may_cancel(client, network, referral):
    client.force_login(network.referrer)
    issue = outcome(patch(client, referral, [{"op": "replace", "path": "/status", "value": "accepted"}]), 403)
    assert issue["code"] == "forbidden"
    task = fhir(
        patch(
            client,
            referral,
            [
                {"op": "replace", "path": "/status", "value": "cancelled"},
                {"op": "add", "path": "/statusReason", "value": {"coding": [{"code": "no_longer_interested"}]}},
            ],
        ),
        Task,
    )
    assert task["status"] == "cancelled"


def test_other_tenants_cannot_change_a_task(client, network, referral):
    client.force_login(network.outsider)
    outcome(patch(client, referral, [{"op": "replace", "path": "/status", "value": "accepted"}]), 404)
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("{not json", "application/json-patch+json"),
        ("{not json", FHIR_JSON),
        (json.dumps([{"op": "remove", "path": "/owner"}]), "application/json-patch+json"),
        (json.dumps([{"op": "replace", "path": "/status"}]), "application/json-patch+json"),
        (json.dumps({"resourceType": "Patient", "status": "accepted"}), FHIR_JSON),
        (json.dumps({"resourceType": "Task"}), FHIR_JSON),
        (json.dumps({"resourceType": "Task", "status": "finished"}), FHIR_JSON),
        (json.dumps({"resourceType": "Task", "status": "rejected"}), FHIR_JSON),  # a decline needs its reason
        (json.dumps({"resourceType": "Task", "status": "rejected", "statusReason": {"text": "nope"}}), FHIR_JSON),
        (json.dumps({"resourceType": "Task", "id": "another", "status": "accepted"}), FHIR_JSON),
        (json.dumps([]), "application/json-patch+json"),
        (json.dumps("accepted"), FHIR_JSON),
    ],
)
def test_malformed_changes_are_400_and_change_nothing(client, network, referral, body, content_type):
    client.force_login(network.claimer)
    response = client.patch(f"/fhir/Task/{referral.public_id}", body, content_type=content_type)
    outcome(response, 400)
    referral.refresh_from_db()
    assert (referral.status, referral.version) == ("sent", 1)


def test_bad_if_match_is_a_400(client, network, referral):
    client.force_login(network.claimer)
    response = patch(
        client, referral, [{"op": "replace", "path": "/status", "value": "accepted"}], **{"If-Match": "yesterday"}
    )
    outcome(response, 400)


def test_unsupported_media_type_is_a_415(client, network, referral):
    client.force_login(network.claimer)
    response = client.patch(
        f"/fhir/Task/{referral.public_id}", "status=accepted", content_type="application/x-www-form-urlencoded"
    )
    outcome(response, 415)


def test_delete_is_not_allowed(client, network, referral):
    client.force_login(network.claimer)
    outcome(client.delete(f"/fhir/Task/{referral.public_id}"), 405)


def test_capability_statement(client, db):
    statement = fhir(client.get("/fhir/metadata"), CapabilityStatement)
    assert {resource["type"] for resource in statement["rest"][0]["resource"]} == {
        "Task",
        "ServiceRequest",
        "Provenance",
        "Patient",
        "Consent",
        "Questionnaire",
        "QuestionnaireResponse",
    }


def test_reads_are_recorded_as_fhir_access(client, network, referral):
    from privacy.models import AccessRecord

    client.force_login(network.claimer)
    fhir(client.get(f"/fhir/Task/{referral.public_id}"), Task)
    fhir(client.get(f"/fhir/ServiceRequest/{referral.public_id}"), ServiceRequest)
    records = AccessRecord.objects.unscoped("test").filter(referral=referral)
    assert [(r.user, r.via) for r in records] == [(network.claimer, "fhir")] * 2


def test_token_authentication(client, network, referral):
    from tests.factories import api_token

    token = api_token(network.claimer)
    response = client.get(f"/fhir/Task/{referral.public_id}", headers={"Authorization": f"Token {token}"})
    assert fhir(response, Task)["id"] == str(referral.public_id)
    response = client.patch(
        f"/fhir/Task/{referral.public_id}",
        json.dumps([{"op": "replace", "path": "/status", "value": "accepted"}]),
        content_type="application/json-patch+json",
        headers={"Authorization": f"Token {token}"},
    )
    assert fhir(response, Task)["status"] == "accepted"
    bad = client.get(f"/fhir/Task/{referral.public_id}", headers={"Authorization": "Token nope"})
    assert outcome(bad, 401)["code"] == "login"


def test_past_the_counting_cap_the_total_is_left_out_and_paging_goes_on(client, network, monkeypatch):
    """Task search never counts a whole large set: past the cap the Bundle has no total (it is optional in
    a searchset) and still links the next page until the matches run out."""
    import core.pagination as pagination

    monkeypatch.setattr("fhir_api.views.capped_count", lambda queryset: pagination.capped_count(queryset, 2))
    from tests import factories

    network.refer(program=network.program)
    network.refer(program=network.other_program)
    client.force_login(network.referrer)
    first = fhir(client.get("/fhir/Task", {"_count": 1}), Bundle)
    assert first["total"] == 2  # two referrals: exactly at the cap, counted
    network.refer(seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer))
    capped = fhir(client.get("/fhir/Task", {"_count": 1}), Bundle)
    assert "total" not in capped
    seen, url = [], "/fhir/Task?_count=1"
    while url:
        bundle = fhir(client.get(url), Bundle)
        seen += [entry["resource"]["id"] for entry in bundle.get("entry", [])]
        url = next(
            (link["url"].replace("http://testserver", "") for link in bundle["link"] if link["relation"] == "next"),
            None,
        )
    assert len(seen) == len(set(seen)) == 3
    assert outcome(client.get("/fhir/Task", {"page": 10_001}), 400)["code"] == "invalid"
