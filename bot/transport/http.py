"""The bot's HTTP layer to the Bot API: PTB's `BaseRequest` on an aiohttp client session.

PTB's default layer (httpx over httpcore and anyio) costs most of the bot's CPU under load:
httpcore walks every pooled connection, asking each whether it expired, for every request.
Profiled at 50 concurrent users it took 60% of the event loop, so the bot answered at most
~170 commands/s on one core. aiohttp's client keeps idle connections per host and parses
HTTP in C; `python benchmarks/e2e_load.py` has the figures.

The proxy is TELEGRAM_PROXY when set, else the environment's (`HTTPS_PROXY`, `NO_PROXY`) as
with PTB's default, read once per host: aiohttp's own `trust_env` reads them and ~/.netrc
again on every request, on a thread, which cost more than the request itself.
Errors map to PTB's: a timeout is `TimedOut`, any other client failure `NetworkError`; the
request URL (it holds the bot token) never appears in their text.

Parameters go as one JSON body (the Bot API takes `application/json` for every request that
uploads no file), multipart only with files: PTB's url-encoded form quotes every character of
a reply in pure Python, a tenth of the bot's CPU per answer under load.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

POOL_SIZE = 128  # connections to the Bot API at most; more requests wait for a free one
TIMEOUT = 5.0  # seconds: PTB's defaults for connect, read and write
POOL_TIMEOUT = 1.0  # seconds a request may wait for a free connection
_JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """Bot API requests over one aiohttp session, opened by `initialize`."""

    def __init__(
        self,
        pool_size: int = POOL_SIZE,
        *,
        timeout: float | None = TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
        proxy: str | None = None,
    ) -> None:
        """A closed layer; `timeout` is the default connect, read and write timeout.

        Every request goes through `proxy` when given, else through the environment's.
        """
        self._pool_size = pool_size
        self._fixed_proxy = proxy
        self._timeout = timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}  # (scheme, host) → proxy URL

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (PTB adds the long-poll time of getUpdates to it)."""
        return self._timeout

    async def initialize(self) -> None:
        """Open the session (again after `shutdown`)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            headers = {"User-Agent": self.USER_AGENT}
            self._session = aiohttp.ClientSession(connector=connector, headers=headers)

    async def shutdown(self) -> None:
        """Close the session and its connections; closing twice is harmless."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; its HTTP status and body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        timeout = self._client_timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        body, proxy = _body(request_data), self._proxy(url)
        headers = _JSON if isinstance(body, bytes) else None
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                allow_redirects=False,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut(f"Timed out: {type(error).__name__}") from None
        except aiohttp.ClientError as error:
            text = str(error).replace(url, "<Bot API URL>")
            raise NetworkError(f"aiohttp.{type(error).__name__}: {text}") from None

    def _proxy(self, url: str) -> str | None:
        """The given proxy, or the one the environment names for `url`'s host (cached)."""
        if self._fixed_proxy:
            return self._fixed_proxy
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            bypass = proxy_bypass(key[1])
            self._proxies[key] = None if bypass else getproxies().get(key[0])
        return self._proxies[key]

    def _client_timeout(
        self,
        read: object,
        write: object,
        connect: object,
        pool: object,
    ) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts from PTB's four (one not given: this layer's default).

        aiohttp has no write timeout: the whole request is bounded by the sum of all four.
        """
        seconds = [_given(value, self._timeout) for value in (read, write, connect)]
        seconds.append(_given(pool, self._pool_timeout))
        total = None if None in seconds else sum(part or 0.0 for part in seconds)
        read_s, _, connect_s, pool_s = seconds
        waiting = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(
            total=total, connect=waiting, sock_connect=connect_s, sock_read=read_s
        )


def _given(value: object, default: float | None) -> float | None:
    """`value` in seconds (None: no limit), or `default` when PTB marks it as not given.

    PTB's marker for "not given" is a private class (`DefaultValue`); anything that is not a
    number or None is taken as that marker, so no private name is imported here.
    """
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return default


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """The body of a request: its parameters as JSON, or multipart when it uploads files."""
    if request_data is None:
        return None
    files = request_data.multipart_data
    if not files:
        text = json.dumps(request_data.parameters, ensure_ascii=False)
        return text.encode("utf-8", "replace")  # a lone surrogate (invalid Unicode) → "?"
    form = aiohttp.FormData(request_data.json_parameters)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
