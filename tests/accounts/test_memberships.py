from accounts.models import Membership
from accounts.services import membership_set


def test_promotion_to_admin_ends_sessions_begun_without_a_second_factor(
    client, network, django_capture_on_commit_callbacks
):
    client.force_login(network.teammate)
    assert client.get("/people/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        membership_set(user=network.teammate, organization=network.site, role=Membership.Role.ADMIN)
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert network.teammate.groups.filter(pk=network.site.admin_group_id).exists()
