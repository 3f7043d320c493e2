"""Every endpoint's 401, 403 and 404 answers for each role of the network (after NetBox's API test cases).

Each endpoint is listed once, as a subclass of EndpointCase naming its URL, its request and what each
role gets. The base class gives it: anonymous -> 401; each role -> its expected code; an id that does not
exist -> 404 for every role, the same answer the roles who may not see the object get.
"""

import uuid

import pytest
from django.urls import reverse

from .conftest import ROLES

SEES_REFERRAL = {"referrer", "teammate", "site_admin", "claimer", "provider_admin"}
SEES_SEEKER = {"referrer", "teammate", "site_admin"}


class EndpointCase:
    url_name: str
    method = "get"
    # the URL's path parameters, from the world fixture
    objects: dict = {}
    # per role: the expected status code
    expected: dict = {}

    def body(self, world):
        return None

    def url(self, world, **override):
        kwargs = {name: getter(world) for name, getter in self.objects.items()}
        kwargs.update(override)
        return reverse(f"api:{self.url_name}", kwargs=kwargs)

    def call(self, client, world, **override):
        body = self.body(world)
        return getattr(client, self.method)(self.url(world, **override), body, format="json")

    def test_anonymous_gets_401(self, world, api):
        response = self.call(api(), world)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"

    @pytest.mark.parametrize("role", ROLES)
    def test_each_role_gets_its_answer(self, world, api, role):
        response = self.call(api(getattr(world.network, role)), world)
        assert response.status_code == self.expected[role], response.content
        if response.status_code in (403, 404):
            assert response.json()["detail"]  # a readable reason, never an empty page

    @pytest.mark.parametrize("role", ["referrer", "outsider", "claimer"])
    def test_a_missing_object_is_404_like_a_hidden_one(self, world, api, role):
        if not self.objects:
            pytest.skip("no object in the path")
        client = api(getattr(world.network, role))
        for name in self.objects:
            missing = self.call(client, world, **{name: uuid.uuid4()})
            assert missing.status_code == 404, name
            assert "detail" in missing.json()
        hidden = self.call(api(world.network.outsider), world)
        if hidden.status_code == 404:
            assert hidden.json() == missing.json()


def _codes(ok: int, *, seen_by: set, forbidden: set = frozenset(), otherwise: int = 404) -> dict:
    return {role: (403 if role in forbidden else ok if role in seen_by else otherwise) for role in ROLES}


EVERYONE = set(ROLES)


class TestProgramList(EndpointCase):
    url_name = "programs"
    expected = _codes(200, seen_by=EVERYONE)


class TestProgramDetail(EndpointCase):
    url_name = "program"
    objects = {"program_id": lambda w: w.network.program.public_id}
    expected = _codes(200, seen_by=EVERYONE)


class TestSeekerList(EndpointCase):
    url_name = "seekers"
    expected = _codes(200, seen_by=EVERYONE)


class TestSeekerCreate(EndpointCase):
    url_name = "seekers"
    method = "post"
    # A provider's members add the people they refer on (issue 15); a claim without a membership adds nobody.
    expected = _codes(201, seen_by=EVERYONE, forbidden={"claimer", "other_claimer"})

    def body(self, world):
        return {"first_name": "Rosa", "last_name": "Vega", "zip_code": "60640"}


class TestSeekerDetail(EndpointCase):
    url_name = "seeker"
    objects = {"seeker_id": lambda w: w.network.seeker.public_id}
    expected = _codes(200, seen_by=SEES_SEEKER)


class TestSeekerUpdate(TestSeekerDetail):
    method = "patch"

    def body(self, world):
        return {"phone": "312-555-0100"}


class TestSeekerGoals(TestSeekerDetail):
    url_name = "seeker-goals"


class TestSeekerGoalCreate(TestSeekerDetail):
    url_name = "seeker-goals"
    method = "post"
    expected = _codes(201, seen_by=SEES_SEEKER)

    def body(self, world):
        return {"title": "Find a food pantry"}


class TestReferralList(EndpointCase):
    url_name = "referrals"
    expected = _codes(200, seen_by=EVERYONE)


class TestReferralCreate(EndpointCase):
    url_name = "referrals"
    method = "post"
    # Everyone may post; only those who help the seeker name them (others get a field error, not a leak).
    expected = _codes(201, seen_by=SEES_SEEKER, otherwise=400)

    def body(self, world):
        return {
            "seeker": str(world.network.seeker.public_id),
            "program": str(world.network.other_program.public_id),
            "comment": "Needs groceries",
            "consent": True,
        }


class TestReferralDetail(EndpointCase):
    url_name = "referral"
    objects = {"referral_id": lambda w: w.referral.public_id}
    expected = _codes(200, seen_by=SEES_REFERRAL)


class TestReferralGoalUpdate(TestReferralDetail):
    method = "patch"
    # The goal is the referring side's (and its organization admin's) to set; not the program's side.
    expected = _codes(200, seen_by=SEES_REFERRAL, forbidden={"claimer", "provider_admin"})

    def body(self, world):
        return {"goal": str(world.goal.public_id), "version": world.referral.version}


class TestReferralStatus(TestReferralDetail):
    url_name = "referral-status"
    method = "post"
    # Accepting is the program's: its claimer and its organization's admin.
    expected = _codes(200, seen_by=SEES_REFERRAL, forbidden={"referrer", "teammate", "site_admin"})

    def body(self, world):
        return {"status": "accepted", "version": world.referral.version}


class TestReferralNotes(TestReferralDetail):
    url_name = "referral-notes"


class TestReferralNoteCreate(TestReferralDetail):
    url_name = "referral-notes"
    method = "post"
    expected = _codes(201, seen_by=SEES_REFERRAL)

    def body(self, world):
        return {"body": "Left a voicemail."}


class TestReferralNoteDelete(TestReferralDetail):
    url_name = "referral-note"
    method = "delete"
    objects = {"referral_id": lambda w: w.referral.public_id, "note_id": lambda w: w.note.public_id}
    # The note's author (the claimer) or an organization admin of either side.
    expected = _codes(204, seen_by=SEES_REFERRAL, forbidden={"referrer", "teammate"})


class TestReferralHistory(TestReferralDetail):
    url_name = "referral-history"


class TestReferralExport(EndpointCase):
    url_name = "export-referrals"
    # Organization admins only; the outsider's admin is not among the roles.
    expected = _codes(200, seen_by={"site_admin", "provider_admin"}, otherwise=403)
