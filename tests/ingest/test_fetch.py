"""Tests for `bot.ingest.fetch` over real HTTP on 127.0.0.1 (a local aiohttp site)."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import time
import tracemalloc
import zlib

import pytest
import trustme

from bot.ingest.fetch import USER_AGENT, Fetcher, retry_after_seconds
from bot.ingest.safety import AddressPolicy
from bot.netaddr import parse_networks
from tests.ingest.conftest import TEST_LIMITS
from tests.ingest.site import LocalSite, Route, article_html

PAGE = article_html("harbour")


async def test_page_is_fetched_with_an_honest_user_agent(site: LocalSite, fetcher: Fetcher) -> None:
    """A 200 HTML page comes back whole, with its media type; we say who we are."""
    url = site.add("/news/1", PAGE)
    result = await fetcher.fetch(url)
    assert result.ok and result.status == 200
    assert result.media_type == "text/html" and result.charset == "utf-8"
    assert result.body.decode() == PAGE
    assert site.requests[0][1]["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsbot/")


async def test_conditional_get_answers_304(site: LocalSite, fetcher: Fetcher) -> None:
    """With the ETag from the first answer, the second fetch is a bodiless 304."""
    url = site.add("/feed.xml", "<rss/>", content_type="application/rss+xml", etag='"v1"')
    first = await fetcher.fetch(url)
    second = await fetcher.fetch(url, etag=first.headers["etag"])
    assert first.ok and first.headers["etag"] == '"v1"'
    assert second.not_modified and second.body == b""
    assert site.requests[1][1]["if-none-match"] == '"v1"'


async def test_redirects_are_followed_hop_by_hop(site: LocalSite, fetcher: Fetcher) -> None:
    """A chain of redirects ends at the page; the final URL is reported."""
    site.add("/a", "", status=301, headers={"Location": "/b"})
    site.add("/b", "", status=302, headers={"Location": site.url("/page")})
    site.add("/page", PAGE)
    result = await fetcher.fetch(site.url("/a"))
    assert result.ok and result.final_url == site.url("/page")


async def test_redirect_loop_and_too_many_redirects(site: LocalSite, fetcher: Fetcher) -> None:
    """A loop is caught at once; a long chain stops at the redirect limit."""
    site.add("/loop1", "", status=302, headers={"Location": "/loop2"})
    site.add("/loop2", "", status=302, headers={"Location": "/loop1"})
    for n in range(10):
        site.add(f"/chain{n}", "", status=302, headers={"Location": f"/chain{n + 1}"})
    loop = await fetcher.fetch(site.url("/loop1"))
    chain = await fetcher.fetch(site.url("/chain0"))
    assert loop.error is not None and "redirect loop" in loop.error
    assert chain.error == "more than 4 redirects"
    assert site.hits("/loop1") == 1


@pytest.mark.parametrize("target", ["http://10.0.0.1/admin", "http://169.254.169.254/latest/"])
async def test_redirect_to_a_private_address_is_refused(
    site: LocalSite, fetcher: Fetcher, target: str
) -> None:
    """Loopback is allowed for the test site, but a redirect into 10/8 or 169.254/16 is not."""
    url = site.add("/evil", "", status=302, headers={"Location": target})
    started = time.monotonic()
    result = await fetcher.fetch(url)
    assert result.error is not None and "refused" in result.error
    assert time.monotonic() - started < 0.5  # refused before any connection attempt


async def test_loopback_is_refused_unless_allowed(site: LocalSite) -> None:
    """Without ALLOW_PRIVATE_URLS the local site itself is out of reach, even by name."""
    url = site.add("/page", PAGE)
    strict = Fetcher(AddressPolicy(), TEST_LIMITS)
    try:
        direct = await strict.fetch(url)
        by_name = await strict.fetch(url.replace("127.0.0.1", "localhost"))
    finally:
        await strict.aclose()
    assert direct.error is not None and "loopback" in direct.error
    assert by_name.error is not None and "refused" in by_name.error
    assert site.requests == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
async def test_other_schemes_are_refused(fetcher: Fetcher, url: str) -> None:
    """Only http and https are fetched."""
    result = await fetcher.fetch(url)
    assert result.error is not None and "only http and https" in result.error


async def test_long_response_headers_are_read(site: LocalSite, fetcher: Fetcher) -> None:
    """A site whose Content-Security-Policy runs to 20 KB is still read (over aiohttp's
    default of 8 KB a header line)."""
    policy = "default-src 'self'; " + " ".join(f"https://cdn{n}.example" for n in range(1000))
    assert len(policy) > 20_000
    url = site.add("/csp", PAGE, headers={"Content-Security-Policy": policy})
    result = await fetcher.fetch(url)
    assert result.ok and result.body.decode() == PAGE
    assert result.headers["content-security-policy"] == policy


async def test_huge_bodies_are_cut_off(site: LocalSite, fetcher: Fetcher) -> None:
    """Over the cap: refused from Content-Length, or mid-stream when it is chunked."""
    big = b"<html><body>" + b"x" * 1_000_000 + b"</body></html>"
    declared = site.add("/big", big)
    streamed = site.add("/stream", big, chunks=50)
    for url in (declared, streamed):
        result = await fetcher.fetch(url)
        assert result.error is not None and "cap" in result.error
        assert result.body == b""


async def test_slow_responses_time_out(site: LocalSite, fetcher: Fetcher) -> None:
    """A server that takes longer than the read timeout is given up on."""
    url = site.add("/slow", PAGE, delay=1.5)
    started = time.monotonic()
    result = await fetcher.fetch(url)
    assert result.error == "timed out"
    assert time.monotonic() - started < 1.4


@pytest.mark.parametrize("status", [404, 500])
async def test_error_statuses_are_reported(site: LocalSite, fetcher: Fetcher, status: int) -> None:
    """A 404 or 500 is an error with its status; a 500 is retried once first."""
    url = site.add(f"/e{status}", "oops", status=status)
    result = await fetcher.fetch(url)
    assert result.error == f"HTTP {status}" and result.status == status
    assert site.hits(f"/e{status}") == (2 if status == 500 else 1)


async def test_429_and_503_are_retried_after_the_wait_asked_for(
    site: LocalSite, fetcher: Fetcher
) -> None:
    """A short Retry-After is waited out and the retry succeeds; a long one is reported."""
    site.routes["/busy"] = Route(
        b"busy", status=429, headers={"Retry-After": "0"}, then=Route(PAGE.encode())
    )
    site.routes["/down"] = Route(b"down", status=503, then=Route(PAGE.encode()))
    site.add("/later", "busy", status=429, headers={"Retry-After": "3600"})
    busy = await fetcher.fetch(site.url("/busy"))
    down = await fetcher.fetch(site.url("/down"))
    later = await fetcher.fetch(site.url("/later"))
    assert busy.ok and down.ok
    assert site.hits("/busy") == 2 and site.hits("/down") == 2
    assert later.error == "HTTP 429" and later.retry_after == 3600
    assert site.hits("/later") == 1  # not worth waiting for: reported at once


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/pdf", b"%PDF-1.4"), ("image/png", b"\x89PNG"), ("text/plain", b"plain")],
)
async def test_other_content_types_are_refused(
    site: LocalSite, fetcher: Fetcher, content_type: str, body: bytes
) -> None:
    """Only HTML and XML feeds are taken."""
    url = site.add("/file", body, content_type=content_type)
    result = await fetcher.fetch(url)
    assert result.error is not None and content_type in result.error


def test_retry_after_values() -> None:
    """Retry-After in seconds or as an HTTP date; garbage is ignored."""
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


async def test_https_is_verified() -> None:
    """Over HTTPS a page comes from a server certified by a trusted authority; a server whose
    certificate no trusted authority signed is refused."""
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    trusting = ssl.create_default_context()
    authority.configure_trust(trusting)
    secure = LocalSite(ssl_context=server_context)
    await secure.start()
    url = secure.add("/page", PAGE)
    assert url.startswith("https://")
    policy = AddressPolicy(parse_networks("127.0.0.0/8"))
    good, default = Fetcher(policy, TEST_LIMITS, trusting), Fetcher(policy, TEST_LIMITS)
    try:
        trusted = await good.fetch(url)
        untrusted = await default.fetch(url)
    finally:
        await good.aclose()
        await default.aclose()
        await secure.stop()
    assert trusted.ok and trusted.body.decode() == PAGE
    assert untrusted.error is not None and "certificate" in untrusted.error.lower()
    assert len(secure.requests) == 1


def _gzip(data: bytes, times: int = 1) -> bytes:
    for _ in range(times):
        data = gzip.compress(data)
    return data


def _zero_bomb(size: int) -> bytes:
    """gzip of `size` zero bytes, made in pieces (never `size` bytes at once)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    piece = bytes(2**20)
    parts = [packer.compress(piece) for _ in range(size // len(piece))]
    return b"".join([*parts, packer.flush()])


async def test_a_decompression_bomb_is_refused_with_bounded_memory(
    site: LocalSite, fetcher: Fetcher
) -> None:
    """gzip inside gzip, 400 MB of zeros in ~1 KB: one clear refusal, memory near the cap.

    httpx's own decoding inflated whole chunks through both layers before the cap was
    checked (2.2 GB seen for 1.8 KB).
    """
    body = gzip.compress(_zero_bomb(400 * 2**20))
    assert len(body) < 5_000
    url = site.add("/bomb", body, headers={"Content-Encoding": "gzip, gzip"})
    tracemalloc.start()
    try:
        result = await fetcher.fetch(url)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.error is not None and "cap once decoded" in result.error
    assert peak < 10 * TEST_LIMITS.max_bytes, peak  # 300 kB cap; the bomb is 400 MB


async def test_encoded_bodies_are_decoded(site: LocalSite, fetcher: Fetcher) -> None:
    """gzip, x-gzip, gzip twice, deflate with and without its zlib header: the same page."""
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    encoded = {
        "gzip": _gzip(PAGE.encode()),
        "x-gzip": _gzip(PAGE.encode()),
        "gzip, gzip": _gzip(PAGE.encode(), 2),
        "identity, gzip": _gzip(PAGE.encode()),
        "deflate": zlib.compress(PAGE.encode()),
        "Deflate": raw_deflate.compress(PAGE.encode()) + raw_deflate.flush(),
    }
    for number, (encoding, body) in enumerate(encoded.items()):
        url = site.add(f"/enc{number}", body, headers={"Content-Encoding": encoding}, chunks=7)
        result = await fetcher.fetch(url)
        assert result.ok and result.body.decode() == PAGE, encoding
    assert site.requests[0][1]["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize(
    ("encoding", "body", "reason"),
    [
        ("br", b"\x0b\x02\x80hello\x03", "content encoding 'br' is not supported"),
        ("gzip, gzip, gzip", _gzip(b"<html>x</html>", 3), "encoded 3 times over"),
        ("gzip", b"not gzip at all", "not valid gzip"),
    ],
)
async def test_bad_encodings_get_one_clear_refusal(
    site: LocalSite, fetcher: Fetcher, encoding: str, body: bytes, reason: str
) -> None:
    url = site.add("/odd", body, headers={"Content-Encoding": encoding})
    result = await fetcher.fetch(url)
    assert result.error is not None and reason in result.error


async def test_an_idle_connection_the_server_closed_is_not_reused(fetcher: Fetcher) -> None:
    """The pool asks each idle connection whether it is readable (closed counts): a server
    that closes a kept-alive connection between two fetches must cost nothing."""
    connections = 0
    body = b"<!doctype html><title>Harbour</title><p>The harbour reopened.</p>"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        await reader.readuntil(b"\r\n\r\n")
        length = f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n".encode()
        writer.write(head + length + body)
        await writer.drain()
        writer.close()  # then closes it at once, keep-alive or not

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        first = await fetcher.fetch(f"http://127.0.0.1:{port}/one")
        await asyncio.sleep(0.05)  # the close reaches the client's idle socket
        second = await fetcher.fetch(f"http://127.0.0.1:{port}/two")
    finally:
        server.close()
        await server.wait_closed()
    assert (first.error, second.error) == (None, None)
    assert first.body == second.body == body
    assert connections == 2
