"""API tokens (issue 12, items 1 and 2): they expire, are one per device, end with a password change or reset,
a role change, deactivation and erasure, never carry rights that need a second factor unless issued with one,
and their owner sees and revokes them on the account page."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken
from rest_framework.test import APIClient

from accounts.models import Membership
from accounts.services import membership_set, organization_member_set_role
from privacy.services import seeker_erase
from security.models import ApiToken
from security.services import user_deactivate
from tests.factories import PASSWORD, api_token

TOKEN_URL = "/api/v1/auth/token/"
EXPORT_URL = "/api/v1/exports/referrals.csv"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    status = bearer(token).get("/api/v1/referrals/").status_code
    assert status in (200, 401), status
    return status == 200


def ask_for_token(user, **extra) -> dict:
    response = APIClient().post(TOKEN_URL, {"email": user.email, "password": PASSWORD, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- issuing, expiry, one per device -------------------------------------------------------------------


def test_the_token_endpoint_answers_the_token_and_when_it_expires(network, settings):
    settings.API_TOKEN_TTL_HOURS = 5
    before = timezone.now()
    answer = ask_for_token(network.referrer)
    assert set(answer) == {"token", "expiry"}
    expiry = AuthToken.objects.get(user=network.referrer).expiry
    assert abs(parse_datetime(answer["expiry"]) - expiry) < timedelta(seconds=1)
    assert before + timedelta(hours=5) <= expiry <= timezone.now() + timedelta(hours=5)
    assert works(answer["token"])


def test_only_a_hash_of_the_token_is_kept(network):
    token = ask_for_token(network.referrer)["token"]
    row = AuthToken.objects.get(user=network.referrer)
    assert token not in (row.digest, row.token_key) and token.startswith(row.token_key)
    assert hasattr(row, "details")


def test_a_knox_token_not_issued_by_the_token_endpoint_does_not_work(network):
    """Made by other means (knox's own admin form, a shell): without the record beside it (second factor,
    password fingerprint), nothing could tell what rights it may carry."""
    _, secret = AuthToken.objects.create(user=network.referrer)
    assert not works(secret)


def test_an_expired_token_is_refused_and_removed(network):
    token = api_token(network.referrer)
    assert works(token)
    AuthToken.objects.filter(user=network.referrer).update(expiry=timezone.now() - timedelta(seconds=1))
    response = bearer(token).get("/api/v1/referrals/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert not AuthToken.objects.filter(user=network.referrer).exists()


def test_use_does_not_extend_a_token(network):
    token = api_token(network.referrer)
    expiry = AuthToken.objects.get(user=network.referrer).expiry
    assert works(token) and works(token)
    assert AuthToken.objects.get(user=network.referrer).expiry == expiry


def test_each_device_has_its_own_token_and_revoking_one_leaves_the_others(network, client):
    laptop, phone = api_token(network.referrer), api_token(network.referrer)
    client.force_login(network.referrer)
    laptop_row = ApiToken.objects.get(token__token_key=laptop[:15])
    client.post(reverse("security:api_token_revoke", args=[laptop_row.public_id]))
    assert not works(laptop)
    assert works(phone)


# --- what ends every token of an account ------------------------------------------------------------------


def test_marias_token_ends_when_omar_makes_her_an_admin(network, settings):
    """Issue 12, item 1: her old token must not download the organization's export or list every seeker."""
    settings.MFA_REQUIRED_FOR_ADMINS = True
    token = ask_for_token(network.referrer)["token"]
    assert works(token)
    organization_member_set_role(
        actor=network.site_admin, organization=network.site, user=network.referrer, role=Membership.Role.ADMIN
    )
    for url in (EXPORT_URL, "/api/v1/seekers/", "/api/v1/referrals/"):
        assert bearer(token).get(url).status_code == 401, url
    assert not AuthToken.objects.filter(user=network.referrer).exists()
    # A new one needs her code.
    refused = APIClient().post(TOKEN_URL, {"email": network.referrer.email, "password": PASSWORD}, format="json")
    assert refused.status_code == 400 and "otp" in refused.json()


