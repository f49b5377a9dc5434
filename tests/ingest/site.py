"""A small web site on 127.0.0.1 for the ingestion tests: real HTTP, pages and feeds.

Routes are registered by path; each can answer slowly, with any status and headers, in
chunks, or with 304 to a matching If-None-Match. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from html import escape

from aiohttp import web


@dataclass
class Route:
    """How the site answers one path."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the answer starts
    chunks: int = 0  # > 0: stream the body in this many chunks, without a Content-Length
    etag: str | None = None  # answer 304 when the request's If-None-Match equals it
    then: Route | None = None  # after one answer, the path answers like this instead


@dataclass
class LocalSite:
    """The site, its routes and the requests it has seen."""

    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    base: str = ""
    ssl_context: ssl.SSLContext | None = None  # set: the site speaks HTTPS
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Listen on a free loopback port; the base URL."""
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self.ssl_context).start()
        scheme = "https" if self.ssl_context else "http"
        self.base = f"{scheme}://127.0.0.1:{self._runner.addresses[0][1]}"
        return self.base

    async def stop(self) -> None:
        """Close the server."""
        if self._runner:
            await self._runner.cleanup()

    def url(self, path: str) -> str:
        """The absolute URL of a path on this site."""
        return f"{self.base}{path}"

    def add(self, path: str, body: str | bytes, **options: object) -> str:
        """Serve `body` at `path` (options as in `Route`); returns the URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(data, **options)  # type: ignore[arg-type]
        return self.url(path)

    def hits(self, path: str) -> int:
        """How many requests reached `path` (query string included when registered so)."""
        return sum(1 for seen, _ in self.requests if seen == path)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.requests.append((request.path_qs, headers))
        route = self.routes.get(request.path_qs) or self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="<html><body>Not found</body></html>")
        if route.then is not None:
            self.routes[request.path_qs if request.path_qs in self.routes else request.path] = (
                route.then
            )
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.etag and headers.get("if-none-match") == route.etag:
            return web.Response(status=304, headers={"ETag": route.etag})
        extra = {**route.headers, **({"ETag": route.etag} if route.etag else {})}
        if route.chunks:
            return await self._stream(request, route, extra)
        return web.Response(
            body=route.body,
            status=route.status,
            headers={"Content-Type": route.content_type, **extra},
        )

    async def _stream(
        self, request: web.Request, route: Route, headers: dict[str, str]
    ) -> web.StreamResponse:
        response = web.StreamResponse(
            status=route.status, headers={"Content-Type": route.content_type, **headers}
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        size = max(1, len(route.body) // route.chunks)
        try:
            for start in range(0, len(route.body), size):
                await response.write(route.body[start : start + size])
                await asyncio.sleep(0)
            await response.write_eof()
        except (ConnectionResetError, RuntimeError):
            pass  # the client hung up on purpose (size cap)
        return response


STORIES = {
    "harbour": (
        "Harbour bridge reopens after months of repairs",
        [
            "The old harbour bridge reopened to traffic on Tuesday morning after eight months "
            "of repairs that cost the city more than forty million euros.",
            "Engineers replaced every steel cable and resurfaced the deck, which had been closed "
            "since a lorry struck the southern tower during a storm last winter.",
            "Commuters queued before dawn to be among the first to cross, and several ferry "
            "operators said demand for their boats fell sharply within hours.",
            "The mayor thanked residents for their patience and promised that a new cycle lane "
            "on the eastern side would open before the end of the summer.",
            "Critics on the council said the project ran two months late and asked the auditor "
            "to review how the contractor had been chosen.",
        ],
    ),
    "orchard": (
        "Late frost leaves apple growers counting losses",
        [
            "Apple growers in the northern valleys lost up to a third of their blossom after "
            "two nights of hard frost at the end of April, the growers' association said.",
            "Farmers lit fires between the rows and ran sprinklers through the night, but "
            "temperatures fell to minus five degrees before sunrise on Friday.",
            "The association asked the regional government for emergency loans and warned that "
            "prices for local cider could rise by the autumn.",
            "Meteorologists said the cold snap was unusual so late in spring and linked it to a "
            "stalled high-pressure system over the North Sea.",
            "Some younger orchards escaped damage because they flower later, and their owners "
            "expect an ordinary harvest.",
        ],
    ),
    "library": (
        "City library lends out tools as well as books",
        [
            "The central library has started lending drills, ladders and sewing machines, and "
            "more than two hundred members borrowed something in the first week.",
            "Librarians said the idea came from a survey in which residents asked for expensive "
            "equipment that they would only use a few times a year.",
            "Each item carries a barcode like a book and can be kept for seven days, with a "
            "small deposit for the most valuable machines.",
            "Volunteers from a repair café check every returned tool and run free workshops on "
            "Saturday afternoons for people who want to learn basic repairs.",
            "Other branches will join the scheme next year if the council approves the budget "
            "for extra storage shelves.",
        ],
    ),
    "comet": (
        "Amateur astronomers spot a new comet over the desert",
        [
            "Two amateur astronomers photographed a faint comet from a desert observatory on "
            "Sunday night, and professional observatories confirmed the discovery a day later.",
            "The comet is too dim to see without a telescope, but it may brighten as it "
            "approaches the Sun in the coming months, astronomers said.",
            "The discoverers used a second-hand telescope and a camera they built themselves, "
            "and they shared their images with an online network of observers.",
            "Its orbit suggests that the comet last passed through the inner solar system "
            "several thousand years ago.",
            "The international astronomical union will name the comet after its discoverers, "
            "following a tradition that dates back centuries.",
        ],
    ),
}


def article_html(
    key: str,
    *,
    canonical: str | None = None,
    site_name: str = "Local Gazette",
    furniture: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
) -> str:
    """A news page for one of STORIES: menu, the article, footer; `furniture` lines inside."""
    title, paragraphs = STORIES[key]
    head = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in [*paragraphs, *extra])
    body += "".join(f"<p>{escape(line)}</p>" for line in furniture)
    return (
        f"<!doctype html><html lang='en'><head><title>{escape(title)} | {site_name}</title>"
        f'<meta property="og:site_name" content="{site_name}">{head}</head><body>'
        "<nav><a href='/'>Home</a> <a href='/world'>World</a> <a href='/sport'>Sport</a></nav>"
        f"<main><article><h1>{escape(title)}</h1>{body}</article></main>"
        "<footer><p>© Local Gazette. All rights reserved.</p></footer></body></html>"
    )


def rss(items: list[dict[str, str]], title: str = "Local Gazette") -> str:
    """An RSS 2.0 document; each item's keys become its elements (escaped)."""
    parts = [
        f"<item>{''.join(f'<{k}>{escape(v)}</{k}>' for k, v in item.items())}</item>"
        for item in items
    ]
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>http://example.org/</link>"
        f"{''.join(parts)}</channel></rss>"
    )
