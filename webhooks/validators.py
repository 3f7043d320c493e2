"""What an endpoint URL may be: https, a host name or public address, no credentials in it."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError


def is_private_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def validate_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValidationError("Webhook addresses must start with https://.", code="https_only")
    if parts.username or parts.password:
        raise ValidationError("Put no user name or password in the address; every delivery is signed.",
                              code="credentials")
    host = (parts.hostname or "").lower()
    if not host:
        raise ValidationError("The address has no host.", code="no_host")
    if settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS:
        return
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".internal"):
        raise ValidationError("Webhooks go to a partner's public address, not to this network.", code="private")
    try:
        private = is_private_address(host)
    except ValueError:
        return  # a host name: checked again when it is resolved at delivery time
    if private:
        raise ValidationError("Webhooks go to a partner's public address, not to this network.", code="private")
