from datetime import timedelta

import pgtrigger
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from referrals import services
from referrals.models import Referral, ReferralEvent
from tests import factories


def url(name, referral, *args):
    return reverse(f"referrals:{name}", args=[referral.public_id, *args])


def text_of(response) -> str:
    """The page as a person reads it: no tags, single spaces."""
    return " ".join(strip_tags(response.content.decode()).split())


def reload(referral):
    return Referral.objects_across_tenants.get(pk=referral.pk)


@pytest.fixture
def referral(network):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(
        email="luis@example.com", phone="3125550142"
    )
    return network.refer()


VISIBLE = ["referrer", "teammate", "site_admin", "claimer", "provider_admin"]
INVISIBLE = ["outsider", "outsider_admin", "private_worker", "other_claimer"]


@pytest.mark.parametrize("who", VISIBLE)
def test_the_people_on_the_referral_see_it(client, network, referral, who):
    client.force_login(getattr(network, who))
    response = client.get(url("detail", referral))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Community Food Pantry" in html and "Luis Hernandez" in html
    assert "Needs help this week." in html  # the comment made at referral time


@pytest.mark.parametrize("who", INVISIBLE)
def test_everyone_else_gets_404_on_every_url(client, network, referral, who):
    note = services.note_add(actor=network.referrer, referral=referral, body="Private")
    client.force_login(getattr(network, who))
    assert client.get(url("detail", referral)).status_code == 404
    version = str(referral.version)
    assert client.post(url("status", referral), {"to_status": "got_help", "version": version}).status_code == 404
    assert client.post(url("add_note", referral), {"body": "hello"}).status_code == 404
    assert client.post(url("delete_note", referral, note.public_id)).status_code == 404
    assert client.post(url("set_goal", referral), {"goal": "", "version": version}).status_code == 404
    assert client.post(url("reopen", referral), {"note": "x", "version": version}).status_code == 404
    after = reload(referral)
    assert after.status == "sent" and after.version == referral.version
    assert after.notes.count() == 1


def test_a_claimer_opening_a_sent_referral_marks_it_viewed(client, network, referral):
    client.force_login(network.referrer)
    client.get(url("detail", referral))
    assert reload(referral).status == "sent"
    client.force_login(network.claimer)
    response = client.get(url("detail", referral))
    assert reload(referral).status == "viewed"
    assert "changed status from Not updated to Viewed" in response.content.decode()


def test_the_status_control_offers_only_this_person_s_choices(client, network, referral):
    client.force_login(network.claimer)
    claimer_choices = [t.value for t in client.get(url("detail", referral)).context["status_form"].targets]
    assert "accepted" in claimer_choices and "declined" in claimer_choices
    assert "withdrawn" not in claimer_choices and "viewed" not in claimer_choices
    client.force_login(network.referrer)
    response = client.get(url("detail", referral))
    referrer_choices = [t.value for t in response.context["status_form"].targets]
    assert set(referrer_choices) == {"got_help", "withdrawn", "entered_in_error"}
    html = response.content.decode()
    assert ">Status</label>" in html and ">Reason</label>" in html and "Update status" in html
    assert 'value="no_longer_interested"' in html and 'value="no_capacity"' not in html
    assert f'name="version" value="{reload(referral).version}"' in html


def test_a_claimer_accepts_and_the_history_reads_in_words(client, network, referral):
    client.force_login(network.claimer)
    client.get(url("detail", referral))
    version = reload(referral).version
    response = client.post(url("status", referral), {"to_status": "accepted", "version": version})
    assert response.status_code == 302
    assert reload(referral).status == "accepted"
    with pgtrigger.ignore("referrals.ReferralEvent:protect_history"):  # the test moves the clock back
        ReferralEvent.objects_across_tenants.filter(referral=referral).update(
            created_at=timezone.now() - timedelta(minutes=10)
        )
        ReferralEvent.objects_across_tenants.filter(referral=referral, to_status="accepted").update(
            created_at=timezone.now() - timedelta(minutes=2, seconds=5)
        )
    client.force_login(network.referrer)
    html = text_of(client.get(url("detail", referral)))
    assert "Sam O. · Community Food Pantry · changed status from Viewed to Accepted · 2 minutes ago" in html
    assert "Maria G. · Northside Health Center · created the referral" in html
    assert html.index("to Accepted") < html.index("created the referral")  # newest first


