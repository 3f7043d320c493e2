"""Account security use cases: two-factor enrolment, recovery codes, changing email, deactivation."""

from __future__ import annotations

import secrets

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.errors import InvalidInput

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
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


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
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME,
                                                   defaults={"confirmed": True})
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
    """The email cannot be changed: a wrong password, a malformed or taken address."""


@transaction.atomic
def user_change_email(*, user, password: str, new_email: str) -> None:
    """Changes the sign-in email after checking the password again (re-authentication)."""
    if not user.check_password(password or ""):
        raise EmailChangeError("That password is not right.")
    new_email = get_user_model().objects.normalize_email((new_email or "").strip()).lower()
    try:
        validate_email(new_email)
    except ValidationError as error:
        raise EmailChangeError("Enter a valid email address.") from error
    if get_user_model().objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise EmailChangeError("Another account uses that email address.")
    user.email = new_email
    user.save(update_fields=["email"])


def sessions_end_for(*, user) -> int:
    """Ends every database session of ``user`` (sessions are stored in the database)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


def sessions_end_on_promotion(sender, *, user, **kwargs) -> None:
    """accounts.signals.admin_promoted: admins sign in with a second factor, so the sessions that began
    without one end once the promotion commits."""
    transaction.on_commit(lambda: sessions_end_for(user=user))


@transaction.atomic
def user_deactivate(*, user) -> None:
    """Deactivates an account: it can no longer sign in, its API tokens stop working (DRF refuses inactive
    users) and every open session ends now, not at its next request."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    transaction.on_commit(lambda: sessions_end_for(user=user))
