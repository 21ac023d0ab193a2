"""Which addresses Pantau may call for a URL a person gave it (a webhook, a per-watch URL, a source
someone adds): never loopback, private, link-local (cloud metadata lives there: 169.254.169.254),
shared, reserved or multicast addresses, unless the admin allows that network in the configuration
(`network.allow`). The host is checked as written and every address it resolves to; a client from
`guarded_client` checks each request again, redirects included, and connects to the address it
checked (the name still goes in the Host header and TLS's SNI), so a DNS answer that changes
between the check and the connection (rebinding) is never used.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from crawler.domain.errors import PantauError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[IPAddress]]


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

    def __init__(self, allowed: Sequence[IPNetwork] = (), resolver: Resolver | None = None) -> None:
        self.allowed = tuple(allowed)
        self._resolve = resolver or resolve

    def refusal(self, address: IPAddress) -> str | None:
        kind = address_kind(address)
        if kind is None or any(
            address in network for network in self.allowed if address.version == network.version
        ):
            return None
        return kind

    def check_url(self, url: str) -> None:
        """Refuse a URL that is not http(s), or whose host is or resolves to a refused address."""
        self.address_for(url)

    def address_for(self, url: str) -> IPAddress:
        """The address to connect to for `url`, once the host as written and every address it resolves
        to are allowed; RefusedAddress otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RefusedAddress(f"{_shown(url)} is not an http or https URL")
        host = parts.hostname
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise RefusedAddress(f"{_shown(url)} has a port that is no number from 0 to 65535") from None
        try:
            addresses, literal = [ipaddress.ip_address(host.strip("[]"))], True
        except ValueError:
            addresses, literal = self._resolve(host, port), False
        if not addresses:
            raise RefusedAddress(f"{host} cannot be resolved: no address")
        for address in addresses:
            kind = self.refusal(address)
            if kind is not None:
                via = "" if literal else f" resolves to {address}, which"
                article = "an" if kind[0] in "aeiou" else "a"
                raise RefusedAddress(
                    f"{_shown(url)}: {host}{via} is {article} {kind} address; Pantau does not call it "
                    "unless network.allow in the configuration names its network"
                )
        return addresses[0]


class _PinnedTransport(httpx.BaseTransport):
    """Sends each request to the address its check allowed, not to whatever the name resolves to next."""

    def __init__(self, policy: EgressPolicy) -> None:
        self._policy = policy
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        address = self._policy.address_for(str(request.url))
        if request.url.host == str(address):
            return self._inner.handle_request(request)
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=str(address)),
            headers=request.headers,  # its Host header names the host as written
            stream=request.stream,
            extensions={**request.extensions, "sni_hostname": request.url.host},
        )
        return self._inner.handle_request(pinned)

    def close(self) -> None:
        self._inner.close()


def guarded_client(policy: EgressPolicy, **options: Any) -> httpx.Client:
    """An httpx client that checks every request it sends (each redirect too) against `policy` and
    connects to the address it checked. It ignores proxy settings in the environment: a proxy would
    resolve the name itself, where no check can follow."""
    return httpx.Client(transport=_PinnedTransport(policy), trust_env=False, **options)


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses a host name stands for, from the system's resolver."""
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(f"{host} cannot be resolved: {error}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def _shown(url: str) -> str:
    """The URL without its query, which may carry a secret (a chat webhook's token)."""
    parts = urlsplit(url)
    where = parts.netloc.rpartition("@")[2]  # no user name or password either
    return f"{parts.scheme}://{where}{parts.path}" if where else repr(url[:100])
