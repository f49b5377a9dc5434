"""The one HTTP client for feeds and pages: safe, bounded and polite.

Every request goes through `Fetcher.fetch`, which never raises: a failure comes back as a
`FetchResult` with `error` set. It follows redirects itself (each hop checked), caps the body,
keeps to a few connections per host and backs off when a server answers 429 or 5xx.

The client is aiohttp's (its HTTP parser is C): fetching a page on loopback costs 0.17 ms of
CPU against httpx's 1.2 ms with the same checks (docs/decisions/0013).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from importlib import metadata
from typing import Any

import aiohttp
import certifi

from bot.errors import IngestError, UnsafeURLError
from bot.ingest.safety import AddressPolicy, GuardedResolver, guarded_socket
from bot.ingest.urls import check_url, normalize_url, resolve, site_of
from bot.models import utcnow

log = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
     "text/xml", "application/feed+xml", "application/x-rss+xml", "text/rss+xml",
     "text/atom+xml", "application/feed+json", "application/json"}
)  # fmt: skip
# Served with a type that says nothing; the body tells (an XML feed, a JSON Feed, HTML).
_VAGUE_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
HEADER_BYTES = 64 * 1024  # the longest response header line the fetcher reads
_RETRYABLE = frozenset({429, 500, 502, 503, 504})


def _user_agent() -> str:
    """An honest User-Agent: who we are and what we do."""
    try:
        version = metadata.version("newsbot")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"newsbot/{version} (news summary bot; reads public articles; python-aiohttp)"


USER_AGENT = _user_agent()


@functools.cache
def _certified_context() -> ssl.SSLContext:
    """HTTPS verified against certifi's authorities: one context per process, shared by every
    fetcher (loading the authorities takes ~45 ms; `ingest_speed.py` paid it every round)."""
    return ssl.create_default_context(cafile=certifi.where())


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Timeouts (seconds), sizes and politeness rules of the fetcher."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0  # a server trickling bytes cannot hold a fetch longer
    max_bytes: int = 5 * 2**20
    max_redirects: int = 5
    per_host: int = 2
    retries: int = 2
    backoff: float = 1.0  # first retry delay, doubled each time
    max_retry_wait: float = 30.0  # a longer Retry-After is reported instead of waited for


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch produced: a body, a 304, or an error saying why not."""

    url: str
    final_url: str
    status: int = 0
    media_type: str = ""
    charset: str | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        """A 200 with a body of an accepted type."""
        return self.error is None and self.status == 200

    @property
    def not_modified(self) -> bool:
        """The server said the resource has not changed since the last fetch."""
        return self.error is None and self.status == 304

    @property
    def is_feed(self) -> bool:
        """The body is XML (a feed, presumably) rather than HTML."""
        return self.media_type in FEED_TYPES


