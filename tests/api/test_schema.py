"""The OpenAPI contract: schemathesis generates requests from /api/schema/ and checks every answer.

A signed-in site admin (who sees a referral, its note, the seeker and the goal) calls every operation with
a bounded, derandomized set of generated inputs, valid and invalid (path ids too: a non-UUID id must get the
API's JSON 404), against the WSGI application, with every check schemathesis has but one: no answer may be a
5xx, every answer must be documented and match its documented schema and headers, invalid input must be
refused, an undocumented method answers 405, and an operation needing a token refuses a request without one.
The one left out, "schema-valid input must be accepted", cannot hold for rules a schema cannot state (see below).
"""

import os

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED_CHECKS

from referrals.services import note_add
from tests import factories
from tests.factories import api_token


def all_checks() -> list:
    """Every check schemathesis has (the stateful ones have nothing to do in these calls). Its Open API checks
    register when its Open API support is imported, so the list is read after that, not when this module is
    collected (read then, it held only ``not_a_server_error`` unless another test module had loaded them)."""
    import schemathesis.specs.openapi.checks  # noqa: F401 - registers the Open API checks

    checks = REGISTERED_CHECKS.get_all()
    assert len(checks) > 10, [check.__name__ for check in checks]
    return checks


EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 6}


def test_the_schema_and_docs_are_served(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/referrals/{referral_id}/status/" in paths
    assert set(paths["/api/v1/referrals/"]["post"]["responses"]) >= {"201", "400", "401", "403", "409", "429"}
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "<style>" not in page and "<script>" not in page  # no inline code: a strict CSP holds
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "api/swagger-page.css",
    ):
        assert finders.find(asset), f"{asset} is not vendored"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def test_the_schema_generates_without_warnings(db):
    # Warnings mean a component is guessed (an enum named twice, a field of unknown type).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


@pytest.fixture
def keep_test_connection():
    """Django's own test client does this: requests through the WSGI handler would otherwise close the
    connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_documented(network, monkeypatch, keep_test_connection):
    from django.conf import settings as django_settings

    from referrals_site.wsgi import application

    monkeypatch.setattr(
        django_settings,
        "RATE_LIMITS",
        {**django_settings.RATE_LIMITS, "api_user": (100000, 60), "api_anon": (100000, 60), "api_token": (100000, 60)},
    )
    referral = network.refer()
    note = note_add(actor=network.claimer, referral=referral, body="Called once.")
    goal = factories.GoalFactory(seeker=network.seeker)
    token = api_token(network.site_admin)
    headers = {"Authorization": f"Token {token}"}
    known = {
        "referral_id": str(referral.public_id),
        "note_id": str(note.public_id),
        "seeker_id": str(network.seeker.public_id),
        "program_id": str(network.program.public_id),
        "goal_id": str(goal.public_id),
    }

    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    # The REST API's operations (FHIR, if it shows in the schema, answers in its own format).
    operations = [
        op for op in (result.ok() for result in schema.get_all_operations()) if op.path.startswith("/api/v1/")
    ]
    assert len(operations) >= 16
    # Every check but "schema-valid input must be accepted": the API refuses some well-formed input by rules an
    # OpenAPI schema cannot state (a radius needs a zip code; an email and password must be an account's; an
    # organization must be one you administer), each tested in tests/api by itself.
    checks = [check for check in all_checks() if check.__name__ != "positive_data_acceptance"]
    for operation in operations:
        path_parameters = {name: value for name, value in known.items() if "{" + name + "}" in operation.path}
        runs = [(mode, path_parameters or None) for mode in EXAMPLES]
        if path_parameters:
            runs.append((GenerationMode.NEGATIVE, None))  # generated ids too: not UUIDs, nowhere to be found
        for mode, fixed in runs:
            examples = EXAMPLES[mode]

            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
            @settings(
                max_examples=examples,
                derandomize=True,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                case.call_and_validate(headers=headers, checks=checks)

            try:
                call()
            except Unsatisfiable:
                # Nothing to make invalid (e.g. only the fixed path parameters): no negative cases.
                if mode != GenerationMode.NEGATIVE:
                    raise


def test_the_referral_patch_requires_goal_and_version_as_the_view_does(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    body = schema["paths"]["/api/v1/referrals/{referral_id}/"]["patch"]["requestBody"]
    reference = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert body["required"] is True
    assert sorted(schema["components"]["schemas"][reference]["required"]) == ["goal", "version"]


@pytest.mark.parametrize(
    "path", ["/api/v1/referrals/not-a-uuid/", "/api/v1/seekers/1/goals/", "/api/v1/nowhere/", "/hsds/services/x/y"]
)
def test_an_address_no_route_matches_is_the_api_s_json_404(db, client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_fhir_answers_an_unknown_address_with_an_operation_outcome(db, client):
    response = client.get("/fhir/Nowhere/1/2")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/fhir+json")
    assert response.json()["issue"][0]["code"] == "not-found"
    assert client.get("/people/not-a-uuid/").status_code == 404  # the pages keep Django's page
