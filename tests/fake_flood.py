"""Telegram's flood limits and failures, for the fake Bot API's sendMessage.

Off by default. `enforce()` answers 429 with `parameters.retry_after` when a chat gets a
second message within `per_chat_seconds`, a group more than `group_per_minute` in a minute,
or the bot more than `per_second` messages in any one-second window (sliding windows, the
strictest reading of Telegram's limits). `inject()` scripts failures for the next calls:
"429" (a storm), "500", "502", "drop" (the connection closes without an answer), "403" and
"400"; `blocked` chats always get 403 "Forbidden: bot was blocked by the user", and
`migrated` groups (old id → new id) 400 with `parameters.migrate_to_chat_id`, as Telegram
answers for a group that became a supergroup.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

_FAULTS = {
    "429": (429, "Too Many Requests: retry after {retry}"),
    "500": (500, "Internal Server Error"),
    "502": (502, "Bad Gateway"),
    "403": (403, "Forbidden: bot was blocked by the user"),
    "400": (400, "Bad Request: can't parse entities"),
}


class Refusal(Exception):
    """An error answer: HTTP code, description and its parameters (retry_after for 429)."""

    def __init__(self, code: int, description: str, retry_after: float | None = None) -> None:
        super().__init__(description)
        self.code, self.description = code, description
        self.parameters: dict[str, float | int] = {}
        if retry_after is not None:
            self.parameters["retry_after"] = retry_after


class Dropped(Exception):
    """Close the connection without answering."""


@dataclass(frozen=True, slots=True)
class FloodLimits:
    """Telegram's documented limits for sending messages."""

    per_chat_seconds: float = 1.0
    per_second: int = 30
    group_per_minute: int = 20


@dataclass
class FloodControl:
    """Decides, per sendMessage, whether the fake Bot API accepts it."""

    limits: FloodLimits | None = None
    blocked: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)  # group id → its supergroup's id
    too_many: int = 0  # 429 answers given, scripted or enforced
    sent_times: list[float] = field(default_factory=list)  # when each message was accepted
    accepted_log: list[tuple[int, float]] = field(default_factory=list)  # (chat id, when)
    clock: Callable[[], float] = time.monotonic
    _script: deque[str | None] = field(default_factory=deque)
    _then: str | None = None
    _retry_after: float = 1.0
    _recent: deque[float] = field(default_factory=deque)
    _chats: defaultdict[int, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def enforce(self, limits: FloodLimits | None = None) -> None:
        """Answer 429 when the bot goes over `limits` (default: Telegram's)."""
        self.limits = limits or FloodLimits()

    def inject(
        self, *faults: str, after: int = 0, then: str | None = None, retry_after: float = 1.0
    ) -> None:
        """After `after` more accepted calls, fail the next ones with `faults`, then `then`."""
        assert all(f in _FAULTS or f == "drop" for f in (*faults, *([then] if then else [])))
        self._script = deque([None] * after + list(faults))
        self._then, self._retry_after = then, retry_after

    def heal(self) -> None:
        """Stop every scripted failure."""
        self._script.clear()
        self._then = None

    def check(self, chat_id: int) -> None:
        """Raise the Refusal (or Dropped) this message gets; return when it is accepted."""
        fault = self._script.popleft() if self._script else self._then
        if fault is not None:
            self._fail(fault)
        if chat_id in self.blocked:
            self._fail("403")
        if chat_id in self.migrated:
            refusal = Refusal(400, "Bad Request: group chat was upgraded to a supergroup chat")
            refusal.parameters["migrate_to_chat_id"] = self.migrated[chat_id]
            raise refusal
        wait = self._over_limit(chat_id)
        if wait is not None:
            self.too_many += 1
            raise Refusal(429, f"Too Many Requests: retry after {wait}", wait)

    def accepted(self, chat_id: int) -> None:
        """Count an accepted message against the limits."""
        now = self.clock()
        self.sent_times.append(now)
        self.accepted_log.append((chat_id, now))
        self._recent.append(now)
        self._chats[chat_id].append(now)

    def _fail(self, fault: str) -> None:
        """Raise the scripted fault."""
        if fault == "drop":
            raise Dropped
        code, description = _FAULTS[fault]
        retry = self._retry_after
        if code == 429:
            self.too_many += 1
        shown = int(retry) if float(retry).is_integer() else retry
        raise Refusal(code, description.format(retry=shown), retry if code == 429 else None)

    def _over_limit(self, chat_id: int) -> int | None:
        """Whole seconds to wait when this message would break a limit, else None."""
        if self.limits is None:
            return None
        now, limits, chat = self.clock(), self.limits, self._chats[chat_id]
        _forget(self._recent, now - 1.0)
        _forget(chat, now - 60.0)
        windows = [(self._recent, 1.0, limits.per_second), (chat, limits.per_chat_seconds, 1)]
        if chat_id < 0:
            windows.append((chat, 60.0, limits.group_per_minute))
        waits = []
        for times, span, most in windows:
            inside = [t for t in times if t > now - span]
            if len(inside) >= most:
                waits.append(inside[-most] + span - now)
        return max(1, math.ceil(max(waits))) if waits else None


def _forget(times: deque[float], before: float) -> None:
    """Drop the times older than `before` (they are in increasing order)."""
    while times and times[0] <= before:
        times.popleft()
