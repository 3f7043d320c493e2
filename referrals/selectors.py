"""Reads that encode the rules of who sees what.

The grants live in django-guardian's direct foreign-key tables (ReferralUserObjectPermission and
ReferralGroupObjectPermission). Lists never ask guardian per object: ``referral_visibility_filter`` turns
the same tables into one indexed subquery, so one query answers for any number of referrals.
"""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from accounts.models import Membership
from programs.models import ProgramClaimer

from .actors import as_actor
from .models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from .statuses import Party

PERMISSION_PARTY = {
    "act_as_referrer": Party.REFERRER,
    "act_as_claimer": Party.CLAIMER,
    "administer_referral": Party.ADMIN,
}


def _user_group_ids(user):
    return get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")


def referral_visibility_filter(user, codename: str = "view_referral") -> Q:
    """A filter for the referrals ``user`` holds ``codename`` on, directly or through a group.

    One ``id IN (... UNION ALL ...)`` over the grant tables' (user, permission) and (group, permission)
    indexes: PostgreSQL gathers the granted ids first and then reads only those referrals. (An OR of
    per-row EXISTS checks made it test every candidate row: seconds over a million referrals.)
    """
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    granted = ReferralUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename
    ).values("content_object_id").union(
        ReferralGroupObjectPermission.objects.filter(
            group_id__in=_user_group_ids(user), permission__codename=codename
        ).values("content_object_id"),
        all=True,
    )
    if codename == "view_referral":
        granted = granted.union(
            Referral.objects_across_tenants.filter(seeker__user_id=user.pk).values("pk"), all=True
        )
    return Q(pk__in=granted)


def referrals_visible_to(user):
    return Referral.objects.visible_to(user)


def referral_get_visible(*, user, public_id) -> Referral:
    """The referral, if ``user`` may see it. Raises Referral.DoesNotExist otherwise, missing or not."""
    return (
        Referral.objects.visible_to(user)
        .select_related("program", "program__organization", "seeker", "organization", "referred_by", "goal",
                        "assigned_to")
        .get(public_id=public_id)
    )


def referral_parties(actor, referral: Referral) -> set:
    """The parties (see referrals.statuses) that ``actor`` plays on ``referral``."""
    actor = as_actor(actor)
    if actor.is_system:
        return {Party.SYSTEM}
    if actor.seeker is not None:
        return {Party.SEEKER} if actor.seeker.pk == referral.seeker_id else set()
    user = actor.user
    if user.is_superuser:
        return {Party.CLAIMER, Party.REFERRER, Party.ADMIN}
    codenames = set(
        ReferralUserObjectPermission.objects.filter(content_object_id=referral.pk, user_id=user.pk)
        .values_list("permission__codename", flat=True)
    ) | set(
        ReferralGroupObjectPermission.objects.filter(
            content_object_id=referral.pk, group_id__in=_user_group_ids(user)
        ).values_list("permission__codename", flat=True)
    )
    parties = {PERMISSION_PARTY[codename] for codename in codenames if codename in PERMISSION_PARTY}
    if referral.seeker.user_id == user.pk:
        parties.add(Party.SEEKER)
    return parties


def referrals_inbound_for(user):
    """Referrals to the programs ``user`` claims, or that their organization provides if they are its admin."""
    claimed = ProgramClaimer.objects.filter(user_id=user.pk).values("program_id")
    administered = Membership.objects.filter(user_id=user.pk, role=Membership.Role.ADMIN).values("organization_id")
    return Referral.objects.visible_to(user).filter(
        Q(program_id__in=claimed) | Q(program__organization_id__in=administered)
    )


def referrals_outbound_for(user):
    """Referrals ``user`` may act on as referrer: their own and those shared with them."""
    return Referral.objects.visible_to(user).filter(referral_visibility_filter(user, "act_as_referrer"))


def referral_history(referral: Referral):
    return referral.events.order_by("-created_at", "-id")
