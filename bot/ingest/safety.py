"""Which addresses the fetcher may connect to, enforced where the connection is made.

A URL can name a host that resolves to the machine itself, the local network or a cloud
metadata service (169.254.169.254). The check runs inside the HTTP client's network backend:
the host is resolved once, every address is checked, and the connection goes to a checked
address — so a redirect, or DNS that answers differently the second time, cannot slip past.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from typing import TypeAlias

import anyio
import httpcore

from bot.errors import UnsafeURLError

Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
Network: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """Comma-separated networks or addresses ("127.0.0.0/8, ::1"); ValueError names a bad one."""
    networks: list[Network] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"{item!r} is not an IP network such as 127.0.0.0/8") from None
    return tuple(networks)


class AddressPolicy:
    """Public addresses only, except the networks a setting explicitly allows."""

    def __init__(self, allowed: Iterable[Network] = ()) -> None:
        """Remember the explicitly allowed networks (e.g. loopback for tests)."""
        self.allowed = tuple(allowed)

    def refusal(self, address: Address) -> str | None:
        """Why connecting to `address` is refused, or None when it is allowed."""
        if any(address.version == net.version and address in net for net in self.allowed):
            return None
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return self.refusal(address.ipv4_mapped)
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
    """The addresses of `host` (a name or a literal address), in resolver order."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        with anyio.fail_after(seconds):
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
    except OSError as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
    found = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    return list(dict.fromkeys(found))


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend that connects only to addresses the policy allows."""

    def __init__(self, policy: AddressPolicy) -> None:
        """Wrap the default AnyIO backend."""
        self.policy = policy
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 -- httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, check every address, then connect to the first that answers."""
        addresses = await resolve(host, port, timeout)
        self.policy.check(host, addresses)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 -- httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Unix sockets are never used for fetching."""
        raise UnsafeURLError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        """Sleep as the default backend does."""
        await self._inner.sleep(seconds)
