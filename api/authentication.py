"""API tokens: `Authorization: Token <token>` (django-rest-knox's AuthToken, with security.ApiToken beside it).

knox's own check reads the token, then the person's other tokens on every request (to delete expired ones);
this one reads the token, what we record beside it, its person and whether they administer an organization
in one query, and writes
only the token's "last used" time, at most once a minute. A token is refused (401) when it does not exist,
was revoked, has expired, was issued under a password since changed, belongs to a switched-off account, or
was issued without a second factor for someone whose roles now need one (security.policies.s rule).
"""

from __future__ import annotations

import binascii
from datetime import timedelta
from hmac import compare_digest

from django.db.models import Exists, OuterRef
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS
from rest_framework import exceptions

from accounts.models import Membership
from security.models import ApiToken
from security.policies import token_second_factor_satisfied

# Writing "last used" on every request would cost a write per request; a minute of slack is fine.
LAST_USED_RESOLUTION = timedelta(seconds=60)
# knox's tokens are 64 hexadecimal characters (and a prefix of at most 10); anything much longer is not one.
MAX_TOKEN_LENGTH = 128


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        try:
            text = token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not text or len(text) > MAX_TOKEN_LENGTH:
            raise exceptions.AuthenticationFailed("Invalid token.")
        try:
            digest = hash_token(text)
        except (TypeError, ValueError, binascii.Error):
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        # A knox token without our record beside it (not issued by POST /api/v1/auth/token/) is not found.
        candidates = (
            ApiToken.objects.filter(token__token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH])
            .select_related("token__user")
            .annotate(
                holder_is_admin=Exists(
                    Membership.objects.filter(user=OuterRef("token__user"), role=Membership.Role.ADMIN)
                )
            )
        )
        found = next((candidate for candidate in candidates if compare_digest(digest, candidate.token.digest)), None)
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        user, now = found.token.user, timezone.now()
        if found.expiry is not None and found.expiry <= now:
            found.token.delete()
            raise exceptions.AuthenticationFailed("This token has expired. Ask for a new one.")
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if not found.password_unchanged(user):
            found.token.delete()
            raise exceptions.AuthenticationFailed(
                "The password changed since this token was issued. Ask for a new one."
            )
        if not token_second_factor_satisfied(
            user, with_second_factor=found.with_second_factor, is_admin=found.holder_is_admin
        ):
            raise exceptions.AuthenticationFailed(
                "This token was issued without a second factor, which your account now needs. Ask for a new "
                "one with a current code (otp).",
                code="second_factor_required",
            )
        if found.last_used is None or now - found.last_used >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
            found.last_used = now
        return user, found.token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The token in the OpenAPI schema: the same `tokenAuth` scheme DRF's tokens had (the header did not change)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")
