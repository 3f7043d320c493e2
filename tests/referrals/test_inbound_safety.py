"""Inbound Referrals chooses and counts a page by the programs the user works, and reads the rows it shows through
each referral's grants: a referral to a claimed program that the user holds no grant on is never shown. (Every
referral is granted to its program's group and its organization's admins when it is made, and nothing takes those
grants back, so such a referral exists only by hand; tests/referrals/test_seed_demo.py checks the two rules give
the same referrals for every demo user.)"""

from django.urls import reverse

from referrals.models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from referrals.selectors import referrals_inbound_for


def _revoke_all_grants(referral):
    ReferralGroupObjectPermission.objects.filter(content_object=referral).delete()
    ReferralUserObjectPermission.objects.filter(content_object=referral).delete()


def test_a_referral_without_a_grant_is_never_shown_in_the_claimer_s_inbound(client, network):
    shown = network.refer()
    hidden = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    assert hidden.program_id == shown.program_id
    _revoke_all_grants(hidden)
    assert list(referrals_inbound_for(network.claimer)) == [shown]
    assert list(Referral.objects.restrict(network.claimer, "receive")) == [shown]
    assert not Referral.objects.restrict(network.claimer, "view:all").filter(pk=hidden.pk).exists()
    client.force_login(network.claimer)
    response = client.get(reverse("referrals:inbound"))
    assert [row.referral for row in response.context["rows"]] == [shown]
    assert hidden.seeker.last_name not in response.content.decode()
    # The page's ids and counts come from the programs alone ("receive:ids"): the hand-made referral is counted,
    # and only counted.
    assert set(Referral.objects.restrict(network.claimer, "receive:ids")) == {shown, hidden}
    assert response.context["total"] == 2


def test_an_organization_admin_receives_their_programs_referrals_without_claiming_them(network):
    referral = network.refer(program=network.other_program)
    assert list(referrals_inbound_for(network.provider_admin)) == [referral]
    assert list(referrals_inbound_for(network.provider_admin, to_choose=True)) == [referral]
