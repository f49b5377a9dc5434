"""Feed polling throughput: feeds per second against a local server (issue 7).

Run: python benchmarks/feed_speed.py [--feeds N] [--entries N] [--per-host N]
     (builds its feeds from bot/data/wikinews_en.jsonl; nothing is downloaded)

A local aiohttp server on 127.0.0.1 serves N RSS 2.0 feeds, each with M items made from the
bundled Wikinews articles (those of 150 words or more): the whole text in <content:encoded>
(so no page is fetched), a guid and link unique to each item (links are on the feed's own
site, a reserved .example name that is never contacted), and a first paragraph that opens
with words unique to the item, so that no two items have the same body (the ~17 copies of
each article join one story as near-duplicates). Every feed answers with an ETag and
honours If-None-Match with 304 unless the round says otherwise.

`FeedPoller.poll_due` polls them as the bot's feed job does on each tick (a call claims up
to 100 feeds; it is called until no feed is due), through the real `WebIngest`, fetcher and
a fresh SQLite store. Three timed rounds: the first poll (every entry new and stored), a
re-poll one interval later that gets 200 with the same body (nothing new), and one that gets
304. The fetcher allows 16 connections per host by default (the bot's 2 is meant for many
hosts; here every feed is on one). Prints feeds/s per round and entries stored/s; there is
no target: the script fails only when something is wrong (articles missing, a poll error, a
feed polled twice or never, an unexpected answer or outcome).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from aiohttp import web
from common import exit_code, table_row

from bot.ingest.feeds import MAX_ENTRIES
from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.pages import word_count
from bot.ingest.polling import FeedPoller, PollReport
from bot.ingest.safety import AddressPolicy
from bot.ingest.web import WebIngest
from bot.models import Feed, utcnow
from bot.netaddr import parse_networks
from bot.store import Store, open_store

ARTICLES = Path(__file__).resolve().parents[1] / "bot" / "data" / "wikinews_en.jsonl"
ROUNDS = (("first poll", True), ("unchanged, 200", False), ("unchanged, 304", True))
MIN_WORDS = 150  # well above the teaser threshold: no entry makes the poller fetch its page


@dataclass
class FeedServer:
    """The feeds' bodies and ETags, whether to honour If-None-Match, and what was answered."""

    bodies: dict[str, bytes]
    etags: dict[str, str] = field(default_factory=dict)
    honour_etag: bool = True
    answered: Counter[int] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.etags = {
            name: f'"{hashlib.sha256(body).hexdigest()[:16]}"' for name, body in self.bodies.items()
        }

    async def feed(self, request: web.Request) -> web.Response:
        """One feed, or 304 when the client already has it (and the switch allows it)."""
        name = request.match_info["name"]
        etag = self.etags[name]
        if self.honour_etag and request.headers.get("If-None-Match") == etag:
            self.answered[304] += 1
            return web.Response(status=304, headers={"ETag": etag})
        self.answered[200] += 1
        return web.Response(
            body=self.bodies[name],
            headers={"ETag": etag, "Content-Type": "application/rss+xml; charset=utf-8"},
        )


@dataclass(frozen=True, slots=True)
class Record:
    """One bundled article: what an item is made of."""

    title: str
    url: str
    date: str  # YYYY-MM-DD
    text: str  # one paragraph per line


def read_articles() -> list[Record]:
    """The bundled articles long enough to be whole-text entries."""
    with ARTICLES.open(encoding="utf-8") as lines:
        raw = [json.loads(line) for line in lines if line.strip()]
    records = [  # two articles have no date
        Record(r["title"], r["url"], r.get("date") or "2000-01-01", r["text"]) for r in raw
    ]
    return [r for r in records if word_count(r.text) >= MIN_WORDS]


def item_xml(record: Record, feed: int, item: int) -> str:
    """One RSS item; the first paragraph starts with words no other item has."""
    # Each feed links to its own site: boilerplate lines are learned per site, and the
    # paragraphs every feed shares would be dropped as one site's furniture. The unique
    # words open a paragraph rather than stand alone: digits are folded in line keys.
    site = f"https://newsroom{feed}.example"
    slug = record.url.rstrip("/").rsplit("/", 1)[-1]
    link = f"{site}/{item}/{slug}"
    first, *rest = [p for p in record.text.split("\n") if p.strip()]
    paragraphs = [f"Newsroom {feed} report {item}: {first}", *rest]
    content = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    published = datetime.fromisoformat(record.date).replace(hour=12, tzinfo=UTC)
    return (
        f"<item><title>{html.escape(record.title)}</title>"
        f"<link>{html.escape(link)}</link>"
        f'<guid isPermaLink="false">newsroom{feed}-{item}-{html.escape(slug)}</guid>'
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
        f"<content:encoded>{html.escape(content, quote=False)}</content:encoded></item>"
    )


def feed_xml(records: list[Record], feed: int, entries: int) -> bytes:
    """Feed number `feed`: `entries` distinct articles, a different run of them per feed."""
    start = feed * entries
    items = [item_xml(records[(start + i) % len(records)], feed, i) for i in range(entries)]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>Newsroom {feed}</title><link>https://newsroom{feed}.example/</link>"
        f"<description>Benchmark feed {feed}</description>{''.join(items)}</channel></rss>"
    ).encode()


async def serve(server: FeedServer) -> tuple[web.AppRunner, str]:
    """Serve every feed at /feeds/<name>; the runner and the base URL."""
    app = web.Application()
    app.router.add_get("/feeds/{name}", server.feed)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def poll_round(poller: FeedPoller, now: datetime) -> tuple[float, list[PollReport]]:
    """Call `poll_due(now)` until no feed is due, as the bot's ticks would; seconds, reports."""
    reports: list[PollReport] = []
    started = time.perf_counter()
    while batch := await poller.poll_due(now):
        reports.extend(batch)
    return time.perf_counter() - started, reports


