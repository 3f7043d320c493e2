"""'Send this to my phone or email' on a program's public page (issue 16 item 1): the program's details go out
through the email or text outbox, limited per address and per client, in the page's language; a bot that fills the
hidden field gets the same answer and nothing is sent; bad input is refused on its field and keeps what was typed.
"""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from notifications.models import OutboxMessage
from seekers.models import Seeker
from sms import backends
from sms.models import TextMessage, TextOptOut
from tests.find.test_public_directory import pantry  # noqa: F401  (a program with its details)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings):
    settings.FIND_PAGE_CACHE_SECONDS = 0
    settings.SMS_QUIET_HOURS = "off"
    cache.clear()
    backends.outbox.clear()
    yield
    cache.clear()
    backends.outbox.clear()


def url(program) -> str:
    return f"/find/programs/{program.public_id}/send/"


def sent_url(program) -> str:
    return f"/find/programs/{program.public_id}/sent/"


def send(client, program, to, *, committed=None, **extra):
    return client.post(url(program), {"to": to, "website": "", **extra})


def kept_rows() -> int:
    return OutboxMessage.objects.count() + TextMessage.objects.count()


def test_the_program_page_links_to_the_form_and_the_form_has_a_label(pantry):  # noqa: F811
    page = Client().get(f"/find/programs/{pantry.public_id}/").content.decode()
    assert url(pantry) in page
    form = Client().get(url(pantry))
    assert form.status_code == 200
    body = form.content.decode()
    assert 'for="id_to"' in body and "csrfmiddlewaretoken" in body
    assert 'class="honeypot"' in body


def test_it_emails_the_details_and_keeps_nothing_but_the_outbox_row(pantry, django_capture_on_commit_callbacks):  # noqa: F811
    seekers_before = Seeker.objects_across_tenants.count()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, pantry, " Maria@Example.COM ")
    assert response.status_code == 302 and response["Location"] == sent_url(pantry)
    assert "Maria@example.com" in client.get(response["Location"]).content.decode()
    row = OutboxMessage.objects.get()
    assert row.kind == OutboxMessage.Kind.PROGRAM_DETAILS
    assert row.recipient_email == "Maria@example.com"
    assert row.referral_id is None and row.recipient_seeker_id is None and row.recipient_user_id is None
    assert pantry.name in row.subject
    assert "312-555-0142" in row.body_text and "Bring a photo ID." in row.body_text
    assert f"/find/programs/{pantry.public_id}/" in row.body_text
    assert Seeker.objects_across_tenants.count() == seekers_before
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["Maria@example.com"]


def test_it_writes_in_the_pages_language(pantry):  # noqa: F811
    client = Client()
    client.cookies["django_language"] = "es"
    response = send(client, pantry, "maria@example.com")
    assert response.status_code == 302
    answer = client.get(response["Location"])
    assert answer.headers["Content-Language"] == "es" and "maria@example.com" in answer.content.decode()
    row = OutboxMessage.objects.get()
    assert row.language == "es"
    assert "Traiga una identificación con foto." in row.body_text
    assert "Pasos siguientes" in row.body_text or "Próximos pasos" in row.body_text


