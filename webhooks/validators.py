"""What an endpoint URL may be: https, a host name or public address, no credentials in it."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known prefix: the last 32 bits are an IPv4 address
NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")  # local-use translation prefix: never a partner's


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (IPv4-mapped, NAT64, 6to4, Teredo client), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_private_address(address: str) -> bool:
    """True for anything that is not a public unicast address, including IPv6 addresses that reach a private
    IPv4 address through a translation (IPv4-mapped ::ffff:10.0.0.1, NAT64 64:ff9b::a00:1, 6to4
    2002:a00:1::): Python counts several of those as global."""
    ip = ipaddress.ip_address(address)
    if not ip.is_global or ip.is_multicast:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in NAT64_LOCAL:
            return True
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return not embedded.is_global or embedded.is_multicast
    return False


def validate_webhook_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValidationError("Webhook addresses must start with https://.", code="https_only")
    if parts.username or parts.password:
        raise ValidationError(
            "Put no user name or password in the address; every delivery is signed.", code="credentials"
        )
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
