"""Inbound Referrals reuses a rendered page only while nothing it shows has changed (referrals.inbound_cache)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import page_cache
from referrals import inbound_cache
from referrals.services import referral_assign, referral_change_status, referral_create
from seekers.services import seeker_update
from tests import factories


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The page key's minute, held still so that two requests never straddle a minute boundary by chance."""
    minute = [inbound_cache.current_minute()]
    monkeypatch.setattr(inbound_cache, "current_minute", lambda: minute[0])
    return minute


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a transaction's commit would (the tests' own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/inbound/")  # the first page sets the CSRF cookie the cache key needs
    return client


def get(client, path="/inbound/", **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    referral_queries = [q for q in queries.captured_queries if "referrals_referral" in q["sql"]]
    return response.content.decode(), len(referral_queries)


def test_an_unchanged_page_is_reused_without_reading_the_referrals(network, committed):
    with committed():
        network.refer()
    client = signed_in(network.claimer)
    first, read = get(client)
    assert read > 0 and "Luis Hernandez" in first
    again, read_again = get(client)
    assert read_again == 0
    assert again == first


def test_a_status_change_by_someone_else_shows_on_the_next_page(network, committed):
    with committed():
        referral = network.refer()
    client = signed_in(network.claimer)
    get(client)
    assert get(client)[1] == 0  # kept
    with committed():
        referral_change_status(
            actor=network.referrer,
            referral=referral,
            to_status="withdrawn",
            reason="no_longer_interested",
            expected_version=referral.version,
        )
    html, read = get(client)
    assert read > 0
    assert "Luis Hernandez" not in html  # withdrawn: no longer in the open list


def kept(client) -> str:
    """The page, after checking that it is now the kept one."""
    html, _ = get(client)
    again, read = get(client)
    assert read == 0 and again == html
    return html


def test_a_new_referral_a_renamed_seeker_a_renamed_program_and_a_new_claimer_show(network, committed):
    with committed():
        network.refer()
    client = signed_in(network.claimer)
    kept(client)
    with committed():
        other = factories.SeekerFactory(
            organization=network.site, created_by=network.referrer, first_name="Ana", last_name="Reyes"
        )
        referral_create(actor=network.referrer, seeker=other, program=network.program, consent_method="verbal")
    assert "Ana Reyes" in kept(client)
    with committed():
        seeker_update(actor=network.referrer, seeker=network.seeker, first_name="Luisa")
    assert "Luisa Hernandez" in kept(client)
    with committed():
        network.program.name = "Community Food Pantry North"
        network.program.save()
    assert "Community Food Pantry North" in kept(client)
    with committed():
        factories.claimer(network.program, first_name="Nadia", last_name="Quinn")
    assert "Nadia Q." in kept(client)


def test_an_assignment_shows_and_its_message_page_is_not_kept(network, committed):
    with committed():
        referral = network.refer()
    client = signed_in(network.claimer)
    get(client)
    with committed():
        response = client.post(
            f"/inbound/{referral.public_id}/assign/",
            {"assignee": str(network.claimer.public_id), "expected_version": referral.version, "next": "/inbound/"},
            follow=True,
        )
    assert response.status_code == 200
    assert "is now assigned to you" in response.content.decode()
    after, _ = get(client)
    assert "is now assigned to you" not in after  # the message showed once; the page kept since has none
    again, read = get(client)
    assert read == 0 and again == after
    assert f'value="{network.claimer.public_id}" selected' in after


def test_each_person_and_session_gets_their_own_page(network, committed):
    with committed():
        network.refer()
        colleague = factories.claimer(network.program, first_name="Nadia", last_name="Quinn")
    sam, nadia = signed_in(network.claimer), signed_in(colleague)
    sam_page, _ = get(sam)
    nadia_page, read = get(nadia)
    assert read > 0  # not Sam's page
    assert "Me (Sam O.)" in sam_page and "Me (Nadia Q.)" in nadia_page
    other_tab = signed_in(network.claimer)  # a second sign-in: its own session and CSRF cookie
    csrf = other_tab.cookies["csrftoken"].value
    assert csrf != sam.cookies["csrftoken"].value
    _, read = get(other_tab)
    assert read > 0


def test_another_tenant_never_receives_a_kept_page(network, committed):
    with committed():
        network.refer()
    get(signed_in(network.claimer))
    outsider_page, _ = get(signed_in(network.outsider_admin))
    assert "Luis Hernandez" not in outsider_page


def test_filters_and_the_list_alone_are_kept_apart(network, committed):
    with committed():
        network.refer(urgency="urgent")
    client = signed_in(network.claimer)
    everything, _ = get(client)
    routine, _ = get(client, urgency="routine")
    fragment, _ = get(client, path="/inbound/rows/")
    assert "Luis Hernandez" in everything and "Luis Hernandez" not in routine
    assert "<html" in everything and "<html" not in fragment


def test_the_next_minute_renders_afresh(network, committed, clock):
    with committed():
        network.refer()
    client = signed_in(network.claimer)
    kept(client)
    clock[0] += 1
    _, read = get(client)
    assert read > 0


def test_without_a_cache_the_page_is_rendered_as_usual(network, monkeypatch):
    network.refer()
    client = signed_in(network.claimer)

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    for name in ("get", "get_many", "set", "add", "set_many"):
        monkeypatch.setattr(page_cache.cache, name, down)  # the shared cache, as the pages reach it
    html, read = get(client)
    assert read > 0 and "Luis Hernandez" in html
    referral = network.refer(
        seeker=factories.SeekerFactory(
            organization=network.site, created_by=network.referrer, first_name="Ana", last_name="Reyes"
        )
    )
    assert referral.pk  # writing a referral while the cache is down still works


def test_it_can_be_turned_off(network, committed, settings):
    settings.INBOUND_PAGE_CACHE_SECONDS = 0
    with committed():
        network.refer()
    client = signed_in(network.claimer)
    get(client)
    _, read = get(client)
    assert read > 0


def test_a_lost_version_is_never_taken_for_the_old_one(network, committed):
    """After a restart or eviction the version is drawn anew, so no page rendered before can match."""
    with committed():
        network.refer()
    client = signed_in(network.claimer)
    kept(client)
    cache.delete(inbound_cache.VERSION_KEY.format(network.program.pk))
    _, read = get(client)
    assert read > 0


def test_an_assignment_through_the_service_changes_the_version(network, committed):
    with committed():
        referral = network.refer()
    client = signed_in(network.claimer)
    kept(client)
    with committed():
        referral_assign(
            actor=network.claimer, referral=referral, assignee=network.claimer, expected_version=referral.version
        )
    html, read = get(client)
    assert read > 0 and f'value="{network.claimer.public_id}" selected' in html


def test_while_a_change_is_not_committed_its_pages_are_neither_kept_nor_reused(network, committed):
    """Between the change and its commit a page may be rendered from the old rows: it must not be kept."""
    with committed():
        referral = network.refer()
    client = signed_in(network.claimer)
    get(client)
    referral_change_status(
        actor=network.referrer,
        referral=referral,
        to_status="withdrawn",
        reason="no_longer_interested",
        expected_version=referral.version,
    )  # not committed
    assert get(client)[1] > 0 and get(client)[1] > 0
    # the commit gives the program a new version: pages are kept again
    inbound_cache.PAGES.replace_versions([inbound_cache.VERSION_KEY.format(network.program.pk)])
    get(client)
    assert get(client)[1] == 0


@pytest.mark.parametrize(
    "params", [{"made_up": "1"}, {"older_than_days": "3"}, {"page": "4"}, {"status": "not-a-status"}, {"page": "x"}]
)
def test_only_ordinary_pages_are_kept(network, committed, params):
    """Nobody can fill the cache with pages of made-up addresses or every "older than" value."""
    with committed():
        network.refer()
    client = signed_in(network.claimer)
    get(client, **params)
    assert get(client, **params)[1] > 0
    get(client, urgency="urgent", page="2")
    assert get(client, urgency="urgent", page="2")[1] == 0


def test_an_email_or_a_text_going_out_keeps_the_page(network, committed):
    """Inbound Referrals shows no deliveries: their history lines leave its kept pages alone."""
    from referrals.services import referral_record_delivery

    with committed():
        referral = network.refer()
    client = signed_in(network.claimer)
    first, _ = get(client)
    with committed():
        referral_record_delivery(channel="text", referral=referral, detail={"to": "Seeker"})
        referral_record_delivery(channel="email", referral=referral, detail={"to": "Seeker"})
    again, read = get(client)
    assert read == 0 and again == first
