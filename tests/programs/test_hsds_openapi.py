"""The HSDS API against Open Referral's openapi.json: schemathesis generates requests from it and checks
every answer of our server.

The description is the one /hsds/openapi.json serves (upstream's, with our server and one correction of
upstream's, see programs/hsds/openapi.py), with the HSDS schemas it names read from the vendored copies. The
directory holds the demo-like network, every HSDS example the importer reads, and a program without a
place. Each operation is called with the ids of real documents (so that whole documents are checked) and
with generated ones, valid and invalid inputs alike: no answer may be a 5xx, and every documented answer
must match its schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from programs.hsds import export
from programs.hsds.openapi import openapi_document
from programs.hsds.services import hsds_import
from programs.models import Category
from programs.services import category_get_or_create
from tests.factories import OrganizationFactory, ProgramFactory
from tests.programs import hsds_standard
from tests.programs.test_hsds_export import EXAMPLES, FIXTURES

CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES_PER_MODE = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 8}


@pytest.fixture
def keep_test_connection():
    """As tests/api/test_schema.py: requests through the WSGI handler must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_hsds_operation_answers_as_openapi_json_describes(network, monkeypatch, keep_test_connection):
    from django.conf import settings as django_settings

    from referrals_site.wsgi import application

    monkeypatch.setattr(django_settings, "RATE_LIMITS", {**django_settings.RATE_LIMITS, "hsds": (100000, 60)})
    for example in EXAMPLES:
        hsds_import(path=FIXTURES / example)
    network.program.categories.add(category_get_or_create(name="Food"))
    ProgramFactory(
        name="Phone line",
        organization=OrganizationFactory(name="Helpline Inc."),
        zip_code="",
        latitude=None,
        longitude=None,
    )
    service = export.service_id(network.program)
    known = {
        "/services/{id}": service,
        "/organizations/{id}": export.organization_id(network.provider),
        "/service_at_locations/{id}": export.service_at_location_id(service),
        "/taxonomies/{id}": export.TAXONOMY_ID,
        "/taxonomy_terms/{id}": export.taxonomy_term_id(Category.objects.get(slug="food")),
    }

    raw = hsds_standard.offline_openapi(openapi_document(server_url="http://testserver/hsds"))
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    operations = [result.ok() for result in schema.get_all_operations()]
    assert sorted(op.path for op in operations) == sorted(
        [
            "/",
            "/services",
            "/services/{id}",
            "/organizations",
            "/organizations/{id}",
            "/service_at_locations",
            "/service_at_locations/{id}",
            "/taxonomies",
            "/taxonomies/{id}",
            "/taxonomy_terms",
            "/taxonomy_terms/{id}",
        ]
    )
    for operation in operations:
        runs = [(mode, None) for mode in EXAMPLES_PER_MODE]
        if operation.path in known:
            runs.append((GenerationMode.POSITIVE, {"id": known[operation.path]}))
        for mode, path_parameters in runs:
            _check_operation(operation, mode, path_parameters)


def _check_operation(operation, mode, path_parameters):
    """Calls ``operation`` with the examples Hypothesis generates in ``mode`` and validates every answer."""

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(
        max_examples=EXAMPLES_PER_MODE[mode],
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        response = case.call_and_validate(checks=CHECKS)
        if path_parameters:
            assert response.status_code in (200, 400), (case.formatted_path, response.text[:300])

    try:
        call()
    except Unsatisfiable:
        if mode != GenerationMode.NEGATIVE:
            raise


def test_page_and_per_page_are_described_with_the_bounds_we_enforce(client, db):
    parameters = client.get("/hsds/openapi.json").json()["components"]["parameters"]
    for name in ("page", "per_page"):
        assert parameters[name]["schema"]["minimum"] == 1
        assert client.get("/hsds/services", {name: "0"}).status_code == 400
        assert client.get("/hsds/services", {name: str(parameters[name]["schema"]["maximum"])}).status_code == 200
