"""Organizations, memberships and teams. Group membership follows these rows, so access changes at once."""

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from core.errors import InvalidInput
from core.text import clean_text

from . import policies, signals
from .models import Invitation, Membership, Organization, Team, TeamMembership, User


@transaction.atomic
def organization_create(
    *, name: str, runs_site: bool = False, slug: str | None = None, hsds_id: str | None = None, description: str = ""
) -> Organization:
    slug = slug or slugify(name)[:80]
    group = Group.objects.create(name=f"org:{slug}:admins")
    return Organization.objects.create(
        name=name, slug=slug, runs_site=runs_site, admin_group=group, hsds_id=hsds_id or None, description=description
    )


ORGANIZATION_EDITABLE = frozenset({"name", "slug", "runs_site", "hsds_id", "description", "is_active"})
TEAM_EDITABLE = frozenset({"name", "shares_outbound"})


def _update(instance, editable: frozenset, fields: dict):
    unknown = set(fields) - editable
    if unknown:
        raise InvalidInput(
            f"cannot change {', '.join(sorted(unknown))} of {type(instance).__name__}", code="not_editable"
        )
    for name, value in fields.items():
        setattr(instance, name, value)
    if fields:
        # Only the fields given: a change made meanwhile to another field is not overwritten.
        instance.save(update_fields=sorted(fields))
    return instance


@transaction.atomic
def organization_update(*, organization: Organization, **fields) -> Organization:
    """A network admin corrects an organization's details (name, slug, runs_site, hsds_id, description), or
    switches it off when it leaves the network (is_active: its programs are no longer found).

    Its admin group and memberships never change here (they follow membership_set); other fields are refused
    (InvalidInput).
    """
    return _update(organization, ORGANIZATION_EDITABLE, fields)


@transaction.atomic
def membership_set(
    *, user: User, organization: Organization, role: str = Membership.Role.WORKER, joined_at=None
) -> Membership:
    """Adds ``user`` to ``organization`` (or changes their role). Admins join the admin group."""
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": role, "joined_at": joined_at or timezone.now()}
    )
    role_changed = promoted = False
    if not created and membership.role != role:
        role_changed = True
        promoted = role == Membership.Role.ADMIN
        membership.role = role
        membership.save(update_fields=["role"])
    elif created and role == Membership.Role.ADMIN:
        role_changed = True  # an existing account's tokens were issued for the rights it had before
        # An account that joins as an admin, was one nowhere before and has signed in may have sessions begun
        # without a second factor (as a worker elsewhere): like a promotion, that ends them (a new account has
        # none).
        promoted = user.last_login is not None and not (
            user.is_superuser
            or Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exclude(pk=membership.pk).exists()
        )
    if role_changed:
        # privacy ends their API tokens and, for a promotion, their sessions (admins sign in with a second
        # factor): accounts.signals.role_changed.
        signals.role_changed.send(sender=Membership, user=user, organization=organization, role=role, promoted=promoted)
    if role == Membership.Role.ADMIN:
        user.groups.add(organization.admin_group)
    else:
        user.groups.remove(organization.admin_group)
    return membership


@transaction.atomic
def membership_remove(*, user: User, organization: Organization) -> None:
    """Takes ``user`` out of ``organization``: its admin group, its teams, the claims on its programs
    (someone who left no longer receives the organization's inbound referrals) and their own grants on the
    referrals they made for it (the referrer's grant is the person's, not a group's: without this, someone
    who left would keep those seekers' names, contact details and notes). The referrals stay."""
    Membership.objects.filter(user=user, organization=organization).delete()
    user.groups.remove(organization.admin_group)
    for membership in TeamMembership.objects.filter(user=user, team__organization=organization).select_related("team"):
        team_remove_member(team=membership.team, user=user)
    # The claims (programs) and the grants (referrals): the apps that hold them hear of it.
    signals.member_removed.send(sender=Membership, user=user, organization=organization)


