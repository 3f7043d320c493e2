"""Adding a colleague who already has an account (issue 12, item 7): an invitation they accept.

Nothing of the invitee's changes (memberships, sessions, API tokens, second-factor enrolment) until they open
the emailed link signed in as the invited account and accept; accepting applies the membership through
``membership_set``, which then ends sessions and tokens as role changes do. Admins see the open invitations
on the Members page and may cancel them; an expired, used, cancelled or tampered link gets a clear page; any
other account gets 404.
"""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts.models import Invitation, Membership, User
from accounts.services import organization_member_add
from notifications.models import OutboxMessage
from tests.factories import api_token

from .conftest import login, text, url

pytestmark = pytest.mark.django_db


def members_url(organization):
    return url("organization_members", organization_id=organization.public_id)


def cancel_url(invitation):
    return url(
        "organization_invitation_cancel",
        organization_id=invitation.organization.public_id,
        invitation_id=invitation.public_id,
    )


def role_of(user, organization):
    return Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True).first()


def invite(network, user, *, role="admin", capture):
    """Omar (Northside's admin) adds ``user`` on the Members page; returns (the answer, the emailed link path)."""
    omar = login(network.site_admin)
    with capture(execute=True):
        answer = omar.post(members_url(network.site), {"email": user.email.upper(), "role": role}, follow=True)
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    return answer, urlsplit(link).path


def signed_in_without_a_second_factor(user) -> Client:
    client = Client()
    client.force_login(user)
    assert client.get("/people/").status_code == 200
    return client


def still_signed_in(client) -> bool:
    return client.get("/people/").status_code == 200


def token_works(token) -> bool:
    return Client(HTTP_AUTHORIZATION=f"Token {token}").get("/api/v1/programs/").status_code == 200


def test_adding_someone_who_works_elsewhere_invites_them_and_changes_nothing_of_theirs(
    network, settings, django_capture_on_commit_callbacks
):
    ana = network.outsider  # a worker at Eastlake, signed in without a second factor (workers need none)
    session, token = signed_in_without_a_second_factor(ana), api_token(ana)
    answer, link = invite(network, ana, capture=django_capture_on_commit_callbacks)
    settings.MFA_REQUIRED_FOR_ADMINS = True  # (Omar, who invited, signed in without one here)
    body = text(answer)
    assert answer.status_code == 200 and f"We emailed {ana.email} an invitation" in body
    assert "Invitations waiting for an answer" in body and ana.email in body
    # Nothing of hers changed: no membership, her session and token work, no enrolment asked.
    assert role_of(ana, network.site) is None
    assert still_signed_in(session) and token_works(token)
    invitation = Invitation.objects.get(user=ana)
    assert (invitation.organization, invitation.role, invitation.invited_by) == (
        network.site,
        "admin",
        network.site_admin,
    )
    assert invitation.accepted_at is None and invitation.expires_at > timezone.now() + timedelta(days=6)
    # The email went through the outbox, as every account email does.
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [OutboxMessage.Kind.ORGANIZATION_INVITATION]
    assert (
        "Northside Health Center" in mail.outbox[0].subject
        and "Nothing changes until you accept" in mail.outbox[0].body
    )
    assert LogEntry.objects.filter(change_message__startswith=f"Invited Ana Torres <{ana.email}>").exists()


def test_accepting_as_an_admin_applies_the_membership_then_ends_sessions_and_tokens(
    network, settings, django_capture_on_commit_callbacks
):
    ana = network.outsider
    _, link = invite(network, ana, capture=django_capture_on_commit_callbacks)
    settings.MFA_REQUIRED_FOR_ADMINS = True
    other_device, token = signed_in_without_a_second_factor(ana), api_token(ana)
    browser = signed_in_without_a_second_factor(ana)
    page = browser.get(link)
    assert page.status_code == 200 and "Join Northside Health Center?" in text(page)
    assert "signs you out everywhere" in text(page)
    assert role_of(ana, network.site) is None  # opening the page changes nothing (mail scanners follow links)
    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(link)
    assert done.status_code == 200 and "You joined Northside Health Center" in text(done)
    assert role_of(ana, network.site) == Membership.Role.ADMIN
    assert role_of(ana, network.other_site) == Membership.Role.WORKER  # her place at Eastlake stays
    assert not still_signed_in(other_device) and not token_works(token)
    assert Invitation.objects.get(user=ana).accepted_at is not None
    # Signing in again, she is asked to set up a second factor (she is an admin now).
    again = Client()
    again.force_login(ana)
    assert "/account/two-factor/enrol/" in again.get("/people/")["Location"]


def test_accepting_as_a_worker_keeps_sessions_and_tokens(network, django_capture_on_commit_callbacks):
    ana = network.outsider
    _, link = invite(network, ana, role="worker", capture=django_capture_on_commit_callbacks)
    browser, token = signed_in_without_a_second_factor(ana), api_token(ana)
    assert "signs you out" not in text(browser.get(link))
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post(link).status_code == 200
    assert role_of(ana, network.site) == Membership.Role.WORKER
    assert still_signed_in(browser) and token_works(token)


def test_a_used_link_gets_a_clear_page_and_changes_nothing(network, django_capture_on_commit_callbacks):
    ana = network.outsider
    _, link = invite(network, ana, role="worker", capture=django_capture_on_commit_callbacks)
    browser = login(ana)
    browser.post(link)
    Membership.objects.filter(user=ana, organization=network.site).update(role=Membership.Role.ADMIN)
    for method in (browser.get, browser.post):
        again = method(link)
        assert again.status_code == 400 and "You accepted this invitation on" in text(again)
    assert role_of(ana, network.site) == Membership.Role.ADMIN  # not set back to worker


