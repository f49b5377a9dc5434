"""Tests for `bot.ingest.files`: real files in tmp_path, good ones load, bad ones are reported."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.ingest.files import LoadResult, load_file, load_paths

SAMPLES = Path(__file__).parents[2].parent / "shared" / "samples"

BODY = (
    "A powerful storm hit the northern coast on Tuesday, cutting power to thousands of homes "
    "and forcing the closure of two ports, officials said.\n\n"
    "Emergency crews worked through the night to clear fallen trees from the main roads, and "
    "schools in three districts will stay closed until Thursday.\n\n"
    "Forecasters expect the wind to ease by the weekend, but warned of more flooding."
)

PAGE = """<!doctype html>
<html lang="en"><head><title>Storm hits the northern coast | Coast News</title>
<meta property="og:url" content="https://www.coastnews.example/2024/03/storm">
<meta property="og:site_name" content="Coast News">
<meta property="article:published_time" content="2024-03-05T10:00:00+02:00"></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/login">Sign in</a></li></ul></nav>
<article><h1>Storm hits the northern coast</h1>
<p>A powerful storm hit the northern coast on Tuesday, cutting power to thousands of homes
and forcing the closure of two ports, officials said.</p>
<p>Emergency crews worked through the night to clear fallen trees from the main roads, and
schools in three districts will stay closed until Thursday.</p>
<p>Forecasters expect the wind to ease by the weekend, but warned of more flooding along the
rivers as the rain continues into next week.</p>
<p>Support us: become a member today.</p>
</article>
<footer><p>Subscribe to our newsletter</p><p>Privacy policy</p>
<p>© 2024 Coast News. All rights reserved.</p></footer>
</body></html>
"""


def _write(path: Path, content: str | bytes) -> Path:
    """Write a file (creating folders) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _one(results: list[LoadResult]) -> LoadResult:
    """The single result of a one-article file."""
    assert len(results) == 1
    return results[0]


def test_txt_headline_is_first_line_after_cleaning(tmp_path: Path) -> None:
    text = "Support us\nDonate now\n\nStorm Hits the Northern Coast\n\nPhoto: AP\n\n" + BODY
    result = _one(load_file(_write(tmp_path / "wire" / "storm.txt", text)))
    assert result.error is None and result.article is not None
    assert result.article.title == "Storm Hits the Northern Coast"
    assert result.article.text.split("\n") == [p for p in BODY.split("\n") if p]
    assert result.article.source == "wire"
    assert result.article.language == "en"


def test_sample_txt_loads_with_its_real_headline(tmp_path: Path) -> None:
    raw = SAMPLES / "moscow-times-russia-china.txt"
    expected = SAMPLES / "moscow-times-russia-china.clean.txt"
    if not raw.exists() or not expected.exists():
        pytest.skip("shared samples not available")
    article = _one(load_file(raw)).article
    assert article is not None
    lines = [" ".join(x.split()) for x in expected.read_text(encoding="utf-8").splitlines()]
    assert article.title == lines[0]
    assert article.text.split("\n") == [x for x in lines[1:] if x]


def test_russian_txt_language_is_detected(tmp_path: Path) -> None:
    text = (
        "Шторм обрушился на северное побережье\n\n"
        "Мощный шторм обрушился на северное побережье во вторник, оставив без света тысячи "
        "домов, сообщили власти.\n\nЧитайте также: Прогноз погоды на неделю"
    )
    article = _one(load_file(_write(tmp_path / "ru.txt", text))).article
    assert article is not None
    assert article.language == "ru"
    assert "Читайте" not in article.text


def test_html_page_gives_title_metadata_and_body_without_nav(tmp_path: Path) -> None:
    article = _one(load_file(_write(tmp_path / "page.html", PAGE))).article
    assert article is not None
    assert article.title == "Storm hits the northern coast"
    assert article.url == "https://www.coastnews.example/2024/03/storm"
    assert article.source == "Coast News"
    assert article.published == datetime(2024, 3, 5, tzinfo=UTC)
    assert article.text.startswith("A powerful storm hit the northern coast")
    assert article.text.count("\n") == 2
    for boilerplate in ("Home", "Sign in", "Support us", "newsletter", "Privacy", "©"):
        assert boilerplate not in article.text


