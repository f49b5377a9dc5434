"""Tests for bot.usecases.schedule: local digest hours, quiet hours, time zones and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import ChatSettings
from bot.usecases.schedule import digest_hours, in_quiet_hours, next_due

NEW_YORK = ZoneInfo("America/New_York")
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_daily_at_the_local_hour() -> None:
    berlin = ChatSettings(1, digest_hour=8, timezone="Europe/Berlin")  # UTC+1 in winter
    assert next_due(berlin, utc(2025, 1, 10, 6, 0)) == utc(2025, 1, 10, 7, 0)
    assert next_due(berlin, utc(2025, 1, 10, 7, 0)) == utc(2025, 1, 11, 7, 0)  # strictly after


def test_twice_a_day_is_twelve_hours_apart() -> None:
    twice = ChatSettings(1, frequency="twice", digest_hour=20)
    assert digest_hours(twice) == (8, 20)
    assert next_due(twice, utc(2025, 1, 10, 9, 0)) == utc(2025, 1, 10, 20, 0)
    assert next_due(twice, utc(2025, 1, 10, 21, 0)) == utc(2025, 1, 11, 8, 0)


def test_off_has_no_next_digest() -> None:
    assert next_due(ChatSettings(1, frequency="off"), utc(2025, 1, 10)) is None


def test_an_unknown_zone_falls_back_to_utc() -> None:
    for name in ("Mars/Olympus", "", "../../etc/passwd"):
        chat = ChatSettings(1, digest_hour=8, timezone=name)
        assert next_due(chat, utc(2025, 1, 10, 6, 0)) == utc(2025, 1, 10, 8, 0)


def test_quiet_hours_move_the_digest_to_their_end() -> None:
    night = ChatSettings(1, digest_hour=23, quiet_start=22, quiet_end=7)  # wraps midnight
    assert next_due(night, utc(2025, 1, 10, 12, 0)) == utc(2025, 1, 11, 7, 0)
    early = ChatSettings(1, digest_hour=5, quiet_start=22, quiet_end=7)
    assert next_due(early, utc(2025, 1, 10, 1, 0)) == utc(2025, 1, 10, 7, 0)
    day = ChatSettings(1, digest_hour=13, quiet_start=12, quiet_end=14)
    assert next_due(day, utc(2025, 1, 10, 1, 0)) == utc(2025, 1, 10, 14, 0)
    outside = ChatSettings(1, digest_hour=8, quiet_start=22, quiet_end=7)
    assert next_due(outside, utc(2025, 1, 10, 1, 0)) == utc(2025, 1, 10, 8, 0)


def test_a_digest_moved_past_midnight_is_not_skipped() -> None:
    """At 03:00 the 23:00 digest moved to 07:00 today is still ahead."""
    night = ChatSettings(1, digest_hour=23, quiet_start=22, quiet_end=7)
    assert next_due(night, utc(2025, 1, 10, 3, 0)) == utc(2025, 1, 10, 7, 0)


def test_quiet_hours_edges() -> None:
    wrap = ChatSettings(1, quiet_start=22, quiet_end=7)
    assert [h for h in range(24) if in_quiet_hours(wrap, h)] == [0, 1, 2, 3, 4, 5, 6, 22, 23]
    assert not any(
        in_quiet_hours(ChatSettings(1, quiet_start=5, quiet_end=5), h) for h in range(24)
    )
    assert not in_quiet_hours(ChatSettings(1, quiet_start=5), 6)


def test_dst_spring_forward_skipped_hour() -> None:
    """02:00 does not exist in New York on 2025-03-09: the digest comes at 03:00 EDT."""
    chat = ChatSettings(1, digest_hour=2, timezone="America/New_York")
    due = next_due(chat, utc(2025, 3, 9, 0, 0))
    assert due == utc(2025, 3, 9, 7, 0)
    assert due is not None and due.astimezone(NEW_YORK).hour == 3


def test_dst_fall_back_repeated_hour_gives_one_digest() -> None:
    """01:00 happens twice in New York on 2025-11-02: one digest, the first time."""
    chat = ChatSettings(1, digest_hour=1, timezone="America/New_York")
    first = next_due(chat, utc(2025, 11, 2, 0, 0))
    assert first == utc(2025, 11, 2, 5, 0)  # 01:00 EDT
    assert next_due(chat, first) == utc(2025, 11, 3, 6, 0)  # next day, 01:00 EST


def test_across_dst_the_local_hour_stays() -> None:
    chat = ChatSettings(1, digest_hour=8, timezone="America/New_York")
    before = next_due(chat, utc(2025, 3, 8, 5, 0))  # Saturday 08:00 EST
    after = next_due(chat, utc(2025, 3, 8, 14, 0))  # Sunday 08:00 EDT
    assert before is not None and after is not None
    assert before.astimezone(NEW_YORK).hour == after.astimezone(NEW_YORK).hour == 8
    assert after - before == timedelta(hours=23)  # the short day


@settings(max_examples=300, deadline=None)
@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)),
    hour=st.integers(0, 23),
    frequency=st.sampled_from(["daily", "twice"]),
    zone=st.sampled_from(ZONES),
    quiet=st.none() | st.tuples(st.integers(0, 23), st.integers(0, 23)),
)
def test_next_due_properties(
    now: datetime, hour: int, frequency: str, zone: str, quiet: tuple[int, int] | None
) -> None:
    """Always after now, within about a day, on a digest hour or the end of quiet hours."""
    start, end = quiet or (None, None)
    chat = ChatSettings(1, frequency=frequency, digest_hour=hour, timezone=zone,
                        quiet_start=start, quiet_end=end)  # fmt: skip
    moment = now.replace(tzinfo=UTC)
    due = next_due(chat, moment)
    assert due is not None and due.tzinfo is not None
    assert moment < due <= moment + timedelta(hours=26)
    local = due.astimezone(ZoneInfo(zone))
    allowed = {end} if end is not None and start != end else set()
    allowed |= set(digest_hours(chat))
    # A DST jump can shift a local hour by the size of the jump (30 min at Lord Howe).
    assert local.hour in allowed or any(
        (local - timedelta(minutes=shift)).hour in allowed for shift in (30, 60)
    )
    assert not in_quiet_hours(chat, local.hour)
