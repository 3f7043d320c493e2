"""Who is looking at the seeker's pages: a seeker signed in by a link or code (their verified contact), or a
seeker's own account that a network admin linked to their record. Both see only their own referrals."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from core.contacts import Contact
from referrals.models import Referral, ReferralEvent
from seekers.models import Seeker

from . import selectors, session


@dataclass(frozen=True)
class Viewer:
    contact: Contact | None = None
    user: object | None = None

    @property
    def via(self) -> str:
        return ReferralEvent.Via.SIGNED_IN if self.contact is not None else ReferralEvent.Via.WEB

    def seekers(self):
        if self.contact is not None:
            return selectors.seekers_with_contact(self.contact)
        return Seeker.objects.unscoped("a signed-in seeker account's own profile").filter(user_id=self.user.pk)

    def referrals(self):
        if self.contact is not None:
            return selectors.referrals_of(self.contact)
        return selectors.referrals_of_seekers(self.seekers())

    def referral(self, public_id) -> Referral | None:
        return self.referrals().filter(public_id=public_id).first()

    def language(self) -> str:
        """A linked account reads in its profile's language (as /my/referrals/ always did); a signed-in seeker
        in the page's (their browser's or their choice in the switch)."""
        if self.contact is None:
            seeker = self.seekers().order_by("pk").first()
            if seeker is not None and seeker.preferred_language:
                return seeker.preferred_language
        language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def viewer_of(request) -> Viewer | None:
    contact = session.current(request)
    if contact is not None:
        return Viewer(contact=contact)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        viewer = Viewer(user=user)
        if viewer.seekers().exists():
            return viewer
    return None
