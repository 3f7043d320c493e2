import pytest
from django.urls import reverse

from goals.models import Goal
from tests import factories


@pytest.fixture
def goal(network):
    return factories.GoalFactory(seeker=network.seeker, organization=network.site, title="Find stable housing")


def test_a_helper_adds_a_goal(client, network):
    client.force_login(network.referrer)
    response = client.post(reverse("goals:create", args=[network.seeker.public_id]), {"title": " Find a job "})
    assert response.status_code == 302
    assert [goal.title for goal in network.seeker.goals.all()] == ["Find a job"]
    assert "Find a job" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("title,message", [("   ", "Give the goal a name."), ("x" * 201, "too long")])
def test_a_bad_goal_name_is_refused_with_a_message(client, network, title, message):
    client.force_login(network.referrer)
    response = client.post(reverse("goals:create", args=[network.seeker.public_id]), {"title": title})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["goal_form"].errors["title"]
    assert not network.seeker.goals.exists()


def test_rename_close_and_reopen(client, network, goal):
    client.force_login(network.referrer)
    client.post(reverse("goals:rename", args=[goal.public_id]), {"title": "Find a home"})
    goal.refresh_from_db()
    assert goal.title == "Find a home"
    client.post(reverse("goals:close", args=[goal.public_id]))
    goal.refresh_from_db()
    assert goal.status == Goal.Status.CLOSED and goal.closed_at is not None
    client.post(reverse("goals:reopen", args=[goal.public_id]))
    goal.refresh_from_db()
    assert goal.status == Goal.Status.OPEN


def test_renaming_to_nothing_changes_nothing(client, network, goal):
    client.force_login(network.referrer)
    response = client.post(reverse("goals:rename", args=[goal.public_id]), {"title": ""}, follow=True)
    assert "Give the goal a name." in response.content.decode()
    goal.refresh_from_db()
    assert goal.title == "Find stable housing"


@pytest.mark.parametrize("who", ["outsider", "private_worker", "claimer"])
def test_people_who_do_not_help_the_seeker_get_404(client, network, goal, who):
    client.force_login(getattr(network, who))
    assert client.post(reverse("goals:create", args=[network.seeker.public_id]), {"title": "X"}).status_code == 404
    assert client.post(reverse("goals:rename", args=[goal.public_id]), {"title": "X"}).status_code == 404
    assert client.post(reverse("goals:close", args=[goal.public_id])).status_code == 404
    goal.refresh_from_db()
    assert goal.title == "Find stable housing" and goal.status == Goal.Status.OPEN
    assert network.seeker.goals.count() == 1


def test_goal_names_are_escaped_on_the_profile(client, network):
    factories.GoalFactory(seeker=network.seeker, organization=network.site, title="<script>x()</script>")
    client.force_login(network.referrer)
    html = client.get(reverse("seekers:profile", args=[network.seeker.public_id])).content.decode()
    assert "<script>x()</script>" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html


def test_get_is_not_allowed(client, network, goal):
    client.force_login(network.referrer)
    assert client.get(reverse("goals:close", args=[goal.public_id])).status_code == 405
