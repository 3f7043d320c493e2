import re

import pytest

from notifications.models import OutboxMessage
from seekers.models import Seeker
from sms import backends


@pytest.fixture(autouse=True)
def fresh(settings):
    settings.SMS_QUIET_HOURS = "off"
    backends.outbox.clear()
    yield
    backends.outbox.clear()


@pytest.fixture
def luis(network):
    """The network's seeker with a known email, and a record of the same person at another organization."""
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(email="luis@example.com", phone="+13125550177")
    Seeker.objects_across_tenants.filter(pk=network.outsider_seeker.pk).update(email="keiko@example.com")
    network.seeker.refresh_from_db()
    network.outsider_seeker.refresh_from_db()
    return network.seeker


def last_code() -> tuple[str, str]:
    """(code, link path) of the newest sign-in email."""
    message = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.SEEKER_SIGN_IN).order_by("-id").first()
    code = re.search(r"\b(\d{6})\b", message.body_text).group(1)
    link = re.search(r"https?://[^/\s]+(/my/sign-in/link/[^\s]+/)", message.body_text).group(1)
    return code, link


def sign_in(client, address="luis@example.com") -> None:
    """Signs ``client`` in as the seeker with ``address`` by the code sent to it."""
    assert client.post("/my/sign-in/", {"contact": address}).status_code == 302
    code, _ = last_code()
    response = client.post("/my/sign-in/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/my/referrals/", response
