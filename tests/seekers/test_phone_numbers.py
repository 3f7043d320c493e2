"""Seekers' phones are stored in E.164; the numbers kept from before are migrated or flagged (issue 14 item 1)."""

import pytest
from django.urls import reverse

from seekers.models import Seeker


def _reload(seeker):
    return Seeker.objects_across_tenants.get(pk=seeker.pk)


def _edit(network, **changes):
    return {
        "first_name": "Luis",
        "last_name": "Hernandez",
        "date_of_birth": "",
        "zip_code": "60640",
        "email": "luis@example.com",
        "phone": "",
        "preferred_language": "en",
        "contact_preference": "email",
        **changes,
    }


@pytest.mark.parametrize("typed", ["111-111-1111", "000 000 0000", "312-CALL-NOW", "555-0142"])
def test_the_form_refuses_a_number_nobody_has_and_keeps_what_was_typed(client, network, typed):
    client.force_login(network.referrer)
    before = _reload(network.seeker).phone
    response = client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]), _edit(network, phone=typed, last_name="Kept")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'value="{typed}"' in html and 'value="Kept"' in html
    assert 'aria-invalid="true"' in html or "errorlist" in html
    assert _reload(network.seeker).phone == before


def test_a_flagged_number_shows_on_the_profile_until_a_helper_fixes_it(client, network):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(phone="ask at the desk", phone_needs_check=True)
    client.force_login(network.referrer)
    html = client.get(reverse("seekers:profile", args=[network.seeker.public_id])).content.decode()
    assert "Check this number" in html and "ask at the desk" in html

    # Saving the profile as it is refuses the old text (it is not a number) ...
    response = client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]), _edit(network, phone="ask at the desk")
    )
    assert response.status_code == 400
    assert _reload(network.seeker).phone_needs_check
    # ... and a real number clears the flag.
    response = client.post(
        reverse("seekers:edit", args=[network.seeker.public_id]), _edit(network, phone="(312) 555-0142")
    )
    assert response.status_code == 302
    seeker = _reload(network.seeker)
    assert (seeker.phone, seeker.phone_needs_check) == ("+13125550142", False)
    html = client.get(reverse("seekers:profile", args=[network.seeker.public_id])).content.decode()
    assert "Check this number" not in html
    assert '<a href="tel:+13125550142">312-555-0142</a>' in html


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_real_numbers_and_flags_the_rest(network):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("seekers", "0004_dedupe_extensions")], [("seekers", "0005_phone_e164")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps.get_model("seekers", "Seeker")
        typed = {
            "(773) 555-1000": "+17735551000",
            "3125550142": "+13125550142",
            "+44 20 7946 0958": "+442079460958",
            "111-111-1111": "111-111-1111",
            "front desk": "front desk",
            "": "",
        }
        ids = {}
        for number in typed:
            ids[number] = old._default_manager.create(
                organization_id=network.seeker.organization_id, first_name="Old", phone=number
            ).pk

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        # Read as the schema is at that migration: later migrations add columns the current model has.
        migrated = executor.loader.project_state(after).apps.get_model("seekers", "Seeker")
        for number, stored in typed.items():
            seeker = migrated._default_manager.get(pk=ids[number])
            assert seeker.phone == stored
            assert seeker.phone_needs_check == (number in ("111-111-1111", "front desk")), number
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