@transaction.atomic
def team_create(*, organization: Organization, name: str, shares_outbound: bool = False) -> Team:
    group = Group.objects.create(name=f"team:{organization.slug}:{uuid.uuid4().hex}")
    return Team.objects.create(organization=organization, name=name, shares_outbound=shares_outbound, group=group)


@transaction.atomic
def team_update(*, team: Team, **fields) -> Team:
    """A network admin, or an admin of the team's organization (through ``organization_team_rename`` and
    ``organization_team_set_sharing``, which check that), renames a team or switches its sharing (not
    retroactive: grants are given when a referral is made). The organization and group of a team never
    change; other fields are refused (InvalidInput)."""
    return _update(team, TEAM_EDITABLE, fields)


@transaction.atomic
def team_add_member(*, team: Team, user: User, joined_at=None) -> TeamMembership:
    if not Membership.objects.filter(user=user, organization=team.organization).exists():
        raise InvalidInput(f"{user.display_name} is not a member of {team.organization.name}.", code="not_a_member")
    membership, _ = TeamMembership.objects.get_or_create(
        team=team, user=user, defaults={"joined_at": joined_at or timezone.now()}
    )
    user.groups.add(team.group)
    return membership


@transaction.atomic
def team_remove_member(*, team: Team, user: User) -> None:
    TeamMembership.objects.filter(team=team, user=user).delete()
    user.groups.remove(team.group)


# ---------------------------------------------------------------------------------------------------------
# Organization admins: members, teams and sharing (the Organization pages). Each use case takes the acting
# user, refuses anyone but an admin of the organization (or a network admin) with NotAllowed, refuses
# bad input with InvalidInput (by field, with a message for people) before writing anything, and is
# recorded in Django's admin history of the object (LogEntry) and the log.

logger = logging.getLogger("accounts.organization")

TEAM_NAME_MAX_LENGTH = Team._meta.get_field("name").max_length
PERSON_NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length


def organization_admin_required(*, actor, organization: Organization) -> None:
    """NotAllowed unless ``actor`` administers ``organization`` (accounts.policies)."""
    policies.check(actor, "administer", organization)


def organization_change_record(*, actor, obj, message: str) -> None:
    """Records an organization admin's change where network admins read changes: the object's history in
    the Django admin (LogEntry), and the application log."""
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=[obj], action_flag=CHANGE, change_message=message, single_object=True
    )
    # The log leaves out email addresses; the admin history keeps them.
    logger.info(
        "%s %s changed by user %s: %s", type(obj).__name__, obj.pk, actor.pk, re.sub(r"\s*<[^<>]*>", "", message)
    )


def _clean_text(value, *, field: str, label: str, max_length: int) -> str:
    return clean_text(value, field=field, label=label, max_length=max_length, required=True, one_line=True)


def _clean_role(role) -> str:
    if role not in Membership.Role.values:
        raise InvalidInput("Choose Worker or Organization admin.", field="role")
    return role


def _member(organization: Organization, user, *, lock: bool = False) -> Membership:
    memberships = Membership.objects.filter(organization=organization, user=user)
    membership = (memberships.select_for_update() if lock else memberships).first()
    if membership is None:
        raise InvalidInput(f"{user.display_name} is not a member of {organization.name}.", code="not_a_member")
    return membership


def _lock_memberships(organization: Organization) -> None:
    """Role changes and removals in one organization wait for each other (its row is locked first, before
    any membership row): two admins demoting each other at once are served one after the other, instead of
    each locking the other's row and PostgreSQL aborting one of them as a deadlock."""
    Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk", flat=True).first()


def _refuse_losing_last_admin(organization: Organization, membership: Membership, *, verb: str) -> None:
    """Every organization keeps at least one admin. The admin rows are locked, so two admins demoting each
    other at the same moment cannot both succeed."""
    admins = list(
        Membership.objects.select_for_update()
        .filter(organization=organization, role=Membership.Role.ADMIN)
        .values_list("user_id", flat=True)
    )
    if policies.is_only_admin(membership, admin_user_ids=admins):
        raise InvalidInput(
            f"{membership.user.display_name} is the only admin of {organization.name}, so they cannot be {verb}. "
            "Make someone else an admin first.",
            code="last_admin",
        )


