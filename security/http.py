"""django-axes' request helper (the client's address is core.client's: AXES_CLIENT_IP_CALLABLE)."""


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt is for, for django-axes: our users sign in with their email, which the
    sign-in form, the admin and the API token endpoint all send as ``username``. Lower-cased, so that
    changing the case does not start a fresh count."""
    source = credentials or getattr(request, "POST", None) or {}
    username = source.get("username") or source.get("email")
    return username.strip().lower() if isinstance(username, str) else None


def axes_lockout_response(request, original_response=None, credentials: dict | None = None):
    """django-axes' answer to a locked (account, address) pair: the API's JSON error for the API token endpoint
    (a client reads JSON there, never a page), the "Sign-in paused" page everywhere else. Both are 429 with
    Retry-After: the cool-off, in seconds."""
    from axes.helpers import get_cool_off
    from django.conf import settings
    from django.http import JsonResponse
    from django.shortcuts import render

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    minutes = max(1, round(seconds / 60)) if seconds else None
    if request.path.startswith("/api/"):
        wait = f" Try again in {minutes} minute{'s' if minutes != 1 else ''}." if minutes else ""
        response = JsonResponse(
            {"detail": f"Too many wrong passwords for this account from here.{wait}", "code": "locked_out"},
            status=429,
        )
    else:
        # In words ("15 minutes"), not axes' ISO 8601 duration ("PT15M").
        cooloff_time = f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes else ""
        context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_time": cooloff_time}
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
