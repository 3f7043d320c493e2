"""The referral rules' SQL is written once per process (referrals.policies._rule_sql) and only the user's id
and the permission are bound: the same answers as the rule book's table, also inside subqueries, where Django
renames the outer table."""

import pytest

from referrals import policies
from referrals.models import Referral, ReferralEvent

PEOPLE = ["referrer", "teammate", "claimer", "site_admin", "provider_admin", "outsider", "outsider_admin"]


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("action", sorted(policies.RESTRICT_ACTIONS))
def test_each_rule_answers_the_same_inside_a_subquery(network, action):
    network.refer()
    network.refer(program=network.other_program)
    for person in PEOPLE:
        user = getattr(network, person)
        direct = _ids(Referral.objects.restrict(user, action))
        nested = _ids(
            Referral.objects.unscoped("test").filter(pk__in=Referral.objects.restrict(user, action).values("pk"))
        )
        assert direct == nested, (person, action)


def test_the_sql_is_built_once_and_binds_the_user(network):
    network.refer()
    first = Referral.objects.restrict(network.referrer, "view").query.sql_with_params()
    built = dict(policies._RULE_SQL)
    second = Referral.objects.restrict(network.claimer, "view").query.sql_with_params()
    assert policies._RULE_SQL == built  # nothing written again for another user
    assert first[0] == second[0] and first[1] != second[1]
    assert network.referrer.pk in first[1] and network.claimer.pk in second[1]


def test_history_events_are_probed_through_their_referral(network):
    referral = network.refer()
    assert ReferralEvent.objects.restrict(network.referrer).filter(referral=referral).exists()
    assert not ReferralEvent.objects.restrict(network.outsider).filter(referral=referral).exists()
