import re

import pytest
from django.db import DatabaseError, connection, transaction

from privacy.models import AccessRecord
from privacy.services import access_record, access_records_for_seeker
from referrals.models import ReferralEvent

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers are PostgreSQL's")


def test_an_access_record_says_who_what_when_and_from_where(rf, network):
    referral = network.refer()
    request = rf.get("/", HTTP_USER_AGENT="Firefox", REMOTE_ADDR="203.0.113.9")
    record = access_record(user=network.claimer, referral=referral, request=request, via=AccessRecord.Via.API)
    assert record.seeker == network.seeker and record.organization == network.site
    assert record.actor_display == "Sam O." and record.ip_address == "203.0.113.9" and record.user_agent == "Firefox"
    assert record.via == "api" and record.created_at is not None


def test_recording_is_one_insert(rf, network, django_assert_num_queries):
    referral = network.refer()
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    with django_assert_num_queries(1):
        access_record(user=network.referrer, referral=referral, request=request)
    with django_assert_num_queries(1):
        access_record(user=network.referrer, seeker=network.seeker, request=request)


def test_a_garbled_address_does_not_break_the_page(rf, network):
    request = rf.get("/", REMOTE_ADDR="not-an-address")
    assert access_record(user=network.referrer, seeker=network.seeker, request=request).ip_address is None


def test_email_link_uses_are_recorded_without_a_user(rf, network):
    referral = network.refer()
    record = access_record(referral=referral, request=rf.get("/"), via=AccessRecord.Via.EMAIL_LINK)
    assert record.user is None and record.actor_display == "Seeker (email link)"


def test_records_are_scoped_to_the_tenant(network):
    access_record(user=network.referrer, seeker=network.seeker)
    assert [r.actor_display for r in access_records_for_seeker(seeker=network.seeker)] == ["Maria G."]
    assert AccessRecord.objects.for_organization(network.other_site).count() == 0


@postgres_only
def test_access_records_cannot_be_changed_or_deleted(network):
    record = access_record(user=network.referrer, seeker=network.seeker)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessRecord.objects_across_tenants.filter(pk=record.pk).update(actor_display="nobody")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessRecord.objects_across_tenants.filter(pk=record.pk).delete()
    assert AccessRecord.objects_across_tenants.get(pk=record.pk).actor_display == "Maria G."


@postgres_only
def test_history_cannot_be_changed_or_deleted(network):
    referral = network.refer()
    event = referral.events.filter(kind=ReferralEvent.Kind.CREATED).get()
    with pytest.raises(DatabaseError), transaction.atomic():
        ReferralEvent.objects_across_tenants.filter(pk=event.pk).update(actor_display="nobody")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    assert ReferralEvent.objects_across_tenants.filter(pk=event.pk, actor_display="Maria G.").exists()


def test_an_organization_admin_sees_who_looked(client, network):
    access_record(user=network.referrer, seeker=network.seeker)
    client.force_login(network.site_admin)
    page = client.get(f"/people/{network.seeker.public_id}/access/")
    assert page.status_code == 200
    assert "Who looked at Luis Hernandez" in page.content.decode() and "Maria G." in page.content.decode()


def test_only_admins_of_the_seekers_organization_see_who_looked(client, network):
    client.force_login(network.referrer)  # sees the seeker, is not an admin
    assert client.get(f"/people/{network.seeker.public_id}/access/").status_code == 403
    client.force_login(network.outsider_admin)  # admin elsewhere
    assert client.get(f"/people/{network.seeker.public_id}/access/").status_code == 404


def test_the_access_table_stacks_into_labelled_rows_on_a_phone(client, network):
    access_record(user=network.referrer, seeker=network.seeker)
    client.force_login(network.site_admin)
    page = client.get(f"/people/{network.seeker.public_id}/access/").content.decode()

    assert '<table class="responsive">' in page  # app.css stacks these cells under 40em instead of overflowing
    cells = re.findall(r"<td[^>]*>", page)
    assert cells and all("data-label=" in cell for cell in cells)