@dataclass(frozen=True)
class MemberAdded:
    membership: Membership | None  # None: an invitation was sent instead (``invitation``)
    invitation: Invitation | None = None

    @property
    def invited(self) -> bool:
        """A member now, who has no password yet and was emailed a link to choose one."""
        return self.membership is not None


@transaction.atomic
def organization_member_add(
    *,
    actor,
    organization: Organization,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = Membership.Role.WORKER,
) -> MemberAdded:
    """An organization admin adds a colleague by email address.

    Someone who already works at an organization of the network and uses their account (it has a password or
    has signed in) is sent an invitation instead (``organization_invitation_create``): nothing of theirs (their
    memberships, sessions, API tokens) changes until they accept it. For a new address, an account without a
    usable password is made, joins at once, and its person is emailed (through the outbox) a link to choose
    their password; so does an account another organization made whose person has not chosen a password nor
    signed in yet (it has no session or token to protect). A member already, any other existing account (a
    seeker's own, a switched-off one: one message that reveals nothing of it), a malformed address or a
    missing name: InvalidInput, nothing written.
    """
    organization_admin_required(actor=actor, organization=organization)
    role = _clean_role(role)
    email = User.objects.normalize_email(" ".join(str(email or "").split())).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput("Enter an email address like name@example.org.", field="email") from None
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and Membership.objects.filter(organization=organization, user=user).exists():
        raise InvalidInput(f"{email} is already a member of {organization.name}.", field="email")
    works_elsewhere = user is not None and user.is_active and Membership.objects.filter(user=user).exists()
    if not works_elsewhere:
        # Only people who already work at an organization of the network are added as they are. Anyone else
        # with an account (a seeker's own account, a switched-off one) is never revealed to another
        # organization: their address is answered exactly as an unknown one would be (the names are asked
        # for first), then refused with one message that gives no name and no reason.
        names, problems = {}, {}
        for field, value in (("first_name", first_name), ("last_name", last_name)):
            try:
                names[field] = _clean_text(
                    value, field=field, label=field.replace("_", " "), max_length=PERSON_NAME_MAX_LENGTH
                )
            except InvalidInput as error:
                problems.update(error.errors)
        if problems:  # both names at once, each on its field
            raise InvalidInput(errors=problems)
        if user is not None:
            raise InvalidInput(
                f"{email} cannot be added from this page. If they should join "
                f"{organization.name}, a network admin can add them.",
                field="email",
            )
        first_name, last_name = names["first_name"], names["last_name"]
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=None, first_name=first_name, last_name=last_name)
        except IntegrityError:  # someone added the same address a moment ago
            raise InvalidInput(f"An account for {email} was just made. Try again.", field="email") from None
    elif user.has_usable_password() or user.last_login is not None:
        # An account in use elsewhere: joining must not end its sessions or tokens, nor ask for a second factor,
        # until its person agrees.
        return MemberAdded(
            membership=None,
            invitation=organization_invitation_create(actor=actor, organization=organization, user=user, role=role),
        )
    membership = membership_set(user=user, organization=organization, role=role)
    signals.member_invited.send(sender=Membership, user=user, organization=organization, invited_by=actor)
    organization_change_record(
        actor=actor,
        obj=organization,
        message=f"Added {user.display_name} <{user.email}> as {membership.get_role_display()}"
        " (invited to choose a password).",
    )
    return MemberAdded(membership=membership)


@transaction.atomic
def organization_member_invite_again(*, actor, organization: Organization, user: User) -> None:
    """Emails a member who has not chosen a password yet a new link to choose one (the first may have
    expired: links last PASSWORD_RESET_TIMEOUT)."""
    organization_admin_required(actor=actor, organization=organization)
    _member(organization, user)
    if not user.is_active:
        raise InvalidInput(
            f"The account of {user.display_name} is switched off. A network admin can switch it on again.",
            code="inactive",
        )
    if user.has_usable_password():
        raise InvalidInput(
            f"{user.display_name} has chosen a password already. If they forgot it, they can ask "
            "for a new one from the sign-in page.",
            code="has_password",
        )
    signals.member_invited.send(sender=Membership, user=user, organization=organization, invited_by=actor)
    organization_change_record(
        actor=actor,
        obj=organization,
        message=f"Sent {user.display_name} <{user.email}> a new link to choose a password.",
    )