def test_declining_needs_a_reason(client, network, referral):
    client.force_login(network.claimer)
    response = client.post(url("status", referral), {"to_status": "declined", "version": referral.version})
    assert response.status_code == 400
    assert "Choose a reason for “Declined”." in response.content.decode()
    assert reload(referral).status == "sent"
    client.post(
        url("status", referral), {"to_status": "declined", "reason": "no_capacity", "version": referral.version}
    )
    after = reload(referral)
    assert after.status == "declined" and after.status_reason == "no_capacity"


@pytest.mark.parametrize(
    "who,to_status,reason",
    [
        ("claimer", "withdrawn", "no_longer_interested"),
        ("referrer", "accepted", ""),
        ("referrer", "declined", "no_capacity"),
    ],
)
def test_a_change_this_person_may_not_make_is_403(client, network, referral, who, to_status, reason):
    client.force_login(getattr(network, who))
    response = client.post(
        url("status", referral), {"to_status": to_status, "reason": reason, "version": referral.version}
    )
    assert response.status_code == 403
    assert reload(referral).status == "sent"


def test_a_stale_form_says_so_and_shows_the_current_state(client, network, referral):
    client.force_login(network.claimer)
    opened_version = referral.version
    services.referral_change_status(actor=network.claimer, referral=referral, to_status="waitlisted")
    response = client.post(url("status", referral), {"to_status": "accepted", "version": opened_version})
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since you opened it" in html
    assert "Waitlisted" in html
    assert reload(referral).status == "waitlisted"


