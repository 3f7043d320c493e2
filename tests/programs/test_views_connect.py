import pytest
from django.urls import reverse

from referrals.models import Referral
from tests import factories


def connect_url(program, seeker):
    return reverse("programs:connect", args=[program.public_id]) + f"?seeker={seeker.public_id}"


def valid(**changes):
    data = {
        "comment": "Needs groceries this week.",
        "urgency": "urgent",
        "consent": "on",
        "consent_method": "verbal",
        "goal": "",
    }
    data.update(changes)
    return data


def referrals_of(network):
    return list(Referral.objects.restrict(network.referrer, "refer:all").filter(seeker=network.seeker))


def test_the_form_is_filled_in_from_the_profile(client, network):
    type(network.seeker).objects_across_tenants.filter(pk=network.seeker.pk).update(
        email="luis@example.com", phone="3125550142", preferred_language="es"
    )
    client.force_login(network.referrer)
    response = client.get(connect_url(network.program, network.seeker))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Luis Hernandez",
        "luis@example.com",
        "312-555-0142",
        "Español",
        "Community Food Pantry",
        ">Comment</label>",
        ">Urgency</label>",
        "Send referral",
    ):
        assert text in html
    consent_label = response.context["form"]["consent"].label
    assert "consent" in consent_label


def test_sending_refers_and_shows_the_profile_with_the_new_referral_on_top(client, network):
    older = network.refer(program=network.other_program)
    goal = factories.GoalFactory(seeker=network.seeker, organization=network.site)
    client.force_login(network.referrer)
    response = client.post(connect_url(network.program, network.seeker), valid(goal=str(goal.public_id)), follow=True)
    assert response.redirect_chain[-1][0] == reverse("seekers:profile", args=[network.seeker.public_id])
    referral = Referral.objects.restrict(network.referrer, "view:all").get(program=network.program)
    assert list(response.context["outbound"])[:2] == [referral, older]
    assert referral.urgency == "urgent" and referral.consent_method == "verbal" and referral.goal == goal
    assert referral.comment == "Needs groceries this week."
    assert "Referral sent to Community Food Pantry." in response.content.decode()


def test_consent_is_required(client, network):
    client.force_login(network.referrer)
    data = valid()
    del data["consent"]
    response = client.post(connect_url(network.program, network.seeker), data)
    assert response.status_code == 400
    assert "Record the person&#x27;s consent" in response.content.decode()
    data = valid(consent_method="")
    response = client.post(connect_url(network.program, network.seeker), data)
    assert "Say how the person gave consent." in response.content.decode()
    assert referrals_of(network) == []


def test_bad_urgency_and_a_too_long_comment_are_refused(client, network):
    client.force_login(network.referrer)
    response = client.post(connect_url(network.program, network.seeker), valid(urgency="whenever"))
    assert response.status_code == 400
    response = client.post(connect_url(network.program, network.seeker), valid(comment="x" * 5001))
    assert response.status_code == 400
    assert "The comment is too long" in response.content.decode()
    assert referrals_of(network) == []


def test_a_duplicate_open_referral_is_refused_with_a_link_to_it(client, network):
    existing = network.refer()
    client.force_login(network.referrer)
    response = client.post(connect_url(network.program, network.seeker), valid())
    assert response.status_code == 409
    html = response.content.decode()
    assert "already has an open referral to Community Food Pantry" in html
    assert f'href="{reverse("referrals:detail", args=[existing.public_id])}"' in html
    assert referrals_of(network) == [existing]


def test_a_double_submission_creates_one_referral(client, network):
    client.force_login(network.referrer)
    first = client.post(connect_url(network.program, network.seeker), valid())
    second = client.post(connect_url(network.program, network.seeker), valid())
    assert first.status_code == 302
    assert second.status_code == 409
    assert len(referrals_of(network)) == 1


def test_a_program_not_accepting_referrals_says_so(client, network):
    paused = factories.ProgramFactory(organization=network.provider, name="Paused", accepts_referrals=False)
    client.force_login(network.referrer)
    response = client.post(connect_url(paused, network.seeker), valid())
    assert response.status_code == 400
    assert "Paused is not accepting referrals right now." in response.content.decode()
    assert referrals_of(network) == []


def test_comments_are_escaped_on_the_referral_page(client, network):
    client.force_login(network.referrer)
    client.post(connect_url(network.program, network.seeker), valid(comment="<script>alert('x')</script>"))
    referral = referrals_of(network)[0]
    html = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


@pytest.mark.parametrize("who", ["outsider", "private_worker", "claimer"])
def test_people_who_do_not_help_the_seeker_get_404(client, network, who):
    client.force_login(getattr(network, who))
    assert client.get(connect_url(network.program, network.seeker)).status_code == 404
    assert client.post(connect_url(network.program, network.seeker), valid()).status_code == 404
    assert referrals_of(network) == []


def test_an_unknown_program_is_404(client, network):
    client.force_login(network.referrer)
    url = reverse("programs:connect", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url + f"?seeker={network.seeker.public_id}").status_code == 404


def test_a_goal_of_another_seeker_is_refused(client, network):
    other = factories.SeekerFactory(organization=network.site, created_by=network.referrer)
    goal = factories.GoalFactory(seeker=other, organization=network.site)
    client.force_login(network.referrer)
    response = client.post(connect_url(network.program, network.seeker), valid(goal=str(goal.public_id)))
    assert response.status_code == 400
    assert referrals_of(network) == []
