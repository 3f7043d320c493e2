"""Programs and their claimers. Claimer rows and the program's group move together."""

import uuid

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User

from .models import Category, Program, ProgramClaimer


@transaction.atomic
def program_create(*, organization: Organization, name: str, categories=(), **fields) -> Program:
    group = Group.objects.create(name=f"program:{organization.slug}:{uuid.uuid4().hex}")
    program = Program.objects_across_tenants.create(organization=organization, name=name, group=group, **fields)
    if categories:
        program.categories.set(categories)
    return program


@transaction.atomic
def program_add_claimer(*, program: Program, user: User, joined_at=None) -> ProgramClaimer:
    claimer, _ = ProgramClaimer.objects.get_or_create(
        program=program, user=user, defaults={"joined_at": joined_at or timezone.now()}
    )
    user.groups.add(program.group)
    return claimer


@transaction.atomic
def program_remove_claimer(*, program: Program, user: User) -> None:
    ProgramClaimer.objects.filter(program=program, user=user).delete()
    user.groups.remove(program.group)


def category_get_or_create(*, name: str) -> Category:
    from django.utils.text import slugify

    category, _ = Category.objects.get_or_create(slug=slugify(name)[:120], defaults={"name": name})
    return category
