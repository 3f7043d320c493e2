import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from api.serializers import ReferralSerializer
from core.pagination import CappedCountPagination, CappedCountPaginator
from referrals.models import Referral
from referrals.selectors import referral_get_visible
from referrals.services import referral_change_status, referral_withdraw_consent
from tests import factories

from .conftest import ROLES

URL = "/api/v1/referrals/"


def _url(referral, suffix=""):
    return f"{URL}{referral.public_id}/{suffix}"


def test_a_helper_makes_a_referral_through_the_service(network, api):
    response = api(network.referrer).post(
        URL,
        {
            "seeker": str(network.seeker.public_id),
            "program": str(network.program.public_id),
            "comment": "Needs groceries this week",
            "urgency": "urgent",
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["urgency"], body["consent_method"], body["version"]) == (
        "sent",
        "urgent",
        "electronic",
        1,
    )
    referral = Referral.objects.restrict(network.claimer, "view:all").get(public_id=body["id"])
    created = referral.events.get(kind="created")
    assert (created.actor_display, created.via) == ("Maria G.", "api")


def test_consent_is_required(network, api):
    response = api(network.referrer).post(
        URL,
        {
            "seeker": str(network.seeker.public_id),
            "program": str(network.program.public_id),
            "consent": False,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "consent" in response.json()


def test_a_duplicate_open_referral_is_409_with_the_existing_one(network, api):
    existing = network.refer()
    response = api(network.teammate).post(
        URL,
        {
            "seeker": str(network.seeker.public_id),
            "program": str(network.program.public_id),
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["existing"] == str(existing.public_id)


def test_a_program_not_accepting_is_a_field_error(network, api):
    closed = factories.ProgramFactory(organization=network.provider, accepts_referrals=False)
    response = api(network.referrer).post(
        URL,
        {
            "seeker": str(network.seeker.public_id),
            "program": str(closed.public_id),
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "program" in response.json()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"seeker": "not-a-uuid"}, "seeker"),
        ({"program": "00000000-0000-0000-0000-000000000000"}, "program"),
        ({"urgency": "whenever"}, "urgency"),
        ({"comment": "x" * 5001}, "comment"),
        ({"consent_method": "telepathy"}, "consent_method"),
        ({"goal": "00000000-0000-0000-0000-000000000000"}, "goal"),
    ],
)
def test_invalid_referrals_name_the_field(network, api, body, field):
    payload = {
        "seeker": str(network.seeker.public_id),
        "program": str(network.program.public_id),
        "consent": True,
        **body,
    }
    response = api(network.referrer).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Referral.objects.restrict(network.referrer, "view:all").exists()


def test_another_tenants_seeker_is_refused_without_confirming_it_exists(network, api):
    response = api(network.referrer).post(
        URL,
        {
            "seeker": str(network.outsider_seeker.public_id),
            "program": str(network.program.public_id),
            "consent": True,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"seeker": ["No seeker of yours has this id."]}


def test_malformed_json_is_400(network, api):
    response = api(network.referrer).post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_the_list_filters_by_direction_status_and_program(network, api):
    sent = network.refer()
    other = network.refer(program=network.other_program)
    referral_change_status(actor=network.other_claimer, referral=other, to_status="accepted")
    claimer = api(network.claimer)
    inbound = claimer.get(URL, {"direction": "inbound"}).json()["results"]
    assert [r["id"] for r in inbound] == [str(sent.public_id)]
    assert claimer.get(URL, {"direction": "outbound"}).json()["count"] == 0
    referrer = api(network.referrer)
    assert referrer.get(URL, {"direction": "outbound"}).json()["count"] == 2
    assert [r["id"] for r in referrer.get(URL, {"status": "accepted"}).json()["results"]] == [str(other.public_id)]
    by_program = referrer.get(URL, {"program": str(network.program.public_id)}).json()["results"]
    assert [r["id"] for r in by_program] == [str(sent.public_id)]
    assert api(network.outsider).get(URL).json()["count"] == 0


def test_the_inbound_list_never_shows_a_referral_the_claimer_holds_no_grant_on(network, api):
    """Inbound chooses its page by the claimer's programs ("receive:ids") and reads the page's rows through their
    grants: a referral stripped of its grants by hand is not shown."""
    from referrals.models import ReferralGroupObjectPermission, ReferralUserObjectPermission

    shown = network.refer()
    hidden = network.refer(seeker=network.outsider_seeker, referrer=network.outsider)
    ReferralGroupObjectPermission.objects.filter(content_object=hidden).delete()
    ReferralUserObjectPermission.objects.filter(content_object=hidden).delete()
    results = api(network.claimer).get(URL, {"direction": "inbound"}).json()["results"]
    assert [r["id"] for r in results] == [str(shown.public_id)]


@pytest.mark.parametrize("query", [{"status": "lost"}, {"direction": "sideways"}, {"program": "42"}])
def test_bad_filters_are_field_errors(network, api, query):
    response = api(network.referrer).get(URL, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


@pytest.fixture
def pages_of_two(monkeypatch):
    monkeypatch.setattr(CappedCountPagination, "page_size", 2)


def _every_page(client, query=None):
    """The first page's envelope and the results of every page, following `next`."""
    first = body = client.get(URL, query or {}).json()
    results = list(body["results"])
    while body["next"]:
        body = client.get(body["next"]).json()
        results += body["results"]
    return first, results


def _as_detail_shows_it(user, referral):
    """The referral as the one-referral answer serializes it for ``user`` (contact details, goal)."""
    shown = referral_get_visible(user=user, public_id=referral.public_id)
    data = ReferralSerializer(shown, context={"request": SimpleNamespace(user=user)}).data
    return json.loads(JSONRenderer().render(data))


@pytest.mark.parametrize("direction", [None, "inbound", "outbound"])
def test_the_list_pages_through_exactly_what_each_person_sees_newest_first(network, api, pages_of_two, direction):
    site, sharing = network.site, network.sharing_team
    other_seeker = factories.SeekerFactory(organization=site, created_by=network.referrer, team=sharing)
    private_seeker = factories.SeekerFactory(
        organization=site, created_by=network.private_worker, team=network.private_team
    )
    made = [
        network.refer(goal=factories.GoalFactory(seeker=network.seeker)),
        network.refer(seeker=other_seeker, program=network.other_program),
        network.refer(referrer=network.private_worker, seeker=private_seeker),
        network.refer(referrer=network.outsider, seeker=network.outsider_seeker),
        network.refer(referrer=network.teammate, program=network.other_program),
        network.refer(seeker=other_seeker),
    ]
    referral_withdraw_consent(actor=network.referrer, referral=made[1])
    referral_change_status(actor=network.claimer, referral=made[5], to_status="accepted")
    # Send times unlike the creation order, two of them equal: the id breaks the tie.
    since = timezone.now() - timedelta(days=10)
    for hours, referral in zip([5, 1, 5, 9, 3, 7], made):
        Referral.objects_across_tenants.filter(pk=referral.pk).update(sent_at=since + timedelta(hours=hours))
    action = {None: "view:all", "inbound": "receive", "outbound": "refer:all"}[direction]
    for role in ROLES:
        user = getattr(network, role)
        expected = list(Referral.objects.restrict(user, action).order_by("-sent_at", "-id"))
        first, results = _every_page(api(user), {"direction": direction} if direction else None)
        assert (first["count"], first["count_is_capped"]) == (len(expected), False), role
        assert results == [_as_detail_shows_it(user, referral) for referral in expected], role


def test_past_the_count_cap_the_list_says_so_and_pages_on(network, api, monkeypatch, pages_of_two):
    monkeypatch.setattr(CappedCountPaginator, "count_cap", 3)
    made = [
        network.refer(
            seeker=factories.SeekerFactory(
                organization=network.site, created_by=network.referrer, team=network.sharing_team
            )
        )
        for _ in range(5)
    ]
    client = api(network.referrer)
    first, results = _every_page(client)
    assert (first["count"], first["count_is_capped"]) == (3, True)
    assert [row["id"] for row in results] == [str(referral.public_id) for referral in reversed(made)]
    assert client.get(URL, {"page": 4}).status_code == 404
    last = client.get(URL, {"page": "last"})
    assert last.status_code == 404
    assert "last page is not known" in last.json()["detail"]


def test_a_claimers_first_look_marks_it_viewed(network, api):
    referral = network.refer()
    assert api(network.referrer).get(_url(referral)).json()["status"] == "sent"
    body = api(network.claimer).get(_url(referral)).json()
    assert (body["status"], body["version"]) == ("viewed", 2)


def test_contact_details_are_shared_only_while_consent_holds(network, api):
    referral = network.refer()
    assert api(network.claimer).get(_url(referral)).json()["seeker"]["email"] == network.seeker.email
    from referrals.services import referral_withdraw_consent

    referral_withdraw_consent(actor=network.referrer, referral=referral)
    seeker = api(network.claimer).get(_url(referral)).json()["seeker"]
    assert (seeker["first_name"], seeker["email"], seeker["phone"]) == ("Luis", "", "")


def test_a_status_change_goes_through_the_status_table(network, api):
    referral = network.refer()
    response = api(network.claimer).post(
        _url(referral, "status/"),
        {
            "status": "declined",
            "reason": "no_capacity",
            "note": "Full until March.",
            "version": 1,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["status_reason"]) == ("declined", "no_capacity")
    history = api(network.referrer).get(_url(referral, "history/")).json()["results"]
    assert history[0] == {
        **history[0],
        "kind": "status_changed",
        "from_status": "sent",
        "to_status": "declined",
        "actor_display": "Sam O.",
        "actor_organization": "Community Food Pantry",
        "via": "api",
        "channel": "api",
        "actor_type": "user",
    }
    assert set(history[0]) == {
        "id",
        "kind",
        "actor_display",
        "actor_organization",
        "from_status",
        "to_status",
        "reason",
        "via",
        "channel",
        "actor_type",
        "at",
    }


def test_the_history_shows_the_channel_of_each_change(network, api):
    """The seeker's answer by text, on their own page and by email link, and staff on the web, each named."""
    from referrals.actors import Actor
    from referrals.answers import LinkRecipient
    from referrals.models import ReferralEvent
    from referrals.replies import referral_answer_by_text
    from referrals.services import referral_answer_by_link, referral_reopen

    referral = network.refer()
    referral_answer_by_text(referral=referral, seeker=network.seeker, choice="got_help")
    referral = referral_reopen(
        actor=network.site_admin, referral=Referral.objects_across_tenants.get(pk=referral.pk), note="Called back."
    )
    referral_change_status(
        actor=Actor.for_seeker(network.seeker, via=ReferralEvent.Via.WEB), referral=referral, to_status="got_help"
    )
    referral = referral_reopen(
        actor=network.site_admin, referral=Referral.objects_across_tenants.get(pk=referral.pk), note="Again."
    )
    referral_answer_by_link(referral=referral, recipient=LinkRecipient(seeker=network.seeker), choice="got_help")
    history = api(network.referrer).get(_url(referral, "history/")).json()["results"]
    changes = [
        (event["kind"], event["channel"], event["actor_type"])
        for event in reversed(history)
        if event["kind"] in ("status_changed", "reopened", "created")
    ]
    assert changes == [
        ("created", "web", "user"),
        ("status_changed", "text", "seeker"),
        ("reopened", "web", "user"),
        ("status_changed", "signed_in", "seeker"),
        ("reopened", "web", "user"),
        ("status_changed", "email_link", "seeker"),
    ]


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"status": "finished", "version": 1}, 400, "status"),
        ({"status": "declined", "version": 1}, 400, "reason"),
        ({"status": "declined", "reason": "bored", "version": 1}, 400, "reason"),
        ({"status": "declined", "reason": "no_longer_interested", "version": 1}, 400, "reason"),
        ({"status": "accepted"}, 400, "version"),
        ({"status": "accepted", "version": "one"}, 400, "version"),
        ({"status": "accepted", "note": "x" * 5001, "version": 1}, 400, "note"),
        ({"status": "entered_in_error", "version": 1}, 403, None),
        ({"status": "sent", "version": 1}, 409, None),
    ],
)
def test_refused_status_changes(network, api, body, code, field):
    referral = network.refer()
    response = api(network.claimer).post(_url(referral, "status/"), body, format="json")
    assert response.status_code == code, response.json()
    if field:
        assert field in response.json()
    referral.refresh_from_db()
    assert (referral.status, referral.version) == ("sent", 1)


def test_a_stale_version_is_409_with_the_current_one(network, api):
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    response = api(network.referrer).post(
        _url(referral, "status/"),
        {
            "status": "withdrawn",
            "reason": "no_longer_interested",
            "version": 1,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert response.json()["code"] == "stale"


def test_a_closed_referral_cannot_move_on(network, api):
    referral = network.refer()
    referral_change_status(actor=network.claimer, referral=referral, to_status="got_help")
    response = api(network.claimer).post(_url(referral, "status/"), {"status": "accepted", "version": 2}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


def test_the_goal_is_set_moved_and_removed(network, api):
    referral = network.refer()
    housing = factories.GoalFactory(seeker=network.seeker, title="Housing")
    food = factories.GoalFactory(seeker=network.seeker, title="Food")
    client = api(network.referrer)
    body = client.patch(_url(referral), {"goal": str(housing.public_id), "version": 1}, format="json").json()
    assert (body["goal"], body["version"]) == (str(housing.public_id), 2)
    body = client.patch(_url(referral), {"goal": str(food.public_id), "version": 2}, format="json").json()
    assert body["goal"] == str(food.public_id)
    assert client.patch(_url(referral), {"goal": None, "version": 3}, format="json").json()["goal"] is None
    stale = client.patch(_url(referral), {"goal": None, "version": 1}, format="json")
    assert stale.status_code == 409


def test_patch_changes_only_the_goal(network, api):
    referral = network.refer()
    response = api(network.referrer).patch(
        _url(referral), {"goal": None, "version": 1, "status": "got_help"}, format="json"
    )
    assert response.status_code == 400
    assert "status" in response.json()


def test_another_seekers_goal_is_refused(network, api):
    referral = network.refer()
    stranger = factories.GoalFactory(seeker=network.outsider_seeker)
    response = api(network.referrer).patch(
        _url(referral), {"goal": str(stranger.public_id), "version": 1}, format="json"
    )
    assert response.status_code == 400
    assert "goal" in response.json()


def test_notes_are_added_listed_and_deleted_leaving_an_event(network, api):
    referral = network.refer()
    client = api(network.claimer)
    created = client.post(_url(referral, "notes/"), {"body": "Called, no answer."}, format="json")
    assert created.status_code == 201
    note = created.json()
    assert (note["author_display"], note["author_organization"]) == ("Sam O.", "Community Food Pantry")
    assert [n["body"] for n in api(network.referrer).get(_url(referral, "notes/")).json()["results"]] == [
        "Called, no answer."
    ]
    assert client.delete(_url(referral, f"notes/{note['id']}/")).status_code == 204
    assert api(network.referrer).get(_url(referral, "notes/")).json()["count"] == 0
    kinds = [e["kind"] for e in client.get(_url(referral, "history/")).json()["results"]]
    assert kinds[:2] == ["note_deleted", "note_added"]
    assert client.delete(_url(referral, f"notes/{note['id']}/")).status_code == 404


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001, "nul\x00byte"])
def test_bad_notes_are_field_errors(network, api, body):
    referral = network.refer()
    response = api(network.claimer).post(_url(referral, "notes/"), {"body": body}, format="json")
    assert response.status_code == 400
    assert "body" in response.json()


def test_notes_cannot_be_edited(network, api):
    referral = network.refer()
    note = api(network.claimer).post(_url(referral, "notes/"), {"body": "Called."}, format="json").json()
    response = api(network.claimer).patch(_url(referral, f"notes/{note['id']}/"), {"body": "x"}, format="json")
    assert response.status_code == 405


def test_a_note_of_another_referral_is_404(network, api):
    first = network.refer()
    second = network.refer(program=network.other_program)
    note = api(network.referrer).post(_url(first, "notes/"), {"body": "Called."}, format="json").json()
    assert api(network.referrer).delete(_url(second, f"notes/{note['id']}/")).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        "[]",
        '"just a string"',
        "null",
        '{"status": ["accepted"], "version": {}}',
        '{"status": "accepted", "version": 1' + " " * (3 * 1024 * 1024) + "}",
    ],
)
def test_odd_bodies_are_400_never_500(network, api, data):
    referral = network.refer()
    response = api(network.claimer).post(_url(referral, "status/"), data=data, content_type="application/json")
    assert response.status_code in (400, 413)  # 413: the body is over DATA_UPLOAD_MAX_MEMORY_SIZE
    referral.refresh_from_db()
    assert referral.version == 1


def test_a_page_past_the_end_is_404(network, api):
    network.refer()
    assert api(network.referrer).get(URL, {"page": 99}).status_code == 404
    assert api(network.referrer).get(URL, {"page": "abc"}).status_code == 404
