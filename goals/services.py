"""Goals of a seeker."""

from django.db import transaction

from referrals.errors import InvalidInput

from .models import Goal

TITLE_MAX_LENGTH = 200


@transaction.atomic
def goal_create(*, actor, seeker, title: str) -> Goal:
    """Adds a goal to a seeker ``actor`` may see (the caller fetched the seeker in scope)."""
    title = (title or "").strip()
    if not title or "\x00" in title or len(title) > TITLE_MAX_LENGTH:
        raise InvalidInput(f"A goal needs a title of at most {TITLE_MAX_LENGTH} characters.", field="title")
    return Goal.objects_across_tenants.create(organization_id=seeker.organization_id, seeker=seeker,
                                              title=title, created_by=actor)