class _Failed(Exception):
    """A fetch that ends with an error message (internal to this module)."""

    def __init__(self, message: str, status: int = 0, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


class Fetcher:
    """Shared async HTTP client; open one per process and close it with `aclose`."""

    def __init__(
        self,
        policy: AddressPolicy,
        limits: FetchLimits | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        """Remember the settings; the client itself starts on the first fetch, in the
        running event loop (aiohttp's sessions belong to one). `ssl_context`: whom HTTPS
        servers must be certified by (default: certifi's authorities)."""
        self.limits = limits or FetchLimits()
        self.policy = policy
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _client(self) -> aiohttp.ClientSession:
        """The session, started on first use."""
        if self._session is None:
            limits = self.limits
            context = self._ssl or _certified_context()
            connector = aiohttp.TCPConnector(
                limit=100,
                limit_per_host=0,  # `per_host` is kept by our own semaphores
                ssl=context,
                resolver=GuardedResolver(self.policy, limits.connect_timeout),
                socket_factory=guarded_socket(self.policy),
                use_dns_cache=False,  # every connection resolves and checks anew
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=limits.connect_timeout, sock_read=limits.read_timeout
                ),
                auto_decompress=False,  # BoundedDecoder undoes the encodings, capped
                trust_env=False,
                # Long Content-Security-Policy or cookie headers pass (httpx took 16 KB of
                # headers; aiohttp's default is 8 KB a line).
                max_line_size=HEADER_BYTES,
                max_field_size=HEADER_BYTES,
                # Only what BoundedDecoder undoes (aiohttp would also offer br or zstd when
                # their packages are installed).
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": _ACCEPT,
                    "Accept-Encoding": "gzip, deflate",
                },
            )
        return self._session

    async def aclose(self) -> None:
        """Close every connection."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` (conditionally when a validator is given); never raises."""
        headers = {"If-None-Match": etag} if etag else {}
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        try:
            async with asyncio.timeout(self.limits.total_timeout):
                return await self._follow(url, headers)
        except _Failed as exc:
            error, status, retry_after = str(exc), exc.status, exc.retry_after
        except UnsafeURLError as exc:
            error, status, retry_after = str(exc), 0, None
        except IngestError as exc:
            error, status, retry_after = str(exc), 0, None
        except TimeoutError:  # aiohttp's connect and read timeouts are TimeoutErrors too
            error, status, retry_after = "timed out", 0, None
        except (aiohttp.InvalidURL, ValueError, UnicodeError) as exc:
            error, status, retry_after = f"malformed URL: {exc}", 0, None
        except (aiohttp.ClientError, OSError) as exc:
            error, status, retry_after = f"network error: {exc or type(exc).__name__}", 0, None
        log.info("fetch %s failed: %s", url, error)
        return FetchResult(url, current, status, error=error, retry_after=retry_after)

    async def _follow(self, url: str, headers: dict[str, str]) -> FetchResult:
        """Fetch, following up to `max_redirects` redirects, each hop checked anew."""
        current = check_url(url)
        seen = {normalize_url(current)}
        for _ in range(self.limits.max_redirects + 1):
            result, location = await self._hop(url, current, headers)
            if location is None:
                return result
            current = check_url(resolve(current, location))
            key = normalize_url(current)
            if key in seen:
                raise _Failed(f"redirect loop at {current}", result.status)
            seen.add(key)
        raise _Failed(f"more than {self.limits.max_redirects} redirects")

    async def _hop(
        self, url: str, current: str, headers: dict[str, str]
    ) -> tuple[FetchResult, str | None]:
        """One request (with retries), under the host's concurrency limit."""
        host = site_of(current)
        semaphore = self._hosts.setdefault(host, asyncio.Semaphore(self.limits.per_host))
        async with semaphore:
            for attempt in range(self.limits.retries + 1):
                try:
                    return await self._request(url, current, headers)
                except _Failed as exc:
                    if exc.status not in _RETRYABLE or attempt == self.limits.retries:
                        raise
                    delay = exc.retry_after or self.limits.backoff * 2**attempt
                    if delay > self.limits.max_retry_wait:
                        raise
                    log.info("%s answered %d; retrying in %.1f s", host, exc.status, delay)
                    await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _request(
        self, url: str, current: str, headers: dict[str, str]
    ) -> tuple[FetchResult, str | None]:
        """One GET; a redirect returns its Location, an error status raises `_Failed`."""
        request = self._client().get(current, headers=headers, allow_redirects=False)
        async with request as response:
            status = response.status
            if status in _REDIRECTS and "location" in response.headers:
                return FetchResult(url, current, status), response.headers["location"]
            if status == 304:
                return FetchResult(url, current, 304, headers=_headers(response)), None
            if status != 200:
                retry_after = retry_after_seconds(response.headers.get("retry-after"))
                raise _Failed(f"HTTP {status}", status, retry_after)
            media_type, charset = _content_type(response.headers.get("content-type", ""))
            body = await self._read(response)
            if media_type in _VAGUE_TYPES:
                media_type = _sniff(body) or media_type
            if media_type not in HTML_TYPES and media_type not in FEED_TYPES:
                raise _Failed(f"content type {media_type or 'unknown'} is not HTML or a feed")
            result = FetchResult(url, current, 200, media_type, charset, body, _headers(response))
            return result, None

    async def _read(self, response: aiohttp.ClientResponse) -> bytes:
        """The body, refused as soon as it (or any layer of its decoding) passes `max_bytes`.

        The raw bytes are decoded here, a chunk at a time with a bounded output, never by the
        HTTP client: httpx's decoders inflated a whole chunk through every layer before
        anyone could look at the size, so 2 KB of gzip inside gzip became 2 GB of memory.
        """
        cap = self.limits.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Failed(f"body of {int(declared)} bytes is over the {cap}-byte cap")
        decoder = BoundedDecoder(response.headers.get("content-encoding", ""), cap)
        async for chunk in response.content.iter_any():
            decoder.feed(chunk)
        return decoder.finish()


