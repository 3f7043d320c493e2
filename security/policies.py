"""The rule book of signing in: who must use a second factor, and when a request has satisfied it. The
middleware enforces it on every page, the account pages show it, the API's token endpoint asks it before it
issues a token."""

from __future__ import annotations

from django.conf import settings

from accounts import policies as organization_policies


def requires_two_factor(user, *, is_admin: bool | None = None) -> bool:
    """Organization admins, staff and superusers must sign in with a second factor (when enforced).

    ``is_admin``: whether the person administers an organization, when the caller read it already (the API's
    token check reads it in the token's own query); None reads it here."""
    if not getattr(settings, "MFA_REQUIRED_FOR_ADMINS", True):
        return False
    if user.is_superuser or user.is_staff:
        return True
    if is_admin is not None:
        return bool(is_admin)
    return organization_policies.administers_any(user)


def second_factor_roles(user) -> str:
    """The roles of the account that decide whether a second factor is needed and that live on the account
    row (read without a query): superuser and staff. A session's allowance to go without a second factor is given
    for these roles and lapses when they change. Admin memberships are not read here: gaining one ends the person's
    sessions and API tokens (``accounts.services.membership_set``). API tokens follow the same rule, checked
    against the roles of each request (``token_second_factor_satisfied``)."""
    return f"superuser={int(bool(user.is_superuser))},staff={int(bool(user.is_staff))}"


def second_factor_satisfied(user, *, verified: bool, allowance: str | None) -> bool:
    """The rule of every signed-in request (security.middleware.TwoFactorMiddleware; the API issues a token only
    after the same check, api.views.TokenView): a request acts with the person's rights when it was verified with
    a second factor, or when it was allowed in without one for the roles the person still has. Anything else
    must sign in again."""
    return bool(verified) or (allowance is not None and allowance == second_factor_roles(user))


def token_second_factor_satisfied(user, *, with_second_factor: bool, is_admin: bool | None = None) -> bool:
    """The same rule for an API token (api.authentication): a token issued with a verified second factor acts
    with the person's rights; one issued without acts only while the person's roles (staff, superuser,
    organization admin anywhere: ``requires_two_factor``, read at every request) need none. Anything else
    must ask for a new token with a code."""
    return bool(with_second_factor) or not requires_two_factor(user, is_admin=is_admin)
