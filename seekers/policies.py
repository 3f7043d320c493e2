"""The rule book of seekers: whose profiles a person sees, and what they may do with one.

Which seekers: ``Seeker.objects.restrict(user, action)``. A helper sees the people they created, those of their
teams that share, and an organization admin every profile of the organization; the rule is an OR across
organization, creator and team.

| action      | the seekers                                        | plan                                           |
| ----------- | -------------------------------------------------- | ---------------------------------------------- |
| ``view``    | the person helps, narrowed next by an index (one    | the OR, tested row by row: the row comes first |
|             | public id, one seeker)                             |                                                |
| ``view:all``| the person helps, listed or counted whole (People   | ``pk IN (... UNION ALL ...)``, each branch from |
|             | I'm Helping)                                       | its own index (an OR scans every seeker)        |
"""

from __future__ import annotations

from django.db import connections
from django.db.models import BigIntegerField, BooleanField, Expression, F

from accounts.models import Membership, Team, TeamMembership
from accounts.policies import is_member, is_organization_admin
from core.policies import Rule, RuleBook
from core.statements import prepared, sql_names

# The rule's SQL is written once per process and database (``_rule_sql``), as the referrals' rules are
# (referrals.policies): a request binds only the user's id. Building the OR and the UNION ALL as ORM trees on
# every request cost the People I'm Helping page more than PostgreSQL took to run them (bench/NOTES.md,
# issue 18).
_RULE_SQL: dict = {}


def _rule_sql(connection, plan: str) -> str:
    """``gathered``: the ids of the seekers the user helps, one ``UNION ALL`` branch per index (for
    ``pk IN``); ``probed``: whether the row (``{organization}``, ``{created_by}``, ``{team}``, its columns) is one,
    tested on the row."""
    key = (connection.vendor, plan)
    if key not in _RULE_SQL:
        from .models import Seeker

        table, column = sql_names(connection)

        admin_of = (
            f"SELECT am.{column(Membership, 'organization')} FROM {table(Membership)} am "
            f"WHERE am.{column(Membership, 'role')} = %s AND am.{column(Membership, 'user')} = %s"
        )
        member_of = (
            f"SELECT mm.{column(Membership, 'organization')} FROM {table(Membership)} mm "
            f"WHERE mm.{column(Membership, 'user')} = %s"
        )
        sharing = (
            f"SELECT tm.{column(TeamMembership, 'team')} FROM {table(TeamMembership)} tm "
            f"INNER JOIN {table(Team)} tt ON tm.{column(TeamMembership, 'team')} = tt.{column(Team, 'id')} "
            f"WHERE tt.{column(Team, 'shares_outbound')} = %s AND tm.{column(TeamMembership, 'user')} = %s"
        )
        seeker_id, organization = column(Seeker, "id"), column(Seeker, "organization")
        created_by, team = column(Seeker, "created_by"), column(Seeker, "team")
        if plan == "gathered":
            _RULE_SQL[key] = (
                f"SELECT s1.{seeker_id} FROM {table(Seeker)} s1 WHERE s1.{organization} IN ({admin_of}) "
                f"UNION ALL SELECT s2.{seeker_id} FROM {table(Seeker)} s2 "
                f"WHERE s2.{created_by} = %s AND s2.{organization} IN ({member_of}) "
                f"UNION ALL SELECT s3.{seeker_id} FROM {table(Seeker)} s3 "
                f"WHERE s3.{organization} IN ({member_of}) AND s3.{team} IN ({sharing})"
            )
        else:
            _RULE_SQL[key] = (
                f"({{organization}} IN ({admin_of}) OR ({{organization}} IN ({member_of}) "
                f"AND ({{created_by}} = %s OR {{team}} IN ({sharing}))))"
            )
    return _RULE_SQL[key]


def _gathered_params(user_id: int) -> list:
    """The values ``_rule_sql(connection, "gathered")`` binds."""
    return [Membership.Role.ADMIN.value, user_id, user_id, user_id, user_id, True, user_id]


class _Gathered(Expression):
    """The ids of the seekers ``user_id`` helps, for ``pk__in``."""

    def __init__(self, user_id: int):
        super().__init__(output_field=BigIntegerField())
        self.user_id = user_id

    def as_sql(self, compiler, connection):
        return f"({_rule_sql(connection, 'gathered')})", _gathered_params(self.user_id)


