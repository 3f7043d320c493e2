"""One-click next steps (issue 19 item 4) and a stale form that keeps what was typed (item 1)."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from referrals import services, statuses
from referrals.statuses import Party, Status

from .test_views_referral import reload, text_of, url

pytestmark = pytest.mark.django_db


def test_the_next_steps_come_from_the_status_table_for_each_party():
    claimer = statuses.next_steps(Status.VIEWED, {Party.CLAIMER})
    assert [step.to_status for step in claimer] == [
        Status.ACCEPTED,
        Status.IN_SERVICE,
        Status.WAITLISTED,
        Status.NEEDS_CLIENT_ACTION,
        Status.GOT_HELP,
        Status.DECLINED,
        Status.NOT_COMPLETED,
    ]
    decline = next(step for step in claimer if step.to_status == Status.DECLINED)
    assert decline.label == "Decline" and decline.closes
    assert {reason.value: reason.label for reason in decline.reasons} == {
        statuses.Reason.NOT_ELIGIBLE: "Not eligible",
        statuses.Reason.NO_CAPACITY: "No capacity",
        statuses.Reason.OUT_OF_AREA: "Out of service area",
        statuses.Reason.OTHER: "Other",
    }
    with translation.override("es"):  # worked out once per language: the English ones are not reused
        spanish = next(step for step in statuses.next_steps(Status.VIEWED, {Party.CLAIMER}) if step.reasons)
    assert spanish.label == "Rechazar" and "No cumple los requisitos" in [reason.label for reason in spanish.reasons]
    assert statuses.next_steps(Status.VIEWED, {Party.CLAIMER}) == claimer
    referrer = statuses.next_steps(Status.ACCEPTED, {Party.REFERRER})
    assert [step.to_status for step in referrer] == [Status.GOT_HELP, Status.WITHDRAWN]  # no entered-in-error
    assert statuses.next_steps(Status.GOT_HELP, {Party.CLAIMER}) == []


@pytest.mark.parametrize(
    "before,after,parties,undo",
    [
        (Status.ACCEPTED, Status.IN_SERVICE, {Party.CLAIMER}, Status.ACCEPTED),
        (Status.VIEWED, Status.ACCEPTED, {Party.CLAIMER}, None),  # nobody but the system makes it Viewed
        (Status.IN_SERVICE, Status.DECLINED, {Party.CLAIMER}, None),  # a closing is undone by reopening only
        (Status.ACCEPTED, Status.GOT_HELP, {Party.REFERRER}, None),
    ],
)
def test_undo_is_offered_where_the_table_allows_going_back(before, after, parties, undo):
    assert statuses.undo_target(before, after, parties) == undo


def test_the_page_offers_one_click_steps_and_undo_where_allowed(client, network):
    referral = network.refer()
    client.force_login(network.claimer)
    html = client.get(url("detail", referral)).content.decode()  # marks it viewed
    # The steps that take no reason share one form, each button naming its status.
    assert re.search(r'<button type="submit" name="to_status" value="accepted">Accept</button>', html)
    assert '<summary class="button secondary">Decline…</summary>' in html
    assert "Withdraw…" not in html  # the referrer's, not the program's
    current = reload(referral)
    accepted = client.post(
        url("status", referral), {"to_status": "accepted", "version": current.version}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Status changed to “Accepted”." in accepted and "Undo" not in accepted
    current = reload(referral)
    started = client.post(
        url("status", referral), {"to_status": "in_service", "version": current.version}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Undo (back to “Accepted”)" in started
    assert f'name="version" value="{reload(referral).version}"' in started
    undone = client.post(
        url("status", referral), {"to_status": "accepted", "version": reload(referral).version}, HTTP_HX_REQUEST="true"
    )
    assert undone.status_code == 200 and reload(referral).status == "accepted"


def test_decline_asks_the_reason_first(client, network):
    referral = network.refer()
    client.force_login(network.claimer)
    refused = client.post(
        url("status", referral), {"to_status": "declined", "version": referral.version}, HTTP_HX_REQUEST="true"
    )
    assert "Choose a reason for “Declined”." in refused.content.decode() and reload(referral).status == "sent"
    client.post(
        url("status", referral),
        {"to_status": "declined", "reason": "out_of_area", "version": referral.version},
        HTTP_HX_REQUEST="true",
    )
    assert (reload(referral).status, reload(referral).status_reason) == ("declined", "out_of_area")


def inbound_status(referral):
    return reverse("referrals:inbound_status", args=[referral.public_id])


def test_an_inbound_row_accepts_in_one_click_and_keeps_the_filters(client, network):
    referral = network.refer()
    client.force_login(network.claimer)
    page = client.get("/inbound/").content.decode()
    assert f'action="{inbound_status(referral)}"' in page and ">Accept</button>" in page
    response = client.post(
        inbound_status(referral),
        {"to_status": "accepted", "version": referral.version, "next": "/inbound/?status=all"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert reload(referral).status == "accepted"
    assert 'id="inbound-confirmation" hx-swap-oob="true"' in html
    assert "Luis Hernandez: status changed to “Accepted”." in html
    assert f'id="inbound-{referral.public_id}"' in html  # the list, with the page's filter (all)
    plain = client.post(
        inbound_status(referral), {"to_status": "in_service", "version": reload(referral).version, "next": "/inbound/"}
    )
    assert plain.status_code == 302 and plain["Location"] == "/inbound/"
    assert reload(referral).status == "in_service"


def test_an_inbound_row_refuses_what_the_person_may_not_do(client, network):
    referral = network.refer()
    client.force_login(network.referrer)
    assert (
        client.post(
            inbound_status(referral), {"to_status": "accepted", "version": 1}, HTTP_HX_REQUEST="true"
        ).status_code
        == 403
    )
    client.force_login(network.outsider)
    assert client.post(inbound_status(referral), {"to_status": "accepted", "version": 1}).status_code == 404
    client.force_login(network.claimer)
    stale = client.post(inbound_status(referral), {"to_status": "accepted", "version": 99}, HTTP_HX_REQUEST="true")
    # htmx swaps only successful answers: the message is inside (as on the referral page).
    assert stale.status_code == 200 and "changed since the page showed it" in stale.content.decode()
    bad = client.post(
        inbound_status(referral), {"to_status": "declined", "version": referral.version}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 200 and "Choose a reason" in bad.content.decode()
    assert reload(referral).status == "sent"


def test_the_inbound_query_count_does_not_grow_with_the_rows(client, network, django_assert_max_num_queries):
    from tests import factories

    network.refer()
    client.force_login(network.claimer)
    with django_assert_max_num_queries(100) as few:
        client.post(
            inbound_status(
                network.refer(seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer))
            ),
            {"to_status": "accepted", "version": 1},
            HTTP_HX_REQUEST="true",
        )
    for _ in range(12):
        network.refer(seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer))
    last = network.refer(seeker=factories.SeekerFactory(organization=network.site, created_by=network.referrer))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.post(inbound_status(last), {"to_status": "accepted", "version": 1}, HTTP_HX_REQUEST="true")
    assert response.content.decode().count(">Accept</button>") >= 12


def test_a_stale_explanation_is_kept_with_what_changed_above_it(client, network):
    """Item 1: Maria writes while Sam changes the referral; her text stays and she can send it again."""
    referral = network.refer()
    opened = referral.version
    services.referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    client.force_login(network.referrer)
    text = "Luis moved; he called me from his new number."
    response = client.post(
        url("status", referral),
        {"to_status": "withdrawn", "reason": "no_longer_interested", "note": text, "version": opened},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert reload(referral).status == "accepted"
    assert "what you wrote is still there" in html
    assert f">{text}</textarea>" in html
    assert "What changed while you were writing" in text_of(response)
    assert "Sam O. · Community Food Pantry · changed status from Not updated to Accepted" in text_of(response)
    assert f'name="version" value="{reload(referral).version}"' in html
    again = client.post(
        url("status", referral),
        {"to_status": "withdrawn", "reason": "no_longer_interested", "note": text, "version": reload(referral).version},
    )
    assert again.status_code == 302 and reload(referral).status == "withdrawn"