def test_it_texts_the_details_to_a_mobile_number(pantry, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        response = send(Client(), pantry, "(312) 555-0199")
    assert response.status_code == 302
    text = TextMessage.objects.get()
    assert text.to_number == "+13125550199" and text.kind == TextMessage.Kind.PROGRAM_DETAILS
    assert text.referral_id is None and text.recipient_seeker_id is None
    assert f"/find/programs/{pantry.public_id}/" in text.body and text.body.endswith(f"{pantry.public_id}/")
    assert len(text.body) <= 160
    assert [sent.to for sent in backends.outbox] == ["+13125550199"]


def test_a_number_that_replied_stop_is_refused_with_the_reason(pantry):  # noqa: F811
    TextOptOut.objects.create(number="+13125550199", keyword="STOP")
    response = send(Client(), pantry, "312-555-0199")
    assert response.status_code == 400
    assert "STOP" in response.content.decode() and 'value="312-555-0199"' in response.content.decode()
    assert kept_rows() == 0


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter your email address or your mobile number."),
        ("maria@", "not an email address"),
        ("555-0142", "area code"),
        ("111-111-1111", "not a phone number anyone can have"),
        ("call me", "only digits"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_kept(pantry, typed, says):  # noqa: F811
    response = send(Client(), pantry, typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert says in body
    if typed:
        assert f'value="{typed}"' in body
    assert kept_rows() == 0


def test_bad_input_is_refused_in_spanish_on_a_spanish_page(pantry):  # noqa: F811
    client = Client()
    client.cookies["django_language"] = "es"
    response = send(client, pantry, "call me")
    assert response.status_code == 400
    assert "A phone number has only digits" not in response.content.decode()


def test_a_filled_hidden_field_gets_the_same_answer_and_sends_nothing(pantry):  # noqa: F811
    human_client, bot_client = Client(), Client()
    human = send(human_client, pantry, "maria@example.com")
    OutboxMessage.objects.all().delete()
    bot = send(bot_client, pantry, "maria@example.com", website="http://spam.example")
    assert (bot.status_code, bot["Location"]) == (human.status_code, human["Location"]) == (302, sent_url(pantry))
    assert human_client.get(sent_url(pantry)).content == bot_client.get(sent_url(pantry)).content
    assert kept_rows() == 0


def test_the_answer_is_a_redirect_so_a_reload_sends_nothing_again(pantry, django_capture_on_commit_callbacks):  # noqa: F811
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, pantry, "maria@example.com")
    for _ in range(3):  # the person reloads the answer
        page = client.get(response["Location"])
        assert page.status_code == 200 and "maria@example.com" in page.content.decode()
    assert OutboxMessage.objects.count() == 1 and len(mail.outbox) == 1
    # the answer page without a send from this browser is the program's page
    assert Client().get(sent_url(pantry))["Location"] == f"/find/programs/{pantry.public_id}/"


def test_an_address_is_limited_and_the_refusal_says_so(pantry, settings):  # noqa: F811
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "find_send_address": (2, 3600), "find_send_client": (100, 3600)}
    for number in range(2):
        assert send(Client(REMOTE_ADDR=f"10.0.0.{number}"), pantry, "maria@example.com").status_code == 302
    refused = send(Client(REMOTE_ADDR="10.0.0.9"), pantry, "MARIA@example.com")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "already sent details to this address" in body and 'value="MARIA@example.com"' in body
    assert OutboxMessage.objects.count() == 2
    assert send(Client(REMOTE_ADDR="10.0.0.9"), pantry, "ana@example.com").status_code == 302


def test_a_client_is_limited_and_the_refusal_says_so(pantry, settings):  # noqa: F811
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "find_send_address": (100, 3600), "find_send_client": (2, 3600)}
    client = Client(REMOTE_ADDR="10.0.0.7")
    for number in range(2):
        assert send(client, pantry, f"person{number}@example.com").status_code == 302
    refused = send(client, pantry, "person9@example.com")
    assert refused.status_code == 429
    assert "from this connection" in refused.content.decode()
    assert OutboxMessage.objects.count() == 2


def test_an_unknown_or_unlisted_program_is_refused(pantry):  # noqa: F811
    import uuid

    assert Client().post(f"/find/programs/{uuid.uuid4()}/send/", {"to": "maria@example.com"}).status_code == 404
    pantry.organization.is_active = False
    pantry.organization.save()
    assert send(Client(), pantry, "maria@example.com").status_code == 410
    assert kept_rows() == 0


def test_the_form_page_is_never_kept_in_the_cache(pantry, settings):  # noqa: F811
    settings.FIND_PAGE_CACHE_SECONDS = 60
    first = Client().get(url(pantry))
    second = Client().get(url(pantry))
    assert first.status_code == second.status_code == 200
    assert "no-cache" in first.headers.get("Cache-Control", "") or "max-age=0" in first.headers["Cache-Control"]
