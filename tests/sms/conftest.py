import pytest

from seekers.models import Seeker
from sms import backends

from .twilio_standin import twilio  # noqa: F401  (the stand-in Twilio server, a fixture of these tests)


@pytest.fixture(autouse=True)
def text_outbox():
    """The texts LocmemBackend "sent" (emptied around every test)."""
    backends.outbox.clear()
    yield backends.outbox
    backends.outbox.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs what the block queued on commit (the delivery tasks) as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def texting(network, committed):
    """The network, whose seeker asked for text messages at a mobile number; ``refer`` commits (its texts are
    delivered, eagerly, as the worker would)."""
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(
        contact_preference=Seeker.ContactPreference.TEXT, phone="+13125550142"
    )
    network.seeker.refresh_from_db()
    refer = network.refer

    def refer_and_commit(**fields):
        with committed():
            return refer(**fields)

    network.refer = refer_and_commit
    return network
