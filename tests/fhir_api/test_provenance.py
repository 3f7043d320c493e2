"""GET /fhir/Provenance?target=Task/<id>: a referral's history, each line with the channel of the change."""

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from fhir_api.resources import CHANGE_CHANNEL_EXTENSION
from privacy.models import AccessRecord
from referrals.models import Referral
from referrals.replies import referral_answer_by_text
from referrals.services import referral_change_status

from .test_fhir import fhir, outcome

pytestmark = pytest.mark.django_db


def channel(resource) -> str:
    [extension] = [item for item in resource["extension"] if item["url"] == CHANGE_CHANNEL_EXTENSION]
    return extension["valueCoding"]["code"]


@pytest.fixture
def answered(network):
    referral = network.refer()
    referral = referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    referral_answer_by_text(referral=referral, seeker=network.seeker, choice="got_help")
    return Referral.objects_across_tenants.get(pk=referral.pk)


@pytest.mark.parametrize("kind", ["Task", "ServiceRequest"])
def test_each_change_names_its_channel_and_who_made_it(client, network, answered, kind):
    client.force_login(network.claimer)
    bundle = fhir(client.get("/fhir/Provenance", {"target": f"{kind}/{answered.public_id}"}), Bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    changes = [
        (resource["activity"]["coding"][0]["code"], channel(resource), resource["agent"][0]["who"]["display"])
        for resource in resources
        if resource["activity"]["coding"][0]["code"] in ("created", "status_changed")
    ]
    assert changes == [
        ("status_changed", "text", "Seeker"),  # newest first; the seeker is never named in FHIR
        ("status_changed", "web", "Sam O."),
        ("created", "web", "Maria G."),
    ]
    assert resources[0]["target"] == [{"reference": f"Task/{answered.public_id}"}]
    assert resources[0]["activity"]["text"] == "Status changed: Accepted to Got help"
    assert bundle["total"] == len(resources)
    assert AccessRecord.objects_across_tenants.filter(referral=answered, via=AccessRecord.Via.FHIR).exists()


def test_another_tenant_gets_404_and_nothing_is_recorded(client, network, answered):
    client.force_login(network.outsider)
    outcome(client.get("/fhir/Provenance", {"target": f"Task/{answered.public_id}"}), 404)
    assert not AccessRecord.objects_across_tenants.filter(referral=answered, user=network.outsider).exists()


@pytest.mark.parametrize(
    "query", [{}, {"target": ""}, {"target": "Patient/1/x"}, {"target": "Task/1", "_count": "many"}]
)
def test_a_missing_or_malformed_target_is_a_400(client, network, query):
    client.force_login(network.claimer)
    body = client.get("/fhir/Provenance", query)
    assert body.status_code in (400, 404)
    OperationOutcome.model_validate(body.json())
    if not query.get("target") or "/x" in query.get("target", ""):
        assert body.status_code == 400


def test_pages_of_history_link_to_the_next(client, network, answered):
    client.force_login(network.referrer)
    bundle = fhir(client.get("/fhir/Provenance", {"target": f"Task/{answered.public_id}", "_count": "1"}), Bundle)
    assert len(bundle["entry"]) == 1
    assert "total" not in bundle
    assert any(link["relation"] == "next" for link in bundle["link"])


def test_the_capability_statement_offers_provenance(client, db):
    statement = client.get("/fhir/metadata").json()
    assert "Provenance" in [resource["type"] for resource in statement["rest"][0]["resource"]]