def test_an_expired_link_gets_a_clear_page(network, django_capture_on_commit_callbacks):
    ana = network.outsider
    _, link = invite(network, ana, capture=django_capture_on_commit_callbacks)
    Invitation.objects.filter(user=ana).update(expires_at=timezone.now() - timedelta(minutes=1))
    browser = login(ana)
    for method in (browser.get, browser.post):
        answer = method(link)
        assert answer.status_code == 400 and "This invitation expired on" in text(answer)
    assert role_of(ana, network.site) is None


def test_a_tampered_link_gets_a_clear_page(network, django_capture_on_commit_callbacks):
    ana = network.outsider
    _, link = invite(network, ana, capture=django_capture_on_commit_callbacks)
    answer = login(ana).post(link[:-3] + "xx/")
    assert answer.status_code == 400 and "This link does not work" in text(answer)
    assert role_of(ana, network.site) is None


@pytest.mark.parametrize("someone", ["outsider_admin", "site_admin", "referrer", "seeker_account"])
def test_anyone_but_the_invitee_gets_404_and_changes_nothing(network, someone, django_capture_on_commit_callbacks):
    ana = network.outsider
    _, link = invite(network, ana, capture=django_capture_on_commit_callbacks)
    if someone == "seeker_account":
        person = User.objects.create_user(email="luis@example.com", password="x", first_name="Luis")
    else:
        person = getattr(network, someone)
    client = login(person)
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    assert role_of(ana, network.site) is None and role_of(person, network.site) == (
        Membership.Role.ADMIN if someone == "site_admin" else Membership.Role.WORKER if someone == "referrer" else None
    )
    assert Invitation.objects.get(user=ana).accepted_at is None


def test_opening_the_link_signed_out_asks_to_sign_in_first(network, django_capture_on_commit_callbacks):
    _, link = invite(network, network.outsider, capture=django_capture_on_commit_callbacks)
    answer = Client().get(link)
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


def test_an_admin_cancels_an_open_invitation_and_its_link_then_opens_nothing(
    network, site_admin, django_capture_on_commit_callbacks
):
    ana = network.outsider
    _, link = invite(network, ana, capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(user=ana)
    done = site_admin.post(cancel_url(invitation), follow=True)
    assert done.status_code == 200 and f"Cancelled the invitation of {ana.email}" in text(done)
    assert "Invitations waiting for an answer" not in text(done)
    invitation.refresh_from_db()
    assert invitation.cancelled_at is not None and invitation.cancelled_by == network.site_admin
    answer = login(ana).post(link)
    assert answer.status_code == 400 and "cancelled this invitation" in text(answer)
    assert role_of(ana, network.site) is None
    # Cancelling again: a message, nothing changes.
    assert site_admin.post(cancel_url(invitation)).status_code == 400


def test_only_the_organizations_admins_cancel_its_invitations(network, django_capture_on_commit_callbacks):
    invite(network, network.outsider, capture=django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(user=network.outsider)
    assert login(network.outsider_admin).post(cancel_url(invitation)).status_code == 404  # another tenant
    assert login(network.provider_admin).post(cancel_url(invitation)).status_code == 404
    assert login(network.referrer).post(cancel_url(invitation)).status_code == 403  # a worker of Northside
    assert login(network.outsider).post(cancel_url(invitation)).status_code == 404  # the invitee
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_a_second_invitation_while_one_is_open_is_refused_with_the_form_kept(
    network, site_admin, django_capture_on_commit_callbacks
):
    invite(network, network.outsider, capture=django_capture_on_commit_callbacks)
    again = site_admin.post(members_url(network.site), {"email": network.outsider.email, "role": "worker"})
    assert again.status_code == 400 and "Cancel it below to send a new one" in text(again)
    assert f'value="{network.outsider.email}"' in text(again)
    assert Invitation.objects.filter(user=network.outsider).count() == 1


def test_a_new_address_still_joins_at_once_with_a_link_to_choose_a_password(network, site_admin):
    site_admin.post(
        members_url(network.site),
        {"email": "new@example.org", "first_name": "Nia", "last_name": "Obi", "role": "admin"},
    )
    person = User.objects.get(email="new@example.org")
    assert role_of(person, network.site) == Membership.Role.ADMIN
    assert not Invitation.objects.filter(user=person).exists()


def test_someone_who_never_chose_a_password_is_added_at_once_as_before(network):
    """An account made by another organization whose person never signed in has no session or token to
    protect: it joins at once and gets the link to choose a password (today's flow for new people)."""
    other = organization_member_add(
        actor=network.outsider_admin,
        organization=network.other_site,
        email="fresh@example.org",
        first_name="Fay",
        last_name="Ng",
    )
    added = organization_member_add(actor=network.site_admin, organization=network.site, email="fresh@example.org")
    assert added.invited and added.invitation is None
    assert role_of(other.membership.user, network.site) == Membership.Role.WORKER


def test_the_members_page_lists_open_invitations_in_a_fixed_number_of_queries(network, site_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert site_admin.get(members_url(network.site)).status_code == 200
        return len(queries)

    organization_member_add(actor=network.site_admin, organization=network.site, email=network.outsider.email)
    one = count()
    for n in range(3):
        person = factories.worker(network.other_site, first_name=f"P{n}")
        organization_member_add(actor=network.site_admin, organization=network.site, email=person.email)
    assert count() == one
    assert Invitation.objects.filter(organization=network.site).count() == 4
