"""Reads about texts that pages show."""

from __future__ import annotations

from dataclasses import dataclass

from seekers.models import Seeker

from .models import TextMessage

# The provider's delivery statuses that mean the text never reached the phone (status callbacks).
UNDELIVERED_STATUSES = ("undelivered", "failed")


@dataclass(frozen=True)
class TextProblem:
    created_at: object
    problem: str


def undelivered_text(seeker) -> TextProblem | None:
    """The last text to ``seeker``'s current number, when it failed for good or the carrier reported it
    undelivered: the profile says so, for a helper to check the number. One query, only for a person who
    chose text messages."""
    if seeker.contact_preference != Seeker.ContactPreference.TEXT or not seeker.phone:
        return None
    last = (
        TextMessage.objects.filter(recipient_seeker=seeker, to_number=seeker.phone)
        .exclude(status=TextMessage.Status.PENDING)
        .exclude(status=TextMessage.Status.SENDING)
        .order_by("-created_at", "-id")
        .only("status", "provider_status", "last_error", "created_at")
        .first()
    )
    if last is None:
        return None
    if last.status == TextMessage.Status.FAILED:
        return TextProblem(last.created_at, last.last_error or "The provider refused it.")
    if last.provider_status in UNDELIVERED_STATUSES:
        return TextProblem(last.created_at, last.last_error or "The carrier reported it undelivered.")
    return None


def texts_stopped(seeker):
    """The opt-out (STOP) of ``seeker``'s number, or None; asked only for a person who chose texts."""
    from .models import TextOptOut

    if seeker.contact_preference != Seeker.ContactPreference.TEXT or not seeker.phone:
        return None
    return TextOptOut.objects.filter(number=seeker.phone).first()
