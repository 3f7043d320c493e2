"""The visitor's short list (issue 16 item 1): programs added from their pages are kept in the browser's session,
shown at /find/list/ (printable on one page), removed, and sent to a phone or email as one program is (limited,
the hidden field, post/redirect/get); nothing of it reaches another browser."""

import pytest
from django.core.cache import cache
from django.test import Client

from notifications.models import OutboxMessage
from sms import backends
from sms.models import TextMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings):
    settings.FIND_PAGE_CACHE_SECONDS = 0
    settings.SMS_QUIET_HOURS = "off"
    cache.clear()
    backends.outbox.clear()
    yield
    cache.clear()


def add(client, program, **headers):
    return client.post("/find/list/add/", {"program": str(program.public_id)}, **headers)


def test_a_program_page_offers_to_add_it_and_the_list_shows_it(network):
    client = Client()
    page = client.get(f"/find/programs/{network.program.public_id}/").content.decode()
    assert 'action="/find/list/add/"' in page
    assert add(client, network.program)["Location"] == "/find/list/"
    add(client, network.other_program)
    add(client, network.program)  # twice: once in the list
    listing = client.get("/find/list/")
    body = listing.content.decode()
    assert listing.status_code == 200
    assert body.count("Community Food Pantry</a>") == 1 and "Mobile Food Market</a>" in body
    assert body.index("Community Food Pantry") < body.index("Mobile Food Market")
    assert "data-print" in body and "/find/list/send/" in body
    assert "Community Food Pantry" not in Client().get("/find/list/").content.decode()  # another browser


def test_a_program_is_removed_and_bad_adds_are_refused(network):
    import uuid

    client = Client()
    add(client, network.program)
    assert client.post("/find/list/add/", {"program": str(uuid.uuid4())}).status_code == 404
    assert client.post("/find/list/add/", {"program": "not-an-id"}).status_code == 404
    refused = add(client, network.other_program, HTTP_ORIGIN="https://elsewhere.example")
    assert refused.status_code == 403
    client.post("/find/list/remove/", {"program": str(network.program.public_id)})
    assert "Community Food Pantry</a>" not in client.get("/find/list/").content.decode()
    assert "Mobile Food Market</a>" not in client.get("/find/list/").content.decode()


def test_the_list_holds_ten_programs_at_most(network):
    from tests import factories

    client = Client()
    for number in range(10):
        add(client, factories.ProgramFactory(organization=network.provider, name=f"Program {number}"))
    refused = add(client, network.program)
    assert refused.status_code == 409 and "remove one" in refused.content.decode()


def test_the_list_page_takes_the_same_queries_whatever_its_length(network, django_assert_max_num_queries):
    from tests import factories

    client = Client()
    for number in range(8):
        add(client, factories.ProgramFactory(organization=network.provider, name=f"Program {number}"))
    with django_assert_max_num_queries(6):
        assert client.get("/find/list/").status_code == 200


def test_the_list_is_emailed_in_one_message_and_a_reload_sends_nothing(network, django_capture_on_commit_callbacks):
    client = Client()
    add(client, network.program)
    add(client, network.other_program)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/find/list/send/", {"to": "maria@example.com"})
    assert response.status_code == 302 and response["Location"] == "/find/list/sent/"
    for _ in range(2):
        assert "maria@example.com" in client.get(response["Location"]).content.decode()
    message = OutboxMessage.objects.get()
    assert message.kind == OutboxMessage.Kind.PROGRAM_LIST and message.recipient_email == "maria@example.com"
    assert "Community Food Pantry" in message.body_text and "Mobile Food Market" in message.body_text
    assert message.referral_id is None and message.recipient_seeker_id is None


def test_the_list_is_texted_one_program_per_text(network, django_capture_on_commit_callbacks):
    client = Client()
    add(client, network.program)
    add(client, network.other_program)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/find/list/send/", {"to": "312-555-0199"}).status_code == 302
    assert TextMessage.objects.filter(to_number="+13125550199").count() == 2


def test_sending_is_refused_with_the_reason_limited_and_bots_get_the_same_answer(network, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "find_send_address": (1, 3600), "find_send_client": (100, 3600)}
    client = Client()
    add(client, network.program)
    bad = client.post("/find/list/send/", {"to": "maria@"})
    assert bad.status_code == 400 and 'value="maria@"' in bad.content.decode()
    assert client.post("/find/list/send/", {"to": "maria@example.com"}).status_code == 302
    limited = client.post("/find/list/send/", {"to": "maria@example.com"})
    assert limited.status_code == 429 and "already sent details to this address" in limited.content.decode()
    bot = client.post("/find/list/send/", {"to": "ana@example.com", "website": "x"})
    assert bot.status_code == 302 and OutboxMessage.objects.count() == 1
    assert Client().get("/find/list/send/")["Location"] == "/find/list/"  # nothing to send


def test_a_program_gone_from_the_directory_leaves_the_list(network):
    client = Client()
    add(client, network.program)
    network.provider.is_active = False
    network.provider.save()
    assert "Community Food Pantry</a>" not in client.get("/find/list/").content.decode()
