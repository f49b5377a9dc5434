"""Tests for `bot.ingest.service` against a real SQLite store on a temporary database."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ingest import IngestReport, ingest_paths, load_bundled_sample
from bot.store import Store, open_store
from bot.summarize.document import split_once
from bot.summarize.tokenizer import make_tokenizer

BODY = (
    "The city council approved the new budget on Monday after a six-hour debate.\n\n"
    "Spending on schools will rise by 4%, while road repairs get an extra $2 million.\n\n"
    "Opposition members said the plan relied on optimistic tax forecasts."
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A real, opened SQLite store in tmp_path."""
    opened = open_store(f"sqlite:///{tmp_path}/t.db")
    await opened.open()
    yield opened
    await opened.close()


def _news_folder(root: Path) -> Path:
    """A folder of two good files, one nested, plus four bad files and a bad JSONL line."""
    folder = root / "news"
    (folder / "nested").mkdir(parents=True)
    (folder / "budget.txt").write_text("Council Passes Budget\n\n" + BODY, encoding="utf-8")
    (folder / "nested" / "more.jsonl").write_text(
        '{"title": "Bridge reopens", "text": "The old bridge reopened to traffic on Friday."}\n'
        '{"title": "Broken line"\n',
        encoding="utf-8",
    )
    (folder / "binary.txt").write_bytes(b"\x7fELF\x00\x00")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "cp1251.txt").write_bytes("Бюджет\n\nСовет принял бюджет.".encode("cp1251"))
    return folder


async def test_good_files_go_in_and_bad_ones_are_reported(store: Store, tmp_path: Path) -> None:
    folder = _news_folder(tmp_path)
    report = await ingest_paths(store, [folder])
    assert (report.added, report.duplicate, report.updated) == (2, 0, 0)
    failed = {Path(where.split(":")[0]).name: reason for where, reason in report.failures}
    assert set(failed) == {"binary.txt", "empty.txt", "cp1251.txt", "more.jsonl"}
    assert "binary" in failed["binary.txt"]
    assert "empty" in failed["empty.txt"]
    assert "encoding" in failed["cp1251.txt"]
    assert any(where.endswith("more.jsonl:2") for where, _ in report.failures)
    assert report.failed == 4
    assert await store.count_articles() == 2
    titles = {a.title for a in await store.latest(10)}
    assert titles == {"Council Passes Budget", "Bridge reopens"}


async def test_reingesting_the_same_file_is_a_duplicate(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "budget.txt"
    path.write_text("Council Passes Budget\n\n" + BODY, encoding="utf-8")
    first = await ingest_paths(store, [path])
    second = await ingest_paths(store, [str(path)])
    assert first == IngestReport(added=1)
    assert second == IngestReport(duplicate=1)
    assert await store.count_articles() == 1


async def test_stored_article_is_cleaned(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "wire" / "budget.txt"
    path.parent.mkdir()
    path.write_text(
        "Skip to content\nSign in\n\nCouncil Passes Budget\n\n" + BODY, encoding="utf-8"
    )
    await ingest_paths(store, [path])
    [article] = await store.latest(1)
    assert article.title == "Council Passes Budget"
    assert article.text == BODY.replace("\n\n", "\n")
    assert (article.source, article.language) == ("wire", "en")
    assert article.sentence_spans == split_once(article.text, make_tokenizer("en"))


async def test_bundled_sample_loads_as_wikinews(store: Store) -> None:
    report = await load_bundled_sample(store)
    assert report.failures == []
    # every article its own: one with another's URL replaced it (the Chinese iPhone 13 launch
    # carried the TikTok article's)
    assert (report.added, report.duplicate, report.updated) == (374, 0, 0)
    assert await store.count_articles() == report.added
    sources = await store.source_counts()
    assert [(c.label, c.count) for c in sources] == [("Wikinews", report.added)]
    stored = await store.latest(limit=report.added)
    assert {a.language for a in stored} == {"en", "ru", "zh"}
    assert {a.sentence_spans.partition(":")[0] for a in stored} == {
        "english",
        "russian",
        "chinese",
    }


async def test_bundled_sample_shows_no_wiki_markup(store: Store) -> None:
    """The Russian export kept MediaWiki's italic marks ("группа ''Depeche Mode''")."""
    report = await load_bundled_sample(store)
    stored = await store.latest(limit=report.added)
    assert not [a.title for a in stored if "''" in a.title or "''" in a.text]
    assert any("группа Depeche Mode" in a.text for a in stored)
    # and a link's target before its label: "лидера страны Чавес, Уго|Уго Чавеса"
    assert not [a.title for a in stored if a.language == "ru" and "|" in a.text]
    assert any("лидера страны Уго Чавеса," in a.text for a in stored)
    # nor a photo caption glued to a lead ("Apple CEO Steve Jobs Apple Computer CEO and ...")
    assert not [a.title for a in stored if "Steve Jobs Apple Computer" in a.text]
    captions = (
        "Владимир Путин и Сильвио Берлускони.",
        "HMS Cornwall at Zeebrugge in 2006.",
        "Теплоход «Булгария» (фото 2010 года)",
        "Могила Анны Политковской на Троекуровском кладбище в Москве.",
        "Самолёт «Як-18Т»",
    )
    assert not [a.title for a in stored if any(c in a.text.split("\n") for c in captions)]
    # nor quotes spaced by the conversion ('success, "said Barack Obama', '" recommended "')
    spaced = re.compile(r'[,.] "(?:said|and|he) |\s" \w+ "\s')
    assert not [a.title for a in stored if spaced.search(a.text)]
    assert any("America's success,\" said Barack Obama" in a.text for a in stored)
    # nor an editor's insertion that lost its opening bracket ("the work it has] done")
    assert not [a.title for a in stored if re.search(r"^[^\[\n]*\]", a.text, re.MULTILINE)]


async def test_bundled_sample_files_undated_articles_as_its_oldest(store: Store) -> None:
    """The Russian sample has no dates: fetched "now" it would be the newest news."""
    report = await load_bundled_sample(store)
    stored = await store.latest(limit=report.added)
    undated = [a for a in stored if a.published is None]
    dated = [a.published for a in stored if a.published is not None]
    assert "ru" in {a.language for a in undated} and len(undated) > 100
    assert {a.fetched for a in undated} == {min(dated)}  # still shown as undated
    assert stored[0].published == max(dated)
    first_undated = next(n for n, a in enumerate(stored) if a.published is None)
    assert all(a.when == min(dated) for a in stored[first_undated:])
