import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import InvalidInput, NotAllowed
from programs.models import Program
from programs.services import program_update


def url(program):
    return f"/programs/{program.public_id}/manage/"


def form_data(program, **changes):
    data = {
        "description": program.description,
        "eligibility": program.eligibility,
        "next_steps": program.next_steps,
        "accepts_referrals": "on" if program.accepts_referrals else "",
        "capacity_available": program.capacity_available,
        "capacity_maximum": program.capacity_maximum,
        "round_robin_assignment": "on" if program.round_robin_assignment else "",
    }
    data.update(changes)
    return {key: ("" if value is None else value) for key, value in data.items() if value != ""}


def reload(program):
    return Program.objects_across_tenants.get(pk=program.pk)


def test_a_claimer_edits_the_listing_and_capacity_gets_its_date(network, client):
    client.force_login(network.claimer)
    response = client.post(
        url(network.program),
        form_data(
            network.program,
            description="Groceries every Tuesday.",
            eligibility="Anyone in 60640.",
            next_steps="Come by with an ID.",
            accepts_referrals="",
            capacity_available=3,
            round_robin_assignment="on",
        ),
    )
    assert response.status_code == 302 and response["Location"] == url(network.program)
    program = reload(network.program)
    assert program.description == "Groceries every Tuesday."
    assert program.eligibility == "Anyone in 60640." and program.next_steps == "Come by with an ID."
    assert program.accepts_referrals is False and program.round_robin_assignment is True
    assert program.capacity_available == 3
    assert timezone.now() - program.capacity_updated_at < timedelta(minutes=1)
    html = client.get(response["Location"]).content.decode()
    assert "Capacity last updated" in html and "is updated" in html


def test_editing_the_text_alone_keeps_the_capacity_date(network, client):
    long_ago = timezone.now() - timedelta(days=9)
    Program.objects_across_tenants.filter(pk=network.program.pk).update(capacity_updated_at=long_ago)
    client.force_login(network.claimer)
    client.post(url(network.program), form_data(network.program, description="New words."))
    assert reload(network.program).capacity_updated_at == long_ago
    client.post(url(network.program), form_data(network.program, description="New words.", capacity_confirmed="on"))
    assert reload(network.program).capacity_updated_at > long_ago


def test_the_round_robin_switch_assigns_new_referrals(network, client):
    client.force_login(network.claimer)
    client.post(url(network.program), form_data(network.program, round_robin_assignment="on"))
    assert network.refer(program=reload(network.program)).assigned_to == network.claimer


def test_the_organization_admin_may_edit(network, client):
    client.force_login(network.provider_admin)
    assert client.get(url(network.program)).status_code == 200
    client.post(url(network.program), form_data(network.program, capacity_available=0))
    assert reload(network.program).capacity_available == 0


@pytest.mark.parametrize("person", ["other_claimer", "referrer", "outsider", "outsider_admin", "site_admin"])
def test_others_get_403_and_change_nothing(network, client, person):
    client.force_login(getattr(network, person))
    assert client.get(url(network.program)).status_code == 403
    response = client.post(url(network.program), form_data(network.program, description="Hacked"))
    assert response.status_code == 403
    assert reload(network.program).description != "Hacked"


def test_an_unknown_program_is_404(network, client):
    client.force_login(network.claimer)
    assert client.get(f"/programs/{uuid.uuid4()}/manage/").status_code == 404


def test_it_requires_sign_in(network, client):
    assert client.get(url(network.program)).status_code == 302


@pytest.mark.parametrize(
    "changes, field_message",
    [
        ({"capacity_available": 30, "capacity_maximum": 20}, "cannot be more than the maximum"),
        ({"capacity_available": -1}, "greater than or equal to 0"),
        ({"capacity_available": "many"}, "Enter a whole number"),
        ({"capacity_maximum": 10**12}, "less than or equal to"),
        ({"description": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_gets_field_messages_and_changes_nothing(network, client, changes, field_message):
    before = reload(network.program)
    client.force_login(network.claimer)
    response = client.post(url(network.program), form_data(network.program, **changes))
    assert response.status_code == 400
    assert field_message in response.content.decode()
    after = reload(network.program)
    assert (after.description, after.capacity_available, after.capacity_maximum, after.capacity_updated_at) == (
        before.description,
        before.capacity_available,
        before.capacity_maximum,
        before.capacity_updated_at,
    )


def test_the_service_refuses_others_and_fields_claimers_do_not_own(network):
    with pytest.raises(PermissionDenied):  # NotAllowed is Django's PermissionDenied too: a web view answers 403
        program_update(actor=network.outsider, program=network.program, description="x")
    with pytest.raises(NotAllowed):
        program_update(actor=network.outsider, program=network.program, description="x")
    with pytest.raises(InvalidInput):
        program_update(actor=network.claimer, program=network.program, organization=network.site)
    with pytest.raises(InvalidInput) as error:
        program_update(actor=network.claimer, program=network.program, next_steps="nul\x00")
    assert "next_steps" in error.value.errors


def test_every_control_has_a_label(network, client):
    client.force_login(network.claimer)
    html = client.get(url(network.program)).content.decode()
    import re

    for control_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', html):
        assert f'for="{control_id}"' in html, control_id
