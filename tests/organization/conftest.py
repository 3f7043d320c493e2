import pytest
from django.test import Client
from django.urls import reverse


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, *args, **kwargs) -> str:
    if name == "organization":
        return reverse("organization:home", args=args, kwargs=kwargs)
    if name.startswith("organization_"):
        return reverse(f"organization:{name.removeprefix('organization_')}", args=args, kwargs=kwargs)
    return reverse(f"accounts:{name}", args=args, kwargs=kwargs)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def site_admin(network) -> Client:
    """Omar, the admin of the site Northside Health Center."""
    return login(network.site_admin)


@pytest.fixture
def provider_admin(network) -> Client:
    """Rosa, the admin of the provider City Food Bank."""
    return login(network.provider_admin)
