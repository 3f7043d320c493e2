"""A network admin's look does not mark a referral viewed; concurrent first token requests both get the token."""

from django.db import IntegrityError
from rest_framework.authtoken.models import Token

from referrals.models import Referral
from tests import factories
from tests.factories import PASSWORD


def test_a_network_admin_looking_at_a_sent_referral_leaves_it_sent(network, api):
    admin = factories.claimer(network.program, is_superuser=True, is_staff=True)
    referral = network.refer()
    response = api(admin).get(f"/api/v1/referrals/{referral.public_id}/")
    assert response.status_code == 200
    assert response.json()["status"] == "sent"
    assert Referral.objects_across_tenants.get(pk=referral.pk).status == "sent"


def test_a_token_request_that_loses_the_race_to_create_the_token_gets_the_winners(network, api, monkeypatch):
    def lose_the_race(**fields):
        Token.objects.create(**fields)  # the concurrent request's insert lands first
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(Token.objects, "get_or_create", lose_the_race)
    response = api().post("/api/v1/auth/token/", {"email": network.referrer.email, "password": PASSWORD},
                          format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=network.referrer).key
