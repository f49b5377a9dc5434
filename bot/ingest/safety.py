"""Which addresses the fetcher may connect to, enforced where the connection is made.

A URL can name a host that resolves to the machine itself, the local network or a cloud
metadata service (169.254.169.254). The check runs inside the HTTP client's network backend:
the host is resolved once, every address is checked, and the connection goes to a checked
address — so a redirect, or DNS that answers differently the second time, cannot slip past.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import ssl
from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import anyio
import httpcore

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
                stream = await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
                return SocketStream(stream, stream.get_extra_info("socket"))
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


class SocketStream(httpcore.AsyncNetworkStream):
    """A connected stream that answers "is it readable?" from its socket, looked up once.

    httpcore asks that of every pooled connection whenever any request starts or ends (an idle
    connection the server closed is readable). The AnyIO stream looked the socket up anew each
    time, rebuilding its table of attributes with a `getpeername` system call: with 16 pooled
    connections, fetching and serving a page on loopback took 1.4-1.5 ms of CPU with it and
    1.0-1.1 ms without. The readability test is httpcore's own (a zero-timeout poll).
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream, raw: socket.socket | None) -> None:
        """Wrap `inner`, whose socket is `raw`."""
        self._inner = inner
        self._socket = raw

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        """Read as the wrapped stream does."""
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Write as the wrapped stream does."""
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        """Close the wrapped stream."""
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 -- httpcore's interface
    ) -> httpcore.AsyncNetworkStream:
        """TLS over this connection: the same socket underneath."""
        secure = await self._inner.start_tls(ssl_context, server_hostname, timeout)
        return SocketStream(secure, self._socket)

    def get_extra_info(self, info: str) -> Any:
        """As the wrapped stream, but the socket and its readability without a lookup."""
        if info == "is_readable":
            return _readable(self._socket)
        if info == "socket":
            return self._socket
        return self._inner.get_extra_info(info)


def _readable(raw: socket.socket | None) -> bool:
    """Whether reading `raw` would return at once (data, or the end: closed counts too)."""
    number = -1 if raw is None else raw.fileno()
    if number < 0:
        return True
    poller = select.poll()
    poller.register(number, select.POLLIN)
    return bool(poller.poll(0))
