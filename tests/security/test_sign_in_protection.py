"""Lockout on (username, IP address), rate limits, session timeouts, session ending, email change."""

import re
import time

from django.contrib.sessions.models import Session
from django.test import Client

from security.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from security.services import user_deactivate
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
    assert "paused for 15 minutes." in " ".join(locked.content.decode().split()) and locked["Retry-After"] == "900"
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
    answers = [
        client.post(LOGIN, {"username": f"nobody{n}@example.org", "password": "x"}, REMOTE_ADDR="10.9.9.9").status_code
        for n in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    assert client.post(LOGIN, {"username": "x@example.org", "password": "x"}, REMOTE_ADDR="10.9.9.8").status_code == 200


def test_password_reset_is_rate_limited(
    client, network, mailoutbox, settings, one_window, django_capture_on_commit_callbacks
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password_reset": (2, 900)}
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post("/accounts/password/reset/", {"email": network.referrer.email}).status_code for _ in range(3)
        ]
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
    response = here.post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-new-passphrase",
            "new_password2": "a-much-longer-new-passphrase",
        },
    )
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


def _confirm_link(mailoutbox, address):
    [message] = [message for message in mailoutbox if message.to == [address]]
    return re.search(r"https?://[^/\s]+(/account/email/confirm/[^\s]+/)", message.body).group(1)


def test_changing_email_asks_for_the_password_then_the_new_address_confirms(
    client, network, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(network.referrer)
    old_email = network.referrer.email
    response = client.post("/account/email/", {"new_email": "maria.new@example.org", "password": "wrong"})
    assert response.status_code == 400 and "password is not right" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/email/", {"new_email": "Maria.New@example.org", "password": PASSWORD}, follow=True
        )
    assert "a link to confirm it is on its way there" in response.content.decode()
    network.referrer.refresh_from_db()
    assert network.referrer.email == old_email  # nothing changes before the link is followed
    link = _confirm_link(mailoutbox, "maria.new@example.org")
    stranger = Client()
    page = stranger.get(link)  # a mail scanner's GET changes nothing
    assert page.status_code == 200 and "maria.new@example.org" in page.content.decode()
    network.referrer.refresh_from_db()
    assert network.referrer.email == old_email
    assert stranger.post(link).status_code == 302
    network.referrer.refresh_from_db()
    assert network.referrer.email == "maria.new@example.org"
    again = stranger.post(link)  # a link works once
    assert again.status_code == 400 and "used already" in again.content.decode()
    assert client.get(link)["Referrer-Policy"] == "strict-origin"


def test_a_tampered_or_expired_email_link_changes_nothing(
    client, network, mailoutbox, settings, django_capture_on_commit_callbacks
):
    client.force_login(network.referrer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/email/", {"new_email": "maria.new@example.org", "password": PASSWORD})
    link = _confirm_link(mailoutbox, "maria.new@example.org")
    assert client.post(link.replace("/confirm/", "/confirm/x")).status_code == 400
    settings.EMAIL_CHANGE_TIMEOUT = -1
    assert client.post(link).status_code == 400
    network.referrer.refresh_from_db()
    assert network.referrer.email != "maria.new@example.org"


def test_the_email_change_form_does_not_tell_whether_an_address_is_taken(
    client, network, mailoutbox, django_capture_on_commit_callbacks
):
    """Issue 12, item 6: the same answer for a free address and another account's; only the free one is sent
    a link, and no account changes."""
    client.force_login(network.referrer)
    answers = []
    for address in (network.teammate.email, "free.address@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/account/email/", {"new_email": address, "password": PASSWORD}, follow=True)
        page = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', "", response.content.decode())
        answers.append((response.status_code, page.replace(address, "ADDRESS")))
    assert answers[0] == answers[1] and answers[0][0] == 200
    assert [message.to for message in mailoutbox] == [["free.address@example.org"]]
    network.referrer.refresh_from_db()
    assert network.referrer.email != network.teammate.email


ADMIN_LOGIN = "/admin/login/"


def test_the_admin_sign_in_is_rate_limited_per_address_like_the_main_one(client, settings, db, one_window):
    """Issue 12, item 3: a password spray against /admin/login/ (many accounts, one address) is stopped."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in": (3, 60)}
    answers = [
        client.post(
            ADMIN_LOGIN, {"username": f"nobody{n}@example.org", "password": "x"}, REMOTE_ADDR="10.9.9.9"
        ).status_code
        for n in range(5)
    ]
    assert answers == [200, 200, 200, 429, 429]
    assert (
        client.post(ADMIN_LOGIN, {"username": "x@example.org", "password": "x"}, REMOTE_ADDR="10.9.9.8").status_code
        == 200
    )


def test_wrong_passwords_on_the_admin_sign_in_lock_the_pair_too(client, db):
    from accounts.models import User

    root = User.objects.create_superuser(
        email="root@network.example", password=PASSWORD, first_name="R", last_name="Oot"
    )
    for _ in range(4):
        assert (
            client.post(ADMIN_LOGIN, {"username": root.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.1").status_code
            == 200
        )
    assert (
        client.post(ADMIN_LOGIN, {"username": root.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.1").status_code
        == 429
    )
    locked = client.post(ADMIN_LOGIN, {"username": root.email, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429 and "Sign-in paused" in locked.content.decode()
    # ... and the main sign-in counts the same failures.
    assert sign_in(Client(), root, ip="10.0.0.1").status_code == 429


def test_the_api_token_endpoint_answers_a_lockout_in_json(network):
    client = Client()
    answers = [
        client.post(
            "/api/v1/auth/token/",
            {"email": network.referrer.email, "password": "wrong"},
            content_type="application/json",
            REMOTE_ADDR="10.0.0.7",
        )
        for _ in range(6)
    ]
    assert [answer.status_code for answer in answers] == [400] * 4 + [429] * 2
    for locked in answers[4:]:
        assert locked["Content-Type"] == "application/json" and locked["Retry-After"] == "900"
        assert locked.json() == {
            "detail": "Too many wrong passwords for this account from here. Try again in 15 minutes.",
            "code": "locked_out",
        }
