"""factory_boy factories. Sub-factories share one organization, and rows are made through the services."""

import factory
from django.utils import timezone

from accounts.models import Membership, Organization, Team, User
from accounts.services import membership_set, organization_create, team_add_member, team_create
from goals.models import Goal
from programs.models import Program
from programs.services import program_add_claimer, program_create
from referrals.models import Referral
from referrals.services import referral_create
from seekers.models import Seeker

PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"organization-{n}")
    runs_site = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return organization_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return User.objects.create_user(password=PASSWORD, **kwargs)


def worker(organization, *, role=Membership.Role.WORKER, team=None, joined_at=None, **fields) -> User:
    user = UserFactory(**fields)
    membership_set(user=user, organization=organization, role=role, joined_at=joined_at or timezone.now())
    if team is not None:
        team_add_member(team=team, user=user)
    return user


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    shares_outbound = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return team_create(**kwargs)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory, runs_site=False)
    name = factory.Sequence(lambda n: f"Program {n}")
    description = "Help for people who need it."
    zip_code = "60640"
    latitude = 41.9719
    longitude = -87.6624
    expected_response_hours = 72
    capacity_available = 10
    capacity_maximum = 20

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return program_create(**kwargs)


def claimer(program, *, joined_at=None, **fields) -> User:
    user = UserFactory(**fields)
    program_add_claimer(program=program, user=user, joined_at=joined_at or timezone.now())
    return user


class SeekerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seeker

    organization = factory.SubFactory(OrganizationFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    zip_code = "60640"
    email = factory.Sequence(lambda n: f"seeker{n}@example.com")
    preferred_language = "en"


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    seeker = factory.SubFactory(SeekerFactory)
    organization = factory.SelfAttribute("seeker.organization")
    title = factory.Sequence(lambda n: f"Goal {n}")


def referral(*, referrer, seeker, program, **fields) -> Referral:
    fields.setdefault("consent_method", Referral.ConsentMethod.VERBAL)
    fields.setdefault("comment", "Needs help this week.")
    return referral_create(actor=referrer, seeker=seeker, program=program, **fields)


def api_token(user, *, with_second_factor: bool = False) -> str:
    """A new API token for ``user``, issued as POST /api/v1/auth/token/ issues it (the caller vouches for the
    password, and for the code when ``with_second_factor``)."""
    from security.services import api_token_issue

    return api_token_issue(user=user, with_second_factor=with_second_factor)[1]
