"""The rule book of referrals: which referrals a person may see, and what they may do to one.

Services enforce with it, views and templates (through the view's context), serializers and the email-link
page display with it, and the API and FHIR answer 403 from the ``NotAllowed`` it raises. Nothing else
computes a party, a role or a grant (tests/security/test_rule_book.py looks).

Which referrals: ``Referral.objects.restrict(user, action)``
------------------------------------------------------------
Callers name what they need; the rule book picks the query plan. The grants live in django-guardian's direct
foreign-key tables (ReferralUserObjectPermission, ReferralGroupObjectPermission); a seeker with an account also
sees their own referrals. Each permission has two plans over the same tables, and they agree (tests
compare them for every demo user):

- *gathered*: ``id IN (granted ids UNION ALL ...)`` over the grant tables' (user, permission) and
  (group, permission) indexes: PostgreSQL gathers the granted ids first and reads only those referrals. For a
  list of everything the person may see.
- *probed*: per-row ``EXISTS`` on the grant tables' (referral, permission) indexes. For a query that first
  names its few rows by another index (one id, one seeker's, a page's ids, a few programs'): gathering would
  read every referral granted to a busy program's group before narrowing them.

| action           | the referrals                                              | plan                              |
| ---------------- | ---------------------------------------------------------- | --------------------------------- |
| ``view``         | the person may see, narrowed next by the caller's index    | probed                            |
| ``view:all``     | the person may see, listed or counted whole                | gathered                          |
| ``refer``        | they may act on as referrer (made, or shared by a team or   | both probed                       |
|                  | program), narrowed next by an index (one seeker's)         |                                   |
| ``refer:all``    | the same, listed whole                                     | both gathered                     |
| ``refer:by_state`` | the same, narrowed next by their state (Sent referrals'   | referrer gathered, view probed    |
|                  | tabs): gathering both made PostgreSQL read one set again   |                                   |
|                  | for every row (190 ms for a helper of 5,000)               |                                   |
| ``receive``      | to the programs the person works (claims, or provides as   | programs gathered, view probed    |
|                  | an admin)                                                  |                                   |
| ``receive:ids``  | the same, to choose a page of ids and count them, never to | programs gathered, no grant read  |
|                  | show: the page's rows are then read through ``view`` or    |                                   |
|                  | ``receive:few`` (Inbound Referrals, a program's People I'm |                                   |
|                  | Helping, the API's inbound list)                           |                                   |
| ``view:few``,    | the same as ``view``, ``refer``, ``receive``, for a caller   | probed, each row whatever         |
| ``refer:few``,   | whose own index names a handful of rows (one person's      | PostgreSQL estimates (OFFSET 0:   |
| ``receive:few``  | referrals on their profile)                                | it would hash every grant)        |

What to one referral: ``referral_access(actor, referral)``
---------------------------------------------------------
The parties the actor plays on the referral (see referrals.statuses) are read once; ``may(action)`` answers
and ``require(action)`` raises ``NotAllowed`` with the message a person reads. ``REFERRAL_RULES`` lists every
action with its rule; the status changes themselves come from the status table (referrals.statuses).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import BigIntegerField, BooleanField, Exists, Expression, ExpressionWrapper, F, OuterRef, Q, Value

from core.errors import NotAllowed
from core.statements import IdsStatement, Statement, prepared, sql_names

from . import statuses
from .actors import Actor, as_actor
from .models import Referral, ReferralGroupObjectPermission, ReferralUserObjectPermission
from .statuses import Party, Status

PERMISSION_PARTY = {
    "act_as_referrer": Party.REFERRER,
    "act_as_claimer": Party.CLAIMER,
    "administer_referral": Party.ADMIN,
}
STAFF_PARTIES = frozenset({Party.CLAIMER, Party.REFERRER, Party.ADMIN})
SEEKER_SIDE_STAFF = frozenset({Party.REFERRER, Party.ADMIN})


# ---------------------------------------------------------------------------------------------------------
# Which referrals


def _user_group_ids(user):
    return get_user_model().groups.through.objects.filter(user_id=user.pk).values("group_id")


# The two plans' SQL is written once per process and database (``_rule_sql``); a request binds only the user's id
# and the permission's codename. Building them as ORM trees and compiling those on every request cost more than
# the queries themselves on the busiest pages (bench/NOTES.md, issue 18).
_RULE_SQL: dict = {}


def _rule_sql(connection, plan: str) -> str:
    """The SQL of one plan (``gathered``, ``probed`` or ``probed_own``, the probe with a seeker's own referrals;
    ``received``, the programs whose referrals a person receives) for ``connection``'s database. ``{referral}`` and ``{seeker}`` stand for the probed row's columns."""
    key = (connection.vendor, plan)
    if key not in _RULE_SQL:
        from django.contrib.auth.models import Permission

        from seekers.models import Seeker

        table, column = sql_names(connection)

        user_grants, group_grants = ReferralUserObjectPermission, ReferralGroupObjectPermission
        memberships = get_user_model().groups.through
        permission = (
            f"SELECT rp.{column(Permission, 'id')} FROM {table(Permission)} rp "
            f"WHERE rp.{column(Permission, 'codename')} = %s"
        )
        user_rows = (
            f"FROM {table(user_grants)} ru WHERE ru.{column(user_grants, 'user')} = %s "
            f"AND ru.{column(user_grants, 'permission')} IN ({permission})"
        )
        group_rows = (
            f"FROM {table(group_grants)} rg WHERE rg.{column(group_grants, 'group')} IN "
            f"(SELECT ug.{column(memberships, 'group')} FROM {table(memberships)} ug "
            f"WHERE ug.{column(memberships, 'user')} = %s) "
            f"AND rg.{column(group_grants, 'permission')} IN ({permission})"
        )
        own_seekers = f"SELECT rs.{column(Seeker, 'id')} FROM {table(Seeker)} rs WHERE rs.{column(Seeker, 'user')} = %s"
        if plan == "received":  # the programs the user works: claimed, or provided as an admin of their organization
            from accounts.models import Membership
            from programs.models import Program, ProgramClaimer

            _RULE_SQL[key] = (
                f"SELECT pc.{column(ProgramClaimer, 'program')} FROM {table(ProgramClaimer)} pc "
                f"WHERE pc.{column(ProgramClaimer, 'user')} = %s "
                f"UNION ALL SELECT pp.{column(Program, 'id')} FROM {table(Program)} pp "
                f"WHERE pp.{column(Program, 'organization')} IN (SELECT am.{column(Membership, 'organization')} "
                f"FROM {table(Membership)} am WHERE am.{column(Membership, 'user')} = %s "
                f"AND am.{column(Membership, 'role')} = %s)"
            )
            return _RULE_SQL[key]
        if plan == "gathered":
            sql = (
                f"SELECT ru.{column(user_grants, 'content_object')} {user_rows} "
                f"UNION ALL SELECT rg.{column(group_grants, 'content_object')} {group_rows}"
            )
        else:
            # "_few": the caller's index names a few rows (one seeker's), so each is probed whatever PostgreSQL
            # estimates: OFFSET 0 keeps it from hashing every grant the person holds instead (it misjudges
            # how many, and a helper's 5,000 grants hashed twice cost more than a dozen probes).
            fence = " OFFSET 0" if plan.endswith("_few") and connection.vendor == "postgresql" else ""
            sql = (
                f"(EXISTS (SELECT 1 {user_rows} AND ru.{column(user_grants, 'content_object')} = {{referral}}{fence}) "
                f"OR EXISTS (SELECT 1 {group_rows} AND rg.{column(group_grants, 'content_object')} = {{referral}}"
                f"{fence})" + (f" OR {{seeker}} IN ({own_seekers})" if plan.startswith("probed_own") else "") + ")"
            )
        if plan == "gathered":  # a seeker's own referrals, for view_referral only (see _gathered)
            sql = (
                sql,
                f"{sql} UNION ALL SELECT rr.{column(Referral, 'id')} FROM {table(Referral)} rr "
                f"WHERE rr.{column(Referral, 'seeker')} IN ({own_seekers})",
            )
        _RULE_SQL[key] = sql
    return _RULE_SQL[key]


class _Gathered(Expression):
    """The ids of the referrals ``user_id`` holds ``codename`` on: ``granted ids UNION ALL ...`` (with a seeker's
    own referrals for view_referral), for ``pk__in``."""

    def __init__(self, user_id: int, codename: str):
        super().__init__(output_field=BigIntegerField())
        self.user_id, self.codename = user_id, codename

    def as_sql(self, compiler, connection):
        only_grants, with_own = _rule_sql(connection, "gathered")
        params = [self.user_id, self.codename, self.user_id, self.codename]
        if self.codename == "view_referral":
            return f"({with_own})", [*params, self.user_id]
        return f"({only_grants})", params


class _Probed(Expression):
    """Whether the row's referral (``referral``, an expression naming its id; ``seeker`` its seeker's id, for
    view_referral) is one ``user_id`` holds ``codename`` on, probed row by row on the grant tables' (referral,
    permission) indexes."""

    conditional = True

    def __init__(self, referral, seeker, user_id: int, codename: str, few: bool = False):
        super().__init__(output_field=BooleanField())
        self.referral, self.seeker, self.user_id, self.codename = referral, seeker, user_id, codename
        self.few = few

    def get_source_expressions(self):
        return [self.referral, self.seeker]

    def set_source_expressions(self, expressions):
        self.referral, self.seeker = expressions

    def as_sql(self, compiler, connection):
        referral_sql, referral_params = compiler.compile(self.referral)
        own = self.codename == "view_referral"
        template = _rule_sql(connection, ("probed_own" if own else "probed") + ("_few" if self.few else ""))
        seeker_sql, seeker_params = compiler.compile(self.seeker) if own else ("", [])
        if referral_params or seeker_params:  # columns carry no parameters; anything else is not a row's id
            raise ValueError("a referral rule probes a row's columns, not computed values")
        params = [self.user_id, self.codename, self.user_id, self.codename] + ([self.user_id] if own else [])
        return template.format(referral=referral_sql, seeker=seeker_sql), params


class _Received(Expression):
    """The ids of the programs ``user_id`` works (``programs_received_by``), for ``program_id__in``."""

    def __init__(self, user_id: int):
        super().__init__(output_field=BigIntegerField())
        self.user_id = user_id

    def as_sql(self, compiler, connection):
        return f"({_rule_sql(connection, 'received')})", _received_params(self.user_id)


def _received_params(user_id: int) -> list:
    """The values ``_rule_sql(connection, "received")`` binds: the claimer, the admin and the admin's role."""
    from accounts.models import Membership

    return [user_id, user_id, Membership.Role.ADMIN.value]


