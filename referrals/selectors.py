"""Reads of referrals. Who may see which, and what a person may do to one, is the rule book's
(referrals.policies): every read here starts from ``Referral.objects.restrict(user, action)``.
"""

from core.statements import Statement, as_uuid

from .models import Referral

# The rule book's answers, importable from here as before (referrals.policies decides them).
from .policies import (  # noqa: F401
    is_seeker_only,
    program_may_see_seeker_contact,
    programs_received_by,
    referral_on_seeker_side,
    referral_parties,
    seeker_contact_visible_to,
    seeker_side_shape,
    with_seeker_side,
)


def _visible(user, public_id):
    return (
        with_seeker_side(Referral.objects.restrict(user, "view:few"), user)
        .select_related(
            "program",
            "program__organization",
            "seeker",
            "organization",
            "referred_by",
            "goal",
            "assigned_to",
            "consent_recorded_by",
            "on_behalf_of_program",
            "on_behalf_of_program__organization",
            "replaced_by__program",
            "forwarded_from__program",
        )
        .filter(public_id=public_id)[:2]
    )


# Compiled once per process (core.statements): building and compiling this twelve-join query cost more than
# PostgreSQL took to run it.
_VISIBLE = Statement("one referral the user may see, by public id", _visible, joins_as_written=True)


def referral_get_visible(*, user, public_id) -> Referral:
    """The referral, if ``user`` may see it. Raises Referral.DoesNotExist otherwise, missing, malformed or not.

    One row found by its public id, then its grants probed (``restrict(user, "view:few")``): gathering every
    referral the user may see first cost a claimer of busy programs ~4 ms of execution and ~9 ms of planning,
    and hashing them ~4 ms more.
    """
    missing = Referral.DoesNotExist("No such referral.")
    if user is None or not user.is_authenticated:
        raise missing
    return _VISIBLE.one(missing, shape=seeker_side_shape(user), user=user.pk, public_id=as_uuid(public_id))


def referrals_inbound_for(user, *, to_choose: bool = False, programs=None):
    """Referrals to the programs ``user`` claims, or that their organization provides if they are its admin
    (``restrict(user, "receive")``). ``to_choose``: to choose a page's ids and count them (``"receive:ids"``, no
    grant probed on each), never to show: the caller reads the page's rows through ``referrals_for_page``, which
    probes each.

    ``programs``: with ``to_choose``, the programs ``user`` receives for as the caller read them in this request
    (``programs_received_by``, the same rule), whose ids are then written out instead of the rule's subquery.
    PostgreSQL then reads the open referrals of each program from the index (program, status, ...) by both
    columns; from the subquery it expected ~45 referrals a program and read all ~5,000 of each of the benchmark
    claimer's programs, filtering their status (Inbound's page ids 4.2 -> 1.3-1.9 ms in EXPLAIN ANALYZE).
    """
    if to_choose and programs is not None:
        return referrals_to_programs_read().filter(program_id__in=[program.pk for program in programs])
    return Referral.objects.restrict(user, "receive:ids" if to_choose else "receive")


def referrals_to_programs_read():
    """Every referral, for a caller that narrows them to the programs it read from the rule book
    (``programs_received_by``) and only chooses ids from them: ``referrals_inbound_for`` with ``programs``, and
    Inbound Referrals' page, chosen program by program (core.pagination.ids_by_parts)."""
    return Referral.objects.unscoped("the programs the user receives for, read by the rule book")


def referrals_for_page(user, page_ids, *, order):
    """The referrals of one page of a list, ``page_ids`` (ids, or a narrow ``values("pk")`` subquery)
    having been chosen from that list in ``order``; returned in the same order, for the caller to join
    (``select_related``, annotations) on these rows only.

    Over a large visible set the cost is joining every row before sorting; choosing the page's ids by a
    narrow query (id and sort keys) and joining 25 rows avoids it. Visibility is checked again row by row,
    so ids can never show more than ``user`` may see.

    Ids already read (a list: the API's and FHIR's pages, Sent referrals' attention view) are each probed in the
    grant tables ("view:few"): PostgreSQL otherwise hashes every grant of the person for the page's 25 rows
    (the benchmark helper's 4,953: the API page's rows 3.3-3.7 -> 1.6 ms in EXPLAIN ANALYZE). A subquery keeps
    "view", which PostgreSQL plans around the subquery's own estimate.
    """
    action = "view:few" if isinstance(page_ids, (list, tuple)) else "view"
    return Referral.objects.restrict(user, action).filter(pk__in=page_ids).order_by(*order)


