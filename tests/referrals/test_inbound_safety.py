"""Inbound Referrals starts from the programs the user works and checks each referral's grants as well:
a referral to a claimed program that the user holds no grant on stays out of their list and counts."""

from django.urls import reverse

from referrals.models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from referrals.selectors import referrals_inbound_for


def _revoke_all_grants(referral):
    ReferralGroupObjectPermission.objects.filter(content_object=referral).delete()
    ReferralUserObjectPermission.objects.filter(content_object=referral).delete()


def test_a_referral_without_a_grant_stays_out_of_the_claimer_s_inbound(client, network):
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
    assert response.context["total"] == 1
    assert response.context["not_updated"] == 1


def test_an_organization_admin_receives_their_programs_referrals_without_claiming_them(network):
    referral = network.refer(program=network.other_program)
    assert list(referrals_inbound_for(network.provider_admin)) == [referral]
    assert list(referrals_inbound_for(network.provider_admin, program_ids=[network.program.pk])) == []