def test_being_added_as_an_admin_of_another_organization_ends_the_tokens(network):
    token = api_token(network.outsider)
    membership_set(user=network.outsider, organization=network.site, role=Membership.Role.ADMIN)
    assert not works(token)


def test_being_made_a_worker_ends_the_tokens(network):
    token = api_token(network.site_admin, with_second_factor=True)
    membership_set(user=network.referrer, organization=network.site, role=Membership.Role.ADMIN)
    organization_member_set_role(
        actor=network.referrer, organization=network.site, user=network.site_admin, role=Membership.Role.WORKER
    )
    assert not works(token)


def test_joining_another_organization_as_a_worker_keeps_the_tokens(network):
    token = api_token(network.outsider)
    membership_set(user=network.outsider, organization=network.site, role=Membership.Role.WORKER)
    assert works(token)


def test_a_password_change_ends_the_tokens(network, client):
    token = api_token(network.referrer)
    client.force_login(network.referrer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    answer = bearer(token).get("/api/v1/referrals/")
    assert answer.status_code == 401 and "password changed" in answer.json()["detail"]
    assert not AuthToken.objects.filter(user=network.referrer).exists()


def test_a_password_reset_ends_the_tokens(network, client):
    token = api_token(network.referrer)
    link = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(network.referrer.pk)),
            default_token_generator.make_token(network.referrer),
        ],
    )
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"}
    )
    assert done.status_code == 302
    assert not works(token)


def test_a_password_set_anywhere_else_ends_the_tokens_too(network):
    """The Django admin, `changepassword`: the token remembers the password it was issued under."""
    token = api_token(network.referrer)
    network.referrer.set_password("set-by-a-network-admin")
    network.referrer.save()
    assert not works(token)


def test_deactivation_ends_the_tokens(network):
    token = api_token(network.referrer)
    user_deactivate(user=network.referrer)
    assert not works(token)
    assert not AuthToken.objects.filter(user=network.referrer).exists()


def test_erasure_ends_the_tokens_of_the_seekers_own_account(network):
    from accounts.models import User
    from seekers.models import Seeker

    account = User.objects.create_user(
        email="luis@example.com", password=PASSWORD, first_name="Luis", last_name="Hernandez"
    )
    Seeker.objects_across_tenants.filter(pk=network.seeker.pk).update(user=account)
    network.seeker.refresh_from_db()
    token = api_token(account)
    assert bearer(token).get("/api/v1/referrals/").status_code == 200
    seeker_erase(actor=network.site_admin, seeker=network.seeker)
    assert bearer(token).get("/api/v1/referrals/").status_code == 401
    assert not AuthToken.objects.filter(user=account).exists()


# --- second factors ------------------------------------------------------------------------------------------


def test_a_token_without_a_second_factor_is_refused_once_the_person_needs_one(network, settings):
    """Made a superuser (or staff) in the Django admin, or an admin by any path that sends no signal: the token
    was issued without a code, so it no longer acts for them, on the admin-only export and everywhere else."""
    settings.MFA_REQUIRED_FOR_ADMINS = True
    token = ask_for_token(network.referrer)["token"]
    Membership.objects.filter(user=network.referrer, organization=network.site).update(role=Membership.Role.ADMIN)
    for url in (EXPORT_URL, "/api/v1/seekers/"):
        response = bearer(token).get(url)
        assert response.status_code == 401, url
        assert "second factor" in response.json()["detail"]
    Membership.objects.filter(user=network.referrer, organization=network.site).update(role=Membership.Role.WORKER)
    assert works(token)
    network.referrer.is_staff = True
    network.referrer.save(update_fields=["is_staff"])
    assert not works(token)


