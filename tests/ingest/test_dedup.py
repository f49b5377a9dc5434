"""Tests for `bot.ingest.dedup` and `bot.ingest.sitelines`: near-duplicates and repeated lines."""

from __future__ import annotations

from bot.ingest import dedup, sitelines
from tests.ingest.site import STORIES

HARBOUR = "\n".join(STORIES["harbour"][1])
ORCHARD = "\n".join(STORIES["orchard"][1])


def test_identical_and_lightly_edited_texts_are_one_story() -> None:
    """A wire copy with a changed sentence and an extra line is the same story."""
    edited = HARBOUR.replace("Tuesday morning", "Tuesday") + "\nMore updates will follow."
    a, b = dedup.fingerprint(HARBOUR), dedup.fingerprint(edited)
    assert a is not None and b is not None
    assert dedup.similarity(a, a) == 1.0
    assert dedup.similarity(a, b) > 0.6
    assert dedup.same_story(a, b)
    assert len(a.bands) == dedup.BANDS and set(a.bands) & set(b.bands)


def test_different_articles_are_different_stories() -> None:
    """Two unrelated articles share no story (and almost no band)."""
    a, b = dedup.fingerprint(HARBOUR), dedup.fingerprint(ORCHARD)
    assert a is not None and b is not None
    assert dedup.similarity(a, b) < 0.1
    assert not dedup.same_story(a, b)
    assert dedup.best_match(a, [b]) is None


def test_a_short_text_inside_a_long_one_overlaps_strongly() -> None:
    """Most of a shorter article inside a longer one: one story, by containment."""
    short = "\n".join(STORIES["harbour"][1][:3])
    a, b = dedup.fingerprint(short), dedup.fingerprint(HARBOUR)
    assert a is not None and b is not None
    assert dedup.containment(a, b) > 0.8 and dedup.same_story(a, b)


def test_empty_text_has_no_fingerprint() -> None:
    """Nothing to compare: no fingerprint."""
    assert dedup.fingerprint(" ,. ") is None


def test_line_keys_fold_case_spacing_and_digits() -> None:
    """'Updated 12:04' and 'updated  09:15' are the same furniture line."""
    assert sitelines.line_key("Updated 12:04 GMT") == sitelines.line_key("updated  09:15 gmt")
    assert sitelines.line_key("Updated 12:04 GMT") != sitelines.line_key("Published 12:04 GMT")


def test_line_keys_are_stable() -> None:
    """Stores keep the keys: a key never changes between versions or processes."""
    assert sitelines.line_key("  Updated\u00a012:04 — Share  ") == "51d3b79b5380cee4"
    assert sitelines.line_key("Читайте также") == "705dfb0f9d3da673"


def test_known_lines_are_dropped() -> None:
    """Lines whose keys are known boilerplate go; the rest stays in order."""
    text = "Real paragraph one.\nSubscribe to our newsletter\nReal paragraph two."
    known = frozenset({sitelines.line_key("subscribe to our newsletter")})
    assert sitelines.drop_known(text, known) == "Real paragraph one.\nReal paragraph two."
    assert sitelines.line_keys("a\n\na\nb") == frozenset(
        {sitelines.line_key("a"), sitelines.line_key("b")}
    )
