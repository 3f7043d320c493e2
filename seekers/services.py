"""Seeker profiles. The organization comes from the helper's membership, never from what a client sends."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Membership, Organization
from accounts.selectors import teams_of
from referrals.errors import InvalidInput, NotAllowed

from .models import Seeker

EDITABLE_FIELDS = ("first_name", "last_name", "date_of_birth", "zip_code", "email", "phone",
                   "preferred_language", "contact_preference")


@transaction.atomic
def seeker_create(*, actor, organization: Organization, **fields) -> Seeker:
    """A helper adds a seeker to ``organization``, which must be a Site the helper belongs to.

    The profile belongs to that organization, is recorded as created by the helper and joins the helper's
    first team there (a team that shares outbound referrals shares its people too).
    """
    if not organization.runs_site or not Membership.objects.filter(user=actor, organization=organization).exists():
        raise NotAllowed("Only workers at a site can add the people they help.")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown seeker fields: {', '.join(sorted(unknown))}.")
    teams = teams_of(actor, organization)
    seeker = Seeker(organization=organization, created_by=actor, team=teams[0] if teams else None, **fields)
    seeker.full_clean(exclude=["organization", "created_by", "team", "user"])
    seeker.save()
    return seeker


@transaction.atomic
def seeker_update(*, actor, seeker: Seeker, **fields) -> Seeker:
    """Changes the profile of a seeker ``actor`` may see (the caller fetched it through seekers_visible_to)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown seeker fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(seeker, name, value)
    seeker.full_clean(exclude=["organization", "created_by", "team", "user"])
    seeker.save()
    return seeker
