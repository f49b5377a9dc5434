"""The web half of the command line: `feeds add|list|remove`, `ingest URL|PATH... [--feeds]`
and `extract PATH_OR_URL`. `bot/cli.py` registers the subcommands and calls these.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO, TypeVar

from bot.config import Settings
from bot.errors import IngestError
from bot.ingest import sitelines
from bot.ingest.clean import clean_text
from bot.ingest.files import decode_text
from bot.ingest.pipeline import Outcome
from bot.ingest.polling import FeedPoller
from bot.ingest.region import split_page
from bot.ingest.service import IngestReport, ingest_paths
from bot.ingest.urls import site_of
from bot.store import Store, open_store
from bot.usecases.sources import build_web, seed_default_feeds

T = TypeVar("T")
_URL_PREFIXES = ("http://", "https://")


@asynccontextmanager
async def _opened(settings: Settings, bulk: bool = False) -> AsyncIterator[FeedPoller]:
    """The store and web ingestion, open for the command's duration.

    A bulk run extracts in worker processes (INGEST_WORKERS, else up to 4 by CPU count).
    """
    store = open_store(settings.database_url)
    await store.open()
    workers = settings.ingest_workers
    if workers is None:
        workers = min(4, os.cpu_count() or 1) if bulk else 0
    poller = build_web(settings, store, workers=workers)
    try:
        yield poller
    finally:
        await poller.web.close()
        await store.close()


class Progress:
    """A progress bar on stderr (one line per step when stderr is not a terminal)."""

    def __init__(self, total: int, label: str, out: TextIO | None = None) -> None:
        """Start at zero of `total` (on stderr unless `out` is given)."""
        self.out = out or sys.stderr
        self.total, self.label, self.done = total, label, 0
        self.live = self.out.isatty()

    def step(self, note: str = "") -> None:
        """One more item done."""
        self.done += 1
        width = 30
        filled = width * self.done // max(self.total, 1)
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {self.label}"
        if self.live:
            self.out.write(f"\r{bar} {note[:40]:<40}")
            if self.done >= self.total:
                self.out.write("\n")
        else:
            self.out.write(f"{bar} {note}\n")
        self.out.flush()


async def _tracked(progress: Progress, work: Awaitable[T], note: Callable[[T], str]) -> T:
    """Await `work`, then advance the progress bar."""
    result = await work
    progress.step(note(result))
    return result


def _count(report: IngestReport, outcome: Outcome) -> None:
    """Add a web outcome to the same counters as file ingestion."""
    if outcome.status == "added":
        report.added += 1
    elif outcome.status == "updated":
        report.updated += 1
    elif outcome.status == "duplicate":
        report.duplicate += 1
    else:
        report.failures.append((outcome.url, outcome.reason or outcome.status))


def _print_report(report: IngestReport, prefix: str = "") -> int:
    """Print failures to stderr and the counts to stdout; the exit code."""
    for where, reason in report.failures:
        print(f"skipped {where}: {reason}", file=sys.stderr)
    print(
        f"{prefix}added {report.added}, updated {report.updated}, "
        f"already stored {report.duplicate}, skipped {len(report.failures)}"
    )
    return 1 if report.failures and not (report.added or report.updated) else 0


def ingest(settings: Settings, args: argparse.Namespace) -> int:
    """`newsbot ingest URL|PATH... [--feeds]`: store files, pages and feeds."""
    targets: list[str] = list(args.paths)
    if not targets and not args.feeds:
        print("newsbot ingest: give files, folders or URLs, or --feeds", file=sys.stderr)
        return 2
    return asyncio.run(_ingest(settings, targets, feeds=args.feeds))


async def _ingest(settings: Settings, targets: list[str], *, feeds: bool) -> int:
    """Files through the file loader, URLs and feeds through web ingestion."""
    urls = [t for t in targets if t.lower().startswith(_URL_PREFIXES)]
    paths = [Path(t) for t in targets if not t.lower().startswith(_URL_PREFIXES)]
    async with _opened(settings, bulk=feeds or len(urls) > 4) as poller:
        report = await ingest_paths(poller.web.store, paths) if paths else IngestReport()
        progress = Progress(len(urls), "pages")
        jobs = [_tracked(progress, poller.web.ingest_url(u), lambda o: o.status) for u in urls]
        for outcome in await asyncio.gather(*jobs):
            _count(report, outcome)
        code = _print_report(report) if targets else 0
        if feeds:
            code = max(code, await _poll_all(poller, settings))
    return code


async def _poll_all(poller: FeedPoller, settings: Settings) -> int:
    """Poll every active feed once, with a progress bar; print what they brought."""
    await seed_default_feeds(poller.web.store, settings)
    feeds = [f for f in await poller.web.store.list_feeds() if f.status == "active"]
    progress = Progress(len(feeds), "feeds")
    reports = await asyncio.gather(
        *(_tracked(progress, poller.poll(f), lambda r: r.error or "ok") for f in feeds)
    )
    report = IngestReport()
    for poll in reports:
        if poll.error:
            report.failures.append((poll.feed.url, poll.error))
        for outcome in poll.outcomes:
            _count(report, outcome)
    failed = sum(1 for poll in reports if poll.error)
    return _print_report(report, prefix=f"feeds: {len(feeds)} polled, {failed} failed; ")


def feeds(settings: Settings, args: argparse.Namespace) -> int:
    """`newsbot feeds add URL | list | remove ID_OR_URL`."""
    return asyncio.run(_feeds(settings, args))


async def _feeds(settings: Settings, args: argparse.Namespace) -> int:
    """Run one feeds subcommand."""
    async with _opened(settings) as poller:
        store = poller.web.store
        if args.action == "add":
            try:
                feed, created = await poller.add_feed(args.target, args.interval)
            except IngestError as exc:
                print(f"newsbot feeds add: {exc}", file=sys.stderr)
                return 1
            print(f"{'added' if created else 'already listed'} #{feed.id} {feed.url} {feed.title}")
        elif args.action == "remove":
            return await _remove(store, args.target)
        else:
            for feed in await store.list_feeds():
                success = (
                    feed.last_success.isoformat(timespec="seconds")
                    if feed.last_success
                    else "never"
                )
                newest = feed.last_new.isoformat(timespec="seconds") if feed.last_new else "none"
                error = f"  last error: {feed.last_error}" if feed.last_error else ""
                print(
                    f"#{feed.id}\t{feed.status}\t{feed.articles} articles\tlast success {success}"
                    f"\tnewest entry {newest}\t{feed.url}\t{feed.title}{error}"
                )
    return 0


async def _remove(store: Store, target: str) -> int:
    """Remove a feed by id or URL."""
    feed = await store.get_feed(int(target)) if target.isdigit() else await store.find_feed(target)
    if feed is None or feed.id is None:
        print(f"newsbot feeds remove: no feed {target!r}", file=sys.stderr)
        return 1
    await store.remove_feed(feed.id)
    print(f"removed #{feed.id} {feed.url}")
    return 0


def extract(settings: Settings, args: argparse.Namespace) -> int:
    """`newsbot extract PATH_OR_URL`: the clean text as it would be stored."""
    try:
        title, text = asyncio.run(_extract(settings, args.target))
    except IngestError as exc:
        print(f"newsbot extract: {exc}", file=sys.stderr)
        return 1
    print(title)
    print(text)
    return 0


async def _extract(settings: Settings, target: str) -> tuple[str, str]:
    """Title and body of a page (URL) or a local .txt/.html file."""
    if not target.lower().startswith(_URL_PREFIXES):
        return await asyncio.to_thread(_extract_file, Path(target))
    async with _opened(settings) as poller:
        candidate = await poller.web.fetch_candidate(target)
        if isinstance(candidate, Outcome):
            raise IngestError(candidate.reason or candidate.status)
        site = site_of(candidate.url or target)
        known = await poller.web.store.site_boilerplate(site, sitelines.MIN_ARTICLES)
        return candidate.title, sitelines.drop_known(candidate.text, known)


def _extract_file(path: Path) -> tuple[str, str]:
    """A .txt file through the plain-text cleaner, an .html file through the extractor."""
    from bot.ingest.extract import extract_html

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() in (".html", ".htm"):
        page = extract_html(data)
        if page.title:
            return page.title, page.text
        title, _, text = page.text.partition("\n")
        return title, text
    if path.suffix.lower() != ".txt":
        raise IngestError(f"{path}: only .txt and .html files (or http(s) URLs) can be extracted")
    return split_page(clean_text(decode_text(data)))