class BoundedDecoder:
    """Undo a Content-Encoding chain (gzip, deflate, identity) with every layer's size capped.

    Each layer inflates at most `cap` + 1 bytes per call (zlib's `max_length`), so memory
    stays near `cap` whatever the ratio or the depth of the chain; past the cap, or on an
    encoding we did not ask for, it raises `_Failed` with one clear reason.
    """

    MAX_LAYERS = 2  # gzip inside gzip is legal, but no real server sends more

    def __init__(self, header: str, cap: int) -> None:
        """Decoders for `header` (e.g. "gzip" or "gzip, gzip"), outermost last."""
        names = [n.strip().lower() for n in header.split(",") if n.strip()]
        names = [n for n in names if n != "identity"]
        if len(names) > self.MAX_LAYERS:
            raise _Failed(f"content encoded {len(names)} times over ({header})")
        for name in names:
            if name not in _ZLIB_WBITS:
                raise _Failed(f"content encoding {name!r} is not supported")
        self._cap = cap
        self._layers = [_Layer(name) for name in reversed(names)]  # the last applied first
        self._chunks: list[bytes] = []
        self._size = 0

    def feed(self, data: bytes) -> None:
        """Decode one raw chunk; raises `_Failed` once the body passes the cap."""
        for layer in self._layers:
            data = layer.inflate(data, self._cap)
        self._keep(data)

    def finish(self) -> bytes:
        """The whole decoded body (after checking each layer ended where it should)."""
        data = b""
        for layer in self._layers:
            data = layer.inflate(data, self._cap) + layer.flush()
        self._keep(data)
        return b"".join(self._chunks)

    def _keep(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._cap:
            raise _Failed(f"body is over the {self._cap}-byte cap once decoded")
        if data:
            self._chunks.append(data)


_ZLIB_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": 0}


class _Layer:
    """One zlib decoder; "deflate" is zlib-wrapped or, as some servers send it, raw."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._wbits = _ZLIB_WBITS[name]
        self._zlib: Any = None
        self._produced = 0

    def inflate(self, data: bytes, cap: int) -> bytes:
        """At most `cap` + 1 bytes from `data` (more would be refused anyway)."""
        out: list[bytes] = []
        while data:
            if self._zlib is None:
                self._zlib = zlib.decompressobj(self._pick(data))
            elif self._zlib.eof:  # another gzip member follows; anything else is ignored
                if self._name == "deflate" or not data.startswith(b"\x1f\x8b"):
                    break
                self._zlib = zlib.decompressobj(self._wbits)
            try:  # max_length is never 0 here (zlib's "no limit"): the cap check came first
                piece: bytes = self._zlib.decompress(data, cap + 1 - self._produced)
            except zlib.error as exc:
                raise _Failed(f"body is not valid {self._name}: {exc}") from None
            self._produced += len(piece)
            if self._produced > cap or self._zlib.unconsumed_tail:
                raise _Failed(f"body is over the {cap}-byte cap once decoded")
            out.append(piece)
            data = self._zlib.unused_data if self._zlib.eof else b""
        return b"".join(out)

    def flush(self) -> bytes:
        """What the decoder still holds (nothing, with `max_length` honoured)."""
        return self._zlib.flush() if self._zlib is not None else b""

    def _pick(self, data: bytes) -> int:
        """zlib's window bits: a zlib header for deflate when there is one, raw otherwise."""
        if self._name != "deflate":
            return self._wbits
        zlib_header = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
        return zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS


_ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,*/*;q=0.1"  # noqa: E501


def _headers(response: aiohttp.ClientResponse) -> dict[str, str]:
    """Response headers with lower-case names (the last of repeated ones)."""
    return {name.lower(): value for name, value in response.headers.items()}


def _content_type(header: str) -> tuple[str, str | None]:
    """Media type (lower-case, no parameters) and charset of a Content-Type header."""
    media_type, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _sniff(body: bytes) -> str:
    """A media type for a body served without one: XML, HTML or nothing we take."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")) and (
        b"<html" not in body[:2048].lower()
    ):
        return "application/xml"
    if head.startswith(b"{") and b"jsonfeed.org/version/" in head:
        return "application/feed+json"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "text/html"
    return ""


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - utcnow()).total_seconds())
