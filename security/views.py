"""The person's own account: two-factor sign-in (enrolment, the second step, recovery codes) and the sign-in
email. Each page answers for the signed-in person only; the rules are in security.services and the
middleware."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device

from core.errors import add_to_form
from core.ratelimit import hit, ratelimit, request_key, too_many_requests

from . import services as account_services
from .models import ApiToken
from .policies import requires_two_factor


def _safe_next(request, default="/"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


# --- two-factor -----------------------------------------------------------------------------------------


@login_required
def two_factor_overview(request):
    return render(
        request,
        "security/two_factor.html",
        {
            "has_device": user_has_device(request.user),
            "required": requires_two_factor(request.user),
            "codes_left": account_services.recovery_codes_left(user=request.user),
            "api_tokens": account_services.api_tokens_of(user=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect("security:two_factor_verify")
    if user_has_device(request.user):
        messages.info(request, "Two-factor sign-in is already on.")
        return redirect("security:two_factor")
    device = account_services.totp_pending_device(user=request.user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = account_services.totp_confirm(user=request.user, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "security/recovery_codes.html", {"codes": codes, "next": _safe_next(request)})
        form.add_error("token", "That code did not match. Check the time on your phone and try the newest code.")
    return render(
        request,
        "security/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": account_services.totp_qr_svg(device),
            "secret": account_services.totp_secret_text(device),
            "required": requires_two_factor(request.user),
            "next": _safe_next(request, ""),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if not user_has_device(request.user):
        return redirect("security:two_factor_enrol")
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not hit("mfa_verify", f"{request.user.pk}:{request_key(request)}"):
            return too_many_requests(request, "mfa_verify")
        if form.is_valid():
            device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
            if device is not None:
                otp_login(request, device)
                return redirect(_safe_next(request))
            form.add_error("token", "That code did not work. Use the newest code from your app, or a recovery code.")
    return render(
        request,
        "security/two_factor_verify.html",
        {"form": form, "next": _safe_next(request, "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def recovery_codes_regenerate(request):
    if not request.user.is_verified():
        raise PermissionDenied
    codes = account_services.recovery_codes_regenerate(user=request.user)
    return render(request, "security/recovery_codes.html", {"codes": codes, "next": "/account/two-factor/"})


@login_required
@require_POST
def two_factor_disable(request):
    if not request.user.is_verified():
        raise PermissionDenied
    if requires_two_factor(request.user):
        messages.error(request, "Organization admins and network admins must keep two-factor sign-in on.")
        return redirect("security:two_factor")
    account_services.two_factor_disable(user=request.user)
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("security:two_factor")


# --- API tokens -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke(request, public_id):
    """Asks first (GET), then revokes (POST) one of the signed-in person's own API tokens; anyone else's
    token, an expired or ended one, and one that does not exist are all 404."""
    try:
        token = account_services.api_token_get(user=request.user, public_id=public_id)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    if request.method == "POST":
        account_services.api_token_revoke(user=request.user, token=token)
        messages.success(request, f"API token {token.token_key}… is revoked: it no longer works.")
        return redirect(f"{reverse('security:two_factor')}#api-tokens")
    return render(request, "security/api_token_revoke.html", {"token": token})


# --- email ----------------------------------------------------------------------------------------------


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label="New email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


EMAIL_CHANGE_SENT = (
    "If {email} can be used, a link to confirm it is on its way there. Your sign-in email "
    "changes when you open that link; until then it stays {current}."
)


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not hit("sign_in", request_key(request)):
            return too_many_requests(request, "sign_in")
        try:
            account_services.user_request_email_change(
                user=request.user, password=form.cleaned_data["password"], new_email=form.cleaned_data["new_email"]
            )
        except account_services.EmailChangeError as error:
            add_to_form(form, error)
        else:
            # One answer whether the address is free or taken (security.services.user_request_email_change).
            messages.success(
                request,
                EMAIL_CHANGE_SENT.format(email=form.cleaned_data["new_email"].lower(), current=request.user.email),
            )
            return redirect("security:email_change")
    return render(request, "security/email_change.html", {"form": form}, status=400 if form.errors else 200)


@ratelimit("email_link")
@require_http_methods(["GET", "POST"])
def email_confirm(request, token):
    """The link emailed to the new address. A GET only shows the change (mail scanners follow links); the
    button's POST makes it. No sign-in needed: the link proves the address, the password was asked before."""
    try:
        change = account_services.email_change_read(token=token)
        if request.method == "POST":
            user = account_services.user_confirm_email_change(token=token)
            messages.success(request, f"Your sign-in email is now {user.email}.")
            return redirect("security:email_change" if request.user.is_authenticated else "accounts:login")
    except account_services.EmailChangeError as error:
        return render(request, "security/email_confirm.html", {"problem": error.message}, status=400)
    return render(request, "security/email_confirm.html", {"change": change})
