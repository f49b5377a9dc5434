"""A digest as Telegram messages: HTML blocks, one per story, packed into messages.

Every piece of article text goes through `escape` (or `link`, which escapes too). Whole
stories are packed into a message while it stays under the limit, and each message carries
the ids of the stories it completes, so the sender can log them as delivered the moment that
message is accepted. A story too long for one message is split with `split_message`; its ids
ride on its last part.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import Article, ArticleSummary
from bot.transport.text import MAX_MESSAGE, credit, escape, link, split_message, utf16_len
from bot.usecases.digest.compose import Digest, story_ids

_GAP = "\n\n"


@dataclass(frozen=True, slots=True)
class DigestMessage:
    """One message of a digest and the articles of the stories it completes."""

    text: str
    article_ids: tuple[int, ...] = ()


def _source(article: Article) -> str:
    """Another source of a story: its name, linked when the article has a URL."""
    name = article.source or article.title or "another source"
    return link(article.url, name) if article.url else escape(name)


def story_block(item: ArticleSummary) -> str:
    """One story: linked title, credit, its sentences, the other sources, how to read it."""
    article = item.article
    title = article.title or "Untitled"
    head = link(article.url, title) if article.url else escape(title)
    lines = [f"<b>{head}</b>", f"<i>{credit(article)}</i>"]
    if item.sentences:
        lines.append(" ".join(escape(sentence) for sentence in item.sentences))
    if item.also:
        lines.append("Also reported by " + ", ".join(_source(a) for a in item.also))
    if article.id is not None:
        lines.append(f"/read {article.id}")
    return "\n".join(lines)


def digest_header(digest: Digest) -> str:
    """The first line of a digest."""
    topics = len(digest.sections)
    return (
        f"🗞 <b>Your news digest</b> — {digest.stories} new "
        f"{'story' if digest.stories == 1 else 'stories'} on {topics} "
        f"{'topic' if topics == 1 else 'topics'}"
    )


def nothing_new() -> str:
    """The answer to a digest asked for by hand when no story is new."""
    return "Nothing new on your topics since your last digest."


def _blocks(digest: Digest) -> list[tuple[str, tuple[int, ...]]]:
    """The digest's blocks in order, each with the article ids it completes."""
    blocks: list[tuple[str, tuple[int, ...]]] = [(digest_header(digest), ())]
    for topic, summary in digest.sections:
        for number, item in enumerate(summary.items):
            text = story_block(item)
            if number == 0:  # the topic heading stays with its first story
                text = f"📌 <b>{escape(topic)}</b>{_GAP}{text}"
            blocks.append((text, story_ids(item)))
    return blocks


def render_digest(digest: Digest, limit: int = MAX_MESSAGE) -> list[DigestMessage]:
    """The digest as messages of at most `limit` UTF-16 units; none for an empty digest."""
    if not digest.sections:
        return []
    messages: list[DigestMessage] = []
    text = ""
    ids: tuple[int, ...] = ()
    for block, block_ids in _blocks(digest):
        joined = f"{text}{_GAP}{block}" if text else block
        if utf16_len(joined) <= limit:
            text, ids = joined, ids + block_ids
            continue
        if text:
            messages.append(DigestMessage(text, ids))
        if utf16_len(block) <= limit:
            text, ids = block, block_ids
            continue
        *parts, last = split_message(block, limit)
        messages += [DigestMessage(part) for part in parts]
        text, ids = last, block_ids
    if text:
        messages.append(DigestMessage(text, ids))
    return messages
