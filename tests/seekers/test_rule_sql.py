"""The seeker rule's SQL is written once per process (seekers.policies._rule_sql) and only the user's id is bound:
the same people for both plans, also inside a subquery, where Django renames the outer table."""

import pytest
from django.db.models import Exists, OuterRef

from referrals.models import Referral
from seekers import policies
from seekers.models import Seeker

pytestmark = pytest.mark.django_db

PEOPLE = ["referrer", "teammate", "private_worker", "claimer", "site_admin", "provider_admin", "outsider"]


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("action", ["view", "view:all"])
def test_each_plan_answers_the_same_inside_a_subquery(network, action):
    network.refer()
    network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    everyone = Seeker.objects.unscoped("test")
    for person in PEOPLE:
        user = getattr(network, person)
        direct = _ids(Seeker.objects.restrict(user, action))
        nested = _ids(everyone.filter(pk__in=Seeker.objects.restrict(user, action).values("pk")))
        correlated = _ids(everyone.filter(Exists(Seeker.objects.restrict(user, action).filter(pk=OuterRef("pk")))))
        assert direct == nested == correlated, (person, action)
        assert direct == _ids(Seeker.objects.restrict(user, "view" if action == "view:all" else "view:all"))
    assert _ids(Seeker.objects.restrict(network.referrer, action)) == {network.seeker.pk}
    assert _ids(Seeker.objects.restrict(network.outsider, action)) == {network.outsider_seeker.pk}
    assert not _ids(Seeker.objects.restrict(network.claimer, action))  # a program sees referrals, not profiles


def test_the_sql_is_built_once_and_binds_the_user(network):
    first = Seeker.objects.restrict(network.referrer, "view:all").query.sql_with_params()
    built = dict(policies._RULE_SQL)
    second = Seeker.objects.restrict(network.outsider, "view:all").query.sql_with_params()
    assert policies._RULE_SQL == built
    assert first[0] == second[0] and network.referrer.pk in first[1] and network.outsider.pk in second[1]


def test_a_referral_list_inside_the_rule(network):
    """The referrals' rule and the seekers' rule in one statement (with_seeker_side): each keeps its own names."""
    from referrals.policies import with_seeker_side

    network.refer()
    for person, helps in (("referrer", True), ("claimer", False)):
        user = getattr(network, person)
        sides = {bool(r.on_seeker_side) for r in with_seeker_side(Referral.objects.restrict(user, "view:all"), user)}
        assert sides == {helps}, person
