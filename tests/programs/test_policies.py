"""The programs' rule book (programs.policies): who edits a listing, who manages its claimers."""

import pytest

from accounts.models import User
from core.errors import NotAllowed
from programs import policies
from programs.services import organization_program_add_claimer

# person -> (edits the Community Food Pantry's listing, manages its claimers and sharing)
TABLE = {
    "claimer": (True, False),
    "other_claimer": (False, False),  # claims another program of the same provider
    "provider_admin": (True, True),
    "referrer": (False, False),
    "site_admin": (False, False),  # an admin, of another organization
    "outsider_admin": (False, False),
}


@pytest.mark.parametrize("person", TABLE)
def test_the_rule_book_answers_each_person_about_a_program(network, person):
    user = getattr(network, person)
    edits, manages = TABLE[person]
    assert policies.can(user, "edit_listing", network.program) is edits
    assert policies.can(user, "manage_claimers", network.program) is manages
    if not manages:
        with pytest.raises(NotAllowed, match="Only an admin of City Food Bank"):
            organization_program_add_claimer(actor=user, program=network.program, user=network.other_claimer)


def test_a_network_admin_edits_and_manages_every_program(network):
    admin = User.objects.create_superuser(email="root@network.example", password="x" * 12)
    assert policies.can(admin, "edit_listing", network.program)
    assert policies.can(admin, "manage_claimers", network.program)
