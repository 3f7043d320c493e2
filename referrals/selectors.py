"""Reads that encode the rules of who sees what.

The grants live in django-guardian's direct foreign-key tables (ReferralUserObjectPermission and
ReferralGroupObjectPermission). Lists never ask guardian per object: ``referral_visibility_filter`` turns
the same tables into one indexed subquery, so one query answers for any number of referrals.
"""

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value

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
    per-row EXISTS checks made it test every candidate row: seconds over a million referrals.) No part may
    carry an ORDER BY: SQLite, the `make run` default, refuses one inside a compound subquery.
    """
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    granted = ReferralUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=codename
    ).order_by().values("content_object_id").union(
        ReferralGroupObjectPermission.objects.filter(
            group_id__in=_user_group_ids(user), permission__codename=codename
        ).order_by().values("content_object_id"),
        all=True,
    )
    if codename == "view_referral":
        granted = granted.union(
            Referral.objects_across_tenants.filter(seeker__user_id=user.pk).order_by().values("pk"), all=True
        )
    return Q(pk__in=granted)


def referral_visibility_check(user, codename: str = "view_referral", *, through: str = "") -> Q:
    """The same rule as ``referral_visibility_filter``, as per-row EXISTS probes of the grant tables'
    (referral, permission) indexes instead of one gathered id set.

    For lists that start from a narrow index (a claimer's programs): PostgreSQL then reads those rows first
    and probes each, where the gathered set made it read every referral granted to the user (tens of
    thousands for a busy program's group) before narrowing them. ``through`` names the foreign key of
    another model's rows to check the same way (``"referral"`` on history events).
    """
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    from django.contrib.auth.models import Permission

    referral_id = f"{through}_id" if through else "pk"
    permissions = Permission.objects.filter(codename=codename).values("pk")
    condition = Q(Exists(ReferralUserObjectPermission.objects.filter(
        content_object_id=OuterRef(referral_id), user_id=user.pk, permission_id__in=permissions))) | Q(Exists(
        ReferralGroupObjectPermission.objects.filter(
            content_object_id=OuterRef(referral_id), group_id__in=_user_group_ids(user),
            permission_id__in=permissions)))
    if codename == "view_referral":
        from seekers.models import Seeker

        seeker_id = f"{through}__seeker_id" if through else "seeker_id"
        condition |= Q(**{f"{seeker_id}__in": Seeker.objects_across_tenants.filter(user_id=user.pk).values("pk")})
    return condition


def referrals_visible_to(user):
    return Referral.objects.visible_to(user)


def with_seeker_side(queryset, user):
    """Annotates each referral with ``on_seeker_side`` (see ``referral_on_seeker_side``) in the same query."""
    if user.is_superuser:
        return queryset.annotate(on_seeker_side=Value(True, output_field=BooleanField()))
    from seekers.selectors import seekers_visible_to

    helps = Exists(seekers_visible_to(user).filter(pk=OuterRef("seeker_id")))
    return queryset.annotate(on_seeker_side=ExpressionWrapper(Q(seeker__user_id=user.pk) | Q(helps),
                                                              output_field=BooleanField()))


def referral_on_seeker_side(user, referral: Referral) -> bool:
    """Whether ``user`` is on the seeker's side of ``referral``: a network admin, the seeker, or someone who
    may see the seeker's profile (seekers.selectors.seekers_visible_to). Working at the referring
    organization is not enough: a claimer of the program who also works there is on the program's side."""
    if hasattr(referral, "on_seeker_side"):  # annotated by with_seeker_side (NULL, from a seeker without account, is no)
        return bool(referral.on_seeker_side)
    if user.is_superuser or (referral.seeker.user_id is not None and referral.seeker.user_id == user.pk):
        return True
    from seekers.selectors import seekers_visible_to

    return seekers_visible_to(user).filter(pk=referral.seeker_id).exists()


def seeker_contact_visible_to(user, referral: Referral) -> bool:
    """Whether ``user`` may see the seeker's email and phone on ``referral``: always on the seeker's side;
    on the program's side only while consent holds and the seeker has not asked not to be contacted."""
    return referral_on_seeker_side(user, referral) or program_may_see_seeker_contact(referral)


def program_may_see_seeker_contact(referral: Referral) -> bool:
    """The program's side sees email and phone only while consent holds and contact is wanted."""
    return referral.has_consent and not referral.seeker.does_not_want_contact


def referral_get_visible(*, user, public_id) -> Referral:
    """The referral, if ``user`` may see it. Raises Referral.DoesNotExist otherwise, missing or not.

    One row found by its public id, then its grants probed (``visible_to_per_row``): gathering every referral
    the user may see first cost a claimer of busy programs ~4 ms of execution and ~9 ms of planning.
    """
    return (
        with_seeker_side(Referral.objects.visible_to_per_row(user), user)
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


def is_seeker_only(parties) -> bool:
    """A seeker's own account on its referral, with no staff party: it sees the seeker's page
    (/my/referrals/), never the staff notes and history."""
    return Party.SEEKER in parties and not parties & {Party.CLAIMER, Party.REFERRER, Party.ADMIN}


def programs_received_by(user):
    """The programs whose inbound referrals ``user`` works: those they claim and their organizations' own.
    One ``pk IN (claimed UNION ALL provided)`` over two indexes: no join to the claimers (and so no DISTINCT
    over wide rows), and no OR that makes PostgreSQL scan the whole directory."""
    from programs.selectors import directory

    claimed = ProgramClaimer.objects.filter(user_id=user.pk).order_by().values("program_id")
    administered = Membership.objects.filter(user_id=user.pk, role=Membership.Role.ADMIN).values("organization_id")
    provided = directory().filter(organization_id__in=administered).order_by().values("pk")
    return directory().filter(pk__in=claimed.union(provided, all=True))


def referrals_inbound_for(user, *, program_ids=None):
    """Referrals to the programs ``user`` claims, or that their organization provides if they are its admin.

    The list starts from those programs (the ``referral_inbound`` index) and checks visibility row by row,
    as a safety condition: a claimer's grant comes with the program, so it rarely removes anything.
    ``program_ids``, when the caller already holds ``programs_received_by(user)``, saves a subquery.
    """
    if program_ids is None:
        program_ids = programs_received_by(user).order_by().values("pk")
    else:
        program_ids = sorted(program_ids)
    return Referral.objects.visible_to_per_row(user).filter(program_id__in=program_ids)


def referrals_for_page(user, page_ids, *, order):
    """The referrals of one page of a list, ``page_ids`` (ids, or a narrow ``values("pk")`` subquery)
    having been chosen from that list in ``order``; returned in the same order, for the caller to join
    (``select_related``, annotations) on these rows only.

    Over a large visible set the cost is joining every row before sorting; choosing the page's ids by a
    narrow query (id and sort keys) and joining 25 rows avoids it. Visibility is checked again row by row,
    so ids can never show more than ``user`` may see.
    """
    return Referral.objects.visible_to_per_row(user).filter(pk__in=page_ids).order_by(*order)


def referrals_outbound_for(user, *, per_row: bool = False, from_grants: bool = False):
    """Referrals ``user`` may act on as referrer: their own and those shared with them.

    ``per_row`` for a list that already starts from a narrow index (one seeker's referrals): the grants are
    probed row by row instead of gathered (thousands of ids for a busy helper) and joined.
    ``from_grants`` for a list of all of them filtered by their state (Sent referrals): the referrer grants
    are gathered and only the rows that pass the filters are probed for the view grant. Gathering both sets
    made PostgreSQL misjudge the join and read one set again for every row (190 ms for a helper of 5,000).
    """
    if from_grants:
        return Referral.objects.visible_to_per_row(user).filter(referral_visibility_filter(user, "act_as_referrer"))
    if per_row:
        return Referral.objects.visible_to_per_row(user).filter(referral_visibility_check(user, "act_as_referrer"))
    return Referral.objects.visible_to(user).filter(referral_visibility_filter(user, "act_as_referrer"))


def open_referrals_to_programs(user, *, seeker, program_ids) -> dict:
    """The programs among ``program_ids`` that ``seeker`` has an open referral to, each mapped to that
    referral's public_id if ``user`` may see it, or to None when it is a colleague's they may not see.
    The existence check crosses scopes on purpose (it is the duplicate rule) and reveals nothing else."""
    from .statuses import OPEN

    existing = set(Referral.objects.unscoped("duplicate check: existence only")
                   .filter(seeker=seeker, status__in=sorted(OPEN), program_id__in=list(program_ids))
                   .values_list("program_id", flat=True))
    if not existing:
        return {}
    visible = dict(Referral.objects.visible_to_per_row(user).filter(seeker=seeker, status__in=sorted(OPEN),
                                                            program_id__in=existing)
                   .values_list("program_id", "public_id"))
    return {program_id: visible.get(program_id) for program_id in existing}


def referral_is_visible_to(user, referral: Referral) -> bool:
    return Referral.objects.visible_to_per_row(user).filter(pk=referral.pk).exists()


def referral_replacement_candidates(user, referral: Referral):
    """The referrals that may replace ``referral`` when it is withdrawn as referred elsewhere: the same
    seeker's other referrals that ``user`` may see."""
    return (Referral.objects.visible_to_per_row(user).filter(seeker_id=referral.seeker_id).exclude(pk=referral.pk)
            .select_related("program"))


def referral_history(referral: Referral):
    return referral.events.order_by("-created_at", "-id")
