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
    def system(cls) -> Actor:
        return cls(via=Via.SYSTEM)

    @classmethod
    def for_user(cls, user, via: str = Via.WEB) -> Actor:
        return cls(user=user, via=via)

    @classmethod
    def for_seeker(cls, seeker, via: str = Via.EMAIL_LINK) -> Actor:
        return cls(seeker=seeker, via=via)

    @property
    def is_system(self) -> bool:
        return self.user is None and self.seeker is None

    def display(self, *, program_id=None, on_behalf_of=None) -> tuple[str, str]:
        """(name, organization) as history lines show them; ``program_id``: the referral's program;
        ``on_behalf_of``: the program it was made for, named after the organization of a person acting for it
        ("Community Food Pantry, for Mobile Food Market")."""
        from programs.selectors import organization_display_for

        if self.user is not None:
            organization = organization_display_for(self.user, program_id=program_id)
            if (
                on_behalf_of is not None
                and organization != on_behalf_of.name
                and _acts_for(self.user, on_behalf_of.pk, program_id)
            ):
                organization = f"{organization}, for {on_behalf_of.name}"
            return self.user.short_name, organization
        if self.seeker is not None:
            if self.via == Via.EMAIL_LINK:
                return "Seeker (email link)", ""
            if self.via == Via.TEXT:
                return "Seeker (text message)", ""
            if self.via == Via.SIGNED_IN:
                return "Seeker (signed in)", ""
            if self.via == Via.SELF_REFERRAL:
                return "Seeker (self-referral)", ""
            initial = f" {self.seeker.last_name[:1]}." if self.seeker.last_name else ""
            return f"{self.seeker.first_name}{initial}", ""
        return "System", ""


def _acts_for(user, on_behalf_of_id, program_id) -> bool:
    """Whether ``user`` acts on a referral for the program it was made on behalf of: they claim that program,
    not the program the referral went to (there they act for the receiving side)."""
    from programs.models import ProgramClaimer

    claimed = set(
        ProgramClaimer.objects.filter(user_id=user.pk, program_id__in=[on_behalf_of_id, program_id]).values_list(
            "program_id", flat=True
        )
    )
    return on_behalf_of_id in claimed and program_id not in claimed


def as_actor(actor) -> Actor:
    """Services accept a User for the common case, or an Actor."""
    if actor is None:
        return Actor.system()
    if isinstance(actor, Actor):
        return actor
    return Actor.for_user(actor)
