"""Lockout on (username, IP address), rate limits, session timeouts, session ending, email change."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from privacy.accounts import user_deactivate
from privacy.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def sign_in(client, user, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": user.email, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_lock_the_pair_of_account_and_address_only(client, network):
    for _ in range(4):
        assert sign_in(client, network.referrer, "wrong", ip="10.0.0.1").status_code == 200
    assert sign_in(client, network.referrer, "wrong", ip="10.0.0.1").status_code == 429  # the fifth locks
    locked = sign_in(client, network.referrer, ip="10.0.0.1")  # even the right password, from there
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    # The same person from another network, and another person from the same network, still get in.
    assert sign_in(Client(), network.referrer, ip="10.0.0.2").status_code == 302
    assert sign_in(Client(), network.teammate, ip="10.0.0.1").status_code == 302


def test_a_successful_sign_in_resets_the_failures(client, network):
    for _ in range(4):
        sign_in(client, network.referrer, "wrong")
    assert sign_in(client, network.referrer).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        sign_in(client, network.referrer, "wrong")
    assert sign_in(client, network.referrer).status_code == 302


def test_sign_in_is_rate_limited_per_address(client, settings, db, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in": (3, 60)}
    answers = [client.post(LOGIN, {"username": f"nobody{n}@example.org", "password": "x"},
                           REMOTE_ADDR="10.9.9.9").status_code for n in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.post(LOGIN, {"username": "x@example.org", "password": "x"}, REMOTE_ADDR="10.9.9.8").status_code == 200


def test_password_reset_is_rate_limited(client, network, mailoutbox, settings, one_window,
                                        django_capture_on_commit_callbacks):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 900)}
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post("/accounts/password/reset/", {"email": network.referrer.email}).status_code
                   for _ in range(3)]
    assert answers == [302, 302, 429]
    assert len(mailoutbox) == 2


def test_sign_in_gives_a_new_session_key(client, network):
    client.get(LOGIN)
    client.cookies["sessionid"] = "abandoned-session-key-from-an-attacker"
    sign_in(client, network.referrer)
    assert client.cookies["sessionid"].value != "abandoned-session-key-from-an-attacker"


def _age_session(client, *, idle=0, age=0):
    session = client.session
    now = int(time.time())
    session[SESSION_STARTED] = now - age
    session[SESSION_LAST_SEEN] = now - idle
    session.save()


def test_an_idle_session_is_signed_out_after_30_minutes(client, network):
    client.force_login(network.referrer)
    client.get("/account/email/")
    _age_session(client, idle=29 * 60, age=29 * 60)
    assert client.get("/account/email/").status_code == 200
    _age_session(client, idle=31 * 60, age=31 * 60)
    response = client.get("/account/email/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get("/account/email/").status_code == 302  # and it stays signed out


def test_a_session_ends_after_12_hours_however_busy(client, network):
    client.force_login(network.referrer)
    client.get("/account/email/")
    _age_session(client, idle=10, age=12 * 3600 + 60)
    response = client.get("/account/email/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_changing_the_password_ends_the_other_sessions(network):
    here, elsewhere = Client(), Client()
    here.force_login(network.referrer)
    elsewhere.force_login(network.referrer)
    response = here.post("/accounts/password/change/", {
        "old_password": PASSWORD, "new_password1": "a-much-longer-new-passphrase", "new_password2":
        "a-much-longer-new-passphrase"})
    assert response.status_code == 302
    assert here.get("/account/email/").status_code == 200
    assert elsewhere.get("/account/email/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(network, django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(network.referrer)
    assert client.get("/account/email/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        user_deactivate(user=network.referrer)
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(network.referrer.pk)]
    assert client.get("/account/email/").status_code == 302


def test_changing_email_asks_for_the_password(client, network):
    client.force_login(network.referrer)
    old_email = network.referrer.email
    response = client.post("/account/email/", {"new_email": "maria.new@example.org", "password": "wrong"})
    assert response.status_code == 400 and "password is not right" in response.content.decode()
    network.referrer.refresh_from_db()
    assert network.referrer.email == old_email
    response = client.post("/account/email/", {"new_email": "Maria.New@example.org", "password": PASSWORD})
    assert response.status_code == 302
    network.referrer.refresh_from_db()
    assert network.referrer.email == "maria.new@example.org"


def test_changing_email_to_someone_elses_is_refused(client, network):
    client.force_login(network.referrer)
    response = client.post("/account/email/", {"new_email": network.teammate.email, "password": PASSWORD})
    assert response.status_code == 400 and "Another account" in response.content.decode()
