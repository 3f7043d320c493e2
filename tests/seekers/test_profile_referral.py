"""A referral opened from a profile has its own address (issue 19 item 5), and the profile's lists show each
referral's comment and latest note."""

import pytest
from django.urls import reverse

from referrals import services
from tests import factories

pytestmark = pytest.mark.django_db


def address(seeker, referral):
    return reverse("seekers:referral", args=[seeker.public_id, referral.public_id])


def test_the_profile_opens_with_the_referral_in_place(client, network):
    referral = network.refer(comment="Needs groceries for four.")
    client.force_login(network.referrer)
    response = client.get(address(network.seeker, referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and 'id="referral-panel"' in html
    assert f'data-live-referral="{referral.public_id}"' in html and "Open the full page" in html
    assert f"<h1>{network.seeker.full_name}</h1>" in html or network.seeker.full_name in html
    panel = client.get(address(network.seeker, referral), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in panel and f'data-live-referral="{referral.public_id}"' in panel


def test_the_list_links_push_the_referral_s_own_address(client, network):
    referral = network.refer()
    client.force_login(network.referrer)
    html = client.get(reverse("seekers:profile", args=[network.seeker.public_id])).content.decode()
    assert (
        f'href="{address(network.seeker, referral)}" hx-get="{address(network.seeker, referral)}" '
        'hx-push-url="true"' in html
    )


def test_another_person_s_referral_or_another_tenant_is_404(client, network):
    referral = network.refer()
    other = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
    client.force_login(network.referrer)
    assert client.get(address(other, referral)).status_code == 404
    client.force_login(network.outsider)
    assert client.get(address(network.seeker, referral)).status_code == 404


def test_the_lists_show_the_comment_and_the_latest_note(client, network):
    referral = network.refer(comment="Needs groceries for four.")
    services.note_add(actor=network.referrer, referral=referral, body="First call, no answer.")
    services.note_add(actor=network.claimer, referral=referral, body="Intake booked for Tuesday.")
    client.force_login(network.referrer)
    html = client.get(reverse("seekers:profile", args=[network.seeker.public_id])).content.decode()
    assert "Needs groceries for four." in html
    assert "Intake booked for Tuesday." in html and "First call, no answer." not in html


def test_the_list_query_count_does_not_grow_with_notes(client, network, django_assert_max_num_queries):
    referral = network.refer()
    client.force_login(network.referrer)
    outbound = reverse("seekers:outbound_list", args=[network.seeker.public_id])
    with django_assert_max_num_queries(100) as few:
        client.get(outbound)
    for index in range(5):
        other = network.refer(program=factories.ProgramFactory(organization=network.provider))
        services.note_add(actor=network.referrer, referral=other, body=f"Note {index}")
    services.note_add(actor=network.referrer, referral=referral, body="Latest")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(outbound)
    assert "Note 4" in response.content.decode()
