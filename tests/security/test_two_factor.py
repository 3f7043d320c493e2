"""TOTP sign-in: enrolment with a server-drawn QR code, the second step, recovery codes, admins required."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from security.services import recovery_codes_regenerate, totp_confirm, totp_pending_device
from tests.factories import PASSWORD


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrolled(user) -> list[str]:
    device = totp_pending_device(user=user)
    codes = totp_confirm(user=user, device=device, token=code_for(device))
    # A code is never accepted twice; these tests sign in again within the same 30 seconds.
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return codes


@pytest.fixture(autouse=True)
def no_otp_throttle(settings):
    """django-otp slows a device down after a wrong code (1 s, doubling); these tests try codes back to back."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def enforced(settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True


def test_enrolment_shows_a_qr_code_and_the_key_and_confirms_with_a_code(client, network):
    client.force_login(network.referrer)
    page = client.get("/account/two-factor/enrol/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'class="qr"' in html and "<script" not in html.split("</head>")[1]
    device = TOTPDevice.objects.get(user=network.referrer, confirmed=False)
    assert "Key:" in html
    wrong = client.post("/account/two-factor/enrol/", {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and "did not match" in wrong.content.decode()
    done = client.post("/account/two-factor/enrol/", {"token": code_for(device)})
    assert done.status_code == 200 and "recovery codes" in done.content.decode().lower()
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=network.referrer).count() == 10


def test_after_the_password_a_user_with_a_device_must_enter_a_code(network):
    enrolled(network.referrer)
    client = Client()
    response = client.post("/accounts/login/", {"username": network.referrer.email, "password": PASSWORD})
    assert response.status_code == 302
    blocked = client.get("/account/email/")
    assert blocked.status_code == 302 and blocked["Location"].startswith("/account/two-factor/verify/")
    assert client.post("/account/two-factor/verify/", {"token": "12"}).status_code == 400
    device = TOTPDevice.objects.get(user=network.referrer)
    passed = client.post("/account/two-factor/verify/?next=/account/email/", {"token": code_for(device)})
    assert passed.status_code == 302 and passed["Location"] == "/account/email/"
    assert client.get("/account/email/").status_code == 200


def test_a_recovery_code_works_once(network):
    codes = enrolled(network.referrer)
    first = Client()
    first.force_login(network.referrer)
    assert first.post("/account/two-factor/verify/", {"token": codes[0]}).status_code == 302
    assert first.get("/account/email/").status_code == 200
    second = Client()
    second.force_login(network.referrer)
    assert second.post("/account/two-factor/verify/", {"token": codes[0]}).status_code == 400
    assert second.get("/account/email/").status_code == 302


def test_a_code_cannot_be_replayed(network):
    device = totp_pending_device(user=network.referrer)
    code = code_for(device)
    totp_confirm(user=network.referrer, device=device, token=code)
    client = Client()
    client.force_login(network.referrer)
    assert client.post("/account/two-factor/verify/", {"token": code}).status_code == 400


def test_new_recovery_codes_replace_the_old_ones(network):
    old = enrolled(network.referrer)
    new = recovery_codes_regenerate(user=network.referrer)
    assert set(old).isdisjoint(new)
    assert StaticToken.objects.filter(device__user=network.referrer, token=old[0]).count() == 0


def test_the_next_parameter_cannot_send_people_elsewhere(network):
    enrolled(network.referrer)
    client = Client()
    client.force_login(network.referrer)
    device = TOTPDevice.objects.get(user=network.referrer)
    response = client.post("/account/two-factor/verify/?next=https://evil.example/", {"token": code_for(device)})
    assert response["Location"] == "/"


def test_organization_admins_must_enrol_before_anything_else(enforced, network):
    client = Client()
    client.force_login(network.site_admin)
    response = client.get("/account/email/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/enrol/")
    assert client.get("/account/two-factor/enrol/").status_code == 200
    device = TOTPDevice.objects.get(user=network.site_admin)
    client.post("/account/two-factor/enrol/", {"token": code_for(device)})
    assert client.get("/account/email/").status_code == 200


def test_workers_may_skip_two_factor(enforced, network):
    client = Client()
    client.force_login(network.referrer)
    assert client.get("/account/email/").status_code == 200


def test_the_django_admin_requires_two_factor_for_superusers(enforced, db):
    admin = User.objects.create_superuser(
        email="root@network.example", password=PASSWORD, first_name="R", last_name="Oot"
    )
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/enrol/")


def test_admins_cannot_turn_two_factor_off(enforced, network):
    enrolled(network.site_admin)
    client = Client()
    client.force_login(network.site_admin)
    device = TOTPDevice.objects.get(user=network.site_admin)
    client.post("/account/two-factor/verify/", {"token": code_for(device)})
    client.post("/account/two-factor/disable/")
    assert TOTPDevice.objects.filter(user=network.site_admin).exists()


def test_api_requests_of_an_unverified_session_are_refused_not_redirected(network):
    enrolled(network.referrer)
    client = Client()
    client.force_login(network.referrer)
    response = client.get("/api/v1/anything/")
    assert response.status_code == 403


def test_a_session_let_in_without_a_second_factor_loses_that_when_made_a_superuser(enforced, network):
    """Issue 12, item 3: the allowance is given for the roles of the moment; new roles decide again."""
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": network.referrer.email, "password": PASSWORD}).status_code == 302
    )
    assert client.get("/account/email/").status_code == 200
    # A network admin ticks "superuser" (and "staff") in the Django admin.
    User.objects.filter(pk=network.referrer.pk).update(is_superuser=True, is_staff=True)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/enrol/")
    assert client.get("/account/email/")["Location"].startswith("/account/two-factor/enrol/")


def test_staff_must_use_a_second_factor_too(enforced, network):
    User.objects.filter(pk=network.referrer.pk).update(is_staff=True)
    client = Client()
    client.post("/accounts/login/", {"username": network.referrer.email, "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/account/two-factor/enrol/")


def test_a_worker_session_keeps_going_when_nothing_changes(enforced, network):
    client = Client()
    client.post("/accounts/login/", {"username": network.referrer.email, "password": PASSWORD})
    network.referrer.first_name = "Mariela"
    network.referrer.save()
    assert client.get("/account/email/").status_code == 200