@transaction.atomic
def organization_member_set_role(*, actor, organization: Organization, user: User, role: str) -> Membership:
    """Makes a member a worker or an admin. The last admin cannot be made a worker. A promotion ends the
    person's sessions (admins sign in with a second factor); see membership_set."""
    organization_admin_required(actor=actor, organization=organization)
    role = _clean_role(role)
    _lock_memberships(organization)
    membership = _member(organization, user, lock=True)
    if membership.role == role:
        return membership
    if role != Membership.Role.ADMIN:
        _refuse_losing_last_admin(organization, membership, verb="made a worker")
    membership = membership_set(user=user, organization=organization, role=role)
    organization_change_record(
        actor=actor,
        obj=organization,
        message=f"Made {user.display_name} <{user.email}> {membership.get_role_display()}.",
    )
    return membership


@transaction.atomic
def organization_member_remove(*, actor, organization: Organization, user: User) -> None:
    """Takes a member out of the organization, its teams and its programs' claimers (membership_remove).
    The last admin cannot be removed. Their referrals stay; access through teams ends at once."""
    organization_admin_required(actor=actor, organization=organization)
    _lock_memberships(organization)
    membership = _member(organization, user, lock=True)
    _refuse_losing_last_admin(organization, membership, verb="removed")
    membership_remove(user=user, organization=organization)
    organization_change_record(
        actor=actor, obj=organization, message=f"Removed {user.display_name} <{user.email}> from the organization."
    )


def _clean_team_name(organization: Organization, name, *, team: Team | None = None) -> str:
    name = _clean_text(name, field="name", label="team name", max_length=TEAM_NAME_MAX_LENGTH)
    taken = Team.objects.filter(organization=organization, name__iexact=name)
    if team is not None:
        taken = taken.exclude(pk=team.pk)
    if taken.exists():
        raise _team_name_taken(organization, name)
    return name


def _team_name_taken(organization: Organization, name: str) -> InvalidInput:
    return InvalidInput(f"{organization.name} already has a team called “{name}”.", field="name", code="taken")


@transaction.atomic
def organization_team_create(*, actor, organization: Organization, name: str, shares_outbound: bool = False) -> Team:
    """An organization admin creates a team (a name not used by another of its teams, whatever the case)."""
    organization_admin_required(actor=actor, organization=organization)
    name = _clean_team_name(organization, name)
    try:
        with transaction.atomic():
            team = team_create(organization=organization, name=name, shares_outbound=bool(shares_outbound))
    except IntegrityError:
        raise _team_name_taken(organization, name) from None
    organization_change_record(
        actor=actor,
        obj=team,
        message=f"Created the team, sharing outbound referrals {'on' if team.shares_outbound else 'off'}.",
    )
    return team


@transaction.atomic
def organization_team_rename(*, actor, team: Team, name: str) -> Team:
    organization_admin_required(actor=actor, organization=team.organization)
    old = team.name
    name = _clean_team_name(team.organization, name, team=team)
    if name == old:
        return team
    try:
        with transaction.atomic():
            team_update(team=team, name=name)
    except IntegrityError:
        team.name = old
        raise _team_name_taken(team.organization, name) from None
    organization_change_record(actor=actor, obj=team, message=f"Renamed from “{old}” to “{name}”.")
    return team


@transaction.atomic
def organization_team_set_sharing(*, actor, team: Team, shares_outbound: bool) -> Team:
    """Switches the team's sharing of outbound referrals. Not retroactive: referrals already made keep the
    grants they were given (or not given) when they were made."""
    organization_admin_required(actor=actor, organization=team.organization)
    shares_outbound = bool(shares_outbound)
    if team.shares_outbound == shares_outbound:
        return team
    team_update(team=team, shares_outbound=shares_outbound)
    organization_change_record(
        actor=actor, obj=team, message=f"Sharing of outbound referrals switched {'on' if shares_outbound else 'off'}."
    )
    return team


