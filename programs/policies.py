"""The rule book of programs: the shared directory is read by every signed-in person; a program's listing is
edited by its claimers and its organization's admins; its claimers and sharing switch are managed by its
organization's admins (accounts.policies "administer")."""

from __future__ import annotations

from accounts import policies as organization_policies
from core.policies import Rule, RuleBook

from .models import ProgramClaimer


def is_claimer(user, program) -> bool:
    return ProgramClaimer.objects.filter(program=program, user=user).exists()


def claimer_roles() -> dict:
    """accounts.policies.roles_of asks (registered in ProgramsConfig.ready): a claimer of any program works
    from Inbound Referrals."""
    from django.db.models import Exists, OuterRef

    return {"claimer": Exists(ProgramClaimer.objects.filter(user_id=OuterRef("pk")))}


rules = RuleBook(
    {
        "edit_listing": Rule(
            lambda user, program: (
                user.is_superuser
                or is_claimer(user, program)
                or organization_policies.is_organization_admin(user, program.organization_id)
            ),
            "Only the program's claimers and its organization's admins can edit it.",
        ),
        "manage_claimers": Rule(
            lambda user, program: organization_policies.can(user, "administer", program.organization),
            lambda program: f"Only an admin of {program.organization.name} can manage its members, teams and sharing.",
        ),
    }
)
can, check = rules.can, rules.check
