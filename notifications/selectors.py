"""Reads that decide who is told what."""

from __future__ import annotations

from accounts.models import Membership
from programs.models import ProgramClaimer
from referrals import statuses
from referrals.models import Referral, ReferralGroupObjectPermission
from referrals.selectors import similar_programs

Status = statuses.Status


def claimers_of(program) -> list:
    """The active claimers of ``program``, oldest first."""
    return [
        membership.user
        for membership in ProgramClaimer.objects.filter(program=program, user__is_active=True)
        .select_related("user")
        .order_by("joined_at")
    ]


def organization_admins_of(organization) -> list:
    return [
        membership.user
        for membership in Membership.objects.filter(
            organization=organization, role=Membership.Role.ADMIN, user__is_active=True
        )
        .select_related("user")
        .order_by("joined_at")
    ]


def referrer_party_of(referral: Referral) -> list:
    """Who hears about a referral for its referrer: the referrer, or their sharing team once they left; for a
    forwarded referral, also those who heard for the referral it was forwarded from (the original referrer
    keeps getting the usual emails about where their person went).

    A referrer who is still an active member of the referring organization is told; when they have left,
    the members of the team (or the claimers of the program) the referral was shared with are told instead.
    """
    found = _own_referrer_party(referral)
    if referral.forwarded_from_id:
        found += [user for user in referrer_party_of(referral.forwarded_from) if user not in found]
    return found


def _own_referrer_party(referral: Referral) -> list:
    referrer = referral.referred_by
    if referrer is None:  # a self-referral: the seeker asked the program themselves; nobody referred them
        return []
    if (
        referrer.is_active
        and Membership.objects.filter(user=referrer, organization_id=referral.organization_id).exists()
    ):
        return [referrer]
    group_ids = list(
        ReferralGroupObjectPermission.objects.filter(
            content_object_id=referral.pk, permission__codename="act_as_referrer"
        )
        .exclude(group_id=referral.organization.admin_group_id)
        .values_list("group_id", flat=True)
    )
    if not group_ids:
        return []
    from accounts.models import User

    return list(User.objects.filter(groups__in=group_ids, is_active=True).distinct().order_by("pk"))


def seeker_can_be_emailed(seeker) -> bool:
    """Only a seeker who chose email is emailed: "Text message" is texted (sms), "Phone" means the referrer
    calls (nobody is contacted automatically), "Do not contact" means nothing is sent."""
    return bool(seeker.email) and seeker.contact_preference == seeker.ContactPreference.EMAIL


def next_matching_program(referral: Referral):
    """The program to offer instead of an expired referral: the nearest similar one that accepts referrals."""
    return similar_programs(referral).first()


def nearest_programs_with_slots(referral: Referral, *, limit: int = 3) -> list:
    """The programs to offer instead of a stalled referral: the nearest similar ones with open slots."""
    return list(similar_programs(referral).filter(capacity_available__gt=0)[:limit])
