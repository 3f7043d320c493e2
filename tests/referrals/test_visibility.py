"""Who sees and acts on a referral: view, note and status change, for each person of the network."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.services import team_add_member, team_remove_member
from programs.services import program_add_claimer, program_remove_claimer
from referrals import statuses
from referrals.actors import Actor
from referrals.errors import NotAllowed
from referrals.models import Referral
from referrals.selectors import referral_parties, referrals_for_page, referrals_inbound_for
from referrals.services import note_add, referral_change_status

# person -> (sees it, may add a note, may mark it got_help)
MATRIX = {
    "referrer": (True, True, True),
    "teammate": (True, True, True),  # the team shares outbound referrals
    "private_worker": (False, False, False),  # same site, team without sharing
    "claimer": (True, True, True),
    "other_claimer": (False, False, False),  # claimer of another program of the same provider
    "outsider": (False, False, False),  # worker of another tenant
    "outsider_admin": (False, False, False),
    "site_admin": (True, True, True),
    "provider_admin": (True, True, True),
}


@pytest.mark.parametrize("person", MATRIX)
def test_visibility_matrix(network, person):
    referral = network.refer()
    user = getattr(network, person)
    sees, notes, acts = MATRIX[person]
    assert Referral.objects.restrict(user, "view:all").filter(pk=referral.pk).exists() is sees
    assert user.has_perm("referrals.view_referral", referral) is sees  # guardian agrees
    if notes:
        note_add(actor=user, referral=referral, body="Following up.")
    else:
        with pytest.raises(NotAllowed):
            note_add(actor=user, referral=referral, body="Following up.")
    if acts:
        referral_change_status(actor=user, referral=referral, to_status=statuses.Status.GOT_HELP)
    else:
        with pytest.raises(NotAllowed):
            referral_change_status(actor=user, referral=referral, to_status=statuses.Status.GOT_HELP)


def test_seeker_sees_and_acts_on_their_own_referral_only(network):
    referral = network.refer()
    assert referral_parties(Actor.for_seeker(network.seeker), referral) == {statuses.Party.SEEKER}
    other = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    assert referral_parties(Actor.for_seeker(network.seeker), other) == set()


def test_anonymous_sees_nothing(network):
    network.refer()
    assert not Referral.objects.restrict(AnonymousUser(), "view:all").exists()


def test_private_team_referrals_stay_with_the_referrer(network):
    referral = network.refer(referrer=network.private_worker)
    colleague = network.teammate
    team_add_member(team=network.private_team, user=colleague)
    assert not Referral.objects.restrict(colleague, "view:all").filter(pk=referral.pk).exists()


def test_joining_or_leaving_a_group_changes_access_at_once(network):
    referral = network.refer()
    newcomer = network.other_claimer
    program_add_claimer(program=network.program, user=newcomer)
    assert Referral.objects.restrict(newcomer, "view:all").filter(pk=referral.pk).exists()
    program_remove_claimer(program=network.program, user=newcomer)
    assert not Referral.objects.restrict(newcomer, "view:all").filter(pk=referral.pk).exists()
    team_remove_member(team=network.sharing_team, user=network.teammate)
    assert not Referral.objects.restrict(network.teammate, "view:all").filter(pk=referral.pk).exists()


def test_sharing_switched_on_later_is_not_retroactive(network):
    referral = network.refer(referrer=network.private_worker)
    team_add_member(team=network.private_team, user=network.teammate)
    network.private_team.shares_outbound = True
    network.private_team.save()
    assert not Referral.objects.restrict(network.teammate, "view:all").filter(pk=referral.pk).exists()
    later = network.refer(referrer=network.private_worker, program=network.other_program)
    assert Referral.objects.restrict(network.teammate, "view:all").filter(pk=later.pk).exists()


def test_inbound_and_outbound_lists(network):
    referral = network.refer()
    assert list(referrals_inbound_for(network.claimer)) == [referral]
    assert list(referrals_inbound_for(network.referrer)) == []
    assert list(Referral.objects.restrict(network.referrer, "refer:all")) == [referral]
    assert list(Referral.objects.restrict(network.teammate, "refer:all")) == [referral]
    assert list(Referral.objects.restrict(network.claimer, "refer:all")) == []
    assert list(referrals_inbound_for(network.provider_admin)) == [referral]
    assert list(Referral.objects.restrict(network.site_admin, "refer:all")) == [referral]


def test_visibility_is_one_query_whatever_the_number_of_referrals(network, django_assert_max_num_queries):
    for program in [network.program, network.other_program]:
        network.refer(program=program)
    with django_assert_max_num_queries(1):
        assert len(list(Referral.objects.restrict(network.site_admin, "view:all"))) == 2


def test_a_page_of_chosen_ids_shows_only_what_the_user_may_see_in_order(network):
    first = network.refer()
    second = network.refer(program=network.other_program)
    hidden = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    ids = [second.pk, hidden.pk, first.pk]
    assert list(referrals_for_page(network.referrer, ids, order=["-id"])) == [second, first]
    assert list(referrals_for_page(network.referrer, ids, order=["id"])) == [first, second]
    assert list(referrals_for_page(network.claimer, ids, order=["id"])) == [first, hidden]
    assert list(referrals_for_page(network.outsider, ids, order=["id"])) == [hidden]
    assert list(referrals_for_page(network.private_worker, ids, order=["id"])) == []


def test_one_referral_by_public_id_only_for_those_who_see_it(network):
    """referral_get_visible runs a statement compiled once (core.statements): each call binds its own user."""
    from referrals.selectors import referral_get_visible

    referral = network.refer()
    for person, (sees, _, _) in MATRIX.items():
        user = getattr(network, person)
        if sees:
            assert referral_get_visible(user=user, public_id=referral.public_id) == referral
            assert referral_get_visible(user=user, public_id=str(referral.public_id)) == referral
        else:
            with pytest.raises(Referral.DoesNotExist):
                referral_get_visible(user=user, public_id=referral.public_id)
    for nobody, public_id in ((AnonymousUser(), referral.public_id), (network.referrer, "not-an-id")):
        with pytest.raises(Referral.DoesNotExist):
            referral_get_visible(user=nobody, public_id=public_id)
