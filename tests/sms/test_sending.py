"""What is texted to whom (issue 14 item 2): the seeker who chose "Text message" gets the confirmation, the
status changes others make, and the follow-up, in their language, each one text with a short link to the
answer page; "Phone" and "Do not contact" get nothing automatically."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core import outbox
from core.erasure import Person
from referrals.models import ReferralEvent
from referrals.services import referral_change_status, referral_mark_viewed
from seekers.models import Seeker
from sms.models import ShortLink, TextMessage

SHORT_LINK = re.compile(r"https?://\S+/t/([A-Za-z0-9]{10})/$")


def _prefer(network, preference, **fields):
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(contact_preference=preference, **fields)
    network.seeker.refresh_from_db()


def test_the_confirmation_is_texted_and_not_emailed(texting, text_outbox):
    referral = texting.refer()

    assert [text.to for text in text_outbox] == ["+13125550142"]
    body = text_outbox[0].body
    assert "Community Food Pantry" in body and SHORT_LINK.search(body)
    assert len(body) <= 160
    assert texting.seeker.email not in [to for message in mail.outbox for to in message.to]
    row = TextMessage.objects.get()
    assert (row.status, row.kind, row.referral_id) == ("sent", "referral_confirmation", referral.pk)
    sent = referral.events.get(kind=ReferralEvent.Kind.TEXT_SENT)
    assert sent.detail["to"] == "Seeker" and sent.actor_display == "System"


def test_a_spanish_speaker_is_texted_in_spanish(texting, text_outbox):
    Seeker.objects_across_tenants.filter(pk=texting.seeker.pk).update(preferred_language="es")
    texting.seeker.refresh_from_db()
    texting.refer()
    assert text_outbox[0].body.startswith("Le refirieron a Community Food Pantry")


def test_status_changes_by_others_are_texted_and_the_viewed_mark_is_not(texting, text_outbox, committed):
    referral = texting.refer()
    with committed():
        referral = referral_mark_viewed(actor=texting.claimer, referral=referral)
    assert len(text_outbox) == 1
    referral.refresh_from_db()
    with committed():
        referral_change_status(actor=texting.claimer, referral=referral, to_status="accepted")
    assert len(text_outbox) == 2 and "Community Food Pantry" in text_outbox[1].body


@pytest.mark.parametrize("preference", ["phone", "do_not_contact", "email"])
def test_other_preferences_get_no_text(network, text_outbox, preference, committed):
    _prefer(network, preference, phone="+13125550142")
    with committed():
        network.refer()
    assert text_outbox == [] and not TextMessage.objects.exists()


@pytest.mark.parametrize("preference", ["phone", "do_not_contact", "text"])
def test_only_those_who_chose_email_are_emailed(network, preference, committed):
    _prefer(network, preference, phone="+13125550142")
    with committed():
        network.refer()
    assert [network.claimer.email] in [message.to for message in mail.outbox]  # the program still hears
    assert network.seeker.email not in [to for message in mail.outbox for to in message.to]


@pytest.mark.parametrize(
    "fields", [{"phone": "111-111-1111", "phone_needs_check": True}, {"phone": "+442079460958"}]
)  # a landline abroad
def test_a_number_that_cannot_take_texts_is_never_texted(texting, text_outbox, fields):
    Seeker.objects_across_tenants.filter(pk=texting.seeker.pk).update(**fields)
    texting.seeker.refresh_from_db()
    texting.refer()
    assert text_outbox == [] and not TextMessage.objects.exists()


def test_the_short_link_opens_the_same_answer_page_and_only_a_post_answers(texting, text_outbox, client, committed):
    referral = texting.refer()
    with committed():
        referral_change_status(actor=texting.claimer, referral=referral, to_status="accepted")
    code = SHORT_LINK.search(text_outbox[-1].body).group(1)

    opened = client.get(f"/t/{code}/")
    assert opened.status_code == 302
    assert opened["Location"].startswith(f"/r/{referral.public_id}/")
    assert opened["Cache-Control"] == "no-store"
    page = client.get(opened["Location"])
    assert page.status_code == 200 and "I got help" in page.content.decode()
    referral.refresh_from_db()
    assert referral.status == "accepted"  # looking changes nothing

    client.post(opened["Location"], {"choice": "got_help"})
    referral.refresh_from_db()
    assert referral.status == "got_help"


def test_short_links_are_unguessable_and_expire(texting, text_outbox, client):
    texting.refer()
    link = ShortLink.objects.get()
    assert len(link.code) == 10 and link.target.startswith("/r/")
    assert client.get("/t/AAAAAAAAAA/").status_code == 404
    assert client.get("/t/<script>/").status_code == 404
    ShortLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/t/{link.code}/").status_code == 410


def test_each_text_has_its_own_code_for_one_referral_and_one_recipient(texting, text_outbox):
    first = texting.refer()
    second = texting.refer(program=texting.other_program)
    links = {link.code: (link.referral_id, link.seeker_id) for link in ShortLink.objects.all()}
    assert sorted(links.values()) == sorted([(first.pk, texting.seeker.pk), (second.pk, texting.seeker.pk)])


def test_a_text_whose_recipient_stopped_taking_texts_is_not_sent(
    texting, text_outbox, django_capture_on_commit_callbacks
):
    from unittest import mock

    with mock.patch("core.tasks.deliver_outbox_row.delay_on_commit"):
        texting.refer()
    assert TextMessage.objects.get().status == "pending"
    _prefer(texting, "phone")
    row = TextMessage.objects.get()
    assert outbox.deliver("text", row.pk).outcome == outbox.Outcome.FAILED
    assert text_outbox == []


def test_erasure_scrubs_the_texts_and_their_links(texting, text_outbox):
    referral = texting.refer()
    outbox.erase_person(
        Person(
            seeker_id=texting.seeker.pk,
            organization_id=texting.site.pk,
            referral_ids=(referral.pk,),
            phones=("+13125550142",),
        )
    )
    from core import erasure

    erasure.erase_copies(
        Person(
            seeker_id=texting.seeker.pk,
            organization_id=texting.site.pk,
            referral_ids=(referral.pk,),
            phones=("+13125550142",),
        )
    )
    row = TextMessage.objects.get()
    assert (row.body, row.to_number) == ("", "")
    assert not ShortLink.objects.exists()


def test_guessing_short_links_is_rate_limited_per_address(texting, client, settings, one_window):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_link": (3, 60)}
    answers = [client.get(f"/t/AAAAAAAAA{letter}/").status_code for letter in "ABCD"]
    assert answers == [404, 404, 404, 429]