@transaction.atomic
def organization_team_add_member(*, actor, team: Team, user: User) -> TeamMembership:
    """Only the organization's members may join its teams. Access through the team starts at once."""
    organization_admin_required(actor=actor, organization=team.organization)
    _member(team.organization, user)
    if TeamMembership.objects.filter(team=team, user=user).exists():
        raise InvalidInput(f"{user.display_name} is already in {team.name}.", code="already_member")
    membership = team_add_member(team=team, user=user)
    organization_change_record(actor=actor, obj=team, message=f"Added {user.display_name} <{user.email}>.")
    return membership


@transaction.atomic
def organization_team_remove_member(*, actor, team: Team, user: User) -> None:
    organization_admin_required(actor=actor, organization=team.organization)
    if not TeamMembership.objects.filter(team=team, user=user).exists():
        raise InvalidInput(f"{user.display_name} is not in {team.name}.", code="not_a_member")
    team_remove_member(team=team, user=user)
    organization_change_record(actor=actor, obj=team, message=f"Removed {user.display_name} <{user.email}>.")


# ---------------------------------------------------------------------------------------------------------
# Invitations: someone who already has an account (and works at an organization of the network) joins another
# organization only when they accept, signed in as that account. Until then nothing of theirs changes: not their
# memberships, not their sessions, not their API tokens (issue 12, item 7).

INVITATION_SALT = "accounts.invitation"


class InvitationError(InvalidInput):
    """The invitation cannot be used: a link that was tampered with, one accepted or cancelled already, an
    expired one. The page says which, and what to do."""


def invitation_link_token(invitation: Invitation) -> str:
    """The signed value of the link emailed to the invitee (it names the invitation; the signature makes it
    unforgeable, the invitation's ``expires_at`` makes it expire)."""
    return signing.dumps({"invitation": str(invitation.public_id)}, salt=INVITATION_SALT)


def _pending(queryset, *, now=None):
    return queryset.filter(accepted_at__isnull=True, cancelled_at__isnull=True, expires_at__gt=now or timezone.now())


@transaction.atomic
def organization_invitation_create(*, actor, organization: Organization, user: User, role: str) -> Invitation:
    """Invites an existing account to join ``organization`` as ``role``, and emails it the link to accept
    (accounts.signals.invitation_sent; the notifications outbox sends it). Nothing else changes until the
    person accepts (``invitation_accept``). A second open invitation of the same person is refused."""
    organization_admin_required(actor=actor, organization=organization)
    role = _clean_role(role)
    _lock_memberships(organization)
    open_one = _pending(Invitation.objects.filter(organization=organization, user=user)).first()
    if open_one is not None:
        raise InvalidInput(
            f"{user.email} was invited on {open_one.created_at:%b %-d, %Y}; the invitation is open "
            f"until {open_one.expires_at:%b %-d, %Y}. Cancel it below to send a new one.",
            field="email",
        )
    now = timezone.now()
    invitation = Invitation.objects.create(
        organization=organization,
        user=user,
        email=user.email,
        role=role,
        invited_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=settings.ORGANIZATION_INVITATION_DAYS),
    )
    signals.invitation_sent.send(sender=Invitation, invitation=invitation, token=invitation_link_token(invitation))
    organization_change_record(
        actor=actor,
        obj=organization,
        message=f"Invited {user.display_name} <{user.email}> to join as "
        f"{invitation.get_role_display()} (open until "
        f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC).",
    )
    return invitation


