"""Capacity kept honest (issue 17 item 4): a program that counts its slots loses one when a referral is accepted
and gets it back when the referral closes; at zero open slots search says "Waitlist" and the Connect form says so
before the helper sends; slots never go below zero under concurrent accepts (programs.capacity)."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from core.errors import InvalidInput
from programs.models import Program
from programs.services import program_update
from referrals.errors import StaleReferral
from referrals.models import Referral
from referrals.services import referral_change_status, referral_reopen
from referrals.statuses import Reason, Status
from referrals.templatetags.referral_display import event_words
from tests import factories
from tests.api.conftest import client_for
from tests.programs.test_views_connect import connect_url


def counting(program, *, available, maximum=20):
    Program.objects_across_tenants.filter(pk=program.pk).update(
        counts_slots=True, capacity_available=available, capacity_maximum=maximum
    )
    program.refresh_from_db()
    return program


def slots(program) -> int | None:
    return Program.objects_across_tenants.values_list("capacity_available", flat=True).get(pk=program.pk)


def change(actor, referral, status, reason=""):
    return referral_change_status(actor=actor, referral=referral, to_status=status, reason=reason)


def last_words(referral) -> str:
    return event_words(referral.events.order_by("-created_at", "-id").first())


def test_accepting_takes_a_slot_and_closing_gives_it_back(network):
    counting(network.program, available=3)
    referral = network.refer()
    referral = change(network.claimer, referral, Status.ACCEPTED)
    assert referral.holds_slot is True and slots(network.program) == 2
    assert last_words(referral).endswith("it took one of the program's open slots")
    referral = change(network.claimer, referral, Status.IN_SERVICE)  # still the same slot
    assert referral.holds_slot is True and slots(network.program) == 2
    referral = change(network.claimer, referral, Status.GOT_HELP)
    assert referral.holds_slot is False and slots(network.program) == 3
    assert last_words(referral).endswith("its open slot went back to the program")


@pytest.mark.parametrize(
    ("closing", "reason", "party"),
    [
        (Status.NOT_COMPLETED, Reason.COULDNT_CONTACT, "claimer"),
        (Status.WITHDRAWN, Reason.NO_LONGER_INTERESTED, "referrer"),
        (Status.WAITLISTED, "", "claimer"),  # open, but waiting for a slot: it holds none
    ],
)
def test_every_way_out_of_accepted_gives_the_slot_back(network, closing, reason, party):
    counting(network.program, available=1)
    referral = change(network.claimer, network.refer(), Status.ACCEPTED)
    assert slots(network.program) == 0
    actor = network.claimer if party == "claimer" else network.referrer
    referral = change(actor, referral, closing, reason)
    assert referral.holds_slot is False and slots(network.program) == 1


def test_waiting_on_the_person_keeps_the_slot(network):
    counting(network.program, available=2)
    referral = change(network.claimer, network.refer(), Status.ACCEPTED)
    referral = change(network.claimer, referral, Status.NEEDS_CLIENT_ACTION)
    assert referral.holds_slot is True and slots(network.program) == 1
    referral = change(network.claimer, referral, Status.ACCEPTED)  # back: it still holds the one it took
    assert referral.holds_slot is True and slots(network.program) == 1
    change(network.claimer, referral, Status.GOT_HELP)
    assert slots(network.program) == 2


def test_the_slot_statuses_cover_every_status():
    from programs import capacity

    assert capacity.HOLDING | capacity.RELEASING | {"needs_client_action", "sent", "viewed"} == set(Status.values)
    assert not capacity.HOLDING & capacity.RELEASING


def test_a_program_that_does_not_count_keeps_its_slots_by_hand(network):
    factories_program = network.program
    assert factories_program.counts_slots is False
    before = slots(factories_program)
    referral = change(network.claimer, network.refer(), Status.ACCEPTED)
    assert referral.holds_slot is False and slots(factories_program) == before
    assert "slot" not in last_words(referral)
    change(network.claimer, referral, Status.GOT_HELP)
    assert slots(factories_program) == before


def test_at_zero_an_accept_goes_through_without_a_slot_and_gives_none_back(network):
    counting(network.program, available=0)
    referral = change(network.claimer, network.refer(), Status.ACCEPTED)
    assert referral.status == Status.ACCEPTED and referral.holds_slot is False
    assert slots(network.program) == 0
    assert last_words(referral).endswith("no open slot was left to take")
    change(network.claimer, referral, Status.GOT_HELP)
    assert slots(network.program) == 0  # it took none, so it gives none back


def test_a_slot_given_back_never_goes_past_the_maximum(network):
    counting(network.program, available=1, maximum=5)
    referral = change(network.claimer, network.refer(), Status.ACCEPTED)
    # Meanwhile the claimer recounted by hand: five open of five.
    Program.objects_across_tenants.filter(pk=network.program.pk).update(capacity_available=5)
    change(network.claimer, referral, Status.GOT_HELP)
    assert slots(network.program) == 5


def test_a_program_that_stops_counting_gets_nothing_back(network):
    counting(network.program, available=2)
    referral = change(network.claimer, network.refer(), Status.ACCEPTED)
    Program.objects_across_tenants.filter(pk=network.program.pk).update(counts_slots=False)
    referral = change(network.claimer, referral, Status.GOT_HELP)
    assert referral.holds_slot is False and slots(network.program) == 1


def test_reopening_to_accepted_takes_a_slot_again(network):
    counting(network.program, available=2)
    referral = change(network.claimer, network.refer(), Status.ACCEPTED)
    referral = change(network.claimer, referral, Status.NOT_COMPLETED, Reason.COULDNT_CONTACT)
    assert slots(network.program) == 2
    referral = referral_reopen(actor=network.provider_admin, referral=referral, note="They called back.")
    assert referral.status == Status.ACCEPTED and referral.holds_slot is True
    assert slots(network.program) == 1
    assert last_words(referral).endswith("it took one of the program's open slots")


def test_a_refused_change_takes_nothing(network):
    counting(network.program, available=2)
    referral = network.refer()
    with pytest.raises(StaleReferral):
        referral_change_status(
            actor=network.claimer, referral=referral, to_status=Status.ACCEPTED, expected_version=referral.version - 1
        )
    assert slots(network.program) == 2
    assert Referral.objects_across_tenants.get(pk=referral.pk).holds_slot is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_slots_never_go_below_zero_under_concurrent_accepts(network):
    counting(network.program, available=3)
    seekers = [
        factories.SeekerFactory(organization=network.site, created_by=network.referrer, team=network.sharing_team)
        for _ in range(8)
    ]
    referrals = [network.refer(seeker=seeker) for seeker in seekers]
    barrier = threading.Barrier(len(referrals))
    failures = []

    def accept(referral):
        from django.db import connections

        try:
            barrier.wait()
            referral_change_status(actor=network.claimer, referral=referral, to_status=Status.ACCEPTED)
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(referral,)) for referral in referrals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert slots(network.program) == 0
    rows = Referral.objects_across_tenants.filter(pk__in=[referral.pk for referral in referrals])
    assert rows.filter(status=Status.ACCEPTED).count() == 8
    assert rows.filter(holds_slot=True).count() == 3


# --- the listing page --------------------------------------------------------------------------------------


def test_counting_needs_the_open_slots_and_a_refusal_changes_nothing(network, client):
    Program.objects_across_tenants.filter(pk=network.program.pk).update(capacity_available=None)
    with pytest.raises(InvalidInput) as refused:
        program_update(actor=network.claimer, program=network.program, counts_slots=True)
    assert "how many slots are open" in refused.value.errors["capacity_available"][0]
    assert Program.objects_across_tenants.get(pk=network.program.pk).counts_slots is False

    client.force_login(network.claimer)
    response = client.post(
        f"/programs/{network.program.public_id}/manage/",
        {"description": "Groceries.", "accepts_referrals": "on", "counts_slots": "on", "capacity_maximum": 20},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say how many slots are open now" in html and 'id="id_counts_slots" checked' in html
    assert Program.objects_across_tenants.get(pk=network.program.pk).counts_slots is False


def test_a_claimer_turns_counting_on(network, client):
    client.force_login(network.claimer)
    page = client.get(f"/programs/{network.program.public_id}/manage/").content.decode()
    assert "Accepting a referral takes an open slot, and closing it gives the slot back" in page
    response = client.post(
        f"/programs/{network.program.public_id}/manage/",
        {"accepts_referrals": "on", "counts_slots": "on", "capacity_available": 4, "capacity_maximum": 20},
    )
    assert response.status_code == 302
    assert Program.objects_across_tenants.get(pk=network.program.pk).counts_slots is True


# --- Waitlist where helpers and the public look --------------------------------------------------------------


def test_search_and_the_connect_form_say_waitlist_at_zero(network, client):
    counting(network.program, available=0)
    client.force_login(network.referrer)
    search = client.get("/programs/", {"seeker": network.seeker.public_id}).content.decode()
    card = search.split(f'id="program-{network.program.public_id}"')[1].split("</li>\n    <li")[0]
    assert "Waitlist</span> No open slot now" in search
    assert "Waitlist" in card
    other = search.split(f'id="program-{network.other_program.public_id}"')[1]
    assert "Waitlist" not in other.split("program-result")[0]

    connect = client.get(connect_url(network.program, network.seeker)).content.decode()
    assert "has no open slot right now" in connect and "it waits for a slot" in connect
    assert "Send referral" in connect  # the helper may still send
    assert "has no open slot" not in client.get(connect_url(network.other_program, network.seeker)).content.decode()


def test_the_public_directory_and_the_api_say_waitlist(network):
    cache.clear()
    counting(network.program, available=0)
    page = Client().get(f"/find/programs/{network.program.public_id}/").content.decode()
    assert "Waitlist" in page
    spanish = Client()
    spanish.get("/find/language/", {"language": "es", "next": "/find/"})
    assert "Lista de espera" in spanish.get(f"/find/programs/{network.program.public_id}/").content.decode()
    api = client_for(network.referrer)
    results = {p["name"]: p for p in api.get("/api/v1/programs/").json()["results"]}
    assert results[network.program.name]["waitlist"] is True and results[network.program.name]["counts_slots"]
    assert results[network.other_program.name]["waitlist"] is False
    cache.clear()


def test_waitlist_the_state_and_waitlist_the_button_are_told_apart_in_spanish():
    from django.utils import translation

    from referrals.statuses import NEXT_STEP_LABELS

    with translation.override("es"):
        assert str(NEXT_STEP_LABELS[Status.WAITLISTED]) == "Poner en lista de espera"
        assert translation.pgettext("a program's state: no open slot", "Waitlist") == "Lista de espera"