def _gathered(user, codename: str) -> Q:
    """The referrals ``user`` holds ``codename`` on, as one ``id IN (... UNION ALL ...)`` (view_referral: also
    a seeker's own). No part carries an ORDER BY: SQLite, the `make run` default, refuses one inside a compound
    subquery. (An OR of per-row EXISTS checks made PostgreSQL test every candidate row: seconds over a million
    referrals.)"""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(pk__in=_Gathered(user.pk, codename))


def _probed(user, codename: str, *, through: str = "", few: bool = False) -> Q:
    """The same rule as ``_gathered``, as per-row EXISTS probes. ``through`` names the foreign key of another
    model's rows to check the same way (``"referral"`` on history events)."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    referral = F(f"{through}_id" if through else "pk")
    seeker = F(f"{through}__seeker_id" if through else "seeker_id") if codename == "view_referral" else None
    return Q(_Probed(referral, seeker, user.pk, codename, few))


def programs_received_by(user):
    """The programs whose inbound referrals ``user`` works: those they claim and their organizations' own.
    One ``pk IN (claimed UNION ALL provided)`` over two indexes: no join to the claimers (and so no DISTINCT
    over wide rows), and no OR that makes PostgreSQL scan the whole directory."""
    from accounts.models import Membership
    from programs.models import ProgramClaimer
    from programs.selectors import directory

    claimed = ProgramClaimer.objects.filter(user_id=user.pk).order_by().values("program_id")
    administered = Membership.objects.filter(user_id=user.pk, role=Membership.Role.ADMIN).values("organization_id")
    provided = directory().filter(organization_id__in=administered).order_by().values("pk")
    return directory().filter(pk__in=claimed.union(provided, all=True))


def _received(user) -> Q:
    """Referrals to the programs ``user`` works (``programs_received_by``), as a filter."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    return Q(program_id__in=_Received(user.pk))


