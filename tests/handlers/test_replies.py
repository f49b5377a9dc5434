"""Reply formatting: escaped, credited, and valid Telegram HTML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import ArticleSummary, Count, Feed, TopicSummary, utcnow
from bot.transport.text import WIKINEWS_LICENSE
from handlers import replies
from tests.conftest import make_article
from tests.fakes import visible_text


def _summary(**fields: object) -> ArticleSummary:
    article = make_article("A <title> & more", "Body.", id=7, **fields)
    return ArticleSummary(article, ("First <sentence> & one.", "Second."))


def test_article_summary_escapes_and_credits() -> None:
    """Title, sentences, source and date appear as text; the /read command follows."""
    shown = visible_text(
        replies.article_summary(_summary(published=datetime(2024, 5, 1, tzinfo=UTC)))
    )
    assert "A <title> & more" in shown
    assert "First <sentence> & one. Second." in shown
    assert "Test Wire, 2024-05-01" in shown
    assert shown.endswith("/read 7")


def test_title_links_to_the_article() -> None:
    """An article with a URL gets a link whose href is escaped."""
    html = replies.article_summary(_summary(url='https://e.org/?a=1&b="x"'))
    assert 'href="https://e.org/?a=1&amp;b=&quot;x&quot;"' in html
    visible_text(html)


def test_wikinews_is_credited_with_its_licence() -> None:
    """Wikinews text carries the CC BY 2.5 credit."""
    html = replies.article_summary(_summary(source="Wikinews"))
    assert "CC BY 2.5" in visible_text(html)
    assert WIKINEWS_LICENSE in html


def test_topic_summary_and_lists_are_valid_html() -> None:
    """Every list reply parses as Telegram HTML."""
    topic = TopicSummary("<b>q</b>", (_summary(), _summary()))
    for html in (
        replies.topic_summary(topic),
        replies.latest([_summary().article]),
        replies.topics(3, [Count("A & B", 2)], [Count("<x>", 1)]),
        replies.nothing_found("<script>" * 40),
        replies.unknown_command("/<b>" * 30),
        replies.help_text(),
        replies.welcome(),
    ):
        visible_text(html)
    assert "<b>q</b>" in visible_text(replies.topic_summary(topic))


def test_empty_store_is_explained() -> None:
    """/latest and /topics on an empty store say so."""
    assert "No articles" in replies.latest([])
    assert "No articles" in replies.topics(0, [], [])


def test_the_closest_articles_are_labelled_by_what_is_sure() -> None:
    """Offered when nothing is about the topic, the nearest articles are "not about it" for
    one word, "not about every word of it" for several: of "Ford annual profit results" the
    nearest is often about most of them."""
    near = [make_article("Ford posts annual profit", "Ford made a profit.", id=3)]
    one = visible_text(replies.nothing_found("bitcoin", near))
    several = visible_text(replies.nothing_found("Ford annual profit results", near))
    assert "Closest, though not about it:" in one
    assert "Closest, though not about every word of it:" in several
    assert "Ford posts annual profit" in several
    assert "Closest" not in replies.nothing_found("bitcoin")


def test_topic_summary_lists_other_sources_of_a_story() -> None:
    """A story's other articles follow it, each credited with its source, date and /read."""
    lead = make_article("Flood <hits> valley", "Body.", id=7, source="Wikinews")
    copy = make_article(
        "Flood & rain", "Body.", id=8, source="Other <Wire>", url="https://o.example/a?b=1&c=2"
    )
    topic = TopicSummary("floods", (ArticleSummary(lead, ("Water rose.",), also=(copy,)),))
    html = replies.topic_summary(topic)
    shown = visible_text(html)
    assert shown.startswith("📰 floods — 2 articles, 1 story")
    assert (
        "Water rose.\n/read 7\nAlso reported by:\n• Flood & rain — Other <Wire>, undated /read 8"
        in shown
    )
    assert "CC BY 2.5" in shown
    assert 'href="https://o.example/a?b=1&amp;c=2"' in html


def test_topic_summary_lists_untold_stories_last() -> None:
    """Stories the word budget left without sentences are listed with their /read commands."""
    told = ArticleSummary(make_article("Told", "Body.", id=1), ("One sentence.",))
    untold = ArticleSummary(make_article("Untold <story>", "Body.", id=2), ())
    shown = visible_text(replies.topic_summary(TopicSummary("q", (told, untold))))
    assert shown.endswith("More on this topic\n• Untold <story> — Test Wire, undated /read 2")
    assert shown.index("One sentence.") < shown.index("More on this topic")


def test_feeds_list_shows_each_feeds_newest_entry() -> None:
    """/feeds: the day of a feed's newest entry, and how long ago when more than a day."""
    three_days = utcnow() - timedelta(days=3, hours=1)
    feeds = [
        Feed("https://a.example/rss", "A", id=1, last_new=three_days),
        Feed("https://b.example/rss", "B", id=2, last_new=utcnow()),
        Feed("https://c.example/rss", "C", id=3),
    ]
    lines = visible_text(replies.feeds_list(feeds)).splitlines()
    assert lines[0] == "3 feeds"
    assert "; 0 articles, " in lines[1]
    assert lines[1].endswith(f"newest entry {three_days:%Y-%m-%d} (3 days ago)")
    assert lines[2].endswith(f"newest entry {utcnow():%Y-%m-%d}")
    assert lines[3].endswith("no entries yet")


def test_counts_are_worded_in_the_singular_and_the_plural() -> None:
    """ "1 article", not "1 article(s)"."""
    one = TopicSummary("floods", (ArticleSummary(make_article("Flood", "Body.", id=7), ("W.",)),))
    assert visible_text(replies.topic_summary(one)).startswith("📰 floods — 1 article\n")
    assert replies.counted(2, "story", "stories") == "2 stories"
    assert replies.counted(1, "failure") == "1 failure"
    failing = Feed("https://a.example/rss", "A", id=1, failures=2, articles=1)
    assert "active, 2 failures in a row; " in replies.feeds_list([failing])
    assert "; 1 article, " in replies.feeds_list([failing])
