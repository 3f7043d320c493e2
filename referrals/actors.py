"""Who makes a change: a signed-in user, a seeker (email link or account), or the system."""

from __future__ import annotations

from dataclasses import dataclass

from .models import ReferralEvent

Via = ReferralEvent.Via


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    seeker: object | None = None
    via: str = Via.WEB

    @classmethod
    def system(cls) -> "Actor":
        return cls(via=Via.SYSTEM)

    @classmethod
    def for_user(cls, user, via: str = Via.WEB) -> "Actor":
        return cls(user=user, via=via)

    @classmethod
    def for_seeker(cls, seeker, via: str = Via.EMAIL_LINK) -> "Actor":
        return cls(seeker=seeker, via=via)

    @property
    def is_system(self) -> bool:
        return self.user is None and self.seeker is None

    def display(self, *, program_id=None) -> tuple[str, str]:
        """(name, organization) as history lines show them; ``program_id``: the referral's program."""
        from programs.selectors import organization_display_for

        if self.user is not None:
            return self.user.short_name, organization_display_for(self.user, program_id=program_id)
        if self.seeker is not None:
            if self.via == Via.EMAIL_LINK:
                return "Seeker (email link)", ""
            if self.via == Via.TEXT:
                return "Seeker (text message)", ""
            initial = f" {self.seeker.last_name[:1]}." if self.seeker.last_name else ""
            return f"{self.seeker.first_name}{initial}", ""
        return "System", ""


def as_actor(actor) -> Actor:
    """Services accept a User for the common case, or an Actor."""
    if actor is None:
        return Actor.system()
    if isinstance(actor, Actor):
        return actor
    return Actor.for_user(actor)