# action -> the filters applied, in order (their SQL is what the benchmarks measured; keep the order).
RESTRICT_ACTIONS = {
    "view": lambda user: [_probed(user, "view_referral")],
    "view:all": lambda user: [_gathered(user, "view_referral")],
    "refer": lambda user: [_probed(user, "view_referral"), _probed(user, "act_as_referrer")],
    "refer:all": lambda user: [_gathered(user, "view_referral"), _gathered(user, "act_as_referrer")],
    "refer:by_state": lambda user: [_probed(user, "view_referral"), _gathered(user, "act_as_referrer")],
    "receive": lambda user: [_probed(user, "view_referral"), _received(user)],
    # Choosing a page of what the person receives, and counting it, by the programs alone: every claimer of a
    # program receives all its referrals (DESIGN, "Who may see and act": there is no switch), each is granted
    # to the program's group and its organization's admins when it is made, and neither grant is ever taken
    # back. Never rows to show: the caller reads the page's rows through "view" (referrals_for_page), so a
    # referral without its grant would be counted but not shown. Probing 20,053 grants cost a busy claimer's
    # Inbound ~6 ms for each of its three counts (bench/NOTES.md, issue 18, session 12).
    "receive:ids": lambda user: [_received(user)],
    # The same rules for a caller whose own index names a few rows (one person's referrals): every row probed.
    "view:few": lambda user: [_probed(user, "view_referral", few=True)],
    "refer:few": lambda user: [_probed(user, "view_referral", few=True), _probed(user, "act_as_referrer", few=True)],
    "receive:few": lambda user: [_probed(user, "view_referral", few=True), _received(user)],
}


