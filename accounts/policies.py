"""The rule book of organizations: who administers one, and what an organization admin may do.

Roles come from memberships (worker or admin, accounts.models.Membership); a network admin (a Django superuser)
manages every organization from the Organization pages and the Django admin. Other apps ask here rather than
reading memberships themselves.
"""

from __future__ import annotations

from core.policies import Rule, RuleBook

from .models import Membership, Organization


def is_organization_admin(user, organization) -> bool:
    """An admin of ``organization`` by membership (a network admin is not, unless they are one)."""
    return Membership.objects.filter(user=user, organization=organization, role=Membership.Role.ADMIN).exists()


def is_member(user, organization) -> bool:
    return Membership.objects.filter(user=user, organization=organization).exists()


def is_member_of_public_id(user, public_id) -> bool:
    """Whether ``user`` belongs to the organization with that public id: a page refuses such a member with
    403 ("not an admin") and anyone else with 404, as for an organization that does not exist."""
    return Membership.objects.filter(user=user, organization__public_id=public_id).exists()


def can_administer(user, organization) -> bool:
    """An admin of ``organization``, or a network admin (who manages every tenant from the Django admin)."""
    return rules.can(user, "administer", organization)


def administers_any(user) -> bool:
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN).exists()


def admin_organization_ids(user):
    """The ids of the organizations ``user`` is an admin of, as a subquery."""
    return Membership.objects.filter(user=user, role=Membership.Role.ADMIN).values("organization_id")


def organizations_administered_by(user):
    """The organizations ``user`` may manage on the Organization pages: the ones they are an admin of; every
    organization for a network admin."""
    if user.is_superuser:
        return Organization.objects.order_by("name", "pk")
    return Organization.objects.filter(pk__in=admin_organization_ids(user)).order_by("name", "pk")


def organizations_admin_of(user):
    """The organizations ``user`` is an admin of by membership: whose referrals they export, whose webhooks
    they manage (a network admin uses the Django admin for others')."""
    return Organization.objects.filter(memberships__user=user, memberships__role=Membership.Role.ADMIN)


def is_only_admin(membership, *, admin_user_ids) -> bool:
    """Every organization keeps an admin: its only admin cannot be made a worker or removed (the Members page
    offers neither; the services refuse both)."""
    return membership.is_admin and list(admin_user_ids) == [membership.user_id]


# Apps above accounts that give people a role (programs: "claimer") register a function here in their
# AppConfig.ready: ``source(user) -> set of roles``. accounts never imports them.
_role_sources: dict[str, object] = {}
_PLACEHOLDER_USER = -917_263_541  # an id no user has: it marks the user's place in the compiled statement
_ROLES_STATEMENT: dict = {}  # (database alias, role sources) -> (role names, SQL, parameters, the user's index)


def register_role_source(name: str, source) -> None:
    """Adds the roles ``source()`` names to ``roles_of``: a dict of role -> a condition on a user row (an
    ``Exists`` over ``OuterRef("pk")``), asked in ``roles_of``'s one query. Registering a name again replaces it."""
    _role_sources[name] = source
    _ROLES_STATEMENT.clear()  # written again with the new source


def _role_conditions() -> list:
    from django.db.models import Exists, OuterRef

    memberships = Membership.objects.filter(user_id=OuterRef("pk"))
    admin = memberships.filter(role=Membership.Role.ADMIN)
    conditions = [
        ("worker", Exists(memberships.filter(organization__runs_site=True))),
        ("admin", Exists(admin)),
        ("provider member", Exists(memberships.filter(organization__runs_site=False))),
    ]
    for source in _role_sources.values():
        conditions += list(source().items())
    return conditions


def _roles_statement(connection):
    """``roles_of``'s one query, compiled once per process, database and set of role sources (issue 18: the
    ORM built and compiled its four ``EXISTS`` on every page, ~2 ms of CPU); a request binds the user's id."""
    key = (connection.alias, tuple(_role_sources))
    if key not in _ROLES_STATEMENT:
        from django.contrib.auth import get_user_model

        conditions = _role_conditions()
        query = (
            get_user_model()
            .objects.filter(pk=_PLACEHOLDER_USER)
            .annotate(**{f"role_{index}": condition for index, (_, condition) in enumerate(conditions)})
            .values_list(*[f"role_{index}" for index in range(len(conditions))])[:1]
        ).query
        sql, params = query.get_compiler(connection=connection).as_sql()
        params = list(params)
        assert params.count(_PLACEHOLDER_USER) == 1, "the user's id must appear once in roles_of's statement"
        _ROLES_STATEMENT[key] = ([role for role, _ in conditions], sql, params, params.index(_PLACEHOLDER_USER))
    return _ROLES_STATEMENT[key]


def roles_of(user) -> set:
    """The broad roles ``user`` works in, for the navigation and the dashboard they land on: "worker" (at a
    Site), "claimer" (of a program: programs.policies.claimer_roles; or an admin of a provider), "admin" (of an
    organization), "superuser" (a network admin, who also sees the workers' and claimers' pages). One query
    (each page's navigation asks), whatever the number of role sources; its SQL is written once
    (``_roles_statement``), and on PostgreSQL prepared once per database session."""
    from django.db import connections, router

    from core.statements import prepared

    connection = connections[router.db_for_read(Membership)]
    names, sql, params, user_index = _roles_statement(connection)
    params = list(params)
    params[user_index] = user.pk
    with connection.cursor() as cursor:  # on PostgreSQL parsed once per database session
        cursor.execute(*prepared(connection, sql, params))
        row = cursor.fetchone()
    roles = {role for role, held in zip(names, row or (), strict=False) if held}  # SQLite says 1, PostgreSQL True
    if "provider member" in roles:  # an admin who is also a member of a provider works its referrals
        roles.remove("provider member")
        if "admin" in roles:
            roles.add("claimer")
    if user.is_superuser:
        roles |= {"superuser", "worker", "claimer"}
    return roles


def is_network_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


rules = RuleBook(
    {
        # Members, teams, sharing and program claimers (the Organization pages and their services).
        "administer": Rule(
            lambda user, organization: user.is_superuser or is_organization_admin(user, organization),
            lambda organization: f"Only an admin of {organization.name} can manage its members, teams and sharing.",
        ),
    }
)
can, check = rules.can, rules.check
