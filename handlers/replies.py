"""Every user-facing text of the bot and its HTML formatting (Telegram HTML parse mode).

All article text passes through `escape` here and nowhere else, so nothing an article or a
user wrote can become markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.ingest.urls import MAX_URL_CHARS
from bot.models import (
    Article,
    ArticleSummary,
    ChatSettings,
    Count,
    Feed,
    Subscription,
    TopicSummary,
    utcnow,
)
from bot.transport.text import (
    MAX_MESSAGE,
    credit,
    date_label,
    escape,
    link,
    split_message,
    utf16_len,
)

MAX_TOPIC = 200

COMMANDS: tuple[tuple[str, str], ...] = (
    ("summary", "Summarize the news on a topic: /summary <topic>"),
    ("latest", "Newest headlines: /latest [n]"),
    ("read", "Summary of one article: /read <id>"),
    ("topics", "What the stored news covers"),
    ("subscribe", "Follow a topic: /subscribe <topic> [+must -mustnot]"),
    ("subscriptions", "Your subscriptions (with remove buttons)"),
    ("unsubscribe", "Stop following a topic"),
    ("digest", "Send my digest now"),
    ("settings", "Summary length, digest time, quiet hours, muted sources"),
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
    lines.append("\nAny plain message is read as a topic; send a link and I summarize that page.")
    return "\n".join(lines)


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
    return f"{_title(article)}\n<i>{credit(article)}</i>\n{body}\n{footer}".rstrip()


def article_summary_within(summary: ArticleSummary, limit: int = MAX_MESSAGE) -> str:
    """`article_summary` in one message of at most `limit` UTF-16 units (inline answers).

    Whole sentences are dropped from the end first; a single sentence still too long is cut
    at a space with "…"; a title too long for any text keeps the message's first part.
    """
    sentences = list(summary.sentences)
    text = article_summary(summary)
    while utf16_len(text) > limit and sentences:
        if len(sentences) > 1:
            sentences.pop()
        else:
            over = utf16_len(text) - limit
            cut = sentences[0][: max(0, len(sentences[0]) - over - 1)].rsplit(" ", 1)[0]
            sentences = [f"{cut}…"] if cut else []
        text = article_summary(replace(summary, sentences=tuple(sentences)))
    return split_message(text, limit)[0]


def _listed(article: Article) -> str:
    """One article as a list line: title (linked when it has a URL), credit, /read command."""
    name = article.title or "Untitled"
    title = link(article.url, name) if article.url else escape(name)
    read = f" /read {article.id}" if article.id is not None else ""
    return f"• {title} — <i>{credit(article)}</i>{read}"


def _story(item: ArticleSummary) -> str:
    """One story of a topic summary: its article's summary, then the other sources."""
    block = article_summary(item)
    if item.also:
        block += "\nAlso reported by:\n" + "\n".join(_listed(a) for a in item.also)
    return block


def _clipped(text: str, width: int) -> str:
    """`text` as shown back to its sender: cut to `width` characters, "…" marking the cut."""
    return text if len(text) <= width else text[: width - 3] + "…"