def restrict_referrals(queryset, user, action: str):
    """``queryset`` narrowed to the referrals ``user`` may use for ``action`` (RESTRICT_ACTIONS)."""
    try:
        conditions = RESTRICT_ACTIONS[action](user)
    except KeyError:
        raise ValueError(f"unknown referral action {action!r}; one of {', '.join(RESTRICT_ACTIONS)}") from None
    for condition in conditions:
        queryset = queryset.filter(condition)
    return queryset


def restrict_events(queryset, user, action: str = "view"):
    """History events of the referrals ``user`` may see, each referral probed (the newest events come first
    from their own index: gathering every referral the user may see first cost a claimer 140 ms a poll)."""
    if action != "view":
        raise ValueError(f"unknown event action {action!r}; events are only viewed")
    return queryset.filter(_probed(user, "view_referral", through="referral"))


# ---------------------------------------------------------------------------------------------------------
# What to one referral


def may_see(user, referral: Referral) -> bool:
    """Whether ``user`` may see ``referral`` (one indexed probe; the same rule as ``restrict(user, "view")``)."""
    return Referral.objects.restrict(user, "view").filter(pk=referral.pk).exists()


def _grants_on(user, referral_id):
    """The codenames of ``user``'s grants on one referral, their own and their groups', in one statement."""
    own = ReferralUserObjectPermission.objects.filter(content_object_id=referral_id, user_id=user.pk)
    groups = ReferralGroupObjectPermission.objects.filter(
        content_object_id=referral_id, group_id__in=_user_group_ids(user)
    )
    return (
        own.values_list("permission__codename", flat=True)
        .order_by()
        .union(groups.values_list("permission__codename", flat=True).order_by(), all=True)
    )


# Compiled once per process (core.statements): the two reads built and compiled as ORM trees on every referral
# page cost more than PostgreSQL took to answer them.
_GRANTS_ON = Statement("a person's grants on one referral", _grants_on)


