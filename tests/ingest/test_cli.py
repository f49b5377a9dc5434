"""The web subcommands as a user types them: `feeds`, `ingest URL|PATH --feeds`, `extract`.

`newsbot` runs in a worker thread (its own event loop) so that the local site keeps serving
on the test's loop; the settings come from the environment, as for a user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.ingest.site import STORIES, LocalSite, article_html, rss


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A fresh database, loopback allowed, extraction in a thread; logging restored after."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("ALLOW_PRIVATE_URLS", "127.0.0.0/8")
    monkeypatch.setenv("INGEST_WORKERS", "0")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    handlers = logging.getLogger().handlers[:]
    yield
    logging.getLogger().handlers = handlers


async def newsbot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `newsbot ARGS`; its exit code, stdout and stderr."""
    code = await asyncio.to_thread(main, ["--env-file", "/nonexistent/.env", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _feed_site(site: LocalSite) -> None:
    """Two teaser entries whose pages are on the site, and a home page linking the feed."""
    items = []
    for key in ("harbour", "orchard"):
        site.add(f"/news/{key}", article_html(key))
        items.append({"title": STORIES[key][0], "link": site.url(f"/news/{key}"), "guid": key})
    site.add("/rss.xml", rss(items), content_type="application/rss+xml")
    site.add("/", "<html><head><link rel='alternate' type='application/rss+xml' "
                  "href='/rss.xml'></head><body>Home</body></html>")  # fmt: skip


async def test_feeds_add_list_ingest_remove(
    site: LocalSite, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed added from the home page, polled once with a progress bar, listed, removed."""
    _feed_site(site)
    added = await newsbot(capsys, "feeds", "add", site.url("/"))
    polled = await newsbot(capsys, "ingest", "--feeds")
    listed = await newsbot(capsys, "feeds", "list")
    removed = await newsbot(capsys, "feeds", "remove", "1")
    missing = await newsbot(capsys, "feeds", "remove", site.url("/nope.xml"))
    assert added[0] == 0 and added[1].startswith(f"added #1 {site.url('/rss.xml')}")
    assert polled[0] == 0
    assert polled[1].strip() == (
        "feeds: 1 polled, 0 failed; added 2, updated 0, already stored 0, skipped 0"
    )
    assert "1/1 feeds" in polled[2] and "#" * 30 in polled[2]
    assert listed[1].startswith("#1\tactive\t2 articles\tlast success 20")
    assert "\tnewest entry 20" in listed[1]
    assert removed == (0, f"removed #1 {site.url('/rss.xml')}\n", "")
    assert missing[0] == 1 and "no feed" in missing[2]


async def test_ingest_urls_and_files_together(
    site: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """URLs and paths in one command; a bad URL is reported on stderr with its reason."""
    site.add("/news/comet", article_html("comet"))
    note = tmp_path / "note.txt"
    note.write_text("Council votes on budget\n\n" + "\n\n".join(STORIES["library"][1]))
    code, out, err = await newsbot(
        capsys, "ingest", site.url("/news/comet"), str(note), site.url("/gone")
    )
    assert code == 0
    assert out.strip() == "added 2, updated 0, already stored 0, skipped 1"
    assert f"skipped {site.url('/gone')}: HTTP 404" in err


async def test_extract_prints_what_would_be_stored(
    site: LocalSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Title on the first line, then one paragraph per line: for a URL, .html and .txt."""
    page = article_html("library", furniture=("Share this article", "Read more: other news"))
    site.add("/news/library", page)
    (tmp_path / "page.html").write_text(page)
    (tmp_path / "note.txt").write_text(
        "Library lends tools\n\nSupport our journalism. Donate now!\n\n"
        + "\n\n".join(STORIES["library"][1])
    )
    expected = [STORIES["library"][0], *STORIES["library"][1]]
    from_url = await newsbot(capsys, "extract", site.url("/news/library"))
    from_html = await newsbot(capsys, "extract", str(tmp_path / "page.html"))
    from_txt = await newsbot(capsys, "extract", str(tmp_path / "note.txt"))
    refused = await newsbot(capsys, "extract", site.url("/missing"))
    assert from_url[1].splitlines() == expected
    assert from_html[1].splitlines() == expected
    assert from_txt[1].splitlines() == ["Library lends tools", *STORIES["library"][1]]
    assert refused[0] == 1 and "HTTP 404" in refused[2]
