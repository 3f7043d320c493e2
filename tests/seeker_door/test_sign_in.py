"""Signing in to "My referrals" without a password (issue 16 items 3 and 4): a one-time link and a 6-digit code,
15 minutes, used once, stored hashed; the same answer for known and unknown addresses; throttled; a seeker session
that idles out after 30 minutes and reaches no staff page."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import OutboxMessage
from seeker_door import services
from seeker_door.models import SignInCode
from sms.models import TextMessage

from .conftest import last_code, sign_in

pytestmark = pytest.mark.django_db


def test_a_known_address_gets_a_link_and_a_code_kept_only_as_hashes(luis, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/my/sign-in/", {"contact": "Luis@Example.com"})
    assert response.status_code == 302 and response["Location"] == "/my/sign-in/code/"
    code, link = last_code()
    row = SignInCode.objects.get()
    assert code not in row.code_digest and link.split("/")[-2] not in row.token_digest
    assert row.expires_at - row.created_at == timedelta(minutes=15)
    message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.SEEKER_SIGN_IN)
    assert message.recipient_email == "Luis@example.com" and message.recipient_seeker_id is None


def test_known_and_unknown_addresses_get_the_same_answer(luis):
    known, unknown = Client(), Client()
    first = known.post("/my/sign-in/", {"contact": "luis@example.com"})
    second = unknown.post("/my/sign-in/", {"contact": "nobody@example.com"})
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    page_known = known.get("/my/sign-in/code/").content.decode().replace("luis@example.com", "X")
    page_unknown = unknown.get("/my/sign-in/code/").content.decode().replace("nobody@example.com", "X")
    strip = lambda html: __import__("re").sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(page_known) == strip(page_unknown)
    assert OutboxMessage.objects.filter(recipient_email="nobody@example.com").count() == 0
    assert SignInCode.objects.count() == 1


def test_a_mobile_number_gets_the_code_by_text(luis, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/my/sign-in/", {"contact": "312-555-0177"})
    text = TextMessage.objects.get(kind=TextMessage.Kind.SEEKER_SIGN_IN)
    assert text.to_number == "+13125550177" and len(text.body) <= 160 and "/my/sign-in/link/" in text.body


def test_the_code_opens_the_seekers_referrals_once(luis, network):
    network.refer()
    client = Client()
    sign_in(client)
    page = client.get("/my/referrals/")
    assert page.status_code == 200 and "Community Food Pantry" in page.content.decode()
    code, _ = last_code()
    other = Client()
    other.post("/my/sign-in/", {"contact": "luis@example.com"})
    assert other.post("/my/sign-in/code/", {"code": code}).status_code == 400  # used already (a new one was sent)


def test_a_wrong_code_is_refused_and_five_use_the_code_up(luis):
    client = Client()
    client.post("/my/sign-in/", {"contact": "luis@example.com"})
    code, _ = last_code()
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post("/my/sign-in/code/", {"code": wrong})
    assert refused.status_code == 400 and "That code is not right" in refused.content.decode()
    assert f'value="{wrong}"' in refused.content.decode()
    for _ in range(4):
        client.post("/my/sign-in/code/", {"code": wrong})
    assert client.post("/my/sign-in/code/", {"code": code}).status_code == 400
    assert SignInCode.objects.get().used_at is not None


@pytest.mark.parametrize(("typed", "says"), [("", "Enter the 6-digit code"), ("12ab56", "The code has 6 digits")])
def test_a_code_that_is_not_one_is_refused_on_its_field(luis, typed, says):
    client = Client()
    client.post("/my/sign-in/", {"contact": "luis@example.com"})
    response = client.post("/my/sign-in/code/", {"code": typed})
    assert response.status_code == 400 and says in response.content.decode()


def test_an_expired_code_does_not_work(luis):
    client = Client()
    client.post("/my/sign-in/", {"contact": "luis@example.com"})
    code, _ = last_code()
    SignInCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.post("/my/sign-in/code/", {"code": code}).status_code == 400


def test_the_link_changes_nothing_on_a_get_and_works_once(luis):
    Client().post("/my/sign-in/", {"contact": "luis@example.com"})
    _, link = last_code()
    client = Client()
    page = client.get(link)
    assert page.status_code == 200 and SignInCode.objects.get().used_at is None
    assert client.get(link).status_code == 200  # a mail scanner's visit used nothing
    response = client.post(link)
    assert response.status_code == 302 and response["Location"] == "/my/referrals/"
    again = Client().post(link)
    assert again.status_code == 410 and "no longer works" in again.content.decode()
    assert Client().get("/my/sign-in/link/forged-token/").status_code == 410


@pytest.mark.parametrize(("typed", "says"), [("", "Enter your email address"), ("luis@", "not an email address")])
def test_bad_addresses_are_refused_and_kept(typed, says, db):
    response = Client().post("/my/sign-in/", {"contact": typed})
    assert response.status_code == 400 and says in response.content.decode()
    assert SignInCode.objects.count() == 0


def test_asking_is_throttled_per_address_and_the_refusal_says_so(luis, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "seeker_sign_in_contact": (2, 3600)}
    for number in range(2):
        assert (
            Client(REMOTE_ADDR=f"10.1.0.{number}").post("/my/sign-in/", {"contact": "luis@example.com"}).status_code
            == 302
        )
    refused = Client(REMOTE_ADDR="10.1.0.9").post("/my/sign-in/", {"contact": "luis@example.com"})
    assert refused.status_code == 429 and "Too many tries" in refused.content.decode()
    assert SignInCode.objects.count() == 2


def test_a_bot_filling_the_hidden_field_gets_the_same_answer_and_nothing_is_sent(luis):
    response = Client().post("/my/sign-in/", {"contact": "luis@example.com", "website": "x"})
    assert response.status_code == 302 and SignInCode.objects.count() == 0


def test_the_session_ends_after_30_idle_minutes(luis, network, settings):
    network.refer()
    client = Client()
    sign_in(client)
    session = client.session
    data = session["seeker_door"]
    data["seen"] -= settings.SEEKER_SESSION_IDLE_SECONDS + 1
    session["seeker_door"] = data
    session.save()
    response = client.get("/my/referrals/")
    assert response.status_code == 302 and response["Location"] == "/my/sign-in/"


def test_a_seeker_session_gets_404_on_staff_pages_and_is_not_a_user(luis, network):
    referral = network.refer()
    client = Client()
    sign_in(client)
    for path in ("/people/", f"/referrals/{referral.public_id}/", "/inbound/", "/account/", "/admin/"):
        assert client.get(path).status_code == 404, path
    assert "_auth_user_id" not in client.session
    assert client.get("/find/").status_code == 200


def test_signing_out_ends_the_session(luis):
    client = Client()
    sign_in(client)
    assert client.post("/my/sign-out/").status_code == 302
    assert client.get("/my/referrals/").status_code == 302


def test_expired_sign_ins_are_cleared_by_the_periodic_task(luis):
    from seeker_door.tasks import clear_expired_sign_ins

    Client().post("/my/sign-in/", {"contact": "luis@example.com"})
    Client().post("/my/sign-in/", {"contact": "luis@example.com"})
    old, new = SignInCode.objects.order_by("id")
    SignInCode.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=2))
    assert clear_expired_sign_ins() == {"expired sign-ins deleted": 1, "unconfirmed requests for help deleted": 0}
    assert list(SignInCode.objects.values_list("pk", flat=True)) == [new.pk]
    assert services.sign_ins_clear_expired() == 0