def referral_parties(actor, referral: Referral) -> set:
    """The parties (see referrals.statuses) that ``actor`` plays on ``referral``: one statement over both grant
    tables, by their indexes."""
    actor = as_actor(actor)
    if actor.is_system:
        return {Party.SYSTEM}
    if actor.seeker is not None:
        return {Party.SEEKER} if actor.seeker.pk == referral.seeker_id else set()
    user = actor.user
    if user.is_superuser:
        return {Party.CLAIMER, Party.REFERRER, Party.ADMIN}
    return _parties(_GRANTS_ON(user=user.pk, referral_id=referral.pk), referral, user)


def _parties(codenames, referral: Referral, user) -> set:
    """The parties ``user`` plays on ``referral``, given the codenames of their grants on it."""
    parties = {PERMISSION_PARTY[codename] for codename in codenames if codename in PERMISSION_PARTY}
    if referral.seeker.user_id == user.pk:
        parties.add(Party.SEEKER)
    return parties


def _page_grants(user, ids):
    """(referral id, codename) of ``user``'s own grants and their groups' on the referrals ``ids``, in one query."""
    own = ReferralUserObjectPermission.objects.filter(content_object_id__in=ids, user_id=user.pk)
    groups = ReferralGroupObjectPermission.objects.filter(content_object_id__in=ids, group_id__in=_user_group_ids(user))
    columns = ("content_object_id", "permission__codename")
    return own.values_list(*columns).union(groups.values_list(*columns), all=True)


# A list page's grants (at most PAGE_GRANTS rows, the lists' 25 and the one more that says whether there is a next
# page): written once per process (core.statements) with a place for each id, a shorter page padded with 0, which
# no referral has. Building and compiling the query cost ~1 ms of CPU a page.
PAGE_GRANTS = 26
_PAGE_GRANTS = IdsStatement("a page's grants", _page_grants, places=PAGE_GRANTS)


def referral_accesses(user, referrals) -> dict:
    """{referral pk: ReferralAccess} for a page of ``referrals`` (a list's rows), their parties read in one
    query for the whole page (the grant tables, as ``referral_parties`` reads them for one)."""
    actor = as_actor(user)
    referrals = list(referrals)
    if actor.user is None or actor.user.is_superuser:
        return {referral.pk: ReferralAccess(actor, referral) for referral in referrals}
    ids = [referral.pk for referral in referrals]
    found: dict = {pk: set() for pk in ids}
    if len(ids) > PAGE_GRANTS:
        grants = _page_grants(actor.user, ids)
    else:
        grants = _PAGE_GRANTS.rows(ids, user=actor.user.pk)
    for pk, codename in grants:
        found[pk].add(codename)
    return {
        referral.pk: ReferralAccess(actor, referral, _parties(found[referral.pk], referral, actor.user))
        for referral in referrals
    }


def is_seeker_only(parties) -> bool:
    """A seeker's own account on its referral, with no staff party: it sees the seeker's page
    (/my/referrals/), never the staff notes and history."""
    return Party.SEEKER in parties and not parties & STAFF_PARTIES


def seeker_side_shape(user) -> dict:
    """What ``with_seeker_side`` reads of ``user`` besides their id: the statements that keep its SQL
    (core.statements) keep one for each answer."""
    return {"is_superuser": user.is_superuser}


def with_seeker_side(queryset, user):
    """Annotates each referral with ``on_seeker_side`` (see ``ReferralAccess.on_seeker_side``) in the same
    query, for lists and pages that show many."""
    if user.is_superuser:
        return queryset.annotate(on_seeker_side=Value(True, output_field=BooleanField()))
    from seekers.models import Seeker

    helps = Exists(Seeker.objects.restrict(user, "view").filter(pk=OuterRef("seeker_id")))
    return queryset.annotate(
        on_seeker_side=ExpressionWrapper(Q(seeker__user_id=user.pk) | Q(helps), output_field=BooleanField())
    )


