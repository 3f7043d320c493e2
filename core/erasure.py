"""Erasure reaches every copy of a person: the registry of scrubbers.

The data-rights service (``privacy.services.seeker_erase``) clears the person's profile and the rows its own
domain keeps about them. Copies live elsewhere too: the outbox rows of every channel (a message's subject
and body name the person, its recipient is their address), webhook delivery bodies, cached pages, the
admin's log, sign-in logs, the person's own account. Each app that keeps such a copy registers a
*scrubber* here, from its ``AppConfig.ready``; the erasure calls every one inside its transaction, so the
profile and every copy are cleared together or not at all.

A scrubber is ``fn(person: Person) -> None``. It removes or blanks what it holds about ``person`` and never
raises for "nothing to do". A new channel (text messages) does not even need one: the delivery core's own
scrubber (``core.outbox.erase_person``) clears the rows of every channel that declares its personal columns
(``Channel.content_fields``, ``Channel.about_person``; see core/outbox.py).

The core imports no app: a ``Person`` is plain values read before the profile was cleared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# What an erased name and an erased free text become wherever a row must stay.
ERASED_NAME = "Erased person"
ERASED_TEXT = "(erased)"


@dataclass(frozen=True)
class Person:
    """Who is being erased, as the copies may hold them."""

    seeker_id: int
    organization_id: int
    referral_ids: tuple[int, ...] = ()
    # Their own account (a seeker's sign-in), if they had one; never a worker's account linked to the profile.
    user_id: int | None = None
    # How they were named: full name, "First L." as history lines show them; every non-empty value.
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    program_ids: tuple[int, ...] = field(default=())


Scrubber = Callable[[Person], None]

_scrubbers: dict[str, Scrubber] = {}


def register(scrubber: Scrubber, *, name: str | None = None) -> Scrubber:
    """Adds ``scrubber`` to what every erasure runs (idempotent per name: ``ready`` may run twice)."""
    _scrubbers[name or f"{scrubber.__module__}.{scrubber.__qualname__}"] = scrubber
    return scrubber


def scrubbers() -> dict[str, Scrubber]:
    return dict(_scrubbers)


def erase_copies(person: Person) -> None:
    """Runs every registered scrubber for ``person``. Call inside the erasure's transaction."""
    for scrubber in list(_scrubbers.values()):
        scrubber(person)
