"""Seeker profiles. The organization comes from the helper's membership, never from what a client sends."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Organization
from accounts.selectors import teams_of
from core.errors import Conflict, InvalidInput, NotAllowed

from . import policies
from .models import Seeker, SeekerIdentifier
from .selectors import seeker_likely_matches
from .validation import CONTACT_FIELDS, NORMALIZERS, contact_detail_missing, default_contact_preference

EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "zip_code",
    "email",
    "phone",
    "preferred_language",
    "contact_preference",
    "household_size",
    "monthly_income",
    "languages",
)


class LikelyDuplicate(Conflict):
    """The organization already helps someone who is likely this person (409): ``matches`` are those the helper
    may open, ``hidden_matches`` how many more they may not. Sent again with the duplicate check off (the
    web form's "This is someone else", the API's ``confirm_new: true``), the profile is made."""

    code = "likely_duplicate"

    def __init__(self, message: str, *, matches, hidden_matches: int):
        super().__init__(message)
        self.matches, self.hidden_matches = matches, hidden_matches

    def public_extra(self) -> dict:
        return {
            "candidates": [
                {
                    "id": str(seeker.public_id),
                    "first_name": seeker.first_name,
                    "last_name": seeker.last_name,
                    "date_of_birth": seeker.date_of_birth.isoformat() if seeker.date_of_birth else None,
                    "zip_code": seeker.zip_code,
                    "why": seeker.match_reasons,
                }
                for seeker in self.matches
            ],
            "hidden_candidates": self.hidden_matches,
        }


def site_membership_for(user) -> Membership | None:
    """The Site a helper creates profiles for by default: the first one they joined."""
    return policies.site_memberships(user).first()


def referring_membership_for(user) -> Membership | None:
    """The organization a person adds people to by default: the first Site they joined, else (a claimer or a
    worker of a provider-only organization) the first organization they joined."""
    return policies.referring_memberships(user).first()


def _check_contact_detail(seeker: Seeker) -> None:
    missing = contact_detail_missing(
        contact_preference=seeker.contact_preference, email=seeker.email, phone=seeker.phone
    )
    if missing:
        field, message = missing
        raise InvalidInput(message, field=field)


def _check_fields(fields) -> None:
    """Refuses unknown fields; normalizes the zip code and phone in place (seekers.validation)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown seeker fields: {', '.join(sorted(unknown))}.")
    for name, normalize in NORMALIZERS.items():
        if name in fields:
            try:
                fields[name] = normalize(fields[name])
            except ValueError as error:
                raise InvalidInput(str(error), field=name) from None


@transaction.atomic
def seeker_create(
    *, actor, organization: Organization | None = None, check_duplicates: bool = False, **fields
) -> Seeker:
    """A helper adds a seeker to ``organization`` (by default the first Site they joined, or for someone at no
    Site their first organization: claimers refer people too).

    The way to contact them must have its detail ("Email" an email address, "Phone" and "Text message" a
    phone number); when not given, it follows the details given (seekers.validation).
    The organization must be one the helper belongs to. The profile is recorded as created by the
    helper and joins the helper's first team there (a team that shares outbound referrals shares its
    people too).
    With ``check_duplicates``, a likely match already in the organization (seekers.selectors
    .seeker_likely_matches) refuses with LikelyDuplicate and nothing is saved.
    """
    if organization is None:
        membership = referring_membership_for(actor)
        organization = membership.organization if membership else None
    if organization is None:
        raise NotAllowed("Only members of an organization can add the people they help.")
    policies.check(actor, "add_seeker", organization)
    _check_fields(fields)
    if "contact_preference" not in fields:
        fields["contact_preference"] = default_contact_preference(
            email=fields.get("email", ""), phone=fields.get("phone", "")
        )
    teams = teams_of(actor, organization)
    seeker = Seeker(
        organization=organization,
        created_by=actor,
        team=teams[0] if teams else None,
        last_activity_at=timezone.now(),
        **fields,
    )
    _check_contact_detail(seeker)
    seeker.full_clean(exclude=["organization", "created_by", "team", "user"])
    if check_duplicates:
        matches, hidden = seeker_likely_matches(
            user=actor,
            organization=organization,
            first_name=seeker.first_name,
            last_name=seeker.last_name,
            email=seeker.email,
            phone=seeker.phone,
            date_of_birth=seeker.date_of_birth,
            zip_code=seeker.zip_code,
        )
        if matches or hidden:
            raise LikelyDuplicate(
                "Your organization may already help this person: open their profile, or "
                "confirm that this is someone else.",
                matches=matches,
                hidden_matches=hidden,
            )
    seeker.save()
    return seeker