def referral_on_seeker_side(user, referral: Referral) -> bool:
    """Whether ``user`` is on the seeker's side of ``referral``: a network admin, the seeker, or someone who
    may see the seeker's profile (``Seeker.objects.restrict(user, "view")``). Working at the referring
    organization is not enough: a claimer of the program who also works there is on the program's side."""
    if hasattr(
        referral, "on_seeker_side"
    ):  # annotated by with_seeker_side (NULL, from a seeker without account, is no)
        return bool(referral.on_seeker_side)
    if user is None:
        return False
    if user.is_superuser or (referral.seeker.user_id is not None and referral.seeker.user_id == user.pk):
        return True
    from seekers.models import Seeker

    return Seeker.objects.restrict(user, "view").filter(pk=referral.seeker_id).exists()


def program_may_see_seeker_contact(referral: Referral) -> bool:
    """The program's side sees email and phone only while consent holds and contact is wanted."""
    return referral.has_consent and not referral.seeker.does_not_want_contact


def seeker_contact_visible_to(user, referral: Referral) -> bool:
    """Whether ``user`` may see the seeker's email and phone on ``referral``: always on the seeker's side;
    on the program's side only while consent holds and the seeker has not asked not to be contacted."""
    return referral_on_seeker_side(user, referral) or program_may_see_seeker_contact(referral)


@dataclass(frozen=True)
class Rule:
    """One action on a referral: who may take it, and what a refused person reads."""

    allows: object  # (ReferralAccess, **objects) -> bool
    refusal: object  # str, or (ReferralAccess, **objects) -> str


def _status_label(to_status) -> str:
    return Status(to_status).label


_NO_RULE = statuses.Rule(Status.SENT, frozenset(), frozenset(), {})


def _status_rule(to_status) -> statuses.Rule:
    """The status table's rule for moving into ``to_status`` (none for ``sent``: nobody moves a referral back)."""
    return statuses.RULES.get(Status(to_status), _NO_RULE) if to_status in Status.values else _NO_RULE


REFERRAL_RULES: dict[str, Rule] = {
    # Anyone with a party: the grants of the referrer, teams and programs that share, claimers, both
    # organizations' admins; the seeker; the system.
    "act": Rule(lambda access: bool(access.parties), "You do not have access to this referral."),
    # The staff page's notes and history: not for the seeker's own account (they have /my/referrals/).
    "see_history": Rule(
        lambda access: bool(access.parties) and not is_seeker_only(access.parties),
        "Staff notes and history are not shown to the seeker's own account.",
    ),
    # The seeker's email and phone: the seeker's side always, the program's side while consent holds.
    "see_contact": Rule(
        lambda access: (
            bool(access.parties) and (access.on_seeker_side or program_may_see_seeker_contact(access.referral))
        ),
        "Contact details are not shared.",
    ),
    # The seeker's goals belong to the organization that helps them.
    "see_goal": Rule(
        lambda access: bool(access.parties) and access.on_seeker_side, "The goal is not shared with the program."
    ),
    "add_note": Rule(
        lambda access: bool(access.parties & (STAFF_PARTIES | {Party.SEEKER})), "You cannot add notes to this referral."
    ),
    "delete_note": Rule(
        lambda access, note: (
            Party.ADMIN in access.parties
            or bool(access.parties and access.user is not None and note.author_id == access.user.pk)
        ),
        "Only the note's author or an organization admin can delete it.",
    ),
    # The seeker's side: those who act for the seeker (the referrer, teammates it is shared with, an admin)
    # and may see the seeker's profile. A program's claimers and admins are not (they do not see the goals).
    "set_goal": Rule(
        lambda access: bool(access.parties & SEEKER_SIDE_STAFF) and access.on_seeker_side,
        "You cannot change this referral's goal.",
    ),
    # The seeker, and the staff of the seeker's side.
    "withdraw_consent": Rule(
        lambda access: (
            Party.SEEKER in access.parties or (bool(access.parties & SEEKER_SIDE_STAFF) and access.on_seeker_side)
        ),
        "You cannot withdraw consent for this referral.",
    ),
    "reopen": Rule(
        lambda access: bool(access.parties & statuses.REOPEN_PARTIES),
        "Only an organization admin can reopen a referral.",
    ),
    "assign": Rule(
        lambda access: Party.CLAIMER in access.parties, "Only the program's claimers can assign this referral."
    ),
    # A claimer's first look at a sent referral marks it viewed; a network admin looking around does not.
    "mark_viewed": Rule(
        lambda access: (
            access.referral.status == Status.SENT and Party.CLAIMER in access.parties and not access.is_network_admin
        ),
        "Only a claimer's first look marks a referral viewed.",
    ),
    # "Still waitlisted": the program says an answered, open status still holds (a new stall period starts).
    "confirm_status": Rule(
        lambda access: Party.CLAIMER in access.parties and access.referral.status in statuses.STALLABLE,
        "Only the program's claimers can confirm this referral's status.",
    ),
    # After a decline for no room or out of area, the referral page offers the seeker's side the nearest
    # accepting programs of the same kind (one click opens the Connect form filled in for the seeker).
    "offer_alternatives": Rule(
        lambda access: bool(access.parties & SEEKER_SIDE_STAFF) and access.on_seeker_side,
        "Only the seeker's side is offered other programs.",
    ),
    # Forwarding (referrals.services.referral_forward): the program sends the referral on to another program.
    "forward": Rule(
        lambda access: Party.CLAIMER in access.parties, "Only the program's claimers can forward this referral."
    ),
    # The status table (referrals.statuses) says which parties make each change and give each reason.
    "change_status": Rule(
        lambda access, to_status: bool(_status_rule(to_status).parties & access.parties),
        lambda access, to_status: f"You cannot change this referral to “{_status_label(to_status)}”.",
    ),
    "give_reason": Rule(
        lambda access, to_status, reason: bool(
            _status_rule(to_status).reasons.get(reason, frozenset()) & access.parties
        ),
        lambda access, to_status, reason: f"You cannot give the reason “{statuses.Reason(reason).label}”.",
    ),
}