def counted(number: int, noun: str, plural: str = "") -> str:
    """ "1 article", "2 articles" (`plural` for nouns that do not just take an s)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def topic_summary(summary: TopicSummary) -> str:
    """Answer to /summary <topic>: one block per story, then the stories left untold."""
    stories = len(summary.items)
    head = f"📰 <b>{escape(summary.query)}</b> — {counted(summary.articles, 'article')}"
    if stories != summary.articles:
        head += f", {counted(stories, 'story', 'stories')}"
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
            f"{date_label(article.published)}</i> /read {article.id}"
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


def unsearchable_topic(query: str) -> str:
    """A topic of only the commonest words or of signs: nothing to search for."""
    shown = _clipped(query, 60)
    why = "its words are too common" if any(c.isalnum() for c in query) else "it has no words"
    return (
        f"I can't search for <b>{escape(shown)}</b>: {why}. Name a person, a place or an "
        "event, for example <code>/summary climate</code>."
    )


def topic_too_long(length: int) -> str:
    """A topic over MAX_TOPIC characters."""
    return f"That topic is {length} characters long; please keep it under {MAX_TOPIC}."


def nothing_found(
    query: str, closest: Sequence[Article] = (), suggestion: str | None = None
) -> str:
    """No stored article is about the topic; the topic spelt right, if it seems misspelt
    (`suggestion`); the nearest articles, labelled as such, if any.

    Of a topic of several words, the nearest may well be about most of them ("Ford Motors
    posts US$2.7 billion annual profit" for "Ford annual profit results"): the label says
    only what is sure, that they are not about every word."""
    shown = _clipped(query, 60)
    text = f"Nothing stored on <b>{escape(shown)}</b> yet — try /topics to see what I cover."
    if suggestion:
        text += f"\n\nDid you mean <code>/summary {escape(_clipped(suggestion, 60))}</code>?"
    if closest:
        label = "every word of it" if len(query.split()) > 1 else "it"
        text += f"\n\nClosest, though not about {label}:\n"
        text += "\n".join(_listed(a) for a in closest)
    return text


def need_article_id() -> str:
    """/read without an id."""
    return "Which article? Send <code>/read 12</code> — ids are shown by /latest and /summary."


def bad_article_id(raw: str) -> str:
    """/read with something that is not an id."""
    shown = _clipped(raw, 30)
    return f"<code>{escape(shown)}</code> is not an article id; ids are whole numbers like 12."


def no_such_article(article_id: int) -> str:
    """/read with an id that is not stored."""
    return f"There is no article {article_id}. /latest lists recent ones."


def bad_count(raw: str) -> str:
    """/latest with a count that is not a number."""
    shown = _clipped(raw, 30)
    return f"<code>{escape(shown)}</code> is not a number; try <code>/latest 5</code>."


def unknown_command(command: str) -> str:
    """A command the bot does not know."""
    shown = _clipped(command, 40)
    return f"I don't know <code>{escape(shown)}</code>. /help lists what I can do."


def not_text() -> str:
    """A message without text (sticker, photo, ...)."""
    return "I only understand text: send a topic, or /help."


def slow_down() -> str:
    """A user sends faster than the bot serves one person."""
    return "Slow down, please — I answer again in a few seconds."


def something_went_wrong() -> str:
    """Answer when a handler failed unexpectedly."""
    return "Sorry, something went wrong on my side. Please try again in a moment."


def store_unavailable() -> str:
    """Answer when the database cannot be reached."""
    return "The news store is busy or unavailable right now. Please try again in a minute."


# --- subscriptions and settings -------------------------------------------------------------


def _filters(subscription: Subscription) -> str:
    parts = [f"+{escape(w)}" for w in subscription.must]
    parts += [f"−{escape(w)}" for w in subscription.must_not]
    return f" ({' '.join(parts)})" if parts else ""


def subscribed(
    subscription: Subscription, settings: ChatSettings, suggestion: str | None = None
) -> str:
    """Confirmation of /subscribe; with `suggestion`, the topic as it seems meant to be
    spelt (nothing is stored on it as typed)."""
    when = (
        "Digests are off: turn them on in /settings."
        if settings.frequency == "off"
        else f"Your digest comes {_schedule(settings)}; /digest sends it now."
    )
    text = f"🔔 Subscribed to <b>{escape(subscription.topic)}</b>{_filters(subscription)}.\n{when}"
    if suggestion:
        shown = escape(_clipped(suggestion, 60))
        text += f"\nNothing is stored on it yet. Did you mean <code>/subscribe {shown}</code>?"
    return text


def _schedule(settings: ChatSettings) -> str:
    hours = [settings.digest_hour]
    if settings.frequency == "twice":
        hours.append((settings.digest_hour + 12) % 24)
    times = " and ".join(f"{h:02d}:00" for h in sorted(hours))
    return f"daily at {times} ({escape(settings.timezone)})"


def need_subscription_topic() -> str:
    """/subscribe without a topic."""
    return (
        "Which topic? For example <code>/subscribe climate</code>, or with filters: "
        "<code>/subscribe football +final -transfer</code>."
    )


def too_many_subscriptions(limit: int) -> str:
    """The chat already follows the maximum number of topics."""
    return f"You already follow {limit} topics; remove one with /unsubscribe first."


def subscription_list(subscriptions: Sequence[Subscription]) -> str:
    """Answer to /subscriptions (buttons below remove one)."""
    if not subscriptions:
        return "You follow no topics yet. Try <code>/subscribe climate</code>."
    lines = ["<b>Your subscriptions</b> (tap one to remove it)"]
    lines += [f"• {escape(s.topic)}{_filters(s)}" for s in subscriptions]
    return "\n".join(lines)


def unsubscribe_which() -> str:
    """/unsubscribe without an argument."""
    return "Which subscription should I remove? Tap it below."


def unsubscribed(topic: str) -> str:
    """Confirmation of a removed subscription."""
    return f"Removed <b>{escape(topic)}</b>. /subscriptions lists the rest."


def no_such_subscription(which: str) -> str:
    """/unsubscribe with a topic the chat does not follow."""
    shown = _clipped(which, 40)
    return f"You don't follow <b>{escape(shown)}</b>. /subscriptions lists your topics."


def admins_only() -> str:
    """A group member who is not an administrator tried to change the group's settings."""
    return "Only the group's administrators can change its subscriptions and settings."


def welcome_back() -> str:
    """/start from a user who had blocked the bot."""
    return "Welcome back! Your subscriptions are active again."


def settings_text(settings: ChatSettings) -> str:
    """Answer to /settings (the keyboard below changes each option)."""
    quiet = (
        "off"
        if settings.quiet_start is None
        else f"{settings.quiet_start:02d}:00–{settings.quiet_end:02d}:00"
    )
    muted = ", ".join(escape(s) for s in settings.muted_sources) or "none"
    frequency = {"daily": "once a day", "twice": "twice a day", "off": "off"}
    return "\n".join(
        [
            "<b>Settings</b> — tap to change",
            f"Summary length: {escape(settings.length)}",
            f"Digest: {frequency.get(settings.frequency, settings.frequency)}, "
            f"at {settings.digest_hour:02d}:00 {escape(settings.timezone)}",
            f"Quiet hours: {quiet}",
            f"Muted sources: {muted}",
            "Other time zones: <code>/settings tz Europe/Paris</code>",
        ]
    )


def bad_timezone(name: str) -> str:
    """/settings tz with an unknown zone."""
    shown = _clipped(name, 40)
    return f"<code>{escape(shown)}</code> is not a time zone; try <code>Europe/Paris</code>."


def saved() -> str:
    """Short answer to a settings button."""
    return "Saved."


def stale_button() -> str:
    """A button from an old message that no longer applies."""
    return "This button has expired — please ask again."


def no_more_stories() -> str:
    """ "More" pressed when every stored story on the topic was shown."""
    return "That was everything I have on this topic."


def digest_busy() -> str:
    """/digest while the scheduled digest for this chat is being sent."""
    return "Your digest is on its way right now."


# --- web sources: pasted links, /ingest and the admin feed commands ---------------------------

_STORED = {
    "added": "Stored as a new article.",
    "updated": "The stored article was updated.",
    "duplicate": "Already stored.",
}


def _shown_url(url: str) -> str:
    """A URL shortened for display (the link itself stays whole)."""
    return url if len(url) <= 60 else url[:57] + "…"


def need_url(command: str) -> str:
    """An admin command without its URL."""
    return f"Which address? For example <code>/{command} https://example.org/news/feed.xml</code>."


def not_admin() -> str:
    """A feed or ingest command from someone not in ADMIN_IDS."""
    return (
        "Sorry, only the bot's administrators can manage feeds and ingest pages. "
        "You can still send me any link and I'll summarize that page."
    )


def link_summary(summary: ArticleSummary) -> str:
    """Answer to a pasted link: the page's summary."""
    return article_summary(summary)


def link_unreadable(url: str, reason: str | None) -> str:
    """A pasted link (or /ingest) whose page could not be fetched or holds no article."""
    why = f": {escape(reason)}" if reason else ""
    # A longer URL is refused before fetching; as a link it could not fit in one message.
    where = link(url, _shown_url(url)) if len(url) <= MAX_URL_CHARS else escape(_shown_url(url))
    return f"I couldn't read an article at {where}{why}."


def page_ingested(status: str, article_id: int | None, url: str, reason: str | None) -> str:
    """Answer to /ingest <url>."""
    if article_id is None:
        return link_unreadable(url, reason)
    return f"{_STORED.get(status, 'Stored.')} /read {article_id}"


def feed_added(feed: Feed, created: bool) -> str:
    """Answer to /addfeed."""
    name = escape(feed.title or "untitled feed")
    where = link(feed.url, _shown_url(feed.url))
    if not created:
        return f"<b>{name}</b> ({where}) is already in the feed list; it is polled again."
    minutes = max(1, feed.interval // 60)
    return f"✅ Added <b>{name}</b> ({where}). I read it every {minutes} minutes."


def feed_not_added(url: str, reason: str) -> str:
    """/addfeed with an address that is not (and does not link to) a feed."""
    return f"I couldn't add {escape(_shown_url(url))}: {escape(reason)}."


def feed_removed(feed: Feed) -> str:
    """Answer to /removefeed."""
    return f"Removed <b>{escape(feed.title or feed.url)}</b>; its articles stay stored."


def no_such_feed(reference: str) -> str:
    """/removefeed with an id or URL that is not in the list."""
    return f"No feed <code>{escape(_shown_url(reference))}</code>. /feeds lists them with ids."


def feeds_list(feeds: Sequence[Feed]) -> str:
    """Answer to /feeds: every feed with its health."""
    if not feeds:
        return "No feeds yet. Add one with <code>/addfeed https://example.org/feed.xml</code>."
    lines = [f"<b>{counted(len(feeds), 'feed')}</b>"]
    for feed in feeds:
        status = "⏸ paused" if feed.status == "paused" else "active"
        if feed.failures and feed.status != "paused":
            status += f", {counted(feed.failures, 'failure')} in a row"
        success = feed.last_success.strftime("%Y-%m-%d %H:%M UTC") if feed.last_success else "never"
        latest = f"newest entry {_day(feed.last_new)}" if feed.last_new else "no entries yet"
        lines.append(
            f"• #{feed.id} {link(feed.url, feed.title or _shown_url(feed.url))} — {status}; "
            f"last success {success}; {counted(feed.articles, 'article')}, {latest}"
        )
        if feed.last_error:
            lines.append(f"  <i>last error: {escape(feed.last_error[:120])}</i>")
    lines.append("\nRemove one with <code>/removefeed &lt;id&gt;</code>.")
    return "\n".join(lines)


def _day(moment: datetime) -> str:
    """A UTC day, and how many days ago it was when that is more than one."""
    days = (utcnow() - moment).days
    return moment.strftime("%Y-%m-%d") + (f" ({days} days ago)" if days > 1 else "")


def feed_quiet(feed: Feed) -> str:
    """Message to the admins: a feed still answers but has brought nothing new for a while."""
    name = escape(feed.title or _shown_url(feed.url))
    since = _day(feed.last_new) if feed.last_new else "its first poll"
    return (
        f"💤 The feed <b>{name}</b> (#{feed.id}) still answers but has brought nothing new "
        f"since {since}. If the site moved its feed, add the new one with "
        f"<code>/addfeed</code> and remove this one with <code>/removefeed {feed.id}</code>."
    )


def feed_paused(feed: Feed) -> str:
    """Message to the admins: a feed failed too often and is paused."""
    return (
        f"⚠️ The feed <b>{escape(feed.title or _shown_url(feed.url))}</b> failed "
        f"{feed.failures} times in a row and is paused.\n"
        f"Last error: {escape((feed.last_error or 'unknown')[:200])}\n"
        f"Add it again to resume: <code>/addfeed {escape(feed.url)}</code>"
    )
