"""django-axes' request helper (the client's address is core.client's: AXES_CLIENT_IP_CALLABLE)."""


def axes_username(request, credentials: dict | None = None) -> str | None:
    """The account a sign-in attempt is for, for django-axes: our users sign in with their email, which the
    sign-in form, the admin and the API token endpoint all send as ``username``. Lower-cased, so that
    changing the case does not start a fresh count."""
    source = credentials or getattr(request, "POST", None) or {}
    username = source.get("username") or source.get("email")
    return username.strip().lower() if isinstance(username, str) else None