def count_helped(user, cap: int) -> int:
    """How many people ``user`` helps (``restrict(user, "view:all")``), counting no further than ``cap``: the
    distinct ids of the rule's own branches. Counting the list itself read every one of those seekers again by
    its primary key (a helper of 1,000 people: 3.6 ms, 1.8 of them those reads; tests/referrals/test_seed_demo.py
    compares the two for every demo user)."""
    from .models import Seeker

    if not user.is_authenticated:
        return 0
    connection = connections[Seeker.objects.db]
    sql = f"SELECT COUNT(*) FROM (SELECT DISTINCT * FROM ({_rule_sql(connection, 'gathered')}) helped LIMIT %s) counted"
    with connection.cursor() as cursor:  # on PostgreSQL parsed once per database session
        cursor.execute(*prepared(connection, sql, [*_gathered_params(user.pk), cap]))
        return cursor.fetchone()[0]


class _Probed(Expression):
    """Whether the row's seeker (its organization, creator and team columns) is one ``user_id`` helps."""

    conditional = True

    def __init__(self, user_id: int):
        super().__init__(output_field=BooleanField())
        self.user_id = user_id
        self.columns = [F("organization_id"), F("created_by_id"), F("team_id")]

    def get_source_expressions(self):
        return self.columns

    def set_source_expressions(self, expressions):
        self.columns = list(expressions)

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(column) for column in self.columns]
        if any(params for _, params in compiled):  # columns carry no parameters
            raise ValueError("the seeker rule probes a row's columns, not computed values")
        organization, created_by, team = (sql for sql, _ in compiled)
        user = self.user_id
        sql = _rule_sql(connection, "probed").format(organization=organization, created_by=created_by, team=team)
        return sql, [Membership.Role.ADMIN.value, user, user, user, True, user]


def restrict_seekers(queryset, user, action: str):
    """``queryset`` narrowed to the seekers ``user`` may use for ``action`` ("view", "view:all")."""
    if action not in ("view", "view:all"):
        raise ValueError(f"unknown seeker action {action!r}; one of view, view:all")
    if not user.is_authenticated:
        return queryset.none()
    if action == "view:all":
        return queryset.filter(pk__in=_Gathered(user.pk))
    return queryset.filter(_Probed(user.pk))


def site_memberships(user):
    """The memberships of ``user`` at organizations that run a Site: where they may add the people they help,
    the first joined first."""
    return (
        Membership.objects.filter(user=user, organization__runs_site=True)
        .select_related("organization")
        .order_by("joined_at")
    )


def works_at_a_site(user) -> bool:
    return Membership.objects.filter(user=user, organization__runs_site=True).exists()


def referring_memberships(user):
    """The memberships from which ``user`` adds people and refers them: their Sites' (the first joined first);
    for someone who works at no Site, their organizations' (the claimers and workers of a provider-only
    organization refer from it too)."""
    sites = site_memberships(user)
    if sites.exists():
        return sites
    return Membership.objects.filter(user=user).select_related("organization").order_by("joined_at")


def works_at_an_organization(user) -> bool:
    return Membership.objects.filter(user=user).exists()


def _helps(user, seeker) -> bool:
    from .models import Seeker

    return Seeker.objects.restrict(user, "view").filter(pk=seeker.pk).exists()


rules = RuleBook(
    {
        # People I'm Helping (the list, and adding someone) is for the members of an organization: a Site's
        # helpers, and the claimers and workers of a provider, who refer people too. (The people referred to a
        # program are the referrals rule book's: referrals.policies.receives_referrals.)
        "use_people_pages": Rule(
            lambda user: user.is_superuser or works_at_an_organization(user),
            "People I'm Helping is for the members of an organization.",
        ),
        # A profile is added by a member of the organization it will belong to (a Site, or a provider whose
        # claimers refer people on).
        "add_seeker": Rule(
            lambda user, organization: Membership.objects.filter(user=user, organization=organization).exists(),
            "Only members of an organization can add the people they help there.",
        ),
        # Personal information and goals are changed by the people who help the person.
        "change": Rule(_helps, "You do not help this person."),
        # Other systems' ids for a person (an EHR's record number) are the organization's: any of its staff
        # records them, whoever keeps the profile (an EHR connected to the site names its patients by them).
        "record_identifiers": Rule(
            lambda user, seeker: is_member(user, seeker.organization),
            "Only the organization's own staff can record its identifiers.",
        ),
        # Who looked at the person, everything held about them, and erasure: the admins of their organization.
        "see_access_records": Rule(
            lambda user, seeker: is_organization_admin(user, seeker.organization),
            "Only an admin of the person's organization sees who looked at them.",
        ),
    }
)
can, check = rules.can, rules.check
