"""Tests for `bot.ingest.patterns`: the word list that lets the cleaner skip its costliest
pattern must cover every branch of that pattern."""

from __future__ import annotations

import re

from bot.ingest import patterns as p

_LEAD = re.compile(r"^(?:\^|\\b)*")
_WORD = re.compile(r"[^\W\d_]+")


def _group(text: str) -> tuple[str, str]:
    """The inside of the parenthesized group at the start of `text`, and what follows it."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:index], text[index + 1 :]
    raise AssertionError(f"unbalanced group in {text!r}")


def _alternatives(group: str) -> list[str]:
    """The top-level alternatives of a group's inside."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(group):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(group[start:index])
            start = index + 1
    return [*parts, group[start:]]


def first_words(branch: str) -> set[str]:
    """The words a text must contain (lower-cased, whole) for the branch to match in it."""
    body = _LEAD.sub("", branch)
    if body.startswith("("):
        inside, _ = _group(body)
        return {w for alt in _alternatives(inside) for w in first_words(alt)}
    word = _WORD.match(body)
    assert word is not None, branch
    rest = body[word.end() :]
    if rest.startswith("("):  # a suffix group ("поддерж(ите|ать)") or what follows ("you('ve|")
        inside, _ = _group(rest)
        suffixes = (_WORD.match(alt) for alt in _alternatives(inside))
        return {word.group().lower() + (s.group() if s else "") for s in suffixes}
    return {word.group().lower()}


def test_every_call_to_action_branch_starts_with_a_listed_word() -> None:
    """The prefilter in `clean._calls_to_action` never hides a real match."""
    *branches, chinese = p.CALL_TO_ACTION_BRANCHES
    for branch in branches:
        assert first_words(branch) <= p.CALL_TO_ACTION_WORDS, branch
    assert p.CALL_TO_ACTION_CJK.pattern == chinese


def test_prefilter_agrees_with_the_pattern() -> None:
    """Sentences with and without calls to action get the same answer both ways."""
    from bot.ingest.clean import _calls_to_action

    sentences = [
        "Please consider supporting our journalism today.",
        "Подпишитесь на наш канал, чтобы не пропустить новости.",
        "点击关注我们的账号",
        "The council approved the budget on Monday.",
        "You've reached your limit of free articles this month.",
        "Share this article with friends",
    ]
    for sentence in sentences:
        assert _calls_to_action(sentence) == bool(p.CALL_TO_ACTION.search(sentence)), sentence


def test_the_compiled_pattern_is_the_alternation_of_its_branches() -> None:
    """Factoring the word boundary out of the branches changes no answer."""
    plain = re.compile("|".join(p.CALL_TO_ACTION_BRANCHES), re.IGNORECASE)
    sentences = [
        "Please consider supporting our journalism today.",
        "Support us with a one-time donation.",
        "Become a member and donate now.",
        "Subscribe to our free daily newsletter.",
        "You've reached your limit of 5 free articles.",
        "We use cookies to improve the site; manage preferences here.",
        "Share this article",
        "share this article",
        "Follow us on X.",
        "The minister said he would support our proposal.",
        "All rights reserved.",
        "Подпишитесь на наш канал.",
        "Поделиться",
        "Мы используем cookie.",
        "责任编辑：王明",
        "The council approved the budget on Monday.",
        "supportus donate-now unsubscribe",
        "",
    ]
    assert sum(bool(plain.search(sentence)) for sentence in sentences) >= 12
    for sentence in sentences:
        assert bool(p.CALL_TO_ACTION.search(sentence)) == bool(plain.search(sentence)), sentence
