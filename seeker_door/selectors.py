"""What a signed-in seeker may read: the referrals, history and access records of every seeker record that has
their verified contact, whichever organization keeps it (it is the seeker's own data). Each read starts from
the contact, so another seeker's referral is simply not found (404)."""

from __future__ import annotations

from django.db.models import Q

from core.contacts import Contact
from privacy.models import AccessRecord
from referrals.models import Referral, ReferralEvent
from seekers.models import Seeker

# The history lines a seeker reads (bookkeeping such as deliveries, notes and assignments is the staff's).
SEEKER_HISTORY_KINDS = (
    ReferralEvent.Kind.CREATED,
    ReferralEvent.Kind.STATUS_CHANGED,
    ReferralEvent.Kind.REOPENED,
    ReferralEvent.Kind.CONSENT_GIVEN,
    ReferralEvent.Kind.CONSENT_WITHDRAWN,
)
ACCESS_RECORDS_SHOWN = 100


def contact_filter(contact: Contact, prefix: str = "") -> Q:
    if contact.is_email:
        return Q(**{f"{prefix}email__iexact": contact.value})
    return Q(**{f"{prefix}phone": contact.value})


def seekers_with_contact(contact: Contact):
    return Seeker.objects.unscoped("the seeker's own records, found by the contact they verified").filter(
        contact_filter(contact)
    )


def has_seeker_records(contact: Contact) -> bool:
    return seekers_with_contact(contact).exists()


def referrals_of(contact: Contact):
    """Every referral whose seeker record has ``contact``, newest first, with what the pages show."""
    return _shown(
        Referral.objects.unscoped("the seeker's own referrals, across the organizations that keep them").filter(
            contact_filter(contact, "seeker__")
        )
    )


def referrals_of_seekers(seekers):
    """The referrals of the given seeker records (a seeker's own account: its linked profile)."""
    return _shown(Referral.objects.unscoped("a seeker account's own referrals").filter(seeker__in=seekers))


def _shown(referrals):
    return referrals.select_related("program", "program__organization", "seeker", "organization").order_by(
        "-sent_at", "-id"
    )


def referral_of(contact: Contact, public_id) -> Referral | None:
    """The seeker's referral named ``public_id``, or None (missing and another seeker's alike)."""
    return referrals_of(contact).filter(public_id=public_id).first()


def history_of(referral: Referral) -> list[ReferralEvent]:
    return list(
        ReferralEvent.objects.unscoped("the history of the seeker's own referral, in their words")
        .filter(referral_id=referral.pk, kind__in=SEEKER_HISTORY_KINDS)
        .order_by("-created_at", "-id")
    )


def access_records_of(seekers) -> list[AccessRecord]:
    """Who looked at the seeker's records (staff and the system; not the seeker's own email links), newest
    first."""
    return list(
        AccessRecord.objects.unscoped("the access records about the seeker's own records, for them to read")
        .filter(seeker__in=seekers)
        .exclude(via=AccessRecord.Via.EMAIL_LINK, user__isnull=True)
        .select_related("referral")
        .order_by("-created_at", "-id")[:ACCESS_RECORDS_SHOWN]
    )
