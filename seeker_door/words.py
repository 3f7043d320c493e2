"""The history and the access records in the seeker's own words (the staff's status names never show here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext

from privacy.models import AccessRecord
from referrals.models import ReferralEvent
from referrals.statuses import seeker_label, seeker_reason_label

Kind = ReferralEvent.Kind
Via = ReferralEvent.Via
SEEKER_VIAS = {Via.EMAIL_LINK, Via.TEXT, Via.SIGNED_IN, Via.SELF_REFERRAL}


@dataclass(frozen=True)
class Line:
    when: datetime
    who: str
    what: str


def _who(event: ReferralEvent) -> str:
    if event.actor_id is None and event.via in SEEKER_VIAS:
        return gettext("You")
    if event.actor_id is None and not event.actor_organization and event.actor_display == "System":
        return gettext("Automatic")
    return " · ".join(part for part in (event.actor_display, event.actor_organization) if part)


def _what(event: ReferralEvent, program_name: str) -> str:
    if event.kind == Kind.CREATED:
        if event.via == Via.SELF_REFERRAL:
            return gettext("You asked %(program)s to contact you") % {"program": program_name}
        return gettext("Referred to %(program)s") % {"program": program_name}
    if event.kind == Kind.CONSENT_WITHDRAWN:
        return gettext("Sharing of your email address and phone number with the program stopped")
    if event.kind == Kind.CONSENT_GIVEN:
        return gettext("Consent to share your contact details with the program")
    what = seeker_label(event.to_status) if event.to_status else ""
    reason = seeker_reason_label(event.reason) if event.reason else ""
    if event.kind == Kind.REOPENED:
        what = gettext("Opened again: %(status)s") % {"status": what}
    return f"{what} ({reason})" if reason else what


def history_lines(events, program_name: str) -> list[Line]:
    return [Line(event.created_at, _who(event), _what(event, program_name)) for event in events]


def _organizations(records) -> dict:
    """{(user id, program id): the organization a line names} for the records' staff, in two queries whatever
    their number, by the history's rule (programs.selectors.organization_display_for): the Site for a worker,
    the Program for a claimer (the referral's own when they claim it), the one joined first for both."""
    from accounts.models import Membership
    from programs.models import ProgramClaimer

    user_ids = {record.user_id for record in records if record.user_id and not record.actor_organization}
    if not user_ids:
        return {}
    memberships = {}
    for membership in (
        Membership.objects.filter(user_id__in=user_ids).select_related("organization").order_by("joined_at", "pk")
    ):
        memberships.setdefault(membership.user_id, []).append(membership)
    claims = {}
    for claim in ProgramClaimer.objects.filter(user_id__in=user_ids).select_related("program").order_by("joined_at"):
        claims.setdefault(claim.user_id, []).append(claim)
    named = {}
    for record in records:
        if record.user_id not in user_ids:
            continue
        program_id = getattr(record.referral, "program_id", None) if record.referral_id else None
        site = next((m for m in memberships.get(record.user_id, []) if m.organization.runs_site), None)
        own = claims.get(record.user_id, [])
        claim = next((c for c in own if c.program_id == program_id), own[0] if own else None)
        if site and claim:
            name = site.organization.name if site.joined_at <= claim.joined_at else claim.program.name
        elif site or claim:
            name = site.organization.name if site else claim.program.name
        else:
            others = memberships.get(record.user_id, [])
            name = others[0].organization.name if others else ""
        named[(record.user_id, program_id)] = name
    return named


def access_lines(records) -> list[Line]:
    organizations = _organizations(records)
    lines = []
    for record in records:
        if record.action == AccessRecord.Action.VIEWED:
            what = gettext("looked at your referral") if record.referral_id else gettext("looked at your profile")
        elif record.action == AccessRecord.Action.LISTED:
            what = gettext("saw your name in a list")
        elif record.action == AccessRecord.Action.EXPORTED:
            what = gettext("exported your record")
        else:
            what = gettext("erased your record")
        program_id = getattr(record.referral, "program_id", None) if record.referral_id else None
        organization = record.actor_organization or organizations.get((record.user_id, program_id), "")
        who = " · ".join(part for part in (record.actor_display, organization) if part)
        lines.append(Line(record.created_at, who, what))
    return lines
