"""Inline keyboards and their callback data: built and parsed here only.

Callback data is `<kind>:<arg>[:<arg>]`, ASCII, under Telegram's 64-byte limit; topics are
referred to by a stored id. Parsing is strict: anything else (old or forged data) is None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import FREQUENCIES, LENGTHS, ChatSettings, Subscription

MAX_DATA = 64
MAX_ID = 2**63 - 1  # stored ids are 64-bit: a longer number is forged, never ours
MIN_SENTENCES, MAX_SENTENCES = 1, 5
HOURS = (6, 8, 12, 18, 21)
ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "Asia/Shanghai",
)
QUIET = ("off", "22-7", "23-8")
_DATA = re.compile(r"([a-z]{2}):([\w/+-]{1,50})(?::(\d{1,6}))?", re.ASCII)


@dataclass(frozen=True, slots=True)
class Callback:
    """A parsed button press."""

    kind: str
    arg: str
    number: int | None = None


def parse(data: str | None) -> Callback | None:
    """The button behind callback `data`, or None when it is not one of ours."""
    match = _DATA.fullmatch(data or "")
    if not match:
        return None
    number = int(match.group(3)) if match.group(3) is not None else None
    return Callback(match.group(1), match.group(2), number)


def topic_id(callback: Callback | None) -> int | None:
    """The stored topic id a topic button refers to, when it has a well-formed one."""
    if callback is None or not callback.arg.isdigit() or int(callback.arg) > MAX_ID:
        return None
    return int(callback.arg)


def _button(label: str, data: str) -> InlineKeyboardButton:
    assert len(data.encode()) <= MAX_DATA, data
    return InlineKeyboardButton(label, callback_data=data)


def topic_buttons(topic_id: int, shown: int, sentences: int) -> InlineKeyboardMarkup:
    """Under a topic summary: more stories, shorter/longer, subscribe."""
    row = [_button("More ▶", f"mo:{topic_id}:{shown}")]
    if sentences > MIN_SENTENCES:
        row.append(_button("Shorter", f"ln:{topic_id}:{sentences - 1}"))
    if sentences < MAX_SENTENCES:
        row.append(_button("Longer", f"ln:{topic_id}:{sentences + 1}"))
    return InlineKeyboardMarkup([row, [_button("🔔 Subscribe to this topic", f"sb:{topic_id}")]])


def subscription_buttons(subscriptions: Sequence[Subscription]) -> InlineKeyboardMarkup | None:
    """One remove button per subscription; None without any (an empty keyboard is invalid)."""
    rows = [[_button(f"✖ {s.topic[:40]}", f"un:{s.id}")] for s in subscriptions if s.id is not None]
    return InlineKeyboardMarkup(rows) if rows else None


def _choice(label: str, current: bool) -> str:
    return f"• {label}" if current else label


def settings_buttons(settings: ChatSettings, sources: Sequence[str]) -> InlineKeyboardMarkup:
    """The /settings keyboard: every option of the chat's settings, current ones marked."""

    def zone(z: str) -> InlineKeyboardButton:
        return _button(_choice(z.split("/")[-1], settings.timezone == z), f"st:tz/{z}")

    rows = [
        [_button(_choice(n, settings.length == n), f"st:len/{n}") for n in LENGTHS],
        [_button(_choice(f, settings.frequency == f), f"st:freq/{f}") for f in FREQUENCIES],
        [_button(_choice(f"{h:02d}:00", settings.digest_hour == h), f"st:hour/{h}") for h in HOURS],
        [zone(z) for z in ZONES[:3]],
        [zone(z) for z in ZONES[3:]],
        [_button(_choice(f"quiet {q}", _quiet(settings) == q), f"st:quiet/{q}") for q in QUIET],
    ]
    for source in sources:
        data = f"st:mute/{_source_key(source)}"
        if _source_key(source) and len(data.encode()) <= MAX_DATA:
            muted = source in settings.muted_sources
            rows.append([_button(("🔇 " if muted else "🔊 ") + source[:40], data)])
    return InlineKeyboardMarkup(rows)


def _quiet(settings: ChatSettings) -> str:
    if settings.quiet_start is None or settings.quiet_end is None:
        return "off"
    return f"{settings.quiet_start}-{settings.quiet_end}"


def _source_key(source: str) -> str:
    """A source name as callback data can carry it (letters, digits, `-`, `+`, `/`)."""
    return re.sub(r"[^\w/+-]", "+", source, flags=re.ASCII)[:50]


def source_for_key(key: str, sources: Sequence[str]) -> str | None:
    """The source name a `st:mute/...` key stands for, among `sources`."""
    return next((s for s in sources if _source_key(s) == key), None)
