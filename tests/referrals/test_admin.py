"""The network admin changes a referral's status in the Django admin: same rules, same history, clear refusals."""

import pytest
from django.contrib.admin.models import LogEntry

from referrals.models import Referral, ReferralEvent
from referrals.services import referral_change_status
from tests.admin_forms import network_admin, page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(network_admin())
    return client


def referral_url(referral):
    return f"/admin/referrals/referral/{referral.pk}/change/"


def test_a_status_change_in_the_admin_is_in_the_referral_history_as_made_in_the_admin(admin_client, network):
    referral = network.refer()
    data = page_data(admin_client.get(referral_url(referral)))
    assert data["expected_version"] == str(referral.version)
    data.update(new_status="declined", reason="no_capacity", note="Closed for the winter.")

    response = admin_client.post(referral_url(referral), data, follow=True)

    assert "was changed successfully" in response.content.decode()
    referral = Referral.objects_across_tenants.get(pk=referral.pk)
    assert (referral.status, referral.status_reason) == ("declined", "no_capacity")
    event = referral.events.get(kind=ReferralEvent.Kind.STATUS_CHANGED, to_status="declined")
    assert event.via == "admin"
    assert event.actor_display == "Net A."
    assert referral.notes.get().body == "Closed for the winter."


def test_a_refused_change_is_shown_on_the_form_and_not_called_a_success(admin_client, network):
    referral = network.refer()
    data = page_data(admin_client.get(referral_url(referral)))
    data.update(new_status="declined")  # a decline needs its reason

    response = admin_client.post(referral_url(referral), data, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Status not changed: Choose a reason for" in page
    assert "changed successfully" not in page
    assert Referral.objects_across_tenants.get(pk=referral.pk).status == "sent"
    assert not LogEntry.objects.filter(object_id=str(referral.pk)).exists()


def test_a_change_made_meanwhile_is_not_overwritten(admin_client, network):
    referral = network.refer()
    data = page_data(admin_client.get(referral_url(referral)))
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    data.update(new_status="declined", reason="no_capacity")

    response = admin_client.post(referral_url(referral), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "changed by someone else since you opened it" in page
    assert Referral.objects_across_tenants.get(pk=referral.pk).status == "accepted"

    # The page now shows the referral as it is; posting again applies the change to that version.
    again = page_data(response)
    again.update(new_status="declined", reason="no_capacity")
    assert admin_client.post(referral_url(referral), again).status_code == 302
    assert Referral.objects_across_tenants.get(pk=referral.pk).status == "declined"
