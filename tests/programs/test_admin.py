"""The network admin's program page: claimers and edits go through the services, and nothing gives a 500."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry

from programs.models import Program, ProgramClaimer
from tests.admin_forms import add_inline_row, network_admin, page_data

pytestmark = pytest.mark.django_db

PREFIX = "claimer_memberships"


@pytest.fixture
def admin_client(client):
    client.force_login(network_admin())
    return client


def program_url(program):
    return f"/admin/programs/program/{program.pk}/change/"


def test_adding_a_claimer_joins_the_program_group(admin_client, network):
    data = page_data(admin_client.get(program_url(network.program)))
    add_inline_row(data, PREFIX, user=network.referrer)

    response = admin_client.post(program_url(network.program), data)

    assert response.status_code == 302
    assert ProgramClaimer.objects.filter(program=network.program, user=network.referrer).exists()
    assert network.referrer.groups.filter(pk=network.program.group_id).exists()
    entry = LogEntry.objects.get(object_id=str(network.program.pk), content_type__model="program")
    assert "Added" in entry.get_change_message()


def test_a_claimer_twice_gets_a_message_not_an_error_page(admin_client, network):
    data = page_data(admin_client.get(program_url(network.program)))
    add_inline_row(data, PREFIX, user=network.claimer)

    response = admin_client.post(program_url(network.program), data)

    assert response.status_code == 200
    assert "already exists" in response.content.decode() or "duplicate" in response.content.decode()
    assert ProgramClaimer.objects.filter(program=network.program, user=network.claimer).count() == 1


def test_removing_a_claimer_leaves_the_program_group(admin_client, network):
    data = page_data(admin_client.get(program_url(network.program)))
    data[f"{PREFIX}-0-DELETE"] = "on"

    assert admin_client.post(program_url(network.program), data).status_code == 302

    assert not ProgramClaimer.objects.filter(program=network.program).exists()
    assert not network.claimer.groups.filter(pk=network.program.group_id).exists()


def test_an_edit_goes_through_the_service_and_is_logged(admin_client, network):
    assert network.program.capacity_updated_at is None
    data = page_data(admin_client.get(program_url(network.program)))
    data["shares_outbound"] = "on"
    data["capacity_available"] = "3"
    data["organization"] = str(network.site.pk)  # read-only: ignored

    assert admin_client.post(program_url(network.program), data).status_code == 302

    program = Program.objects_across_tenants.get(pk=network.program.pk)
    assert program.shares_outbound is True
    assert program.capacity_available == 3 and program.capacity_updated_at is not None
    assert program.organization_id == network.provider.pk
    entry = LogEntry.objects.get(object_id=str(program.pk), content_type__model="program")
    assert entry.action_flag == CHANGE and "Shares outbound referrals" in entry.get_change_message()
