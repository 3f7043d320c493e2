import pytest
from django.apps import apps
from django.core.cache import cache

from accounts.services import organization_member_add
from goals.models import Goal
from privacy.services import access_record
from programs.hsds import export as hsds_export
from programs.models import Category
from programs.services import category_get_or_create, program_set_questions
from referrals.services import note_add
from security.models import ApiToken
from tests.factories import api_token


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


# The tenant isolation and hostile-input walkers fill every route's identifiers from these (teach it a new kind
# of object when a route names one).
@pytest.fixture
def victims(network):
    """One real object of each kind, owned by the Northside site (and the City Food Bank program)."""
    # The program asks a question, so that the referral has intake answers (FHIR QuestionnaireResponse).
    [question] = program_set_questions(
        actor=network.claimer, program=network.program, questions=[{"kind": "short_text", "text": "School?"}]
    )
    referral = network.refer(
        comment="Victim comment VICTIM-MARKER", answers={str(question.public_id): "Victim answer VICTIM-MARKER"}
    )
    goal = Goal.objects_across_tenants.create(
        organization=network.site, seeker=network.seeker, title="Find stable housing", created_by=network.referrer
    )
    note = note_add(actor=network.referrer, referral=referral, body="Victim note VICTIM-MARKER")
    event = referral.events.order_by("id").first()
    record = access_record(user=network.referrer, seeker=network.seeker)
    extra = {}
    if apps.is_installed("webhooks"):
        from webhooks.services import webhook_endpoint_create

        extra["webhook"] = webhook_endpoint_create(
            actor=network.site_admin, organization=network.site, url="https://hooks.example.org/referrals"
        ).public_id
    network.program.categories.add(category_get_or_create(name="Food"))
    return {
        **extra,
        "provider": network.provider.public_id,
        "service_at_location": hsds_export.service_at_location_id(hsds_export.service_id(network.program)),
        "taxonomy_term": hsds_export.taxonomy_term_id(Category.objects.get(slug="food")),
        "taxonomy": hsds_export.TAXONOMY_ID,
        "seeker": network.seeker.public_id,
        "referral": referral.public_id,
        "goal": goal.public_id,
        "note": note.public_id,
        "event": event.public_id,
        "access_record": record.public_id,
        "program": network.program.public_id,
        "team": network.sharing_team.public_id,
        "organization": network.site.public_id,
        "user": network.referrer.public_id,
        "claimer": network.claimer.public_id,
        "invitation": organization_member_add(
            actor=network.site_admin, organization=network.site, email=network.provider_admin.email
        ).invitation.public_id,
        "api_token": ApiToken.objects.get(token__token_key=api_token(network.referrer)[:15]).public_id,
    }