class ReferralAccess:
    """What ``actor`` may do to ``referral``: its parties, read once when a rule first needs them, and every rule
    of REFERRAL_RULES."""

    def __init__(self, actor: Actor, referral: Referral, parties=None):
        self.actor, self.referral = actor, referral
        if parties is not None:
            self.__dict__["parties"] = frozenset(parties)

    @cached_property
    def parties(self) -> frozenset:
        return frozenset(referral_parties(self.actor, self.referral))

    @property
    def user(self):
        return self.actor.user

    @property
    def is_network_admin(self) -> bool:
        return self.user is not None and self.user.is_superuser

    @cached_property
    def on_seeker_side(self) -> bool:
        if self.actor.seeker is not None:
            return self.actor.seeker.pk == self.referral.seeker_id
        return referral_on_seeker_side(self.user, self.referral)

    def may(self, action: str, **objects) -> bool:
        return bool(REFERRAL_RULES[action].allows(self, **objects))

    def require(self, action: str, **objects) -> None:
        """Raises NotAllowed (403) with the rule's message when ``actor`` may not take ``action``."""
        rule = REFERRAL_RULES[action]
        if not rule.allows(self, **objects):
            refusal = rule.refusal(self, **objects) if callable(rule.refusal) else rule.refusal
            raise NotAllowed(refusal)

    def status_targets(self) -> list[Status]:
        """The statuses the actor may move the referral to now (the status table, for their parties)."""
        return statuses.allowed_targets(self.referral.status, self.parties)

    def reasons(self, to_status) -> list:
        return statuses.allowed_reasons(to_status, self.parties)

    def next_steps(self) -> list[statuses.NextStep]:
        """The one-click changes the actor may make now (the status table's, for their parties)."""
        return statuses.next_steps(self.referral.status, self.parties)

    def undo_to(self, before: str) -> Status | None:
        """The status the actor may move the referral back to after moving it from ``before`` (or None)."""
        return statuses.undo_target(before, self.referral.status, self.parties)


def referral_access(actor, referral: Referral, *, parties=None) -> ReferralAccess:
    """The rule book for ``actor`` on ``referral`` (``parties`` when the caller read them already)."""
    return ReferralAccess(as_actor(actor), referral, parties)


def can(actor, action: str, referral: Referral, **objects) -> bool:
    """One question: may ``actor`` take ``action`` on ``referral``?"""
    return referral_access(actor, referral).may(action, **objects)


