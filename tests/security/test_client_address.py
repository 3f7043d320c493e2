"""One rule decides the client's address behind proxies (core.client, NUM_PROXIES counted from the right of
X-Forwarded-For), and everything that counts or records clients uses it: lockouts, rate limits, API throttles,
email-link limits, access records and the request log."""

import logging
import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory

from core.client import client_address
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"
PROXY = "10.0.0.1"  # the one proxy in front of the app: every request arrives from it


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.NUM_PROXIES = 1
    # What the old setting did (trust the first hop) must not come back under any name.
    settings.TRUST_X_FORWARDED_FOR = True
    yield


def via_proxy(client_ip: str, forged: str | None = None) -> dict:
    """The request as the app sees it: from the proxy, which appended the address it saw to what the client sent."""
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


def sign_in(client, user, password, **meta):
    return client.post(LOGIN, {"username": user.email, "password": password}, **meta)


def test_the_rule_counts_trusted_proxies_from_the_right(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 203.0.113.9")
    assert client_address(request) == "203.0.113.9"
    settings.NUM_PROXIES = 2
    assert client_address(request) == "198.51.100.7"
    settings.NUM_PROXIES = 0
    assert client_address(request) == PROXY  # no proxy trusted: the header is the client's own words
    settings.NUM_PROXIES = 1
    assert client_address(factory.get("/", REMOTE_ADDR="::ffff:203.0.113.9")) == "203.0.113.9"
    assert client_address(factory.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="not-an-address")) is None


def test_rotating_the_first_hop_gives_no_way_around_the_lockout(network):
    client = Client()
    answers = [
        sign_in(client, network.referrer, "wrong", **via_proxy("203.0.113.5", forged=f"192.0.2.{n}")).status_code
        for n in range(8)
    ]
    assert answers[:4] == [200] * 4 and set(answers[4:]) == {429}
    # ... and the right password, with yet another forged hop, is still paused.
    assert (
        sign_in(client, network.referrer, PASSWORD, **via_proxy("203.0.113.5", forged="192.0.2.99")).status_code == 429
    )


def test_two_clients_behind_one_proxy_do_not_lock_each_other_out(network):
    for _ in range(5):
        sign_in(Client(), network.referrer, "wrong", **via_proxy("203.0.113.66"))
    assert sign_in(Client(), network.referrer, PASSWORD, **via_proxy("203.0.113.66")).status_code == 429
    # The real person, behind the same proxy from another address, signs in.
    assert sign_in(Client(), network.referrer, PASSWORD, **via_proxy("198.51.100.20")).status_code == 302


def test_rate_limits_count_the_client_not_the_proxy_nor_the_forged_hop(settings, db, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in": (2, 60)}
    client = Client()
    answers = [
        client.post(
            LOGIN, {"username": f"x{n}@example.org", "password": "x"}, **via_proxy("203.0.113.5", forged=f"192.0.2.{n}")
        ).status_code
        for n in range(3)
    ]
    assert answers == [200, 200, 429]
    assert (
        client.post(LOGIN, {"username": "y@example.org", "password": "x"}, **via_proxy("198.51.100.20")).status_code
        == 200
    )


def test_api_throttles_count_the_client_not_the_forged_hop(network, settings, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_token": (2, 60)}
    client = Client()
    answers = [
        client.post(
            "/api/v1/auth/token/",
            {"email": "a@b.org", "password": "x"},
            content_type="application/json",
            **via_proxy("203.0.113.5", forged=f"192.0.2.{n}"),
        ).status_code
        for n in range(3)
    ]
    assert answers == [400, 400, 429]
    # Another client behind the same proxy has its own allowance.
    assert (
        client.post(
            "/api/v1/auth/token/",
            {"email": "a@b.org", "password": "x"},
            content_type="application/json",
            **via_proxy("198.51.100.20"),
        ).status_code
        == 400
    )


def test_the_hsds_api_counts_per_client(db, settings, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "hsds": (1, 60)}
    client = Client()
    assert client.get("/hsds/", **via_proxy("203.0.113.5", forged="192.0.2.1")).status_code == 200
    assert client.get("/hsds/", **via_proxy("203.0.113.5", forged="192.0.2.2")).status_code == 429
    assert client.get("/hsds/", **via_proxy("198.51.100.20")).status_code == 200


def test_one_client_cannot_use_up_the_email_link_limit_of_every_seeker(network, settings, one_window):
    from tests.referrals.test_email_links import seeker_link

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_link": (2, 60)}
    first, second = network.refer(), network.refer(program=network.other_program)
    shared_address = via_proxy("203.0.113.5")
    client = Client()
    assert [client.get(seeker_link(first), **shared_address).status_code for _ in range(3)] == [200, 200, 429]
    # The same address (one proxy, one NAT) opening another seeker's link is not refused.
    assert Client().get(seeker_link(second), **shared_address).status_code == 200


def test_access_records_and_the_request_log_name_the_client(network, caplog):
    from privacy.models import AccessRecord
    from tests.referrals.test_email_links import seeker_link

    referral = network.refer()
    with caplog.at_level(logging.INFO, logger="ops.requests"):
        Client().get(seeker_link(referral), **via_proxy("203.0.113.5", forged="192.0.2.1"))
    record = AccessRecord.objects.unscoped("the test reads the record it caused").latest("id")
    assert record.ip_address == "203.0.113.5"
    lines = [r for r in caplog.records if r.name == "ops.requests"]
    assert lines and lines[-1].client == "203.0.113.5"


def test_every_client_address_comes_from_the_one_function():
    """No module reads REMOTE_ADDR or X-Forwarded-For itself, and every limit counts in core.ratelimit."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", ".venv", "bench"} or relative == Path("core/client.py"):
            continue
        text = path.read_text()
        if re.search(r"REMOTE_ADDR|HTTP_X_FORWARDED_FOR|[\"']X-Forwarded-For[\"']", text):
            offenders.append(f"{relative}: reads the client address itself")
        if relative != Path("core/ratelimit.py") and re.search(r"rest_framework\.throttling|cache\.incr\(", text):
            offenders.append(f"{relative}: counts requests outside core.ratelimit")
    assert not offenders, offenders


def test_the_api_throttles_are_the_one_limiters_adapters(settings):
    from core import ratelimit

    classes = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]
    assert classes == ["core.ratelimit.AnonRateLimitThrottle", "core.ratelimit.UserRateLimitThrottle"]
    assert not (ROOT / "privacy" / "ratelimit.py").exists()
    assert {
        "sign_in",
        "password_reset",
        "mfa_verify",
        "email_link",
        "api_anon",
        "api_user",
        "api_token",
        "hsds",
    } <= set(settings.RATE_LIMITS)
    assert ratelimit.AnonRateLimitThrottle.scope == "api_anon"
