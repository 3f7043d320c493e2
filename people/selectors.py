"""Reads of the people pages that reach past seekers (their referrals)."""

from django.db.models import Count, OuterRef, Subquery

from core.statements import Statement
from referrals.models import Note, Referral
from referrals.policies import seeker_side_shape, with_seeker_side
from referrals.statuses import OPEN


def with_open_referrals(user, seekers) -> list:
    """``seekers`` (a page's worth) as a list, each with ``open_referrals``: how many of their open referrals
    ``user`` may see. One grouped query, whatever the number of seekers."""
    seekers = list(seekers)
    counts = (
        dict(
            Referral.objects.restrict(user, "view:few")  # a few referrals each, named by seeker: each probed
            .filter(seeker_id__in=[seeker.pk for seeker in seekers], status__in=sorted(OPEN))
            .order_by()
            .values("seeker_id")
            .annotate(count=Count("pk"))
            .values_list("seeker_id", "count")
        )
        if seekers
        else {}
    )
    for seeker in seekers:
        seeker.open_referrals = counts.get(seeker.pk, 0)
    return seekers


def people_referred_to_programs(user, query: str = ""):
    """People I'm Helping for a program: one row per person with a referral ``user`` receives
    (``restrict(user, "receive")``), those with an open referral first, then by their latest referral change.
    Each row is a dict: ``seeker_id``, ``open_referrals``, ``last_activity`` and ``consent_holds`` (one of the
    referrals still holds consent). ``query`` matches names, and contact details only where they are shared.

    One grouped query over the user's inbound referrals, by their programs alone (``"receive:ids"``: no grant
    probed on each of a busy claimer's 20,000); the page's people are read by ``referred_people``, whose referrals
    are each probed, so a person is shown only through a referral the user holds a grant on.
    """
    from django.db.models import Case, IntegerField, Max, Q, When

    from referrals.policies import CONSENT_HOLDS, seekers_received_by
    from seekers.models import Seeker
    from seekers.selectors import people_search

    received = Referral.objects.restrict(user, "receive:ids")
    if query:
        consenting = Referral.objects.restrict(user, "receive").filter(CONSENT_HOLDS).order_by().values("seeker_id")
        contact_shared = Q(pk__in=consenting) & ~Q(contact_preference=Seeker.ContactPreference.DO_NOT_CONTACT)
        matching = people_search(seekers_received_by(user), query, contact_condition=contact_shared)
        received = received.filter(seeker_id__in=matching.values("pk"))
    return (
        received.order_by()
        .values("seeker_id")
        .annotate(
            open_referrals=Count("pk", filter=Q(status__in=sorted(OPEN))),
            last_activity=Max("updated_at"),
            consent_holds=Max(Case(When(CONSENT_HOLDS, then=1), default=0, output_field=IntegerField())),
        )
        .order_by(
            Case(When(open_referrals__gt=0, then=0), default=1, output_field=IntegerField()),
            "-last_activity",
            "seeker_id",
        )
    )


def referred_people(user, rows) -> list:
    """The people of one page of ``people_referred_to_programs``, in its order, each with ``open_referrals``,
    ``last_activity`` and ``shares_contact`` (the rule book: contact details while consent holds). One query."""
    from referrals.policies import contact_shared_with_program, seekers_received_by

    rows = list(rows)
    found = {
        seeker.pk: seeker
        for seeker in seekers_received_by(user, few=True).filter(pk__in=[row["seeker_id"] for row in rows])
    }
    people = []
    for row in rows:
        seeker = found.get(row["seeker_id"])
        if seeker is None:  # a referral closed to the user between the two reads
            continue
        seeker.open_referrals, seeker.last_activity = row["open_referrals"], row["last_activity"]
        seeker.shares_contact = contact_shared_with_program(seeker, consent_holds=row["consent_holds"])
        people.append(seeker)
    return people


def _with_latest_note(referrals):
    """Each referral with its latest note's text and time (one subquery each, in the list's one query)."""
    latest = (
        Note.objects.unscoped("the latest note of each referral the list's restrict() chose")
        .filter(referral=OuterRef("pk"))
        .order_by("-created_at", "-id")
    )
    return referrals.annotate(
        latest_note=Subquery(latest.values("body")[:1]), latest_note_at=Subquery(latest.values("created_at")[:1])
    )


# The profile's two lists, compiled once per process (core.statements): building and compiling them cost more
# than PostgreSQL took to run them (bench/NOTES.md, issue 18).
_OUTBOUND = Statement(
    "a profile's outbound referrals",
    lambda user, seeker_id: _with_latest_note(
        Referral.objects.restrict(user, "refer:few")
        .filter(seeker_id=seeker_id)
        .select_related("program", "goal")
        .order_by("-sent_at", "-id")
    ),
)
_INBOUND = Statement(
    "a profile's inbound referrals",
    lambda user, seeker_id: _with_latest_note(
        with_seeker_side(Referral.objects.restrict(user, "receive:few").filter(seeker_id=seeker_id), user)
        .select_related("program", "goal", "on_behalf_of_program", "replaced_by__program")
        .order_by("-sent_at", "-id")
    ),
)


def outbound_referrals(user, seeker):
    return _OUTBOUND(user=user.pk, seeker_id=seeker.pk)


def inbound_referrals(user, seeker):
    """The seeker's referrals to the programs ``user`` works, each with ``on_seeker_side`` (the goal is shown
    only to those who help the seeker)."""
    return _INBOUND(shape=seeker_side_shape(user), user=user.pk, seeker_id=seeker.pk)
