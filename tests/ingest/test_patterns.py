"""Tests for `bot.ingest.patterns`: the word list that lets the cleaner skip its costliest
pattern must cover every branch of that pattern."""

from __future__ import annotations

import re
from re import _constants as const  # type: ignore[attr-defined]
from re import _parser as re_parser  # type: ignore[attr-defined]
from typing import Any

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


_CUT = "\x00"  # marks where an expansion stopped: what follows is not spelled out


def expansions(items: Any) -> list[str]:
    """The texts a parsed pattern can start with, spelled out up to its first part that is
    not a fixed choice (`.{0,40}`, `\\w*`, `\\d+`), where they end in `_CUT`."""
    texts = [""]
    for op, value in items:
        if all(text.endswith(_CUT) for text in texts):
            break
        if op in (const.AT, const.ASSERT, const.ASSERT_NOT):  # they take no characters
            continue
        if op is const.LITERAL:
            parts = [chr(value)]
        elif op is const.IN and all(kind is const.LITERAL for kind, _ in value):
            parts = [chr(char) for _, char in value]
        elif op is const.SUBPATTERN:
            parts = expansions(value[3])
        elif op is const.BRANCH:
            parts = [text for branch in value[1] for text in expansions(branch)]
        elif op is const.MAX_REPEAT and value[:2] == (0, 1):
            parts = ["", *expansions(value[2])]
        else:
            parts = [_CUT]
        texts = [t if t.endswith(_CUT) else t + part for t in texts for part in parts]
    return texts


def test_expansions_spell_out_the_branches() -> None:
    """The helper below reads patterns as the prefilter test needs them."""
    assert sorted(expansions(re_parser.parse(r"\byou('ve| have) (read|seen)\b"))) == [
        "you have read", "you have seen", "you've read", "you've seen"
    ]  # fmt: skip
    assert expansions(re_parser.parse(r"one[- ]time (gift)?")) == [
        "one-time ", "one-time gift", "one time ", "one time gift"
    ]  # fmt: skip
    assert expansions(re_parser.parse(r"please\b.{0,40}x")) == ["please" + _CUT]


def test_a_common_listed_word_is_followed_by_a_listed_pair_in_every_branch() -> None:
    """Where a branch starts with one of `CALL_TO_ACTION_COMMON`, every text it can start
    with has a second whole word, and the two are a listed pair: a sentence whose only
    listed words are common ones and that holds no such pair cannot match."""
    *branches, _ = p.CALL_TO_ACTION_BRANCHES
    checked = 0
    for branch in branches:
        for text in expansions(re_parser.parse(branch, re.IGNORECASE)):
            whole = text.split(_CUT)[0].lower()
            words = re.findall(r"\w+", whole)
            if not words or words[0] not in p.CALL_TO_ACTION_COMMON:
                continue
            complete = not text.endswith(_CUT) or not re.search(r"\w$", whole)
            assert len(words) >= 3 or (len(words) == 2 and complete), (branch, text)
            assert f"{words[0]} {words[1]}" in p.CALL_TO_ACTION_PAIRS, (branch, text)
            checked += 1
    assert checked > 100  # the branches starting with "this", "you", "we", "by", ...
    assert p.CALL_TO_ACTION_COMMON <= p.CALL_TO_ACTION_WORDS


def test_the_voice_patterns_need_one_of_their_listed_words() -> None:
    """Every text `SITE_VOICE` / `READER_VOICE` can match starts with a listed word (whole,
    lower-cased) or with the listed stem: the cleaner skips them on sentences with neither."""
    voices = (
        (p.SITE_VOICE, p.SITE_VOICE_WORDS, p.SITE_VOICE_STEM),
        (p.READER_VOICE, p.READER_VOICE_WORDS, p.READER_VOICE_STEM),
    )
    for pattern, words, stem in voices:
        texts = expansions(re_parser.parse(pattern.pattern, pattern.flags))
        assert len(texts) >= 9
        for text in texts:
            spelled = text.split(_CUT)[0].lower()
            whole = re.fullmatch(r"\w+", spelled) or re.match(r"\w+(?=\W)", spelled)
            assert spelled.startswith(stem) or (whole and whole.group() in words), text


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
