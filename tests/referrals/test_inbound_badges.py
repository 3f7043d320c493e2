"""The inbox paints a status the way the referral page does: a declined referral is not a success."""

import re

from referrals.services import referral_change_status
from tests import factories


def test_a_declined_referral_is_not_painted_as_a_success_and_got_help_is(network, client):
    declined = network.refer()
    referral_change_status(actor=network.claimer, referral=declined, to_status="declined", reason="no_capacity")
    helped = network.refer(seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer))
    for status in ("accepted", "got_help"):
        referral_change_status(actor=network.claimer, referral=helped, to_status=status)
    client.force_login(network.claimer)
    html = client.get("/inbound/", {"status": "all"}).content.decode()
    badges = {label: css for css, label in re.findall(r'<span class="badge ([\w-]+)">(Declined|Got help)</span>', html)}
    assert badges == {"Declined": "badge-bad", "Got help": "badge-ok"}