@transaction.atomic
def seeker_for_self_referral(
    *, organization: Organization, first_name: str, last_name: str, contact_kind: str, contact: str, language: str
) -> Seeker:
    """The seeker record a confirmed self-referral is made for, kept by the program's ``organization``
    (seeker_door.services.self_referral_confirm): the one an earlier self-referral to one of its programs made
    for the same verified contact, else a new one (created by nobody, on no team) reached on that contact.
    Profiles a helper made are never reused: their details are the helper's record, not what a stranger typed."""
    email, phone = (contact, "") if contact_kind == "email" else ("", contact)
    same_contact = {"email__iexact": email} if email else {"phone": phone}
    existing = (
        Seeker.objects.for_organization(organization)
        .filter(created_by__isnull=True, team__isnull=True, referrals__referred_by__isnull=True, **same_contact)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing
    seeker = Seeker(
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        preferred_language=language if language in Seeker.Language.values else Seeker.Language.ENGLISH,
        contact_preference=Seeker.ContactPreference.EMAIL if email else Seeker.ContactPreference.TEXT,
        last_activity_at=timezone.now(),
    )
    seeker.full_clean(exclude=["organization", "created_by", "team", "user"])
    seeker.save()
    return seeker


@transaction.atomic
def seeker_update(*, actor, seeker: Seeker, **fields) -> Seeker:
    """Changes the personal information of a profile ``actor`` helps. Only the given fields change.

    A change to the way of contacting the person, their email or their phone must leave the chosen way with
    its detail ("Email" needs an email address, "Phone" and "Text message" a phone number).
    """
    policies.check(actor, "change", seeker)
    _check_fields(fields)
    for name, value in fields.items():
        setattr(seeker, name, value)
    if "phone" in fields:  # normalized above: a number kept unread from before validation is fixed or gone
        seeker.phone_needs_check = False
    if set(fields) & set(CONTACT_FIELDS):
        _check_contact_detail(seeker)
    seeker.last_activity_at = timezone.now()
    seeker.full_clean(exclude=["organization", "created_by", "team", "user"])
    seeker.save()
    return seeker


IDENTIFIER_MAX_LENGTH = 255


@transaction.atomic
def seeker_identifiers_add(*, actor, seeker: Seeker, identifiers) -> None:
    """Records identifiers another system keeps for ``seeker`` ((system, value) pairs, e.g. an EHR's medical
    record number), so that a later referral naming one finds this profile. ``actor`` must work for the
    seeker's organization: identifiers are the organization's (an EHR connected to it names its patients by
    them), whoever on its staff keeps the profile.

    An identifier the seeker already has is left as it is; one that names another person of the
    organization is refused (InvalidInput), and nothing is recorded.
    """
    policies.check(actor, "record_identifiers", seeker)
    wanted = []
    for system, value in identifiers:
        system, value = str(system).strip(), str(value).strip()
        if not system or not value:
            raise InvalidInput("An identifier needs a system and a value.", field="identifier")
        if len(system) > IDENTIFIER_MAX_LENGTH or len(value) > IDENTIFIER_MAX_LENGTH:
            raise InvalidInput(
                f"An identifier's system and value are at most {IDENTIFIER_MAX_LENGTH} characters.", field="identifier"
            )
        if (system, value) not in wanted:
            wanted.append((system, value))
    held = {
        (row.system, row.value): row.seeker_id
        for row in SeekerIdentifier.objects.for_organization(seeker.organization_id).filter(
            system__in=[system for system, _ in wanted], value__in=[value for _, value in wanted]
        )
    }
    for pair in wanted:
        if held.get(pair, seeker.pk) != seeker.pk:
            raise InvalidInput(
                f"The identifier {pair[0]}|{pair[1]} already names another person your organization helps.",
                field="identifier",
            )
    SeekerIdentifier.objects_across_tenants.bulk_create(
        [
            SeekerIdentifier(organization_id=seeker.organization_id, seeker=seeker, system=system, value=value)
            for system, value in wanted
            if (system, value) not in held
        ]
    )