def test_a_token_issued_with_a_second_factor_keeps_working_for_an_admin(network, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = True
    device = TOTPDevice.objects.create(user=network.site_admin, name="phone", confirmed=True)
    answer = ask_for_token(network.site_admin, otp=current_code(device))
    assert ApiToken.objects.get(token__user=network.site_admin).with_second_factor
    response = bearer(answer["token"]).get(EXPORT_URL)
    assert response.status_code == 200
    b"".join(response.streaming_content)


def test_without_the_rule_an_admins_token_needs_no_second_factor(network, settings):
    settings.MFA_REQUIRED_FOR_ADMINS = False
    token = ask_for_token(network.site_admin)["token"]
    assert bearer(token).get(EXPORT_URL).status_code == 200


# --- the account page ------------------------------------------------------------------------------------


def test_the_account_page_lists_my_working_tokens(network, client):
    token = api_token(network.referrer)
    assert works(token)  # now it has been used
    unused = api_token(network.referrer, with_second_factor=True)
    expired = api_token(network.referrer)
    AuthToken.objects.filter(token_key=expired[:15]).update(expiry=timezone.now() - timedelta(minutes=1))
    someone_elses = api_token(network.teammate)
    client.force_login(network.referrer)
    page = client.get(reverse("security:two_factor")).content.decode()
    assert token[:15] in page and unused[:15] in page
    assert expired[:15] not in page and someone_elses[:15] not in page
    assert "Never" in page  # the unused one's "last used"
    assert token not in page  # never the token itself
    rows = {row.token_key: row for row in ApiToken.objects.filter(token__user=network.referrer).select_related("token")}
    assert rows[token[:15]].last_used is not None and rows[unused[:15]].last_used is None
    assert reverse("security:api_token_revoke", args=[rows[token[:15]].public_id]) in page


def test_revoking_asks_first_then_ends_the_token_and_records_it(network, client):
    token = api_token(network.referrer)
    row = ApiToken.objects.select_related("token").get(token__user=network.referrer)
    url = reverse("security:api_token_revoke", args=[row.public_id])
    client.force_login(network.referrer)
    confirm = client.get(url)
    assert confirm.status_code == 200 and row.token_key in confirm.content.decode()
    assert works(token)  # asking changed nothing
    done = client.post(url)
    assert done.status_code == 302 and done["Location"].startswith(reverse("security:two_factor"))
    assert not works(token)
    entry = LogEntry.objects.filter(object_id=str(network.referrer.pk)).order_by("-id").first()
    assert entry.user_id == network.referrer.pk and f"Revoked API token {row.token_key}" in entry.change_message
    assert client.post(url).status_code == 404  # a second time: it no longer exists


@pytest.mark.parametrize("intruder", ["teammate", "outsider", "site_admin", "outsider_admin"])
def test_nobody_else_sees_or_revokes_my_token(network, client, intruder):
    token = api_token(network.referrer)
    row = ApiToken.objects.select_related("token").get(token__user=network.referrer)
    client.force_login(getattr(network, intruder))
    url = reverse("security:api_token_revoke", args=[row.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert row.token_key not in client.get(reverse("security:two_factor")).content.decode()
    assert works(token)


def test_revoking_needs_a_sign_in(network, client):
    api_token(network.referrer)
    row = ApiToken.objects.select_related("token").get(token__user=network.referrer)
    response = client.post(reverse("security:api_token_revoke", args=[row.public_id]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert ApiToken.objects.filter(pk=row.pk).exists()


# --- cost and upgrade --------------------------------------------------------------------------------------


def test_checking_a_token_is_one_query_and_writes_at_most_once_a_minute(network, django_assert_num_queries):
    from rest_framework.test import APIRequestFactory

    from api.authentication import ApiTokenAuthentication

    token = api_token(network.referrer)
    request = APIRequestFactory().get("/api/v1/programs/", HTTP_AUTHORIZATION=f"Token {token}")
    with django_assert_num_queries(2):  # the token, its person and their admin roles; the first "last used"
        user, row = ApiTokenAuthentication().authenticate(request)
    assert user == network.referrer and row.details.last_used is not None
    with django_assert_num_queries(1):
        ApiTokenAuthentication().authenticate(request)


def test_the_migration_ends_the_old_authtoken_tokens(db):
    """Old DRF tokens cannot become knox tokens (knox keeps only a hash of a token it made): they end."""
    import importlib

    from django.db import connection

    end_old_tokens = importlib.import_module("security.migrations.0001_initial").end_old_tokens
    with connection.schema_editor() as editor:
        end_old_tokens(None, editor)  # no table (a new database): nothing to do, no error
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint)")
        cursor.execute("INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', 1)")
    with connection.schema_editor() as editor:
        end_old_tokens(None, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
