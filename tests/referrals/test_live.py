from datetime import timedelta

from django.utils import timezone

from referrals import live
from referrals.models import ReferralEvent
from referrals.services import note_add, referral_change_status
from tests import factories


def poll(client, user, cursor=None):
    client.force_login(user)
    response = client.get("/live/", {"since": cursor} if cursor else {})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    return response.json()


def test_it_answers_401_when_signed_out(client):
    response = client.get("/live/")
    assert response.status_code == 401


def test_it_reports_a_new_inbound_referral_to_the_programs_claimer(network, client):
    cursor = poll(client, network.claimer)["cursor"]
    referral = network.refer()
    answer = poll(client, network.claimer, cursor)
    assert answer["referrals"] == [str(referral.public_id)]
    assert answer["everything"] is False


def test_it_reports_each_change_once(network, client):
    referral = network.refer()
    first = poll(client, network.referrer, poll(client, network.referrer)["cursor"])
    assert first["referrals"] == []  # already reported by the first poll (the last few seconds)
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    changed = poll(client, network.referrer, first["cursor"])
    assert changed["referrals"] == [str(referral.public_id)]
    assert poll(client, network.referrer, changed["cursor"])["referrals"] == []


def test_a_note_counts_as_a_change(network, client):
    referral = network.refer()
    cursor = poll(client, network.referrer)["cursor"]
    note_add(actor=network.claimer, referral=referral, body="Called, no answer.")
    assert poll(client, network.referrer, cursor)["referrals"] == [str(referral.public_id)]


def test_another_tenant_never_sees_the_ids(network, client):
    cursor = poll(client, network.outsider)["cursor"]
    referral = network.refer()
    note_add(actor=network.claimer, referral=referral, body="Called, no answer.")
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    assert poll(client, network.outsider, cursor)["referrals"] == []
    assert poll(client, network.outsider_admin)["referrals"] == []
    # The claimer of another program of the same provider does not see it either.
    assert poll(client, network.other_claimer)["referrals"] == []


def test_a_change_that_commits_after_a_poll_is_still_reported(network, client):
    """An event's time is taken before its transaction commits; the overlap keeps it from being missed."""
    referral = network.refer()
    cursor = poll(client, network.claimer)["cursor"]
    late = ReferralEvent.objects_across_tenants.create(
        organization=network.site,
        referral=referral,
        kind="note_added",
        actor_display="Sam O.",
        created_at=timezone.now() - timedelta(seconds=2),
    )
    answer = poll(client, network.claimer, cursor)
    assert answer["referrals"] == [str(referral.public_id)]
    assert str(late.pk) in answer["cursor"].split(".")[1].split(",")


def test_changes_older_than_the_cursor_are_not_reported(network, client):
    network.refer()
    after_it = live.Cursor(since=timezone.now()).encode()
    assert poll(client, network.claimer, after_it)["referrals"] == []


def test_a_cursor_from_long_ago_reports_everything_visible_since(network, client):
    referral = network.refer()
    other = network.refer(program=network.other_program)
    since = live.Cursor(since=timezone.now() - timedelta(hours=1)).encode()
    answer = poll(client, network.referrer, since)
    assert set(answer["referrals"]) == {str(referral.public_id), str(other.public_id)}
    assert poll(client, network.claimer, since)["referrals"] == [str(referral.public_id)]


def test_a_bad_cursor_is_treated_as_none(network, client):
    for cursor in ["garbage", "12.x,y", "9" * 40, "-1.", "1." + ",".join(["1"] * 5000)]:
        answer = poll(client, network.claimer, cursor)
        assert live.Cursor.decode(answer["cursor"]) is not None


def test_too_many_changes_asks_the_page_to_refresh_everything(network, client, monkeypatch):
    monkeypatch.setattr(live, "MAX_EVENTS", 1)  # a new referral writes two events
    since = live.Cursor(since=timezone.now() - timedelta(hours=1)).encode()
    network.refer()
    answer = poll(client, network.referrer, since)
    assert answer == {"cursor": answer["cursor"], "referrals": [], "everything": True}


def test_the_query_count_does_not_grow_with_the_number_of_changes(network, client, django_assert_max_num_queries):
    since = live.Cursor(since=timezone.now() - timedelta(hours=1)).encode()
    client.force_login(network.referrer)
    network.refer()
    with django_assert_max_num_queries(100) as one_change:
        client.get("/live/", {"since": since})
    for _ in range(12):
        network.refer(seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer))
    with django_assert_max_num_queries(len(one_change.captured_queries)):
        response = client.get("/live/", {"since": since})
    assert len(response.json()["referrals"]) == 13
    changes = [q["sql"] for q in one_change.captured_queries if "referrals_referralevent" in q["sql"]]
    assert len(changes) == 1


def test_polling_does_not_keep_an_idle_session_alive(network, client):
    import time

    from security.middleware import SESSION_LAST_SEEN, SESSION_STARTED

    client.force_login(network.claimer)
    client.get("/inbound/")

    def idle_for(seconds):
        session = client.session
        session[SESSION_STARTED] = session[SESSION_LAST_SEEN] = int(time.time()) - seconds
        session.save()

    idle_for(29 * 60)
    live_poll = {"HTTP_ACCEPT": "application/json", "HTTP_X_LIVE_POLL": "1"}
    assert client.get("/live/", **live_poll).status_code == 200
    assert client.session[SESSION_LAST_SEEN] <= int(time.time()) - 29 * 60  # the poll was not activity
    idle_for(31 * 60)
    assert client.get("/live/", **live_poll).status_code == 401  # live.js then reloads into the sign-in page
