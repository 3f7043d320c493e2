"""A network admin's look does not mark a referral viewed; each token request gets its own working token."""

from referrals.models import Referral
from security.models import ApiToken
from tests import factories
from tests.factories import PASSWORD


def test_a_network_admin_looking_at_a_sent_referral_leaves_it_sent(network, api):
    admin = factories.claimer(network.program, is_superuser=True, is_staff=True)
    referral = network.refer()
    response = api(admin).get(f"/api/v1/referrals/{referral.public_id}/")
    assert response.status_code == 200
    assert response.json()["status"] == "sent"
    assert Referral.objects_across_tenants.get(pk=referral.pk).status == "sent"


def test_each_token_request_gets_its_own_token_one_per_device(network, api):
    """Two devices (or two concurrent first requests) each get a token of their own; both work, and revoking
    one leaves the other (there is no shared per-account key to race for)."""
    body = {"email": network.referrer.email, "password": PASSWORD}
    first, second = (api().post("/api/v1/auth/token/", body, format="json").json()["token"] for _ in range(2))
    assert first != second
    assert ApiToken.objects.filter(token__user=network.referrer).count() == 2
    for token in (first, second):
        client = api()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/v1/referrals/").status_code == 200
