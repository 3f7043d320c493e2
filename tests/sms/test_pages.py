"""Where texts and the contact preference show on the pages (issue 14 items 2 and 5)."""

import re

import pytest

from seekers.models import Seeker


def _prefer(network, preference):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(
        contact_preference=preference, phone="+13125550142"
    )
    network.seeker.refresh_from_db()


@pytest.mark.parametrize("preference,shown", [("phone", True), ("email", False), ("text", False)])
def test_the_referral_page_and_sent_referrals_say_call_the_person_for_phone(network, client, preference, shown):
    _prefer(network, preference)
    referral = network.refer()
    client.force_login(network.referrer)

    page = client.get(f"/referrals/{referral.public_id}/").content.decode()
    sent = client.get("/sent/?show=open").content.decode()
    for html in (page, sent):
        assert ("Call the person" in html) is shown
        if shown:
            assert '<a href="tel:+13125550142">312-555-0142</a>' in html


def test_the_dev_mailbox_lists_texts_beside_emails(texting, client, settings):
    settings.DEBUG = True
    texting.refer()
    client.force_login(texting.referrer)
    html = client.get("/dev/mailbox/").content.decode()
    assert "Text messages" in html and "+13125550142" in html
    assert re.search(r'<a href="https?://[^"]+/t/[A-Za-z0-9]{10}/"', html)  # the short link, clickable
    assert "characters, GSM-7" in html
