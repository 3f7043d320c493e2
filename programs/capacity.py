"""A program's open slots kept honest: accepting a referral takes a slot, closing it gives the slot back.

Only for programs that count their slots this way (``Program.counts_slots``) and have set their open slots;
the others keep ``capacity_available`` by hand on their listing page. Each step is one conditional UPDATE of
the program's row, so concurrent accepts serialize on that row in the database and the open slots never go
below zero nor above the maximum, whichever process writes.

The referral remembers that it holds a slot (``Referral.holds_slot``), so a slot is given back once, and only
by a referral that took one. The callers (referrals.services) run inside the status change's transaction, so
a refused change takes nothing.
"""

from django.db.models import F
from django.db.models.functions import Least
from django.utils import timezone

from .models import Program

# The statuses that take one of the program's slots, and those that give it back: closing, or waiting for a slot.
# In between (Needs client action: the program waits on the person) the referral keeps the slot it holds.
HOLDING = frozenset({"accepted", "in_service"})
RELEASING = frozenset({"got_help", "declined", "not_completed", "withdrawn", "entered_in_error", "waitlisted"})

TAKEN = "taken"
NONE_OPEN = "none_open"
GIVEN_BACK = "given_back"


def _programs():
    return Program.objects.unscoped("the program whose open slots change with its referral's status")


def take(program_id: int) -> bool:
    """Takes one open slot of the program if it counts slots and one is open; True when one was taken."""
    return bool(
        _programs()
        .filter(pk=program_id, counts_slots=True, capacity_available__gt=0)
        .update(capacity_available=F("capacity_available") - 1, capacity_updated_at=timezone.now())
    )


def give_back(program_id: int) -> bool:
    """Gives one slot back to a program that still counts slots (never above its maximum); True when it did."""
    slots = _programs().filter(pk=program_id, counts_slots=True, capacity_available__isnull=False)
    now = timezone.now()
    # No maximum: one more. A maximum: one more, but not past it.
    changed = slots.filter(capacity_maximum__isnull=True).update(
        capacity_available=F("capacity_available") + 1, capacity_updated_at=now
    )
    changed += slots.filter(capacity_maximum__isnull=False).update(
        capacity_available=Least(F("capacity_available") + 1, F("capacity_maximum")), capacity_updated_at=now
    )
    return bool(changed)


def follow_status(referral, to_status: str) -> str:
    """Takes or gives back the referral's slot for its move to ``to_status``; returns what happened for the
    history line ("taken", "none_open", "given_back") or "" when slots are not concerned.

    Called under the referral's row lock, before the referral is saved (it sets ``referral.holds_slot``).
    """
    program = referral.program
    if to_status in HOLDING:
        if referral.holds_slot or not program.counts_slots or program.capacity_available is None:
            return ""
        taken = take(program.pk)
        program.refresh_from_db(fields=["capacity_available", "capacity_updated_at"])
        if taken:
            referral.holds_slot = True
            return TAKEN
        return NONE_OPEN
    if referral.holds_slot and to_status in RELEASING:
        referral.holds_slot = False
        given = give_back(program.pk)
        program.refresh_from_db(fields=["capacity_available", "capacity_updated_at"])
        return GIVEN_BACK if given else ""
    return ""
