"""core.addresses: an address worked out once per view is the one reverse() gives, wherever it is asked for."""

import uuid

import pytest
from django.urls import clear_script_prefix, include, path, reverse, set_script_prefix, set_urlconf
from django.utils import translation

from core.addresses import address, set_addresses

# Another site, whose referral pages are elsewhere.
urlpatterns = [
    path("elsewhere/", include(([path("<uuid:public_id>/", lambda request: None, name="detail")], "referrals")))
]


@pytest.mark.parametrize(
    "name, count",
    [("referrals:detail", 1), ("referrals:inbound_status", 1), ("seekers:referral", 2), ("find:program", 1)],
)
def test_an_address_is_the_one_reverse_gives_for_every_object(name, count):
    for _ in range(3):  # the first call works the view's address out, the next ones reuse it
        ids = [uuid.uuid4() for _ in range(count)]
        assert address(name, *ids) == reverse(name, args=ids)
        assert all(str(public_id) in address(name, *ids) for public_id in ids)


def test_other_arguments_and_none_are_reversed_as_usual():
    public_id = uuid.uuid4()
    assert address("seekers:people") == reverse("seekers:people") == address("seekers:people")
    with pytest.raises(Exception, match="Reverse"):
        address("no-such-view")
    assert address("referrals:detail", str(public_id)) == reverse("referrals:detail", args=[public_id])
    with pytest.raises(Exception, match="Reverse"):
        address("referrals:detail", "not a uuid")


def test_the_script_prefix_and_the_requests_urlconf_are_honoured():
    public_id = uuid.uuid4()
    plain = address("referrals:detail", public_id)
    set_script_prefix("/network/")
    try:
        assert address("referrals:detail", public_id) == "/network" + plain
    finally:
        clear_script_prefix()
        set_script_prefix("/")
    set_urlconf(__name__)  # a request's own urlconf (request.urlconf)
    try:
        assert address("referrals:detail", public_id) == f"/elsewhere/{public_id}/"
    finally:
        set_urlconf(None)
    assert address("referrals:detail", public_id) == plain


def test_a_test_that_changes_root_urlconf_gets_its_own_addresses(settings):
    public_id = uuid.uuid4()
    assert address("referrals:detail", public_id) == f"/referrals/{public_id}/"
    settings.ROOT_URLCONF = __name__
    assert address("referrals:detail", public_id) == f"/elsewhere/{public_id}/"


def test_set_addresses_gives_each_object_its_own(settings):
    class Card:
        def __init__(self):
            self.public_id = uuid.uuid4()

    cards = [Card(), Card()]
    with translation.override("es"):
        set_addresses(cards, "find:program", "url")
    assert [card.url for card in cards] == [reverse("find:program", args=[card.public_id]) for card in cards]
