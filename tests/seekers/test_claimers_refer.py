"""Claimers refer too (issue 15 item 2): a claimer, or a worker of a provider-only organization, adds a person and
refers them as a helper does; a claimer chooses to refer for themself or on behalf of a program they claim, whose
claimers see and work it when the program shares its outbound referrals; the history names the program."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from accounts.services import membership_set
from programs.models import Program
from referrals.models import Referral
from referrals.policies import may_see
from referrals.services import note_add
from seekers.models import Seeker
from tests import factories

PERSON = {
    "first_name": "Rosa",
    "last_name": "Martinez",
    "date_of_birth": "",
    "zip_code": "60640",
    "email": "rosa@example.com",
    "phone": "",
    "preferred_language": "es",
    "contact_preference": "email",
}


@pytest.fixture
def sam(network):
    """Sam claims Community Food Pantry and Mobile Food Market, as a member of City Food Bank (claimers are
    members of the program's organization), which runs no site."""
    membership_set(user=network.claimer, organization=network.provider, role=Membership.Role.WORKER)
    from programs.services import program_add_claimer

    program_add_claimer(program=network.other_program, user=network.claimer)
    return network.claimer


@pytest.fixture
def housing(network):
    organization = factories.OrganizationFactory(name="Hope Housing", runs_site=False)
    return factories.ProgramFactory(organization=organization, name="Emergency Rental Assistance")


def _add_rosa(client):
    response = client.post(reverse("seekers:create"), PERSON)
    assert response.status_code == 302, response.content.decode()[:500]
    return Seeker.objects.unscoped("test").get(first_name="Rosa")


def _connect(client, program, seeker, **fields):
    data = {
        "comment": "Behind on rent.",
        "urgency": "routine",
        "consent": "on",
        "consent_method": "verbal",
        "goal": "",
        **fields,
    }
    return client.post(f"{reverse('programs:connect', args=[program.public_id])}?seeker={seeker.public_id}", data)


def test_a_claimer_adds_a_person_to_their_organization_and_refers_them(client, network, sam, housing):
    client.force_login(sam)
    people = client.get(reverse("seekers:people"))
    assert people.status_code == 200 and "Add person" in people.content.decode()
    assert people.context["shown"] == "referred"  # at no site: the people referred to Sam's programs first
    rosa = _add_rosa(client)
    assert rosa.organization == network.provider and rosa.created_by == sam
    profile = client.get(reverse("seekers:profile", args=[rosa.public_id])).content.decode()
    assert "Navigation history" in profile and "Start a referral" in profile
    search = client.get(reverse("programs:search"), {"seeker": rosa.public_id})
    assert search.status_code == 200
    form = client.get(f"{reverse('programs:connect', args=[housing.public_id])}?seeker={rosa.public_id}")
    html = form.content.decode()
    assert "Refer as" in html and "Myself (City Food Bank)" in html
    assert "On behalf of Community Food Pantry" in html and "On behalf of Mobile Food Market" in html
    assert _connect(client, housing, rosa).status_code == 302
    referral = Referral.objects.unscoped("test").get(seeker=rosa)
    assert referral.organization == network.provider and referral.referred_by == sam
    assert referral.on_behalf_of_program is None
    helping = client.get(reverse("seekers:people"), {"show": "helping"})
    assert [person.full_name for person in helping.context["page"].object_list] == ["Rosa Martinez"]


def test_a_worker_of_a_provider_only_organization_refers_without_a_program_to_choose(client, network, housing):
    worker = factories.worker(network.provider, first_name="Noel", last_name="Park")
    client.force_login(worker)
    rosa = _add_rosa(client)
    form = client.get(f"{reverse('programs:connect', args=[housing.public_id])}?seeker={rosa.public_id}")
    assert "Refer as" not in form.content.decode()
    assert _connect(client, housing, rosa).status_code == 302
    assert Referral.objects.unscoped("test").get(seeker=rosa).organization == network.provider


def test_a_referral_on_behalf_of_a_sharing_program_is_seen_and_worked_by_its_claimers(client, network, sam, housing):
    Program.objects.unscoped("test").filter(pk=network.other_program.pk).update(shares_outbound=True)
    client.force_login(sam)
    rosa = _add_rosa(client)
    assert _connect(client, housing, rosa, on_behalf_of=str(network.other_program.public_id)).status_code == 302
    referral = Referral.objects.unscoped("test").get(seeker=rosa)
    assert referral.on_behalf_of_program == network.other_program
    rita = network.other_claimer  # claims Mobile Food Market only
    assert may_see(rita, referral)
    note_add(actor=rita, referral=referral, body="I'll follow up with the landlord.")
    client.force_login(rita)
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "I&#x27;ll follow up with the landlord." in page or "I'll follow up with the landlord." in page
    assert "by Sam O. for Mobile Food Market" in page
    assert "Sam O. · Community Food Pantry, for Mobile Food Market" in page
    assert referral in Referral.objects.restrict(rita, "refer:all")


def test_without_the_sharing_switch_the_program_s_other_claimers_do_not_see_it(client, network, sam, housing):
    client.force_login(sam)
    rosa = _add_rosa(client)
    assert _connect(client, housing, rosa, on_behalf_of=str(network.other_program.public_id)).status_code == 302
    referral = Referral.objects.unscoped("test").get(seeker=rosa)
    assert referral.on_behalf_of_program == network.other_program
    assert not may_see(network.other_claimer, referral)
    client.force_login(network.other_claimer)
    assert client.get(reverse("referrals:detail", args=[referral.public_id])).status_code == 404


def test_referring_on_behalf_of_a_program_one_does_not_claim_is_refused_and_keeps_the_form(
    client, network, sam, housing
):
    client.force_login(sam)
    rosa = _add_rosa(client)
    not_mine = factories.ProgramFactory(organization=network.provider, name="SNAP Enrollment Help")
    response = _connect(client, housing, rosa, on_behalf_of=str(not_mine.public_id), comment="KEPT-COMMENT")
    assert response.status_code == 400
    html = response.content.decode()
    assert "You can only refer on behalf of a program you claim." in html and "KEPT-COMMENT" in html
    assert not Referral.objects.unscoped("test").filter(seeker=rosa).exists()


def test_a_helper_s_connect_form_is_unchanged(client, network, housing):
    client.force_login(network.referrer)
    form = client.get(f"{reverse('programs:connect', args=[housing.public_id])}?seeker={network.seeker.public_id}")
    assert form.status_code == 200 and "Refer as" not in form.content.decode()


def test_the_api_creates_a_referral_on_behalf_of_a_program(client, network, sam, housing):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(sam)
    created = api.post(
        "/api/v1/seekers/",
        {"first_name": "Rosa", "last_name": "Martinez", "email": "rosa@example.com", "zip_code": "60640"},
        format="json",
    )
    assert created.status_code == 201, created.content
    rosa_id = created.json()["id"]
    body = {"seeker": rosa_id, "program": str(housing.public_id), "consent": True, "consent_method": "verbal"}
    refused = api.post("/api/v1/referrals/", {**body, "on_behalf_of_program": str(housing.public_id)}, format="json")
    assert refused.status_code == 400
    assert refused.json()["on_behalf_of_program"] == ["You can only refer on behalf of a program you claim."]
    assert not Referral.objects.unscoped("test").filter(seeker__public_id=rosa_id).exists()
    response = api.post(
        "/api/v1/referrals/", {**body, "on_behalf_of_program": str(network.other_program.public_id)}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["on_behalf_of_program"]["name"] == "Mobile Food Market"
    mine = api.post("/api/v1/referrals/", {**body, "program": str(network.program.public_id)}, format="json")
    assert mine.status_code == 201 and mine.json()["on_behalf_of_program"] is None
