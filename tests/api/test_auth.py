import pytest

from tests.factories import PASSWORD

URL = "/api/v1/auth/token/"


def test_it_exchanges_email_and_password_for_a_token_that_works(network, api):
    response = api().post(URL, {"email": network.referrer.email.upper(), "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token", "expiry"}
    token = response.json()["token"]
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/referrals/").status_code == 200


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(network, api):
    response = api().post(URL, {"email": network.referrer.email, "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["The email or password is not right."]}
    unknown = api().post(URL, {"email": "nobody@example.org", "password": "nope"}, format="json")
    assert unknown.json() == response.json()


def test_it_refuses_an_inactive_user(network, api):
    network.referrer.is_active = False
    network.referrer.save()
    response = api().post(URL, {"email": network.referrer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{}, {"email": "not-an-email", "password": "x"}, {"email": "a@b.org"}])
def test_it_names_the_missing_or_malformed_fields(db, api, body):
    response = api().post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"email", "password"}


def test_a_wrong_token_is_401(db, api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/programs/").status_code == 401


def test_the_token_endpoint_is_strictly_rate_limited(network, api, settings, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": (3, 60)}
    client = api()
    answers = [
        client.post(URL, {"email": network.referrer.email, "password": "guess"}, format="json").status_code
        for _ in range(4)
    ]
    assert answers == [400, 400, 400, 429]
    response = client.post(URL, {"email": network.referrer.email, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_signed_in_users_are_rate_limited_too(network, api, settings, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_user": (2, 60)}
    client = api(network.referrer)
    assert [client.get("/api/v1/programs/").status_code for _ in range(3)] == [200, 200, 429]
    # another user has their own allowance
    assert api(network.teammate).get("/api/v1/programs/").status_code == 200


def test_session_sign_in_works_too(network, client):
    client.force_login(network.referrer)
    assert client.get("/api/v1/seekers/").status_code == 200


def test_the_configured_token_rate_is_stricter_than_the_users_rate():
    from referrals_site.settings import base

    per_second = {scope: n / seconds for scope, (n, seconds) in base.RATE_LIMITS.items()}
    assert per_second["api_token"] < per_second["api_anon"] < per_second["api_user"]


def test_a_forged_forwarded_address_does_not_dodge_the_limit(network, api, settings, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": (2, 60)}
    client = api()
    answers = [
        client.post(
            URL, {"email": "a@b.org", "password": "x"}, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"
        ).status_code
        for n in range(3)
    ]
    assert answers == [400, 400, 429]


def test_a_token_is_no_way_around_two_factor_sign_in(client, network, settings):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.MFA_REQUIRED_FOR_ADMINS = True
    url = "/api/v1/auth/token/"
    admin = {"email": network.site_admin.email, "password": PASSWORD}
    refused = client.post(url, admin, content_type="application/json")
    assert refused.status_code == 400 and "otp" in refused.json()
    device = TOTPDevice.objects.create(user=network.site_admin, name="phone", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post(url, {**admin, "otp": code}, content_type="application/json").status_code == 200
    wrong = "000000" if code != "000000" else "111111"
    assert client.post(url, {**admin, "otp": wrong}, content_type="application/json").status_code == 400
    worker = {"email": network.referrer.email, "password": PASSWORD}
    assert client.post(url, worker, content_type="application/json").status_code == 200