def seeker_choices(referral: Referral) -> list:
    """(status, reasons) the seeker may choose on their own page: the status table for the seeker party."""
    parties = {Party.SEEKER}
    return [
        (target, statuses.allowed_reasons(target, parties))
        for target in statuses.allowed_targets(referral.status, parties)
    ]


# ---------------------------------------------------------------------------------------------------------
# Making a referral


def may_refer(user, seeker) -> bool:
    """A referral is made by a signed-in member of the organization that helps the seeker."""
    from accounts.models import Membership

    return user is not None and Membership.objects.filter(user=user, organization_id=seeker.organization_id).exists()


def may_refer_on_behalf_of(user, program) -> bool:
    """Only a claimer of the program refers on its behalf."""
    from programs.models import ProgramClaimer

    return ProgramClaimer.objects.filter(program=program, user=user).exists()


def programs_referred_for(user):
    """The programs on whose behalf ``user`` may refer (``may_refer_on_behalf_of``): those they claim, by name.
    A referral made for one is seen and worked by its claimers when its outbound sharing switch is on."""
    from programs.models import ProgramClaimer
    from programs.selectors import directory

    if user is None or not user.is_authenticated:
        return directory().none()
    return (
        directory()
        .filter(pk__in=ProgramClaimer.objects.filter(user_id=user.pk).values("program_id"))
        .order_by("name", "pk")
    )


# ---------------------------------------------------------------------------------------------------------
# The people referred to a person's programs (People I'm Helping and the profile, seen by a program)

# A referral shares the seeker's contact details (email, phone, zip code, language) while its consent holds.
CONSENT_HOLDS = Q(consent_given_at__isnull=False, consent_withdrawn_at__isnull=True)


def receives_referrals(request) -> bool:
    """Whether the request's user works the inbound referrals of any program: claims one, or is an admin of an
    organization that has one (``programs_received_by`` is not empty; tests/referrals/test_receives.py compares
    them). People I'm Helping then lists the people referred to those programs, and a seeker's profile its
    Inbound Referrals section. One query, the rule's own SQL under EXISTS (~0.3 ms), asked once per request
    (``programs_received_by(user).exists()``, the ORM's, took ~2 ms to plan)."""
    answer = getattr(request, "_receives_referrals", None)
    if answer is None:
        user = request.user
        answer = False
        if user is not None and user.is_authenticated and user.is_active:
            connection = connections[Referral.objects.db]
            sql = f"SELECT EXISTS ({_rule_sql(connection, 'received')})"
            with connection.cursor() as cursor:  # the same programs as restrict(user, "receive") reads
                cursor.execute(*prepared(connection, sql, _received_params(user.pk)))
                answer = bool(cursor.fetchone()[0])
        request._receives_referrals = answer
    return answer


def seekers_received_by(user, *, few: bool = False):
    """The seekers with a referral ``user`` receives (``restrict(user, "receive")``): a program sees these
    people, and of each only what those referrals share (``received_seeker_details``). The seeker profiles of
    another tenant are read here on purpose, narrowed by those referrals. ``few``: the caller names a handful
    of seekers (one profile, a page's 25), whose referrals are then each probed ("receive:few") instead of every
    grant the user holds being hashed (a claimer's 20,000: 7 ms for a page of People I'm Helping, 2.7 probed)."""
    from seekers.models import Seeker

    received = Referral.objects.restrict(user, "receive:few" if few else "receive").order_by().values("seeker_id")
    return Seeker.objects.unscoped("people referred to the user's programs, narrowed by those referrals").filter(
        pk__in=received
    )


def referrals_received_for(user, seeker):
    """The referrals of ``seeker`` to the programs ``user`` works (a profile's Inbound Referrals)."""
    return Referral.objects.restrict(user, "receive").filter(seeker=seeker)


def contact_shared_with_program(seeker, *, consent_holds: bool) -> bool:
    """Whether a program sees ``seeker``'s contact details, zip code and language through its referrals:
    while the consent of one of them holds (``consent_holds``, from ``CONSENT_HOLDS``) and the person has not
    asked not to be contacted. Otherwise the name only."""
    return bool(consent_holds) and not seeker.does_not_want_contact
