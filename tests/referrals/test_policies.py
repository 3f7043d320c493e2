"""The referral rule book (referrals.policies), as a table: each person of the network, each action.

The table is the rule in words; the services enforce the same answers (see the tests below the table) and the
pages and the API show them (tests/referrals/test_views_referral.py, tests/api/).
"""

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import membership_set
from core.errors import NotAllowed
from referrals import services
from referrals.actors import Actor
from referrals.models import Referral
from referrals.policies import REFERRAL_RULES, RESTRICT_ACTIONS, referral_access
from referrals.statuses import Status
from tests import factories
from tests.factories import api_token

ACTIONS = [
    "act",
    "see_history",
    "see_contact",
    "see_goal",
    "add_note",
    "set_goal",
    "withdraw_consent",
    "reopen",
    "assign",
    "mark_viewed",
]
Y, N = True, False

# A sent referral that Maria (the referrer, team sharing on) made for Luis to the Community Food Pantry.
#                  act see_history contact goal add_note set_goal withdraw reopen assign mark_viewed
TABLE = {
    "referrer": [Y, Y, Y, Y, Y, Y, Y, N, N, N],
    "teammate": [Y, Y, Y, Y, Y, Y, Y, N, N, N],  # the team shares: its people too
    "private_worker": [N, N, N, N, N, N, N, N, N, N],  # same site, a team that does not share
    "site_admin": [Y, Y, Y, Y, Y, Y, Y, Y, N, N],
    "claimer": [Y, Y, Y, N, Y, N, N, N, Y, Y],  # the program's side: no goal, no consent
    "other_claimer": [N, N, N, N, N, N, N, N, N, N],  # another program of the same provider
    "provider_admin": [Y, Y, Y, N, Y, N, N, Y, Y, Y],
    "outsider": [N, N, N, N, N, N, N, N, N, N],
    "outsider_admin": [N, N, N, N, N, N, N, N, N, N],
    "network_admin": [Y, Y, Y, Y, Y, Y, Y, Y, Y, N],  # looking around marks nothing viewed
    "seeker_account": [Y, N, Y, Y, Y, N, Y, N, N, N],  # the seeker's own account: their page, not the staff's
}


@pytest.fixture
def people(network):
    people = {name: getattr(network, name) for name in TABLE if hasattr(network, name)}
    people["network_admin"] = User.objects.create_superuser(email="root@network.example", password="x" * 12)
    account = factories.UserFactory(first_name="Luis", last_name="Hernandez")
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(user=account)
    network.seeker.user = account
    people["seeker_account"] = account
    return people


def test_the_table_names_every_rule_the_pages_use():
    assert set(ACTIONS) <= set(REFERRAL_RULES)
    assert set(RESTRICT_ACTIONS) == {
        "view",
        "view:all",
        "view:few",
        "refer",
        "refer:all",
        "refer:by_state",
        "refer:few",
        "receive",
        "receive:few",
        "receive:ids",
    }


@pytest.mark.parametrize("person", TABLE)
def test_the_rule_book_answers_each_person_on_a_sent_referral(network, people, person):
    referral = network.refer()
    referral = Referral.objects_across_tenants.select_related("seeker").get(pk=referral.pk)
    access = referral_access(people[person], referral)
    answers = [access.may(action) for action in ACTIONS]
    assert dict(zip(ACTIONS, answers)) == dict(zip(ACTIONS, TABLE[person]))
    # Seeing the referral at all is the same rule, as a query (lists start from grants: a network admin, who
    # holds none, works in the Django admin).
    sees = Referral.objects.restrict(people[person], "view").filter(pk=referral.pk).exists()
    assert sees is (TABLE[person][0] and person != "network_admin")


@pytest.mark.parametrize("person", TABLE)
def test_only_the_author_or_an_admin_deletes_a_note(network, people, person):
    referral = network.refer()
    note = services.note_add(actor=network.referrer, referral=referral, body="Called, left a message.")
    may = referral_access(people[person], referral).may("delete_note", note=note)
    assert may is (person in {"referrer", "site_admin", "provider_admin", "network_admin"})


def test_the_status_choices_come_from_the_status_table(network, people):
    referral = network.refer()
    claimer = referral_access(people["claimer"], referral).status_targets()
    referrer = referral_access(people["referrer"], referral).status_targets()
    assert Status.ACCEPTED in claimer and Status.DECLINED in claimer and Status.WITHDRAWN not in claimer
    assert Status.WITHDRAWN in referrer and Status.ACCEPTED not in referrer
    assert referral_access(people["outsider"], referral).status_targets() == []
    assert referral_access(Actor.for_seeker(network.seeker), referral).may("withdraw_consent")
    assert not referral_access(Actor.for_seeker(network.outsider_seeker), referral).may("act")


# --- Where two rules disagreed before the rule book -------------------------------------------------------


@pytest.fixture
def shared_by_a_program(network):
    """A referral made on behalf of a program that shares what its claimers send: the program's other claimers
    act on it as referrers, but they do not help the seeker (they cannot open the profile or see its goals)."""
    network.program.shares_outbound = True
    network.program.save()
    maker = factories.claimer(network.program, first_name="Kim", last_name="Bauer")
    membership_set(user=maker, organization=network.site)
    referral = services.referral_create(
        actor=maker,
        seeker=network.seeker,
        program=network.other_program,
        consent_method="verbal",
        on_behalf_of_program=network.program,
    )
    return referral


def test_a_program_that_shares_its_referrals_does_not_move_the_seeker_s_goal_or_consent(network, shared_by_a_program):
    """Before: the services let the sharing program's claimers move the goal and withdraw consent (they act as
    referrers), while the referral page hid both (they are not on the seeker's side) and the API hid the goal
    from them. The rule book's answer, now enforced by the services too: the seeker's side only."""
    referral = shared_by_a_program
    goal = factories.GoalFactory(seeker=network.seeker, organization=network.site)
    access = referral_access(network.claimer, referral)
    assert access.may("act") and not access.on_seeker_side
    assert not access.may("set_goal") and not access.may("withdraw_consent")
    with pytest.raises(NotAllowed):
        services.referral_set_goal(actor=network.claimer, referral=referral, goal=goal)
    with pytest.raises(NotAllowed):
        services.referral_withdraw_consent(actor=network.claimer, referral=referral)
    referral = Referral.objects_across_tenants.get(pk=referral.pk)
    assert referral.goal_id is None and referral.has_consent
    # The seeker's side (here the admin of the organization that helps them) still does both.
    services.referral_set_goal(actor=network.site_admin, referral=referral, goal=goal)
    services.referral_withdraw_consent(actor=network.site_admin, referral=referral)
    referral = Referral.objects_across_tenants.get(pk=referral.pk)
    assert referral.goal_id == goal.pk and not referral.has_consent


def test_a_seeker_s_own_account_does_not_move_the_goal(network, people):
    """Before: the service let the seeker's own account move a referral between goals (through the API), though
    goals are kept by the people who help them and the page never offered it. Now: 403, nothing changed."""
    referral = network.refer()
    goal = factories.GoalFactory(seeker=network.seeker, organization=network.site)
    client = APIClient()
    token = api_token(people["seeker_account"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.patch(
        f"/api/v1/referrals/{referral.public_id}/",
        {"goal": str(goal.public_id), "version": referral.version},
        format="json",
    )
    assert response.status_code == 403
    assert Referral.objects_across_tenants.get(pk=referral.pk).goal_id is None
    # Consent stays theirs to withdraw.
    services.referral_withdraw_consent(actor=people["seeker_account"], referral=referral)
    assert not Referral.objects_across_tenants.get(pk=referral.pk).has_consent