def test_the_panel_fragment_carries_the_live_hooks(client, network, referral):
    client.force_login(network.referrer)
    response = client.get(url("detail", referral), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert f'data-live-referral="{referral.public_id}"' in html
    assert f'data-live-version="{referral.version}"' in html
    assert f'hx-get="{url("detail", referral)}" hx-trigger="live-changed" hx-swap="outerHTML"' in html
    assert "HX-Request" in response["Vary"]
    full = client.get(url("detail", referral)).content.decode()
    assert "<html" in full and f'data-live-referral="{referral.public_id}"' in full
    embedded = client.get(
        url("detail", referral),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + reverse("seekers:profile", args=[network.seeker.public_id]),
    )
    assert "Open the full page" in embedded.content.decode()
    refreshed = client.get(
        url("detail", referral),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + url("detail", referral),
    )
    assert "Open the full page" not in refreshed.content.decode()


def test_htmx_posts_get_the_panel_back_with_the_message(client, network, referral):
    client.force_login(network.claimer)
    response = client.post(
        url("status", referral), {"to_status": "accepted", "version": referral.version}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Status changed to “Accepted”." in html
    assert f'data-live-version="{reload(referral).version}"' in html
    stale = client.post(
        url("status", referral), {"to_status": "in_service", "version": referral.version}, HTTP_HX_REQUEST="true"
    )
    assert stale.status_code == 200
    assert "changed since you opened it" in stale.content.decode()
    assert reload(referral).status == "accepted"


def test_outcomes_show_side_by_side_when_any_is_set(client, network, referral):
    client.force_login(network.referrer)
    assert "What each side reports" not in client.get(url("detail", referral)).content.decode()
    services.referral_change_status(actor=network.claimer, referral=referral, to_status="in_service")
    services.referral_change_status(actor=network.referrer, referral=referral, to_status="got_help")
    html = client.get(url("detail", referral)).content.decode()
    assert "What each side reports" in html
    assert html.count('class="outcome"') == 3


def test_notes_are_added_as_plain_escaped_text(client, network, referral):
    client.force_login(network.claimer)
    response = client.post(url("add_note", referral), {"body": "<script>alert('x')</script>"}, follow=True)
    html = response.content.decode()
    assert "Note added." in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "Sam O. · Community Food Pantry · added a note" in html


@pytest.mark.parametrize(
    "body,message",
    [("", "Write the note first."), ("   ", "Write the note first."), ("x" * 5001, "The note is too long")],
)
def test_empty_or_very_long_notes_are_refused(client, network, referral, body, message):
    client.force_login(network.referrer)
    response = client.post(url("add_note", referral), {"body": body})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert reload(referral).notes.count() == 0


def test_authors_delete_their_own_notes_with_a_confirmation(client, network, referral):
    note = services.note_add(actor=network.referrer, referral=referral, body="Called twice.")
    client.force_login(network.referrer)
    html = client.get(url("detail", referral)).content.decode()
    assert 'data-confirm="Delete this note? This cannot be undone."' in html
    response = client.post(url("delete_note", referral, note.public_id), follow=True)
    assert "Note deleted." in response.content.decode()
    assert reload(referral).notes.count() == 0
    assert "Maria G. · Northside Health Center · deleted a note" in response.content.decode()


def test_others_cannot_delete_a_note_but_an_organization_admin_can(client, network, referral):
    note = services.note_add(actor=network.referrer, referral=referral, body="Called twice.")
    client.force_login(network.claimer)
    assert "Delete note" not in client.get(url("detail", referral)).content.decode()
    assert client.post(url("delete_note", referral, note.public_id)).status_code == 403
    assert reload(referral).notes.count() == 1
    client.force_login(network.site_admin)
    assert "Delete note" in client.get(url("detail", referral)).content.decode()
    assert client.post(url("delete_note", referral, note.public_id)).status_code == 302
    assert reload(referral).notes.count() == 0


def test_the_goal_is_added_moved_and_removed(client, network, referral):
    housing = factories.GoalFactory(seeker=network.seeker, organization=network.site, title="Housing")
    food = factories.GoalFactory(seeker=network.seeker, organization=network.site, title="Food")
    client.force_login(network.referrer)
    assert ">Goal</label>" in client.get(url("detail", referral)).content.decode()
    for goal in (housing, food, None):
        current = reload(referral)
        client.post(
            url("set_goal", referral), {"goal": str(goal.public_id) if goal else "", "version": current.version}
        )
        assert reload(referral).goal == goal
    html = client.get(url("detail", referral)).content.decode()
    assert "added the referral to the goal “Housing”" in html
    assert "moved the referral from the goal “Housing” to “Food”" in html
    assert "removed the referral from the goal “Food”" in html


@pytest.mark.parametrize("who", ["claimer", "provider_admin"])
def test_the_program_side_has_no_goal_selector_cannot_post_one_nor_read_goal_names(client, network, referral, who):
    goal = factories.GoalFactory(seeker=network.seeker, organization=network.site, title="Leave the shelter")
    services.referral_set_goal(actor=network.referrer, referral=referral, goal=goal)
    other = factories.GoalFactory(seeker=network.seeker, organization=network.site)
    client.force_login(getattr(network, who))
    html = client.get(url("detail", referral)).content.decode()
    assert ">Goal</label>" not in html
    assert "Leave the shelter" not in html
    assert "changed the goal" in html
    response = client.post(
        url("set_goal", referral), {"goal": str(other.public_id), "version": reload(referral).version}
    )
    assert response.status_code == 403
    assert reload(referral).goal == goal


def test_a_goal_of_another_seeker_is_refused(client, network, referral):
    other = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
    goal = factories.GoalFactory(seeker=other, organization=network.site)
    client.force_login(network.referrer)
    response = client.post(url("set_goal", referral), {"goal": str(goal.public_id), "version": referral.version})
    assert response.status_code == 400
    assert reload(referral).goal is None


def test_after_consent_is_withdrawn_the_program_sees_the_name_only(client, network, referral):
    client.force_login(network.claimer)
    assert "luis@example.com" in client.get(url("detail", referral)).content.decode()
    services.referral_withdraw_consent(actor=network.referrer, referral=referral)
    html = client.get(url("detail", referral)).content.decode()
    assert "Luis Hernandez" in html
    assert "luis@example.com" not in html and "312-555-0142" not in html
    assert "consent was withdrawn" in html
    client.force_login(network.referrer)
    assert "luis@example.com" in client.get(url("detail", referral)).content.decode()


def test_consent_is_shown_with_when_how_and_by_whom(client, network, referral):
    client.force_login(network.claimer)
    html = client.get(url("detail", referral)).content.decode()
    assert "Verbal consent given" in html and "recorded by Maria G." in html


def test_an_organization_admin_reopens_a_closed_referral(client, network, referral):
    services.referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    services.referral_change_status(actor=network.referrer, referral=referral, to_status="got_help")
    client.force_login(network.referrer)
    assert "Reopen referral" not in client.get(url("detail", referral)).content.decode()
    version = reload(referral).version
    assert client.post(url("reopen", referral), {"note": "Too early", "version": version}).status_code == 403
    client.force_login(network.site_admin)
    response = client.post(url("reopen", referral), {"note": "", "version": version})
    assert response.status_code == 400 and reload(referral).status == "got_help"
    client.post(url("reopen", referral), {"note": "Closed too early.", "version": version})
    assert reload(referral).status == "accepted"


def test_referral_page_queries_do_not_grow_with_rows(client, network, referral, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(network.referrer)
    with CaptureQueriesContext(connection) as few:
        client.get(url("detail", referral))
    for index in range(8):
        factories.GoalFactory(seeker=network.seeker, organization=network.site)
        services.note_add(actor=network.referrer, referral=referral, body=f"Note {index}")
        services.note_add(actor=network.claimer, referral=referral, body=f"Reply {index}")
    services.referral_change_status(actor=network.claimer, referral=referral, to_status="accepted")
    with django_assert_max_num_queries(len(few)):
        response = client.get(url("detail", referral))
    assert len(response.context["notes"]) == 16


def test_the_referrer_withdraws_consent_from_the_page(client, network, referral):
    client.force_login(network.claimer)
    assert "Withdraw consent" not in client.get(url("detail", referral)).content.decode()
    assert client.post(url("withdraw_consent", referral)).status_code == 403
    assert reload(referral).consent_withdrawn_at is None
    client.force_login(network.referrer)
    html = client.get(url("detail", referral)).content.decode()
    assert 'data-confirm="Withdraw consent?' in html
    response = client.post(url("withdraw_consent", referral), follow=True)
    assert "Consent withdrawn" in response.content.decode()
    assert reload(referral).consent_withdrawn_at is not None
    assert "Maria G. · Northside Health Center · withdrew consent" in text_of(response)


def test_reopening_when_another_referral_is_open_links_to_it(client, network, referral):
    services.referral_change_status(
        actor=network.referrer, referral=referral, to_status="withdrawn", reason="no_longer_interested"
    )
    newer = network.refer()
    client.force_login(network.site_admin)
    response = client.post(url("reopen", referral), {"note": "Reopen", "version": reload(referral).version})
    assert response.status_code == 409
    assert f'href="{url("detail", newer)}"' in response.content.decode()
    assert reload(referral).status == "withdrawn"


def test_entered_in_error_needs_an_explanation(client, network, referral):
    client.force_login(network.referrer)
    response = client.post(url("status", referral), {"to_status": "entered_in_error", "version": referral.version})
    assert response.status_code == 400
    assert "Say why the referral is “Entered in error”." in response.content.decode()
    assert reload(referral).status == "sent"
    client.post(
        url("status", referral), {"to_status": "entered_in_error", "note": "Wrong person", "version": referral.version}
    )
    assert reload(referral).status == "entered_in_error"


def test_the_note_hint_names_entered_in_error_only_to_those_who_may_choose_it(client, network, referral):
    client.force_login(network.claimer)
    claimer_page = text_of(client.get(url("detail", referral)))
    assert "Kept as a note in the history." in claimer_page
    assert "Entered in error" not in claimer_page
    client.force_login(network.referrer)
    referrer_page = text_of(client.get(url("detail", referral)))
    assert "Kept as a note in the history. Needed for “Entered in error”." in referrer_page


def test_an_htmx_change_on_the_full_page_does_not_link_to_itself(client, network, referral):
    client.force_login(network.claimer)
    response = client.post(
        url("status", referral),
        {"to_status": "accepted", "version": referral.version},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver" + url("detail", referral),
    )
    assert "Status changed" in response.content.decode()
    assert "Open the full page" not in response.content.decode()
