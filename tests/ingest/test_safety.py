"""Tests for `bot.ingest.safety`: which addresses may be connected to."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from bot.errors import UnsafeURLError
from bot.ingest.safety import AddressPolicy, GuardedResolver, guarded_socket, resolve
from bot.netaddr import parse_networks


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("::ffff:192.168.0.1", "private"),
        ("100.64.0.1", "non-public"),
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::", "loopback"),  # 6to4
        ("::7f00:1", "loopback"),  # IPv4-compatible
        ("::ffff:0:a00:1", "private"),  # SIIT IPv4-translated
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # Teredo client 127.0.0.1
        ("fec0::1", "site-local"),
        ("64:ff9b:1::808:808", "local-use NAT64"),
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str) -> None:
    """Loopback, private, link-local, multicast and other non-public addresses are refused."""
    reason = AddressPolicy().refusal(ipaddress.ip_address(address))
    assert reason is not None and reason.startswith(kind)


def test_public_addresses_and_allowed_networks_pass() -> None:
    """Public addresses pass; a network the setting allows passes too, and only that one."""
    policy = AddressPolicy(parse_networks("127.0.0.0/8, ::1"))
    assert AddressPolicy().refusal(ipaddress.ip_address("93.184.216.34")) is None
    assert AddressPolicy().refusal(ipaddress.ip_address("64:ff9b::808:808")) is None  # NAT64
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("::1")) is None
    assert policy.refusal(ipaddress.ip_address("10.0.0.1")) is not None


def test_any_refused_address_refuses_the_host() -> None:
    """A host with one public and one private address is refused."""
    public, private = ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("10.0.0.1")
    with pytest.raises(UnsafeURLError, match="private"):
        AddressPolicy().check("mixed.example", [public, private])


def test_bad_network_setting_is_named() -> None:
    """A malformed network in the setting says which one."""
    with pytest.raises(ValueError, match="'nonsense'"):
        parse_networks("127.0.0.0/8, nonsense")


async def test_localhost_resolves_without_the_network() -> None:
    """Literal addresses are not looked up; `localhost` resolves to loopback."""
    assert await resolve("10.0.0.1", 80, 1.0) == [ipaddress.ip_address("10.0.0.1")]
    found = await resolve("localhost", 80, 1.0)
    assert found and all(address.is_loopback for address in found)


async def test_a_name_with_any_refused_address_is_refused_before_connecting() -> None:
    """The connector's resolver refuses `localhost` under the default policy; allowed, it
    gives the checked addresses, numeric, in the resolver's order."""
    with pytest.raises(UnsafeURLError, match="localhost resolves to a loopback"):
        await GuardedResolver(AddressPolicy(), 1.0).resolve("localhost", 80)
    allowed = GuardedResolver(AddressPolicy(parse_networks("127.0.0.0/8, ::1")), 1.0)
    found = await allowed.resolve("localhost", 80)
    assert found and all(ipaddress.ip_address(entry["host"]).is_loopback for entry in found)
    assert {entry["port"] for entry in found} == {80}


@pytest.mark.parametrize(
    "host", ["10.0.0.1", "169.254.169.254", "192.168.1.1", "224.0.0.1", "::ffff:10.0.0.1"]
)
def test_no_socket_is_made_for_a_refused_address(host: str) -> None:
    """The socket factory checks the very address a connection would go to (a literal
    address in a URL is never resolved) and makes no socket for a refused one."""
    make = guarded_socket(AddressPolicy(parse_networks("127.0.0.0/8")))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with pytest.raises(UnsafeURLError, match="refused"):
        make((family, socket.SOCK_STREAM, 0, "", (host, 80)))
    allowed = make((socket.AF_INET, socket.SOCK_STREAM, 0, "", ("127.0.0.1", 80)))
    assert allowed.family == socket.AF_INET
    allowed.close()
