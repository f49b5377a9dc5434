"""When a chat's next digest is due: its local digest hour, quiet hours and time zone.

Pure functions of the settings and the current time. Local wall times become instants with
`zoneinfo`: a digest hour that a DST jump skips falls on the same instant as the hour before
the jump (02:00 on a spring-forward night is 03:00 summer time), and an hour that happens
twice happens once, the first time. Instants are compared in UTC, never as wall times.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.models import ChatSettings

_HALF_DAY = 12


def zone(name: str) -> tzinfo:
    """The IANA time zone `name`; UTC when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def digest_hours(settings: ChatSettings) -> tuple[int, ...]:
    """The local hours of the chat's digests: one, two 12 h apart, or none ("off")."""
    if settings.frequency == "off":
        return ()
    first = settings.digest_hour % 24
    if settings.frequency == "twice":
        return tuple(sorted({first, (first + _HALF_DAY) % 24}))
    return (first,)


def in_quiet_hours(settings: ChatSettings, hour: int) -> bool:
    """Whether local `hour` falls in quiet_start..quiet_end (which may wrap past midnight)."""
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start % 24 == end % 24:
        return False
    start, end = start % 24, end % 24
    return start <= hour < end if start < end else hour >= start or hour < end


def _local(day: date, hour: int, where: tzinfo) -> datetime:
    """The instant (in UTC) of local `hour`:00 on `day`."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=where).astimezone(UTC)


def _slot(settings: ChatSettings, day: date, hour: int, where: tzinfo) -> datetime:
    """The digest for local `hour` on `day`, moved to the end of quiet hours if inside them."""
    if not in_quiet_hours(settings, hour):
        return _local(day, hour, where)
    end = (settings.quiet_end or 0) % 24
    # Quiet hours that wrap midnight end on the next day when the slot is before midnight.
    if end <= hour:
        day += timedelta(days=1)
    return _local(day, end, where)


def next_due(settings: ChatSettings, now: datetime) -> datetime | None:
    """The first digest time strictly after `now` (UTC), or None when digests are off."""
    hours = digest_hours(settings)
    if not hours:
        return None
    where = zone(settings.timezone)
    moment = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    today = moment.astimezone(where).date()
    # Yesterday's slot may have been moved past quiet hours into today, hence from -1.
    slots = (
        _slot(settings, today + timedelta(days=offset), hour, where)
        for offset in range(-1, 3)
        for hour in hours
    )
    return min(slot for slot in slots if slot > moment)