def invitation_read(*, token: str, user) -> Invitation:
    """The invitation a link names, for ``user`` to accept. A tampered link: InvitationError. An invitation of
    another account: Invitation.DoesNotExist (a 404: a link that reaches the wrong person opens nothing). One
    accepted, cancelled or expired: InvitationError saying so."""
    try:
        data = signing.loads(str(token), salt=INVITATION_SALT)
        public_id = uuid.UUID(str(data["invitation"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InvitationError(
            "This link does not work. Open the link in the invitation email as it is, or ask "
            "an admin of the organization to invite you again.",
            code="link_invalid",
        ) from None
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(public_id=public_id, user_id=user.pk)
        .first()
    )
    if invitation is None:
        raise Invitation.DoesNotExist
    name = invitation.organization.name
    if invitation.accepted_at is not None:
        raise InvitationError(
            f"You accepted this invitation on {invitation.accepted_at:%b %-d, %Y} already: you are a member of {name}.",
            code="used",
        )
    if invitation.cancelled_at is not None:
        raise InvitationError(
            f"{name} cancelled this invitation. Ask one of its admins to invite you again if you should join.",
            code="cancelled",
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            f"This invitation expired on {invitation.expires_at:%b %-d, %Y}. Ask an admin of "
            f"{name} to invite you again.",
            code="expired",
        )
    return invitation


def invitation_ends_tokens(invitation: Invitation) -> bool:
    """Whether accepting ends the person's API tokens (joining as an admin is a role change: membership_set)."""
    return invitation.role == Membership.Role.ADMIN


def invitation_signs_out(invitation: Invitation) -> bool:
    """Whether accepting ends the person's sessions too (``membership_set``: they become an admin and were one
    nowhere before): the page says so before they accept."""
    user = invitation.user
    return (
        invitation.role == Membership.Role.ADMIN
        and user.last_login is not None
        and not user.is_superuser
        and not Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()
    )


@dataclass(frozen=True)
class InvitationAccepted:
    membership: Membership
    changed: bool  # False: they were a member already (added meanwhile), and their role stays as it is
    signs_out: bool  # their sessions end (they sign in again, with a second factor)


@transaction.atomic
def invitation_accept(*, user, token: str) -> InvitationAccepted:
    """The invitee, signed in as the invited account, accepts: the membership is made through
    ``membership_set``, which ends their API tokens (and, for a first admin role, their sessions) as every
    role change does. Checked again under locks: an invitation is accepted once."""
    invitation = invitation_read(token=token, user=user)
    _lock_memberships(invitation.organization)
    invitation = Invitation.objects.select_for_update().select_related("organization", "user").get(pk=invitation.pk)
    invitation_read(token=token, user=user)  # accepted or cancelled meanwhile: refused
    membership = Membership.objects.filter(user=user, organization=invitation.organization).first()
    signs_out = changed = False
    if membership is None:
        signs_out = invitation_signs_out(invitation)
        membership = membership_set(user=user, organization=invitation.organization, role=invitation.role)
        changed = True
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    organization_change_record(
        actor=user,
        obj=invitation.organization,
        message=(
            f"{user.display_name} <{user.email}> accepted the invitation and joined as {membership.get_role_display()}."
            if changed
            else f"{user.display_name} <{user.email}> accepted the invitation (a member already)."
        ),
    )
    return InvitationAccepted(membership=membership, changed=changed, signs_out=signs_out)


@transaction.atomic
def organization_invitation_cancel(*, actor, invitation: Invitation) -> Invitation:
    """An admin of the invitation's organization cancels it before it is accepted: its link opens nothing
    from then on. One accepted, cancelled or expired already: InvalidInput."""
    organization_admin_required(actor=actor, organization=invitation.organization)
    invitation = Invitation.objects.select_for_update().select_related("organization", "user").get(pk=invitation.pk)
    if not _pending(Invitation.objects.filter(pk=invitation.pk)).exists():
        raise InvalidInput(
            f"The invitation of {invitation.email} is no longer open (accepted, cancelled or expired).", code="not_open"
        )
    invitation.cancelled_at = timezone.now()
    invitation.cancelled_by = actor
    invitation.save(update_fields=["cancelled_at", "cancelled_by"])
    organization_change_record(
        actor=actor,
        obj=invitation.organization,
        message=f"Cancelled the invitation of {invitation.user.display_name} <{invitation.email}>.",
    )
    return invitation
