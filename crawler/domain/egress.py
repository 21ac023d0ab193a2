"""Which addresses Pantau may call for a URL a person gave it (a webhook, a per-watch URL, a source
someone adds): never loopback, private, link-local (cloud metadata lives there: 169.254.169.254),
shared, reserved or multicast addresses, unless the admin allows that network in the configuration
(`network.allow`). The host is checked as written and every address it resolves to; a client from
`guarded_client` checks each request again, redirects included, just before it is sent.

What this does not close: a DNS answer that changes between the check and the connection (DNS
rebinding within the resolver's cache time).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from crawler.domain.errors import PantauError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class RefusedAddress(PantauError):
    """A URL whose host is, or resolves to, an address Pantau does not call."""


def address_kind(address: IPAddress) -> str | None:
    """Why Pantau does not call this address ("loopback", "private", ...), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_kind(address.ipv4_mapped)
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (cloud metadata)"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "reserved"  # shared (100.64/10, where some clouds keep metadata too), documentation, ...
    return None


class EgressPolicy:
    """The addresses URLs people enter may reach: public ones, and the networks the admin allows."""

    def __init__(self, allowed: Sequence[IPNetwork] = ()) -> None:
        self.allowed = tuple(allowed)

    def refusal(self, address: IPAddress) -> str | None:
        kind = address_kind(address)
        if kind is None or any(
            address in network for network in self.allowed if address.version == network.version
        ):
            return None
        return kind

    def check_url(self, url: str) -> None:
        """Refuse a URL that is not http(s), or whose host is or resolves to a refused address."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RefusedAddress(f"{_shown(url)} is not an http or https URL")
        host = parts.hostname
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise RefusedAddress(f"{_shown(url)} has a port that is no number from 0 to 65535") from None
        literal, addresses = _addresses(host, port)
        for address in addresses:
            kind = self.refusal(address)
            if kind is not None:
                via = "" if literal else f" resolves to {address}, which"
                article = "an" if kind[0] in "aeiou" else "a"
                raise RefusedAddress(
                    f"{_shown(url)}: {host}{via} is {article} {kind} address; Pantau does not call it "
                    "unless network.allow in the configuration names its network"
                )


def guarded_client(policy: EgressPolicy, **options: Any) -> httpx.Client:
    """An httpx client that checks every request it sends (each redirect too) against `policy`."""

    def check(request: httpx.Request) -> None:
        policy.check_url(str(request.url))

    return httpx.Client(event_hooks={"request": [check]}, **options)


def _addresses(host: str, port: int) -> tuple[bool, list[IPAddress]]:
    """Whether the host is an address as written, and the addresses it stands for."""
    try:
        return True, [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(f"{host} cannot be resolved: {error}") from None
    return False, [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def _shown(url: str) -> str:
    """The URL without its query, which may carry a secret (a chat webhook's token)."""
    parts = urlsplit(url)
    where = parts.netloc.rpartition("@")[2]  # no user name or password either
    return f"{parts.scheme}://{where}{parts.path}" if where else repr(url[:100])
