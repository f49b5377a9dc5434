"""Tests for finding the article in a page saved as plain text (menus, teasers, footers)."""

from __future__ import annotations

from pathlib import Path

from bot.ingest.clean import clean_text
from bot.ingest.files import load_file
from bot.ingest.region import main_run, split_page

PARAGRAPHS = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next "
    "spring, after engineers found cracks in two of its steel supports.",
    "Buses, bicycles and pedestrians will still be allowed across while the repairs, which "
    "are expected to take eighteen months, go ahead in stages.",
    "Shop owners on both banks said they feared losing customers, and asked the council to "
    "pay for extra parking near the ferry terminal.",
    "The mayor said the council would decide on the parking plan in January.",
]
CHROME_BEFORE = [
    "Home",
    "News | Sport | Weather | Business",
    "Sign in",
    "Latest stories",
    "Harbour bridge to close to cars for repairs",
    "By Anna Berg",
    "Updated 12 March 2024, 09:14",
]
CHROME_AFTER = [
    "Share this article",
    "Related",
    "Council budget approved",
    "Ferry timetable changes for summer",
    "Most read",
    "Copyright 2024 Harbour Times. All rights reserved",
    "Privacy | Terms | Contact us",
]


def test_the_article_is_kept_and_the_chrome_around_it_goes() -> None:
    """Menus, bylines, related links and footers around the article are dropped."""
    title, body = split_page(clean_text("\n".join([*CHROME_BEFORE, *PARAGRAPHS, *CHROME_AFTER])))
    assert body.split("\n") == PARAGRAPHS
    assert title == "Harbour bridge to close to cars for repairs"


def test_the_headline_is_the_line_that_shares_the_articles_words() -> None:
    """A teaser or a label just before the article is passed over for the real headline."""
    lines = ["Harbour bridge to close to cars for repairs", "Listen to this article", *PARAGRAPHS]
    assert split_page("\n".join(lines))[0] == lines[0]


def test_a_clean_article_loses_nothing() -> None:
    """Headline first, then paragraphs, the last one short: kept whole, as before."""
    text = "\n".join(["Harbour bridge to close", *PARAGRAPHS, "Repairs start in May."])
    assert split_page(text) == (
        "Harbour bridge to close",
        "\n".join([*PARAGRAPHS, "Repairs start in May."]),
    )


def test_the_run_is_the_densest_stretch_of_long_lines() -> None:
    """A long sentence-less menu far from the article does not pull the run towards it."""
    lines = ["Menu", *PARAGRAPHS[:2], "Advertisement", *PARAGRAPHS[2:], "Footer", "Links"]
    assert main_run(lines) == (1, 6)
    assert main_run([]) == (0, 0)


def test_a_saved_page_is_ingested_as_its_article(tmp_path: Path) -> None:
    """The .txt path (`newsbot ingest page.txt`) stores the headline and the article only."""
    page = tmp_path / "page.txt"
    page.write_text("\n".join([*CHROME_BEFORE, *PARAGRAPHS, *CHROME_AFTER]), encoding="utf-8")
    (result,) = load_file(page)
    assert result.article is not None
    assert result.article.title == "Harbour bridge to close to cars for repairs"
    assert result.article.text == "\n".join(PARAGRAPHS)
