"""Ingestion into a store: load files off the event loop, add the articles, count outcomes."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from bot.errors import IngestError
from bot.ingest.files import LoadResult, list_files, load_file
from bot.ingest.records import article_from_record, with_sentences
from bot.store.base import Store

log = logging.getLogger(__name__)

BUNDLED_SAMPLE = ("wikinews_en.jsonl", "wikinews_ru.jsonl", "wikinews_zh.jsonl")
BUNDLED_SOURCE = "Wikinews"
# MediaWiki's italic and bold marks ('' and ''') that the Russian export kept in 13 of its
# 123 articles: users read "группа ''Depeche Mode''" in answers. Two apostrophes in a row
# are never text in the sample.
_WIKI_QUOTES = re.compile(r"'{2,}")


@dataclass(slots=True)
class IngestReport:
    """What an ingestion run did: store outcomes counted, failures listed by input."""

    added: int = 0
    duplicate: int = 0
    updated: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (path[:line], reason)

    @property
    def failed(self) -> int:
        """How many files or lines could not be loaded."""
        return len(self.failures)

    @property
    def total(self) -> int:
        """How many inputs were seen, whatever happened to them."""
        return self.added + self.duplicate + self.updated + self.failed


async def ingest_paths(store: Store, paths: Iterable[Path | str]) -> IngestReport:
    """Load the files and directories named and add their articles to the store."""
    report = IngestReport()
    files = await asyncio.to_thread(list_files, list(paths))
    for path in files:
        results = await asyncio.to_thread(load_file, path)
        await _store_results(store, results, report)
    log.info("ingested %d inputs: %s", len(files), report)
    return report


async def load_bundled_sample(store: Store) -> IngestReport:
    """Add the Wikinews sample shipped with the package (meant for an empty store).

    The sample is an archive: an article of it without a date (the Russian export has none)
    is filed as fetched at the sample's oldest date, not now. Fetched now, 123 Russian
    articles of 2006-2020 were the newest news in /latest and outranked every dated article
    in searches weighted by recency. It is still shown as undated."""
    report = IngestReport()
    loaded = [await asyncio.to_thread(_load_bundled, name) for name in BUNDLED_SAMPLE]
    dated = [r.article.published for rs in loaded for r in rs if r.article and r.article.published]
    for results in loaded:
        if dated:
            oldest = min(dated)
            results = [_dated_at_least(result, oldest) for result in results]
        await _store_results(store, results, report)
    log.info("loaded the bundled sample: %s", report)
    return report


def _dated_at_least(result: LoadResult, oldest: datetime) -> LoadResult:
    """`result`, its article filed as fetched at `oldest` if it has no date of its own."""
    article = result.article
    if article is None or article.published is not None:
        return result
    return dataclasses.replace(result, article=dataclasses.replace(article, fetched=oldest))


def _load_bundled(name: str) -> list[LoadResult]:
    """The records of one bundled JSONL file; their "source" is provenance, not a site."""
    resource = resources.files("bot") / "data" / name
    results: list[LoadResult] = []
    for number, line in enumerate(resource.read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            article = article_from_record(json.loads(line), source=BUNDLED_SOURCE)
            article = dataclasses.replace(
                article,
                title=_WIKI_QUOTES.sub("", article.title),
                text=_WIKI_QUOTES.sub("", article.text),
            )
        except (json.JSONDecodeError, IngestError) as exc:
            results.append(LoadResult(name, error=str(exc), line=number))
        else:
            results.append(LoadResult(name, article=article, line=number))
    return results


async def _store_results(store: Store, results: list[LoadResult], report: IngestReport) -> None:
    """Offer each loaded article to the store and count the outcome; record failures."""
    for result in results:
        if result.article is None:
            reason = result.error or "unknown error"
            log.warning("skipped %s: %s", result.where, reason)
            report.failures.append((result.where, reason))
            continue
        stored = await store.add_article(await asyncio.to_thread(with_sentences, result.article))
        if stored.status == "added":
            report.added += 1
        elif stored.status == "updated":
            report.updated += 1
        else:
            report.duplicate += 1
