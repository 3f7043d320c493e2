"""Email action links: GET shows, POST changes once, bad tokens change nothing."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client

from notifications import links
from referrals.models import ReferralEvent
from referrals.services import referral_change_status

pytestmark = pytest.mark.django_db


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def seeker_link(referral, answer=""):
    return path_of(links.link_url(referral=referral, seeker=referral.seeker, answer=answer))


def csrf_client():
    return Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 (Phone)")


def post_choice(client, url, choice, **fields):
    client.get(url)  # sets the CSRF cookie, as a browser opening the link would
    token = client.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": token, "choice": choice, **fields}, REMOTE_ADDR="203.0.113.7")


def test_opening_a_link_changes_nothing_and_shows_the_seekers_choices(network):
    referral = network.refer()
    events = referral.events.count()
    response = Client().get(seeker_link(referral, answer="got_help"))

    assert response.status_code == 200
    assert response["Referrer-Policy"] == "strict-origin"
    page = response.content.decode()
    assert "Please confirm your answer" in page
    for label in ("I got help", "I couldn&#x27;t get help", "I&#x27;m no longer interested"):
        assert label in page
    assert "<script>" not in page.split("</head>")[1]
    assert 'class="topbar"' in page and "Sign out" not in page
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert referral.events.count() == events


def test_the_page_shows_no_more_than_the_recipient_already_knows(network):
    network.seeker.phone = "312-555-0199"
    network.seeker.save()
    referral = network.refer(comment="Private note from the helper")
    page = Client().get(seeker_link(referral)).content.decode()

    assert "Private note from the helper" not in page
    assert "312-555-0199" not in page
    assert network.referrer.last_name not in page


def test_posting_an_answer_changes_the_status_once_and_records_the_link_use(network):
    referral = network.refer()
    client = csrf_client()
    url = seeker_link(referral)
    response = post_choice(client, url, "got_help")

    assert response.status_code == 200
    assert "Your answer is recorded" in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.seeker_outcome) == ("got_help", "got_help")
    change = referral.events.get(kind=ReferralEvent.Kind.STATUS_CHANGED, to_status="got_help")
    assert (change.via, change.actor_display) == ("email_link", "Seeker (email link)")
    use = referral.events.get(kind=ReferralEvent.Kind.EMAIL_LINK_USED)
    assert use.detail["ip_address"] == "203.0.113.7"
    assert use.detail["user_agent"] == "Mozilla/5.0 (Phone)"

    again = post_choice(client, url, "got_help")
    assert again.status_code == 200
    assert "already recorded" in again.content.decode()
    assert referral.events.filter(kind=ReferralEvent.Kind.STATUS_CHANGED).count() == 1


def test_the_seeker_may_change_their_answer_where_the_status_table_allows(network):
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    client = csrf_client()
    url = seeker_link(referral)
    post_choice(client, url, "couldnt_get_help")
    referral.refresh_from_db()
    assert (referral.status, referral.status_reason) == ("not_completed", "couldnt_get_help")

    refused = post_choice(client, url, "got_help")  # a closed referral is reopened by an admin, not a link
    assert refused.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "not_completed"


def test_a_post_without_csrf_token_is_refused(network):
    referral = network.refer()
    response = csrf_client().post(seeker_link(referral), {"choice": "got_help"})

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.parametrize("spoil", ["tampered", "expired", "other_referral", "garbage"])
def test_a_bad_token_gets_a_friendly_page_and_changes_nothing(network, spoil):
    referral = network.refer()
    other = network.refer(program=network.other_program)
    url = seeker_link(referral)
    expected = 400
    if spoil == "tampered":
        url = url[:-6] + ("A" if url[-6] != "A" else "B") + url[-5:]
    elif spoil == "other_referral":
        url = url.replace(str(referral.public_id), str(other.public_id))
    elif spoil == "garbage":
        url = f"/r/{referral.public_id}/not-a-token/"
    later = time.time() + timedelta(days=31).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later if spoil == "expired" else time.time()):
        if spoil == "expired":
            expected = 410
        client = csrf_client()
        page = client.get(url)
        posted = client.post(url, {"choice": "got_help"})

    assert page.status_code == expected
    assert "We could not open this link" in page.content.decode()
    assert page["Referrer-Policy"] == "strict-origin"
    assert posted.status_code in (expected, 403)
    for each in (referral, other):
        each.refresh_from_db()
        assert each.status == "sent"
        assert not each.events.filter(kind=ReferralEvent.Kind.EMAIL_LINK_USED).exists()


def test_a_claimer_acts_from_their_own_link_and_history_says_so(network):
    referral = network.refer()
    url = path_of(links.link_url(referral=referral, user=network.claimer))
    page = Client().get(url).content.decode()
    assert "Accepted" in page and "Declined" in page and "Got help" in page

    response = post_choice(csrf_client(), url, "declined", reason="no_capacity")
    assert response.status_code == 200
    referral.refresh_from_db()
    assert (referral.status, referral.status_reason, referral.program_outcome) == (
        "declined",
        "no_capacity",
        "declined",
    )
    change = referral.events.get(kind=ReferralEvent.Kind.STATUS_CHANGED)
    assert change.via == "email_link"
    assert change.actor_id == network.claimer.pk


def test_a_link_stops_working_for_someone_who_no_longer_has_a_part_in_the_referral(network):
    from programs.models import ProgramClaimer

    referral = network.refer()
    url = path_of(links.link_url(referral=referral, user=network.claimer))
    ProgramClaimer.objects.filter(user=network.claimer).delete()
    network.claimer.groups.clear()

    assert Client().get(url).status_code == 404


def test_a_spanish_speaking_seeker_sees_the_page_in_spanish(network):
    network.seeker.preferred_language = "es"
    network.seeker.save()
    referral = network.refer()
    response = Client().get(seeker_link(referral), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()

    assert "Recibí ayuda" in page
    assert 'lang="es"' in page
    assert response.headers["Content-Language"] == "es"


def test_link_pages_are_rate_limited(network, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "email_link": (3, 60)}
    referral = network.refer()
    client = Client()
    codes = [client.get(seeker_link(referral)).status_code for _ in range(5)]

    assert codes == [200, 200, 200, 429, 429]


def test_the_dev_mailbox_exists_only_with_debug(network, client, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    settings.DEBUG = False
    assert client.get("/dev/mailbox/").status_code == 404

    settings.DEBUG = True
    listing = client.get("/dev/mailbox/").content.decode()
    assert "You were referred to Community Food Pantry" in listing
    detail_url = re.search(r'href="(/dev/mailbox/[0-9a-f-]+/)"', listing).group(1)
    detail = client.get(detail_url).content.decode()
    assert "/r/" in detail


def test_after_the_answer_stopping_the_sharing_is_offered_under_its_own_heading_in_the_seekers_language(network):
    network.seeker.preferred_language = "es"
    network.seeker.save()
    referral = network.refer()
    page = post_choice(csrf_client(), seeker_link(referral), "got_help").content.decode()

    assert "Gracias. Su respuesta quedó registrada." in page
    assert "Cuéntenos cómo le fue" not in page  # no answer is left to give: no heading asking for one
    assert "<h2>Sus datos de contacto</h2>" in page
    assert 'class="secondary">Dejar de compartir mis datos de contacto con el programa</button>' in page


def test_the_history_shows_what_was_chosen_through_a_link(network, client):
    """The "email link used" line says which answer was given (it used to read a key nothing wrote)."""
    referral = network.refer()
    post_choice(csrf_client(), seeker_link(referral), "got_help")
    claimer_link = path_of(links.link_url(referral=referral, user=network.claimer))
    post_choice(csrf_client(), claimer_link, "not-a-choice")

    client.force_login(network.referrer)
    page = client.get(f"/referrals/{referral.public_id}/").content.decode()
    assert "Seeker (email link) · used an email link (I got help)" in page
    assert "Sam O. · Community Food Pantry · used an email link (not one of the choices)" in page


@pytest.mark.parametrize(
    "choice, words",
    [
        ("got_help", "used an email link (I got help)"),
        ("couldnt_get_help", "used an email link (I couldn't get help)"),
        ("no_longer_interested", "used an email link (I'm no longer interested)"),
        ("withdraw_consent", "used an email link (stop sharing contact details)"),
        ("declined", "used an email link (Declined)"),
        ("<b>made up</b>", "used an email link (not one of the choices)"),
        ("", "used an email link"),
    ],
)
def test_each_link_choice_reads_as_the_person_saw_it(choice, words):
    from referrals.templatetags.referral_display import event_words

    event = ReferralEvent(kind=ReferralEvent.Kind.EMAIL_LINK_USED, detail={"choice": choice})
    assert event_words(event) == words
