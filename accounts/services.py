"""Organizations, memberships and teams. Group membership follows these rows, so access changes at once."""

import uuid

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Membership, Organization, Team, TeamMembership, User


@transaction.atomic
def organization_create(*, name: str, runs_site: bool = False, slug: str | None = None,
                        hsds_id: str | None = None) -> Organization:
    slug = slug or slugify(name)[:80]
    group = Group.objects.create(name=f"org:{slug}:admins")
    return Organization.objects.create(name=name, slug=slug, runs_site=runs_site, admin_group=group,
                                       hsds_id=hsds_id or None)


ORGANIZATION_EDITABLE = frozenset({"name", "slug", "runs_site", "hsds_id"})
TEAM_EDITABLE = frozenset({"name", "shares_outbound"})


def _update(instance, editable: frozenset, fields: dict):
    unknown = set(fields) - editable
    if unknown:
        raise TypeError(f"cannot change {', '.join(sorted(unknown))} of {type(instance).__name__}")
    for name, value in fields.items():
        setattr(instance, name, value)
    if fields:
        # Only the fields given: a change made meanwhile to another field is not overwritten.
        instance.save(update_fields=sorted(fields))
    return instance


@transaction.atomic
def organization_update(*, organization: Organization, **fields) -> Organization:
    """A network admin corrects an organization's details (name, slug, runs_site, hsds_id).

    Its admin group and memberships never change here (they follow membership_set); other fields raise
    TypeError.
    """
    return _update(organization, ORGANIZATION_EDITABLE, fields)


@transaction.atomic
def membership_set(*, user: User, organization: Organization, role: str = Membership.Role.WORKER,
                   joined_at=None) -> Membership:
    """Adds ``user`` to ``organization`` (or changes their role). Admins join the admin group."""
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role, "joined_at": joined_at or timezone.now()}
    )
    if not created and membership.role != role:
        promoted = role == Membership.Role.ADMIN
        membership.role = role
        membership.save(update_fields=["role"])
        if promoted:
            # Admins sign in with a second factor: sessions that began without one end now.
            from privacy.accounts import sessions_end_for

            transaction.on_commit(lambda: sessions_end_for(user=user))
    if role == Membership.Role.ADMIN:
        user.groups.add(organization.admin_group)
    else:
        user.groups.remove(organization.admin_group)
    return membership


@transaction.atomic
def membership_remove(*, user: User, organization: Organization) -> None:
    Membership.objects.filter(user=user, organization=organization).delete()
    user.groups.remove(organization.admin_group)
    for membership in TeamMembership.objects.filter(user=user, team__organization=organization):
        team_remove_member(team=membership.team, user=user)


@transaction.atomic
def team_create(*, organization: Organization, name: str, shares_outbound: bool = False) -> Team:
    group = Group.objects.create(name=f"team:{organization.slug}:{uuid.uuid4().hex}")
    return Team.objects.create(organization=organization, name=name, shares_outbound=shares_outbound, group=group)


@transaction.atomic
def team_update(*, team: Team, **fields) -> Team:
    """A network admin renames a team or switches its sharing (not retroactive: grants are given when a
    referral is made). The organization and group of a team never change; other fields raise TypeError."""
    return _update(team, TEAM_EDITABLE, fields)


@transaction.atomic
def team_add_member(*, team: Team, user: User, joined_at=None) -> TeamMembership:
    if not Membership.objects.filter(user=user, organization=team.organization).exists():
        raise ValueError(f"{user} is not a member of {team.organization}")
    membership, _ = TeamMembership.objects.get_or_create(
        team=team, user=user, defaults={"joined_at": joined_at or timezone.now()}
    )
    user.groups.add(team.group)
    return membership


@transaction.atomic
def team_remove_member(*, team: Team, user: User) -> None:
    TeamMembership.objects.filter(team=team, user=user).delete()
    user.groups.remove(team.group)
