"""The Members page: an organization admin adds colleagues, changes roles and removes members."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from accounts.models import Invitation, Membership, TeamMembership
from notifications.models import OutboxMessage
from referrals.models import Referral
from tests import factories

from .conftest import login, text, url

pytestmark = pytest.mark.django_db
User = get_user_model()


def members_url(organization):
    return url("organization_members", organization_id=organization.public_id)


def role_url(organization, user):
    return url("organization_member_role", organization_id=organization.public_id, user_id=user.public_id)


def remove_url(organization, user):
    return url("organization_member_remove", organization_id=organization.public_id, user_id=user.public_id)


def role_of(user, organization):
    return Membership.objects.filter(user=user, organization=organization).values_list("role", flat=True).first()


def test_it_lists_the_members_with_role_joined_and_teams(network, site_admin):
    page = site_admin.get(members_url(network.site))
    assert page.status_code == 200
    body = text(page)
    for name in (
        "Maria Garcia",
        network.referrer.email,
        "James Lee",
        "Priya Shah",
        "Omar Haddad",
        "Care Navigation",
        "Intake",
    ):
        assert name in body
    assert "Ana Torres" not in body and "Sam Okafor" not in body  # other organizations' people
    assert "4 people · 1 admin" in body
    assert 'data-label="Teams"' in body  # stacks into labelled rows on a phone


def test_a_providers_members_page_names_the_programs_they_claim(network, provider_admin):
    rosa = factories.worker(network.provider, first_name="Tom", last_name="Reyes")
    factories.program_add_claimer(program=network.program, user=rosa)
    body = text(provider_admin.get(members_url(network.provider)))
    assert "Claims" in body and "Community Food Pantry" in body


def test_the_organization_link_is_in_the_navigation_of_admins_only(network, site_admin):
    assert f'href="{url("organization")}"' in text(site_admin.get(members_url(network.site)))
    worker_page = login(network.referrer).get("/people/")
    assert worker_page.status_code == 200 and f'href="{url("organization")}"' not in text(worker_page)


def test_the_organization_link_opens_the_admins_organization(network, site_admin):
    answer = site_admin.get(url("organization"))
    assert answer.status_code == 302 and answer["Location"] == members_url(network.site)


def test_an_admin_of_several_organizations_chooses_one(network, site_admin):
    factories.membership_set(user=network.site_admin, organization=network.provider, role=Membership.Role.ADMIN)
    body = text(site_admin.get(url("organization")))
    assert "Northside Health Center" in body and "City Food Bank" in body
    assert "Eastlake School District" not in body


def test_adding_someone_new_makes_an_account_without_password_and_emails_a_link(
    network, site_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = site_admin.post(
            members_url(network.site),
            {"email": " New.Person@Example.org ", "first_name": "Nia", "last_name": "Brown", "role": "worker"},
            follow=True,
        )
    assert answer.status_code == 200
    assert "We emailed new.person@example.org a link to choose a password" in text(answer)
    person = User.objects.get(email="new.person@example.org")
    assert (person.first_name, person.last_name) == ("Nia", "Brown")
    assert not person.has_usable_password()
    assert role_of(person, network.site) == Membership.Role.WORKER
    assert "Has not chosen a password" in text(answer)

    # Through the outbox (the dev mailbox shows it), delivered by Django's email backend.
    outbox = OutboxMessage.objects.get(recipient_user=person)
    assert outbox.kind == OutboxMessage.Kind.MEMBER_INVITATION and outbox.status == OutboxMessage.Status.SENT
    [email] = mail.outbox
    assert email.to == ["new.person@example.org"]
    assert "Northside Health Center" in email.subject and "Omar Haddad" in email.body
    link = re.search(r"https?://\S+/accounts/password/reset/\S+/", email.body).group(0)

    # The link is Django's password reset confirmation: the new member chooses a password and signs in.
    anonymous = Client()
    form = anonymous.get(urlsplit(link).path, follow=True)
    assert form.status_code == 200 and "Choose a new password" in text(form)
    done = anonymous.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase-42", "new_password2": "a-long-new-passphrase-42"},
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-long-new-passphrase-42")


def test_adding_an_existing_account_invites_it_as_it_is(network, site_admin, django_capture_on_commit_callbacks):
    """Someone who works elsewhere is invited (tests/organization/test_invitations.py follows the invitation
    through): their name is not changed by another organization, and they join only when they accept."""
    ana = network.outsider  # a worker at Eastlake, with a password
    with django_capture_on_commit_callbacks(execute=True):
        answer = site_admin.post(
            members_url(network.site),
            {"email": ana.email.upper(), "first_name": "Someone", "last_name": "Else", "role": "worker"},
            follow=True,
        )
    assert f"We emailed {ana.email} an invitation to join Northside Health Center as Worker" in text(answer)
    ana.refresh_from_db()
    assert (ana.first_name, ana.last_name) == ("Ana", "Torres")  # another organization does not rename her
    assert role_of(ana, network.site) is None
    assert role_of(ana, network.other_site) == Membership.Role.WORKER
    # No password link (she has a password): the invitation, and who sent it.
    [message] = mail.outbox
    assert message.to == [ana.email] and "Northside Health Center" in message.subject
    assert "Omar Haddad invites you to join Northside Health Center" in message.body
    assert "/accounts/password/reset/" not in message.body and "/invitations/" in message.body
    assert list(OutboxMessage.objects.values_list("kind", flat=True)) == [OutboxMessage.Kind.ORGANIZATION_INVITATION]


def test_adding_an_admin_puts_them_in_the_admin_group(network, site_admin):
    site_admin.post(
        members_url(network.site), {"email": "boss@example.org", "first_name": "Bo", "last_name": "Ss", "role": "admin"}
    )
    person = User.objects.get(email="boss@example.org")
    assert role_of(person, network.site) == Membership.Role.ADMIN
    assert person.groups.filter(pk=network.site.admin_group_id).exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"email": "not-an-address", "first_name": "A", "last_name": "B", "role": "worker"},
            "Enter an email address like name@example.org.",
        ),
        (
            {"email": "maria@", "first_name": "A", "last_name": "B", "role": "worker"},
            "Enter an email address like name@example.org.",
        ),
        ({"email": "new@example.org", "first_name": "", "last_name": "B", "role": "worker"}, "Enter the first name."),
        ({"email": "new@example.org", "first_name": " ", "last_name": "", "role": "worker"}, "Enter the last name."),
        (
            {"email": "new@example.org", "first_name": "A", "last_name": "B", "role": "owner"},
            "Choose Worker or Organization admin.",
        ),
        (
            {"email": "new@example.org", "first_name": "A" * 151, "last_name": "B", "role": "worker"},
            "Ensure this value has at most 150 characters",
        ),
        ({}, "Enter their email address."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(network, site_admin, data, message):
    users, memberships = User.objects.count(), Membership.objects.count()
    answer = site_admin.post(members_url(network.site), data)
    assert answer.status_code == 400
    assert message in text(answer)
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert not OutboxMessage.objects.exists()


def test_a_colleague_who_works_elsewhere_is_invited_without_typing_their_name(network, site_admin):
    answer = site_admin.post(members_url(network.site), {"email": network.outsider.email, "role": "worker"})
    assert answer.status_code == 302 and role_of(network.outsider, network.site) is None
    assert Invitation.objects.filter(user=network.outsider, organization=network.site).exists()


def test_adding_a_member_twice_is_refused(network, site_admin):
    answer = site_admin.post(
        members_url(network.site),
        {"email": network.referrer.email, "first_name": "M", "last_name": "G", "role": "admin"},
    )
    assert answer.status_code == 400
    assert f"{network.referrer.email} is already a member of Northside Health Center." in text(answer)
    assert role_of(network.referrer, network.site) == Membership.Role.WORKER


NOT_ADDED = "cannot be added from this page. If they should join Northside Health Center, a network admin can add them."


def test_a_switched_off_account_is_not_added(network, site_admin):
    network.outsider.is_active = False
    network.outsider.save()
    answer = site_admin.post(
        members_url(network.site),
        {"email": network.outsider.email, "first_name": "A", "last_name": "T", "role": "worker"},
    )
    assert answer.status_code == 400 and f"{network.outsider.email} {NOT_ADDED}" in text(answer)
    assert "switched off" not in text(answer) and role_of(network.outsider, network.site) is None


def test_a_seekers_own_account_is_neither_added_nor_revealed(network, site_admin):
    """An admin must not learn that an address belongs to someone receiving services, nor their name."""
    account = factories.UserFactory(email="luis.h@example.org", first_name="Luis", last_name="Hernandez")
    network.seeker.user = account
    network.seeker.save()
    answer = site_admin.post(
        members_url(network.site),
        {"email": "luis.h@example.org", "first_name": "Some", "last_name": "One", "role": "worker"},
    )
    assert answer.status_code == 400 and f"luis.h@example.org {NOT_ADDED}" in text(answer)
    assert "Hernandez" not in text(answer) and role_of(account, network.site) is None
    assert not OutboxMessage.objects.exists()


@pytest.mark.parametrize("kind", ["seeker's own account", "switched off"])
def test_with_blank_names_an_existing_account_is_answered_as_an_unknown_address(network, site_admin, kind):
    """Blank names must not tell an admin that the address has an account (issue 12, item 6)."""
    if kind == "switched off":
        network.outsider.is_active = False
        network.outsider.save()
        email = network.outsider.email
    else:
        email = "luis.h@example.org"
        network.seeker.user = factories.UserFactory(email=email, first_name="Luis", last_name="Hernandez")
        network.seeker.save()
    blank = {"first_name": "", "last_name": "", "role": "worker"}
    unknown = site_admin.post(members_url(network.site), {"email": "nobody.yet@example.org", **blank})
    existing = site_admin.post(members_url(network.site), {"email": email, **blank})
    assert unknown.status_code == existing.status_code == 400

    def errors(answer):
        return sorted((field, list(messages)) for field, messages in answer.context["form"].errors.items())

    assert errors(existing) == errors(unknown) and "email" not in dict(errors(existing))
    assert NOT_ADDED not in text(existing)


def test_making_a_worker_admin_and_back(network, site_admin, django_capture_on_commit_callbacks):
    maria = login(network.referrer)
    assert maria.get("/people/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = site_admin.post(role_url(network.site, network.referrer), {"role": "admin"}, follow=True)
    assert "Maria Garcia is now an organization admin" in text(answer)
    assert role_of(network.referrer, network.site) == Membership.Role.ADMIN
    assert network.referrer.groups.filter(pk=network.site.admin_group_id).exists()
    # Promotion ends the sessions that began without a second factor (membership_set).
    assert maria.get("/people/").status_code == 302

    answer = site_admin.post(role_url(network.site, network.referrer), {"role": "worker"}, follow=True)
    assert "Maria Garcia is now a worker" in text(answer)
    assert role_of(network.referrer, network.site) == Membership.Role.WORKER
    assert not network.referrer.groups.filter(pk=network.site.admin_group_id).exists()
    entries = LogEntry.objects.filter(
        object_id=str(network.site.pk), content_type__model="organization", user=network.site_admin
    )
    assert [entry.change_message for entry in entries.order_by("pk")] == [
        f"Made Maria Garcia <{network.referrer.email}> Organization admin.",
        f"Made Maria Garcia <{network.referrer.email}> Worker.",
    ]


def test_an_unknown_role_is_refused(network, site_admin):
    answer = site_admin.post(role_url(network.site, network.referrer), {"role": "superuser"})
    assert answer.status_code == 400 and "Choose Worker or Organization admin." in text(answer)
    assert role_of(network.referrer, network.site) == Membership.Role.WORKER


def test_the_last_admin_cannot_demote_or_remove_themselves(network, site_admin):
    demoted = site_admin.post(role_url(network.site, network.site_admin), {"role": "worker"})
    assert demoted.status_code == 400
    assert "Omar Haddad is the only admin of Northside Health Center" in text(demoted)
    assert "Make someone else an admin first." in text(demoted)
    removed = site_admin.post(remove_url(network.site, network.site_admin))
    assert removed.status_code == 400 and "is the only admin" in text(removed)
    assert role_of(network.site_admin, network.site) == Membership.Role.ADMIN
    assert "The only admin: make someone else an admin" in text(site_admin.get(members_url(network.site)))


def test_with_another_admin_an_admin_may_step_down(network, site_admin):
    factories.membership_set(user=network.referrer, organization=network.site, role=Membership.Role.ADMIN)
    answer = site_admin.post(role_url(network.site, network.site_admin), {"role": "worker"})
    assert answer.status_code == 302 and answer["Location"] == url("home")
    assert role_of(network.site_admin, network.site) == Membership.Role.WORKER
    assert site_admin.get(members_url(network.site)).status_code == 403  # no longer an admin


def test_removing_asks_first_then_removes_on_post(network, site_admin):
    confirm = site_admin.get(remove_url(network.site, network.teammate))
    assert confirm.status_code == 200
    assert "Remove James Lee from Northside Health Center?" in text(confirm) and "Care Navigation" in text(confirm)
    assert role_of(network.teammate, network.site) == Membership.Role.WORKER  # a GET changes nothing

    referral = network.refer()  # shared with Care Navigation: James sees it
    assert Referral.objects.restrict(network.teammate, "view:all").filter(pk=referral.pk).exists()
    answer = site_admin.post(remove_url(network.site, network.teammate), follow=True)
    assert "Removed James Lee from Northside Health Center." in text(answer)
    assert role_of(network.teammate, network.site) is None
    assert not TeamMembership.objects.filter(user=network.teammate).exists()
    assert not network.teammate.groups.filter(pk=network.sharing_team.group_id).exists()
    assert not Referral.objects.restrict(network.teammate, "view:all").filter(pk=referral.pk).exists()
    assert User.objects.filter(pk=network.teammate.pk).exists()  # the account stays


def test_removing_a_member_of_a_provider_ends_their_claims_there(network, provider_admin):
    tom = factories.worker(network.provider, first_name="Tom", last_name="Reyes")
    factories.program_add_claimer(program=network.program, user=tom)
    referral = network.refer()
    assert Referral.objects.restrict(tom, "view:all").filter(pk=referral.pk).exists()
    assert provider_admin.post(remove_url(network.provider, tom)).status_code == 302
    assert not tom.claimer_memberships.exists()
    assert not Referral.objects.restrict(tom, "view:all").filter(pk=referral.pk).exists()


@pytest.mark.parametrize("who", ["another organization's member", "nobody"])
def test_unknown_people_are_not_found(network, site_admin, who):
    person = network.outsider if who != "nobody" else factories.UserFactory()
    before = sorted(Membership.objects.values_list("user_id", "organization_id", "role"))
    for answer in (
        site_admin.post(role_url(network.site, person), {"role": "admin"}),
        site_admin.get(remove_url(network.site, person)),
        site_admin.post(remove_url(network.site, person)),
    ):
        assert answer.status_code == 404
        assert "Ana Torres" not in text(answer)
    assert sorted(Membership.objects.values_list("user_id", "organization_id", "role")) == before


def test_the_password_link_can_be_sent_again_to_someone_who_has_none(
    network, site_admin, django_capture_on_commit_callbacks
):
    site_admin.post(
        members_url(network.site),
        {"email": "late@example.org", "first_name": "La", "last_name": "Te", "role": "worker"},
    )
    person = User.objects.get(email="late@example.org")
    again = url("organization_member_invite_again", organization_id=network.site.public_id, user_id=person.public_id)
    with django_capture_on_commit_callbacks(execute=True):
        answer = site_admin.post(again, follow=True)
    assert "We emailed late@example.org a new link" in text(answer)
    assert OutboxMessage.objects.filter(recipient_user=person, kind=OutboxMessage.Kind.MEMBER_INVITATION).count() == 2

    has_password = url(
        "organization_member_invite_again", organization_id=network.site.public_id, user_id=network.referrer.public_id
    )
    refused = site_admin.post(has_password)
    assert refused.status_code == 400 and "has chosen a password already" in text(refused)
    assert not OutboxMessage.objects.filter(recipient_user=network.referrer).exists()

    person.is_active = False
    person.save()
    switched_off = site_admin.post(again)
    assert switched_off.status_code == 400 and "is switched off" in text(switched_off)
    assert OutboxMessage.objects.filter(recipient_user=person).count() == 2


def test_changes_are_refused_on_get(network, site_admin):
    assert site_admin.get(role_url(network.site, network.referrer) + "?role=admin").status_code == 405
    assert role_of(network.referrer, network.site) == Membership.Role.WORKER


def test_changes_are_logged_without_email_addresses(network, site_admin, caplog):
    caplog.set_level("INFO", logger="accounts.organization")
    site_admin.post(role_url(network.site, network.referrer), {"role": "admin"})
    [line] = [record.getMessage() for record in caplog.records if record.name == "accounts.organization"]
    assert "Made Maria Garcia Organization admin." in line and f"user {network.site_admin.pk}" in line
    assert network.referrer.email not in line


def test_a_removed_member_no_longer_sees_the_referrals_they_made_there(network, site_admin):
    """The referrer's own grant on a referral is per person, not per group: removal must end it too, or
    someone who left keeps the seekers' names, contact details and notes (and Sent referrals lists them)."""
    referral = network.refer(referrer=network.referrer)
    factories.membership_set(user=network.referrer, organization=network.other_site)  # she works there too
    elsewhere = network.refer(
        referrer=network.referrer,
        seeker=factories.SeekerFactory(
            organization=network.other_site, created_by=network.referrer, first_name="Mei", last_name="Chen"
        ),
    )
    # made for the other organization; named, not drawn by Faker, which sometimes draws "Hernandez"
    maria = login(network.referrer)
    assert maria.get(f"/referrals/{referral.public_id}/").status_code == 200
    assert site_admin.post(remove_url(network.site, network.referrer)).status_code == 302

    assert not Referral.objects.restrict(network.referrer, "view:all").filter(pk=referral.pk).exists()
    page = maria.get(f"/referrals/{referral.public_id}/")
    assert page.status_code == 404 and "Hernandez" not in text(page)
    sent = maria.get("/sent/", {"show": "all"})
    assert sent.status_code == 200 and "Hernandez" not in text(sent)
    # The referral stays, and so does everyone else's access to it; a referral she made for another
    # organization she still belongs to is not touched.
    assert Referral.objects.restrict(network.teammate, "view:all").filter(pk=referral.pk).exists()
    assert Referral.objects.restrict(network.site_admin, "view:all").filter(pk=referral.pk).exists()
    assert Referral.objects.restrict(network.referrer, "view:all").filter(pk=elsewhere.pk).exists()


def test_someone_with_an_account_invited_as_admin_keeps_their_session_until_they_accept(
    network, settings, django_capture_on_commit_callbacks
):
    """Issue 12, item 7: adding a worker of another organization as an admin no longer signs them out (nor asks
    them to enrol) until they accept; accepting then does what a promotion does
    (tests/organization/test_invitations.py)."""
    from accounts.services import organization_member_add

    settings.MFA_REQUIRED_FOR_ADMINS = True
    ana = login(network.outsider)
    assert ana.get("/people/").status_code == 200  # her session needs no second factor: she is a worker
    with django_capture_on_commit_callbacks(execute=True):
        organization_member_add(
            actor=network.site_admin,
            organization=network.site,
            email=network.outsider.email,
            role=Membership.Role.ADMIN,
        )
    assert ana.get("/people/").status_code == 200
    assert role_of(network.outsider, network.site) is None
