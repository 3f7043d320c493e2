"""Account security use cases: two-factor enrolment, recovery codes, changing email, API tokens, ending
sessions and tokens, deactivation."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from core import erasure
from core.errors import InvalidInput

from .models import ApiToken

logger = logging.getLogger("security")

TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def totp_pending_device(*, user) -> TOTPDevice:
    """The unconfirmed authenticator device being enrolled (one per user, made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_text(device: TOTPDevice) -> str:
    """The base32 secret, grouped by four for typing it in by hand."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, drawn on the server (no script, no inline style)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    svg = image.to_string(encoding="unicode")
    return svg.replace("<svg ", '<svg class="qr" role="img" aria-label="QR code for your authenticator app" ', 1)


@transaction.atomic
def totp_confirm(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirms the pending device when ``token`` matches; returns fresh recovery codes, or None."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token((token or "").replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """Replaces the user's recovery codes: random, single-use (django-otp's static device), shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(settings.MFA_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def two_factor_disable(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


class EmailChangeError(InvalidInput):
    """The email cannot be changed: a wrong password, a malformed address, a link that no longer works."""


EMAIL_CHANGE_SALT = "privacy.email_change"  # its name when it lived in privacy: links already sent still work


@transaction.atomic
def user_request_email_change(*, user, password: str, new_email: str) -> None:
    """Asks for a new sign-in email after checking the password again (re-authentication), and emails the new
    address a signed link (EMAIL_CHANGE_TIMEOUT seconds) that makes the change (``user_confirm_email_change``).

    Whether the address is free or taken, the caller answers the same: an address that another account uses
    is sent nothing, so nobody learns from this form whether an address has an account.
    """
    if not user.check_password(password or ""):
        raise EmailChangeError("That password is not right.", field="password")
    new_email = get_user_model().objects.normalize_email((new_email or "").strip()).lower()
    try:
        validate_email(new_email)
    except ValidationError as error:
        raise EmailChangeError("Enter a valid email address.", field="new_email") from error
    if new_email == user.email.lower():
        raise EmailChangeError("That is your sign-in email already.", field="new_email")
    if get_user_model().objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        return
    from accounts.signals import email_change_requested

    token = signing.dumps({"user": user.pk, "from": user.email, "to": new_email}, salt=EMAIL_CHANGE_SALT)
    email_change_requested.send(
        sender=EmailChangeRequest,
        user=user,
        new_email=new_email,
        token=token,
        valid_hours=max(1, settings.EMAIL_CHANGE_TIMEOUT // 3600),
    )


@dataclass(frozen=True)
class EmailChangeRequest:
    user: object
    new_email: str


def email_change_read(*, token: str) -> EmailChangeRequest:
    """The change a link asks for, or EmailChangeError: tampered, expired, already used (the account's email
    is no longer the one the link was made from) or an address someone took meanwhile."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
        user = get_user_model().objects.get(pk=data["user"], is_active=True)
        old_email, new_email = str(data["from"]), str(data["to"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, get_user_model().DoesNotExist):
        raise EmailChangeError(
            "This link does not work any more. Ask for a new one on your account page.", code="link_invalid"
        ) from None
    if user.email != old_email:
        raise EmailChangeError("This link was used already, or your email changed since it was sent.", code="link_used")
    if get_user_model().objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise EmailChangeError("This address cannot be used. Ask for a change to another address.", code="taken")
    return EmailChangeRequest(user=user, new_email=new_email)


@transaction.atomic
def user_confirm_email_change(*, token: str):
    """Makes the change a link asks for (``email_change_read``'s checks, again under a lock). Returns the user."""
    request = email_change_read(token=token)
    user = get_user_model().objects.select_for_update().get(pk=request.user.pk)
    if user.email != request.user.email:
        raise EmailChangeError("This link was used already, or your email changed since it was sent.", code="link_used")
    user.email = request.new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        raise EmailChangeError(
            "This address cannot be used. Ask for a change to another address.", code="taken"
        ) from None
    return user


def sessions_end_for(*, user) -> int:
    """Ends every database session of ``user`` (sessions are stored in the database)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def api_tokens_end_for(*, user, reason: str) -> int:
    """Ends every API token of ``user`` now (in the caller's transaction: a change that rolls back keeps them)."""
    ended = AuthToken.objects.filter(user=user).delete()[1].get(AuthToken._meta.label, 0)
    if ended:
        logger.info("Ended %s API token(s) of user %s: %s.", ended, user.pk, reason)
    return ended


def sign_ins_end_for(*, user, reason: str) -> None:
    """The one place that ends everything an account is signed in with: its API tokens now, its sessions
    once the change commits (a session is read through the cache, so it is ended only for a change that
    happened)."""
    api_tokens_end_for(user=user, reason=reason)
    transaction.on_commit(lambda: sessions_end_for(user=user))


def sign_ins_end_on_role_change(sender, *, user, promoted: bool, **kwargs) -> None:
    """accounts.signals.role_changed: any role change (a promotion, joining an organization as its admin, a
    demotion) ends the person's API tokens, so a token never carries rights it was not issued for. A promotion
    also ends their sessions: admins sign in with a second factor, and sessions that began without one must
    not carry the new rights."""
    if promoted:
        sign_ins_end_for(user=user, reason="made an admin")
    else:
        api_tokens_end_for(user=user, reason="role changed")


# --- API tokens -------------------------------------------------------------------------------------------


def api_token_ttl() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_TTL_HOURS)


@transaction.atomic
def api_token_issue(*, user, with_second_factor: bool) -> tuple[ApiToken, str]:
    """Issues a new API token for one device: returns the row and the token itself (shown once; only its hash
    is stored). The caller has checked the password, and the second factor when ``with_second_factor``. The
    account's expired tokens are cleared at the same time. Recorded in the account's admin history."""
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    knox_token, secret = AuthToken.objects.create(user=user, expiry=api_token_ttl())
    token = ApiToken.objects.create(
        token=knox_token, with_second_factor=with_second_factor, password_fingerprint=ApiToken.fingerprint(user)
    )
    _account_change_record(
        user=user,
        actor=user,
        message=(
            f"Issued API token {token.token_key}… "
            f"({'with' if with_second_factor else 'without'} a second factor, expires {token.expiry:%Y-%m-%d %H:%M} UTC)."
        ),
    )
    return token, secret


def api_tokens_of(*, user) -> list[ApiToken]:
    """The account's tokens that still work (not expired, issued under the current password), newest first."""
    tokens = (
        ApiToken.objects.filter(token__user=user, token__expiry__gt=timezone.now())
        .select_related("token")
        .order_by("-token__created")
    )
    return [token for token in tokens if token.password_unchanged(user)]


def api_token_get(*, user, public_id) -> ApiToken:
    """One of ``user``'s own working tokens; anyone else's (or none) is ApiToken.DoesNotExist (a 404)."""
    for token in api_tokens_of(user=user):
        if str(token.public_id) == str(public_id):
            return token
    raise ApiToken.DoesNotExist


@transaction.atomic
def api_token_revoke(*, user, token: ApiToken) -> None:
    """The person ends one of their own tokens (it stops working at once). Recorded in the account's admin
    history and the log."""
    if token.token.user_id != user.pk:
        raise ApiToken.DoesNotExist
    AuthToken.objects.filter(pk=token.token_id).delete()
    _account_change_record(
        user=user,
        actor=user,
        message=(f"Revoked API token {token.token_key}… (issued {token.created:%Y-%m-%d %H:%M} UTC)."),
    )


def _account_change_record(*, user, actor, message: str) -> None:
    """Account security changes go where network admins read changes: the account's history in the Django
    admin (LogEntry), and the log."""
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=[user], action_flag=CHANGE, change_message=message, single_object=True
    )
    logger.info("User %s changed by user %s: %s", user.pk, actor.pk, message)


@transaction.atomic
def user_deactivate(*, user) -> None:
    """Deactivates an account: it can no longer sign in, its API tokens end and every open session ends now,
    not at its next request."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    sign_ins_end_for(user=user, reason="deactivated")


# --- the copies of an erased person security keeps (registered in SecurityConfig.ready, core.erasure) ------


def erase_sign_in_logs(person: erasure.Person) -> None:
    """django-axes' attempts and logs of sign-ins with the person's address (their username)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    if not person.emails:
        return
    usernames = {email.lower() for email in person.emails} | set(person.emails)
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=usernames).delete()
