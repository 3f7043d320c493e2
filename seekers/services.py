"""Seeker profiles: created for an organization a helper works for, edited by the people who help them."""

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from accounts.selectors import teams_of
from referrals.errors import NotAllowed

from .models import Seeker
from .selectors import seekers_visible_to

EDITABLE_FIELDS = ("first_name", "last_name", "date_of_birth", "zip_code", "email", "phone", "preferred_language",
                   "contact_preference")


def site_membership_for(user) -> Membership | None:
    """The Site a helper creates profiles for: the first one they joined."""
    return (Membership.objects.filter(user=user, organization__runs_site=True)
            .select_related("organization").order_by("joined_at").first())


@transaction.atomic
def seeker_create(*, actor, **fields) -> Seeker:
    """Creates a profile owned by the helper's Site, shared with the helper's first team there."""
    membership = site_membership_for(actor)
    if membership is None:
        raise NotAllowed("Only workers of a site can add people.")
    organization = membership.organization
    teams = teams_of(actor, organization)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not seeker fields: {sorted(unknown)}")
    return Seeker.objects_across_tenants.create(
        organization=organization, created_by=actor, team=teams[0] if teams else None,
        last_activity_at=timezone.now(), **fields,
    )


@transaction.atomic
def seeker_update(*, actor, seeker: Seeker, **fields) -> Seeker:
    """Changes the personal information of a profile ``actor`` helps. Only the given fields change."""
    if not seekers_visible_to(actor).filter(pk=seeker.pk).exists():
        raise NotAllowed("You do not help this person.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not seeker fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(seeker, name, value)
    seeker.last_activity_at = timezone.now()
    seeker.save(update_fields=[*fields, "last_activity_at", "updated_at"])
    return seeker
