"""Reads of the people pages that reach past seekers (their referrals)."""

from django.db.models import Count

from referrals.models import Referral
from referrals.statuses import OPEN


def with_open_referrals(user, seekers) -> list:
    """``seekers`` (a page's worth) as a list, each with ``open_referrals``: how many of their open referrals
    ``user`` may see. One grouped query, whatever the number of seekers."""
    seekers = list(seekers)
    counts = dict(
        Referral.objects.restrict(user, "view")  # a few referrals each, named by seeker
        .filter(seeker_id__in=[seeker.pk for seeker in seekers], status__in=sorted(OPEN))
        .order_by().values("seeker_id").annotate(count=Count("pk")).values_list("seeker_id", "count")
    ) if seekers else {}
    for seeker in seekers:
        seeker.open_referrals = counts.get(seeker.pk, 0)
    return seekers