def problems(
    number: int, reports: list[PollReport], feed_ids: set[int], answered: Counter[int]
) -> list[str]:
    """What went wrong in a round: errors, feeds polled twice or never, wrong answers."""
    found = [f"{r.feed.url}: {r.error}" for r in reports if r.error]
    polled = Counter(r.feed.id for r in reports)
    if twice := [i for i, n in polled.items() if n > 1]:
        found.append(f"{len(twice)} feeds polled more than once")
    if never := feed_ids - set(polled):
        found.append(f"{len(never)} feeds not polled")
    if answered != Counter({304 if number == 3 else 200: len(feed_ids)}):
        found.append(f"the server answered {dict(answered)}")
    statuses = Counter(o.status for r in reports for o in r.outcomes)
    if number > 1 and statuses:
        found.append(f"unchanged feeds gave outcomes {dict(statuses)}")
    if other := {s: n for s, n in statuses.items() if s not in ("added", "duplicate")}:
        found.append(f"unexpected outcomes {other}")
    return [f"round {number}: {problem}" for problem in found]


async def add_feeds(poller: FeedPoller, base: str, names: list[str]) -> set[int]:
    """Add the served feeds to the store, untitled and due now; their ids."""
    ids: set[int] = set()
    for name in names:
        feed = Feed(f"{base}/feeds/{name}", interval=poller.interval)  # titled by its poll
        stored, _ = await poller.web.store.add_feed(feed)
        assert stored.id is not None
        ids.add(stored.id)
    return ids


async def first_poll(
    store: Store, reports: list[PollReport], items: int, seconds: float
) -> tuple[str, list[str]]:
    """What the first poll stored (text for its line) and, if articles are missing, why."""
    added = sum(r.count("added") for r in reports)
    duplicates = sum(r.count("duplicate") for r in reports)
    stored = await store.count_articles()
    shown = (
        f", {stored} articles stored of {items} entries ({duplicates} duplicates),"
        f" {stored / seconds:.1f} entries stored/s"
    )
    if stored == added == items - duplicates:
        return shown, []
    return shown, [f"round 1: {stored} articles stored and {added} added of {items} entries"]


async def run(args: argparse.Namespace, server: FeedServer, base: str, store: Store) -> bool:
    """Add the feeds, time the three rounds, print one line each and a summary."""
    limits = FetchLimits(per_host=args.per_host)
    fetcher = Fetcher(AddressPolicy(parse_networks("127.0.0.1")), limits)
    poller = FeedPoller(WebIngest(store, fetcher))
    wrong: list[str] = []
    rates: list[float] = []
    stored_rate = 0.0
    try:
        feed_ids = await add_feeds(poller, base, list(server.bodies))
        feeds = len(feed_ids)
        for number, (label, honour) in enumerate(ROUNDS, 1):
            server.honour_etag = honour
            server.answered.clear()
            # Later rounds run one interval on: every feed is due, and one polled in the
            # round is due again only after `now` (its next poll is its poll time + interval).
            now = utcnow() + timedelta(seconds=poller.interval if number > 1 else 0)
            seconds, reports = await poll_round(poller, now)
            wrong += problems(number, reports, feed_ids, server.answered)
            rates.append(feeds / seconds)
            line = f"round {number} ({label}): {feeds} feeds in {seconds:.2f} s, "
            line += f"{rates[-1]:.1f} feeds/s"
            if number == 1:
                shown, missing = await first_poll(store, reports, feeds * args.entries, seconds)
                stored_rate = await store.count_articles() / seconds
                line += shown
                wrong += missing
            print(line)
    finally:
        await fetcher.aclose()
    for problem in wrong[:10]:
        print("WRONG:", problem)
    print(
        f"feed polling ({len(server.bodies)} feeds x {args.entries} entries, "
        f"per-host limit {args.per_host}): " + ", ".join(f"{r:.1f}" for r in rates) + " feeds/s"
        f" (first, unchanged, not modified); {len(wrong)} problems"
    )
    table_row(
        f"feed polling, {len(server.bodies)} local feeds × {args.entries} whole-text entries: "
        "first poll / unchanged (200) / not modified (304)",
        " / ".join(f"{r:.1f}" for r in rates) + f" feeds/s ({stored_rate:.0f} entries stored/s)",
        "every entry stored, no poll error",
        not wrong,
    )
    return not wrong


async def main() -> int:
    """Print feeds/s for the three rounds; exit 1 when a check failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--per-host", type=int, default=16, help="fetcher's per-host limit")
    args = parser.parse_args()
    records = read_articles()
    most = min(len(records), MAX_ENTRIES)  # the poller reads at most MAX_ENTRIES per feed
    if not 0 < args.entries <= most or args.feeds < 1 or args.per_host < 1:
        parser.error(f"--entries must be 1..{most}, --feeds and --per-host at least 1")
    bodies = {f"f{n}": feed_xml(records, n, args.entries) for n in range(args.feeds)}
    server = FeedServer(bodies)
    runner, base = await serve(server)
    try:
        with tempfile.TemporaryDirectory() as folder:
            store = open_store(f"sqlite:///{folder}/feeds.db")
            await store.open()
            try:
                ok = await run(args, server, base, store)
            finally:
                await store.close()
    finally:
        await runner.cleanup()
    return exit_code(ok)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
