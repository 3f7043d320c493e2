"""/settings/webhooks/: organization admins register and manage their endpoints; nobody else sees them."""

import re

import pytest
from django.core.exceptions import ValidationError

from webhooks.models import WebhookEndpoint
from webhooks.services import WebhookNotAllowed, webhook_endpoint_create
from webhooks.validators import validate_webhook_url

URL = "/settings/webhooks/"


def endpoints():
    return WebhookEndpoint.objects.unscoped("tests look at every row")


@pytest.mark.parametrize(
    "url, code",
    [
        ("http://partner.example/hook", "https_only"),
        ("https://user:pass@partner.example/hook", "credentials"),
        ("https://127.0.0.1/hook", "private"),
        ("https://10.1.2.3/hook", "private"),
        ("https://[::1]/hook", "private"),
        ("https://localhost/hook", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
    ],
)
def test_only_public_https_addresses(url, code):
    with pytest.raises(ValidationError) as error:
        validate_webhook_url(url)
    assert error.value.code == code


def test_a_public_https_address_is_fine():
    validate_webhook_url("https://hooks.partner.example/referrals")
    validate_webhook_url("https://93.184.215.14:8443/hooks")  # a public address literal


def test_an_organization_admin_registers_an_endpoint(client, network):
    client.force_login(network.provider_admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert b'<label for="id_url">' in page.content
    response = client.post(
        URL,
        {
            "organization": str(network.provider.public_id),
            "url": "https://hooks.foodbank.example/referrals",
            "description": "Case system",
        },
    )
    endpoint = endpoints().get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{endpoint.public_id}/"
    assert (endpoint.organization, endpoint.created_by, endpoint.active) == (
        network.provider,
        network.provider_admin,
        True,
    )
    detail = client.get(response["Location"])
    assert endpoint.secret.encode() in detail.content
    assert b"hooks.foodbank.example" in client.get(URL).content


def test_an_http_address_is_refused_with_a_message(client, network):
    client.force_login(network.provider_admin)
    response = client.post(
        URL, {"organization": str(network.provider.public_id), "url": "http://hooks.foodbank.example/referrals"}
    )
    assert response.status_code == 200
    assert b"must start with https://" in response.content
    assert not endpoints().exists()


def test_the_organization_comes_from_the_admins_own_memberships(client, network):
    client.force_login(network.provider_admin)
    response = client.post(URL, {"organization": str(network.other_site.public_id), "url": "https://hooks.example/x"})
    assert response.status_code == 200
    assert not endpoints().exists()


def test_workers_and_claimers_have_no_webhook_page(client, network):
    for person in (network.referrer, network.claimer):
        client.force_login(person)
        assert client.get(URL).status_code == 404
    with pytest.raises(WebhookNotAllowed):
        webhook_endpoint_create(actor=network.claimer, organization=network.provider, url="https://hooks.example/x")


def test_another_organizations_endpoint_is_404(client, network):
    endpoint = webhook_endpoint_create(
        actor=network.provider_admin, organization=network.provider, url="https://hooks.foodbank.example/referrals"
    )
    client.force_login(network.outsider_admin)
    assert client.get(f"{URL}{endpoint.public_id}/").status_code == 404
    assert client.post(f"{URL}{endpoint.public_id}/delete/").status_code == 404
    assert endpoint.secret.encode() not in client.get(URL).content
    assert endpoints().filter(pk=endpoint.pk).exists()


def test_switch_off_rotate_and_remove(client, network):
    endpoint = webhook_endpoint_create(
        actor=network.provider_admin, organization=network.provider, url="https://hooks.foodbank.example/referrals"
    )
    old_secret = endpoint.secret
    client.force_login(network.provider_admin)
    detail = f"{URL}{endpoint.public_id}/"
    assert client.get(f"{detail}deactivate/").status_code == 405  # changes are POSTs
    client.post(f"{detail}deactivate/")
    endpoint.refresh_from_db()
    assert endpoint.active is False
    client.post(f"{detail}activate/")
    client.post(f"{detail}rotate/")
    endpoint.refresh_from_db()
    assert endpoint.active is True and endpoint.secret != old_secret
    assert client.post(f"{detail}explode/").status_code == 404
    client.post(f"{detail}delete/")
    assert not endpoints().exists()


def test_network_admin_pages(client, network, receiver, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    webhook_endpoint_create(actor=network.provider_admin, organization=network.provider, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        network.refer()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/webhooks/webhookendpoint/").status_code == 200
    page = client.get("/admin/webhooks/webhookdelivery/")
    assert page.status_code == 200
    assert b"referral.created" in page.content


def test_the_deliveries_table_stacks_into_labelled_rows_on_a_phone(client, network):
    endpoint = webhook_endpoint_create(
        actor=network.provider_admin, organization=network.provider, url="https://hooks.foodbank.example/referrals"
    )
    network.refer()
    client.force_login(network.provider_admin)
    page = client.get(f"{URL}{endpoint.public_id}/").content.decode()

    assert '<table class="responsive">' in page  # app.css stacks these cells under 40em instead of overflowing
    cells = re.findall(r"<td[^>]*>", page)
    assert cells and all("data-label=" in cell for cell in cells)
