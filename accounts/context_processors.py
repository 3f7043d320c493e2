from django.urls import NoReverseMatch, reverse

from .models import Membership

# (url name, label, who sees it). Entries whose URL does not exist yet are left out.
NAVIGATION = [
    ("seekers:people", "People I'm Helping", "worker"),
    ("referrals:sent", "Sent referrals", "worker"),
    ("referrals:inbound", "Inbound Referrals", "claimer"),
    ("programs:search", "Find programs", "worker"),
    ("accounts:organization", "Organization", "admin"),
    ("reports:organization", "Reports", "admin"),
    ("webhooks:list", "Webhooks", "admin"),
    ("reports:network", "Network scorecard", "superuser"),
    ("admin:index", "Admin", "superuser"),
]


def _roles(user) -> set:
    from programs.models import ProgramClaimer

    roles = set()
    memberships = list(Membership.objects.filter(user=user).values_list("role", "organization__runs_site"))
    if any(runs_site for _, runs_site in memberships):
        roles.add("worker")
    if any(role == Membership.Role.ADMIN for role, _ in memberships):
        roles.add("admin")
    if ProgramClaimer.objects.filter(user=user).exists() or (
        "admin" in roles and any(not runs_site for _, runs_site in memberships)
    ):
        roles.add("claimer")
    if user.is_superuser:
        roles |= {"superuser", "worker", "claimer"}
    return roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = _roles(user)
    items = []
    for name, label, role in NAVIGATION:
        if role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": request.path.startswith(url) and url != "/"})
    return {"main_navigation": items, "user_roles": roles}