def open_referrals_to_programs(user, *, seeker, program_ids) -> dict:
    """The programs among ``program_ids`` that ``seeker`` has an open referral to, each mapped to that
    referral's public_id if ``user`` may see it, or to None when it is a colleague's they may not see.
    The existence check crosses scopes on purpose (it is the duplicate rule) and reveals nothing else."""
    from .statuses import OPEN

    existing = set(
        Referral.objects.unscoped("duplicate check: existence only")
        .filter(seeker=seeker, status__in=sorted(OPEN), program_id__in=list(program_ids))
        .values_list("program_id", flat=True)
    )
    if not existing:
        return {}
    visible = dict(
        Referral.objects.restrict(user, "view")
        .filter(seeker=seeker, status__in=sorted(OPEN), program_id__in=existing)
        .values_list("program_id", "public_id")
    )
    return {program_id: visible.get(program_id) for program_id in existing}


def referral_replacement_candidates(user, referral: Referral):
    """The referrals that may replace ``referral`` when it is withdrawn as referred elsewhere: the same
    seeker's other referrals that ``user`` may see."""
    return (
        Referral.objects.restrict(user, "view")
        .filter(seeker_id=referral.seeker_id)
        .exclude(pk=referral.pk)
        .select_related("program")
    )


def referral_history(referral: Referral):
    return referral.events.order_by("-created_at", "-id")


# The history lines of the changes that raise a referral's version (referrals.services._touch): one each.
VERSIONED_KINDS = ("status_changed", "reopened", "goal_changed", "assignment_changed", "consent_withdrawn")


def referral_changes_since(referral: Referral, version: int) -> list:
    """What changed since someone saw ``referral`` at ``version``: the history lines of the changes made since,
    newest first (each change raised the version by one and wrote one of VERSIONED_KINDS)."""
    missed = referral.version - version
    if missed <= 0:
        return []
    return list(referral.events.filter(kind__in=VERSIONED_KINDS).order_by("-created_at", "-id")[: min(missed, 20)])


def similar_programs(referral: Referral):
    """Programs of the same category, accepting, nearest the seeker's zip code first (by name without one).

    Programs the seeker already has an open referral to (this one included) are left out. What expiry, a stall
    and a decline for no room or out of area offer the referrer instead (one click to the Connect form).
    """
    from programs.selectors import UnknownZipCode, directory, program_search

    from .statuses import OPEN

    category_ids = list(referral.program.categories.values_list("pk", flat=True))
    open_programs = (
        Referral.objects.unscoped("the seeker's other open referrals")
        .filter(seeker_id=referral.seeker_id, status__in=OPEN)
        .values("program_id")
    )
    try:
        candidates = (
            program_search(zip_code=referral.seeker.zip_code, accepting=True) if referral.seeker.zip_code else None
        )
    except UnknownZipCode:
        candidates = None
    if candidates is None:
        candidates = directory().filter(accepts_referrals=True).order_by("name")
    if category_ids:
        candidates = candidates.filter(categories__in=category_ids)
    return candidates.exclude(pk=referral.program_id).exclude(pk__in=open_programs).distinct()


DECLINED_ALTERNATIVES = 3


def declined_alternatives(referral: Referral, *, limit: int = DECLINED_ALTERNATIVES) -> list:
    """The programs to offer after ``referral`` was declined for no room or out of area
    (statuses.DECLINES_WITH_ALTERNATIVES): the nearest accepting ones of the same category. Empty otherwise."""
    from .statuses import DECLINES_WITH_ALTERNATIVES, Status

    if referral.status != Status.DECLINED or referral.status_reason not in DECLINES_WITH_ALTERNATIVES:
        return []
    return list(similar_programs(referral)[:limit])