def test_jsonl_good_lines_load_and_a_bad_line_is_reported(tmp_path: Path) -> None:
    records = [
        json.dumps(
            {
                "title": "Storm hits coast",
                "text": BODY,
                "url": "https://www.coastnews.example/storm",
                "published": "2024-03-05T10:00:00+02:00",
                "lang": "en-GB",
                "categories": ["Weather", "Weather", " Coast "],
            }
        ),
        "{not json",
        json.dumps({"title": "No body"}),
        "",
        json.dumps(
            {
                "title": "Шторм",
                "text": "Мощный шторм обрушился на побережье во вторник.",
                "site": "Берег",
                "date": "2024-03-05",
            }
        ),
    ]
    results = load_file(_write(tmp_path / "batch.jsonl", "\n".join(records)))
    good = [r.article for r in results if r.article is not None]
    bad = {r.where: r.error for r in results if r.error is not None}
    assert [a.title for a in good] == ["Storm hits coast", "Шторм"]
    first, second = good
    assert first.source == "coastnews.example"
    assert first.published == datetime(2024, 3, 5, 8, tzinfo=UTC)
    assert first.language == "en"
    assert first.tags == ("Weather", "Coast")
    assert second.source == "Берег" and second.language == "ru"
    assert second.published == datetime(2024, 3, 5, tzinfo=UTC)
    path = str(tmp_path / "batch.jsonl")
    assert set(bad) == {f"{path}:2", f"{path}:3"}
    assert "invalid JSON" in bad[f"{path}:2"]
    assert "text" in bad[f"{path}:3"]


def test_jsonl_bad_date_is_reported(tmp_path: Path) -> None:
    line = json.dumps({"title": "T", "text": "Body text.", "date": "last Tuesday"})
    result = _one(load_file(_write(tmp_path / "d.jsonl", line)))
    assert result.article is None and result.error is not None and "date" in result.error


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("binary.txt", b"GIF89a\x00\x01\x02\x00", "binary"),
        ("empty.txt", b"", "empty"),
        ("blank.jsonl", b"  \n\n", "empty"),
        (
            "cp1251.txt",
            "Новости дня\n\nПравительство утвердило бюджет.".encode("cp1251"),
            "encoding",
        ),
        ("latin1.txt", "Café news\n\nLe café a ouvert à Paris.".encode("latin-1"), "encoding"),
        ("notes.pdf", b"%PDF-1.4", "unsupported"),
        ("only-title.txt", "Just a headline", "no article text"),
        ("junk.txt", "Home\nNews\nSign in\nSubscribe", "no text left"),
    ],
)
def test_bad_file_is_reported_by_name(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = _write(tmp_path / name, content)
    result = _one(load_file(path))
    assert result.article is None
    assert result.path == str(path)
    assert result.error is not None and reason in result.error


def test_missing_file_is_reported(tmp_path: Path) -> None:
    result = _one(load_file(tmp_path / "gone.txt"))
    assert result.error == "no such file"


def test_utf8_bom_and_utf16_text_load(tmp_path: Path) -> None:
    text = "Storm hits coast\n\n" + BODY
    bom = _one(load_file(_write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + text.encode())))
    utf16 = _one(load_file(_write(tmp_path / "u16.txt", text.encode("utf-16"))))
    assert bom.article is not None and bom.article.title == "Storm hits coast"
    assert utf16.article is not None and utf16.article.text == bom.article.text


def test_directory_is_walked_recursively_in_order(tmp_path: Path) -> None:
    _write(tmp_path / "b" / "deep" / "two.txt", "Second story\n\n" + BODY)
    _write(tmp_path / "a" / "one.txt", "First story\n\n" + BODY)
    _write(tmp_path / "a" / "image.png", b"\x89PNG\x00")
    _write(tmp_path / ".hidden" / "x.txt", "Hidden story\n\n" + BODY)
    _write(tmp_path / "c.htm", PAGE)
    results = list(load_paths([tmp_path]))
    assert [r.error for r in results] == [None, None, None]
    assert [Path(r.path).name for r in results] == ["one.txt", "two.txt", "c.htm"]
    assert [r.article.source for r in results if r.article] == ["a", "deep", "Coast News"]


def test_explicit_paths_mix_files_and_directories(tmp_path: Path) -> None:
    good = _write(tmp_path / "in" / "good.txt", "Good story\n\n" + BODY)
    bad = _write(tmp_path / "bad.txt", b"\x00\x00")
    results = list(load_paths([bad, str(good.parent)]))
    assert [(Path(r.path).name, r.article is not None) for r in results] == [
        ("bad.txt", False),
        ("good.txt", True),
    ]
