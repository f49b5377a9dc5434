"""Every user-facing text of the bot and its HTML formatting (Telegram HTML parse mode).

All article text passes through `escape` here and nowhere else, so nothing an article or a
user wrote can become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.models import Article, ArticleSummary, Count, TopicSummary
from bot.telegram_text import escape, link

MAX_TOPIC = 200
WIKINEWS_LICENSE = "https://creativecommons.org/licenses/by/2.5/"

COMMANDS: tuple[tuple[str, str], ...] = (
    ("summary", "Summarize the news on a topic: /summary <topic>"),
    ("latest", "Newest headlines: /latest [n]"),
    ("read", "Summary of one article: /read <id>"),
    ("topics", "What the stored news covers"),
    ("help", "How to use the bot"),
)


def welcome() -> str:
    """Answer to /start."""
    return (
        "<b>Hi! I summarize the news for you.</b>\n\n"
        "Send me a topic — for example <code>tsunami</code> or <code>/summary elections</code> — "
        "and I reply with short extractive summaries of the most relevant stored articles, "
        "each with its source and date.\n\n" + help_text()
    )


def help_text() -> str:
    """Answer to /help: the commands."""
    lines = ["<b>Commands</b>"]
    lines += [f"/{name} — {escape(about)}" for name, about in COMMANDS]
    lines.append("\nAny plain message is read as a topic.")
    return "\n".join(lines)


def _date(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d") if when else "undated"


def _credit(article: Article) -> str:
    """Source and date of an article, with the licence credit that its source requires."""
    credit = f"{escape(article.source or 'unknown source')}, {_date(article.published)}"
    if article.source == "Wikinews":
        credit += f" ({link(WIKINEWS_LICENSE, 'CC BY 2.5')})"
    return credit


def _title(article: Article) -> str:
    title = escape(article.title or "Untitled")
    return (
        f"<b>{link(article.url, article.title or 'Untitled')}</b>"
        if article.url
        else (f"<b>{title}</b>")
    )


def article_summary(summary: ArticleSummary) -> str:
    """One article's summary: title, credit, sentences, how to read more."""
    article = summary.article
    body = " ".join(escape(s) for s in summary.sentences) or "<i>(no text)</i>"
    footer = f"/read {article.id}" if article.id is not None else ""
    return f"{_title(article)}\n<i>{_credit(article)}</i>\n{body}\n{footer}".rstrip()


def _listed(article: Article) -> str:
    """One article as a list line: title (linked when it has a URL), credit, /read command."""
    name = article.title or "Untitled"
    title = link(article.url, name) if article.url else escape(name)
    read = f" /read {article.id}" if article.id is not None else ""
    return f"• {title} — <i>{_credit(article)}</i>{read}"


def _story(item: ArticleSummary) -> str:
    """One story of a topic summary: its article's summary, then the other sources."""
    block = article_summary(item)
    if item.also:
        block += "\nAlso reported by:\n" + "\n".join(_listed(a) for a in item.also)
    return block


def topic_summary(summary: TopicSummary) -> str:
    """Answer to /summary <topic>: one block per story, then the stories left untold."""
    stories = len(summary.items)
    head = f"📰 <b>{escape(summary.query)}</b> — {summary.articles} article(s)"
    if stories != summary.articles:
        head += f", {stories} stories"
    told = [_story(item) for item in summary.items if item.sentences]
    untold = [item for item in summary.items if not item.sentences]
    if untold:
        more = [_listed(item.article) for item in untold]
        more += [_listed(a) for item in untold for a in item.also]
        told.append("<b>More on this topic</b>\n" + "\n".join(more))
    return "\n\n".join([head, *told])


def full_article(summary: ArticleSummary) -> str:
    """Answer to /read <id>."""
    return article_summary(summary).removesuffix(f"/read {summary.article.id}").rstrip()


def latest(articles: Sequence[Article]) -> str:
    """Answer to /latest: newest headlines with the command to read each."""
    if not articles:
        return empty_store()
    lines = ["<b>Latest headlines</b>"]
    for article in articles:
        lines.append(
            f"• {escape(article.title)} — <i>{escape(article.source)}, "
            f"{_date(article.published)}</i> /read {article.id}"
        )
    return "\n".join(lines)


def topics(total: int, sources: Sequence[Count], tags: Sequence[Count]) -> str:
    """Answer to /topics: what the store covers."""
    if total == 0:
        return empty_store()
    lines = [f"<b>{total} stored articles</b>", "", "<b>Sources</b>"]
    lines += [f"• {escape(c.label)} ({c.count})" for c in sources]
    if tags:
        lines += ["", "<b>Frequent topics</b>"]
        lines += [f"• {escape(c.label)} ({c.count})" for c in tags]
    lines += ["", "Ask with /summary &lt;topic&gt;."]
    return "\n".join(lines)


def empty_store() -> str:
    """The store has no articles at all."""
    return "No articles are stored yet. An admin can add some with <code>newsbot ingest</code>."


def need_topic() -> str:
    """/summary without a topic."""
    return "Which topic? Send for example <code>/summary climate</code>."


def topic_too_long(length: int) -> str:
    """A topic over MAX_TOPIC characters."""
    return f"That topic is {length} characters long; please keep it under {MAX_TOPIC}."


def nothing_found(query: str) -> str:
    """No stored article matches the topic."""
    shown = query if len(query) <= 60 else query[:57] + "…"
    return f"Nothing on <b>{escape(shown)}</b> yet — try /topics to see what I cover."


def need_article_id() -> str:
    """/read without an id."""
    return "Which article? Send <code>/read 12</code> — ids are shown by /latest and /summary."


def bad_article_id(raw: str) -> str:
    """/read with something that is not an id."""
    shown = raw if len(raw) <= 30 else raw[:27] + "…"
    return f"<code>{escape(shown)}</code> is not an article id; ids are whole numbers like 12."


def no_such_article(article_id: int) -> str:
    """/read with an id that is not stored."""
    return f"There is no article {article_id}. /latest lists recent ones."


def bad_count(raw: str) -> str:
    """/latest with a count that is not a number."""
    shown = raw if len(raw) <= 30 else raw[:27] + "…"
    return f"<code>{escape(shown)}</code> is not a number; try <code>/latest 5</code>."


def unknown_command(command: str) -> str:
    """A command the bot does not know."""
    shown = command if len(command) <= 40 else command[:37] + "…"
    return f"I don't know <code>{escape(shown)}</code>. /help lists what I can do."


def not_text() -> str:
    """A message without text (sticker, photo, ...)."""
    return "I only understand text: send a topic, or /help."


def something_went_wrong() -> str:
    """Answer when a handler failed unexpectedly."""
    return "Sorry, something went wrong on my side. Please try again in a moment."


def store_unavailable() -> str:
    """Answer when the database cannot be reached."""
    return "The news store is busy or unavailable right now. Please try again in a minute."
