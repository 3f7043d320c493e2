from django.urls import NoReverseMatch

from core.addresses import address

from .policies import roles_of

# (url name, label, who sees it: a role or a tuple of roles). Entries whose URL does not exist yet are left out.
NAVIGATION = [
    ("seekers:people", "People I'm Helping", ("worker", "claimer")),
    ("referrals:sent", "Sent referrals", "worker"),
    ("referrals:inbound", "Inbound Referrals", "claimer"),
    ("programs:search", "Find programs", ("worker", "claimer")),
    ("organization:home", "Organization", "admin"),
    ("reports:organization", "Reports", "admin"),
    ("webhooks:list", "Webhooks", "admin"),
    ("reports:network", "Network scorecard", "superuser"),
    ("admin:index", "Admin", "superuser"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    items = []
    for name, label, role in NAVIGATION:
        if not roles & ({role} if isinstance(role, str) else set(role)):
            continue
        try:
            url = address(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": request.path.startswith(url) and url != "/"})
    return {"main_navigation": items, "user_roles": roles}
