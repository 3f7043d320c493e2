"""The seekers' rule book (seekers.policies), as a table, and the goals' (goals.policies) that follows it."""

import pytest

from accounts.models import User
from core.errors import NotAllowed
from goals import policies as goal_policies
from goals.services import goal_create
from seekers import policies
from seekers.models import Seeker
from seekers.services import seeker_update

# person -> (helps Luis: sees and changes the profile and its goals, sees who looked at him (an admin of his
# organization), uses People I'm Helping)
TABLE = {
    "referrer": (True, False, True),  # created the profile
    "teammate": (True, False, True),  # the profile's team shares
    "private_worker": (False, False, True),  # same site, a team that does not share
    "site_admin": (True, True, True),
    "claimer": (False, False, False),  # claims a program, member of no organization (the program's own
    # list is the referrals rule book's: receives_referrals)
    "provider_admin": (False, False, True),  # a provider's people: those its members add to refer on
    "outsider": (False, False, True),  # a worker at another site
    "outsider_admin": (False, False, True),
}


@pytest.mark.parametrize("person", TABLE)
def test_the_rule_book_answers_each_person_about_a_seeker(network, person):
    user = getattr(network, person)
    helps, sees_records, people_pages = TABLE[person]
    assert policies.can(user, "change", network.seeker) is helps
    assert goal_policies.can(user, "manage_goals", network.seeker) is helps
    assert policies.can(user, "see_access_records", network.seeker) is sees_records
    assert policies.can(user, "use_people_pages") is people_pages
    assert Seeker.objects.restrict(user, "view").filter(pk=network.seeker.pk).exists() is helps
    assert Seeker.objects.restrict(user, "view:all").filter(pk=network.seeker.pk).exists() is helps
    if not helps:
        with pytest.raises(NotAllowed, match="You do not help this person."):
            seeker_update(actor=user, seeker=network.seeker, first_name="Changed")
        with pytest.raises(NotAllowed, match="You do not help this person."):
            goal_create(actor=user, seeker=network.seeker, title="Find work")


def test_a_network_admin_uses_the_people_pages_and_a_switched_off_account_nothing(network):
    admin = User.objects.create_superuser(email="root@network.example", password="x" * 12)
    assert policies.can(admin, "use_people_pages")
    network.referrer.is_active = False
    assert not policies.can(network.referrer, "change", network.seeker)


def test_only_members_of_an_organization_add_people_there(network):
    assert policies.can(network.referrer, "add_seeker", network.site)
    assert not policies.can(network.referrer, "add_seeker", network.other_site)
    assert policies.can(network.provider_admin, "add_seeker", network.provider)  # a provider's members refer too
    assert not policies.can(network.provider_admin, "add_seeker", network.site)
    assert not policies.can(network.claimer, "add_seeker", network.provider)  # a claim alone is no membership
    with pytest.raises(ValueError):
        policies.can(network.referrer, "no_such_action", network.site)
    with pytest.raises(ValueError):
        Seeker.objects.restrict(network.referrer, "everything")
