"""Which addresses the fetcher may connect to, enforced where the connection is made.

A URL can name a host that resolves to the machine itself, the local network or a cloud
metadata service (169.254.169.254). The check runs inside the HTTP client's connector: a
name is resolved once and refused when any of its addresses is (`GuardedResolver`), and the
socket for every connection is made only for a checked address (`guarded_socket`, which also
covers literal addresses, never resolved) — so a redirect, or DNS that answers differently
the second time, cannot slip past.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import UnsafeURLError
from bot.netaddr import Network

Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215, local use
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated IPv4-compatible (::a.b.c.d)
_TRANSLATED = ipaddress.IPv6Network("::ffff:0:0:0/96")  # SIIT IPv4-translated


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, NAT64, 6to4, Teredo, ...), if any.

    Each of these reaches the IPv4 host through a translator or tunnel, so the policy must
    judge that host: 64:ff9b::7f00:1 is 127.0.0.1.
    """
    last32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or address in _TRANSLATED:
        return last32
    if address in _COMPATIBLE and int(address) > 1:  # not :: or ::1 (judged as they are)
        return last32
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


class AddressPolicy:
    """Public addresses only, except the networks a setting explicitly allows."""

    def __init__(self, allowed: Iterable[Network] = ()) -> None:
        """Remember the explicitly allowed networks (e.g. loopback for tests)."""
        self.allowed = tuple(allowed)

    def refusal(self, address: Address) -> str | None:
        """Why connecting to `address` is refused, or None when it is allowed."""
        if any(address.version == net.version and address in net for net in self.allowed):
            return None
        if isinstance(address, ipaddress.IPv6Address):
            embedded = embedded_ipv4(address)
            if embedded is not None:
                inner = self.refusal(embedded)
                return f"{inner} (inside {address})" if inner else None
            if address.is_site_local:
                return f"site-local address {address}"
            if address in _LOCAL_NAT64:  # a translator of the local network's own choosing
                return f"local-use NAT64 address {address}"
        for kind in ("unspecified", "loopback", "link_local", "multicast", "private"):
            if getattr(address, f"is_{kind}"):
                return f"{kind.replace('_', '-')} address {address}"
        if not address.is_global:
            return f"non-public address {address}"
        return None

    def check(self, host: str, addresses: Sequence[Address]) -> None:
        """Raise UnsafeURLError when any address of `host` is refused."""
        if not addresses:
            raise UnsafeURLError(f"{host} has no address")
        for address in addresses:
            reason = self.refusal(address)
            if reason is not None:
                raise UnsafeURLError(f"{host} resolves to a {reason}; refused")


async def resolve(host: str, port: int, seconds: float | None) -> list[Address]:
    """The addresses of `host` (a name or a literal address), in resolver order; OSError
    (TimeoutError included) when it cannot be resolved in time."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(seconds):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise TimeoutError(f"resolving {host} timed out") from None
    except OSError as exc:
        raise OSError(f"cannot resolve {host}: {exc}") from None
    found = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    return list(dict.fromkeys(found))


class GuardedResolver(AbstractResolver):
    """aiohttp's resolver for the fetcher: a name with any refused address is refused
    (UnsafeURLError) before a socket is opened; otherwise its checked addresses."""

    def __init__(self, policy: AddressPolicy, seconds: float | None = None) -> None:
        """Check with `policy`; give a lookup `seconds` at most."""
        self.policy = policy
        self.seconds = seconds

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Every address of `host`, each checked (the connector tries them in order)."""
        addresses = await resolve(host, port, self.seconds)
        self.policy.check(host, addresses)
        return [
            ResolveResult(
                hostname=host,
                host=str(address),
                port=port,
                family=socket.AF_INET6 if address.version == 6 else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        """Nothing to release."""


def guarded_socket(policy: AddressPolicy) -> Callable[[Any], socket.socket]:
    """aiohttp's socket factory for the fetcher: a socket only for an address the policy
    allows (UnsafeURLError otherwise, before anything is connected). Names were checked by
    `GuardedResolver`; a literal address in a URL is never resolved and is checked here."""

    def make(addr_info: Any) -> socket.socket:
        family, kind, proto, _, sockaddr = addr_info
        host = str(sockaddr[0])
        policy.check(host, [ipaddress.ip_address(host.split("%", 1)[0])])
        return socket.socket(family=family, type=kind, proto=proto)

    return make
