"""Reads of the people pages that reach past seekers (their referrals)."""

from django.db.models import Count

from referrals.models import Referral
from referrals.statuses import OPEN


def with_open_referrals(user, seekers) -> list:
    """``seekers`` (a page's worth) as a list, each with ``open_referrals``: how many of their open referrals
    ``user`` may see. One grouped query, whatever the number of seekers."""
    seekers = list(seekers)
    counts = (
        dict(
            Referral.objects.restrict(user, "view")  # a few referrals each, named by seeker
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

    One grouped query over the user's inbound referrals; the page's people are read by ``referred_people``.
    """
    from django.db.models import Case, IntegerField, Max, Q, When

    from referrals.policies import CONSENT_HOLDS, seekers_received_by
    from seekers.models import Seeker
    from seekers.selectors import people_search

    received = Referral.objects.restrict(user, "receive")
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
        seeker.pk: seeker for seeker in seekers_received_by(user).filter(pk__in=[row["seeker_id"] for row in rows])
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
