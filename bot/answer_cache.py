"""A bounded LRU of computed answers (topic summaries), each valid for one store version.

An entry is used only while the store's `articles_version()` is the one it was computed
under, so a new or changed article is seen by the next request; entries also expire after
`ttl` seconds. `recent` serves an entry without that version at all while it is younger
than a staleness bound and this process has written no article since (`local`): asking the
store costs a query per request, and under constant ingestion the version would never stay
still long enough for the cache to help. Concurrent requests for the same key and version
share one computation instead of each doing the CPU work. A key with nothing cached needs no
version beforehand either (`compute_new`): the computation reports the version it read.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

CACHE_SIZE = 512  # topic answers kept (each holds a handful of articles)
CACHE_TTL = 300.0  # seconds an answer may be reused


@dataclass(frozen=True, slots=True)
class _Entry(Generic[V]):
    """One cached value, the store version it was computed under, and when."""

    version: str
    at: float
    value: V
    local: str = ""  # this process's own article writes when it was computed


class AnswerCache(Generic[K, V]):
    """LRU of values by key, valid for one store version and at most `ttl` seconds."""

    def __init__(
        self,
        size: int = CACHE_SIZE,
        ttl: float = CACHE_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """An empty cache holding at most `size` values."""
        self._size, self._ttl, self._clock = size, ttl, clock
        self._entries: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._pending: dict[tuple[K, str], asyncio.Task[V]] = {}
        self._new: dict[K, asyncio.Task[tuple[V, str]]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        """How many values are cached."""
        return len(self._entries)

    def has(self, key: K) -> bool:
        """Whether a value for `key` is cached under any version, fresh or not."""
        return key in self._entries

    def get(self, key: K, version: str) -> V | None:
        """The value cached for `key` under `version` and still fresh, else None."""
        entry = self._entries.get(key)
        if entry is None or entry.version != version or self._clock() - entry.at > self._ttl:
            return None
        self._entries.move_to_end(key)
        return entry.value

    def recent(self, key: K, local: str, within: float) -> V | None:
        """The value cached for `key` if computed less than `within` seconds ago and with
        this process's writes at `local` (none since), whatever the store version; else None."""
        entry = self._entries.get(key)
        if entry is None or entry.local != local or self._clock() - entry.at >= within:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry.value

    def put(self, key: K, version: str, value: V, local: str = "") -> None:
        """Cache `value` for `key` under `version`, evicting the least recently used."""
        self._entries[key] = _Entry(version, self._clock(), value, local)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every cached value."""
        self._entries.clear()

    async def get_or_compute(
        self, key: K, version: str, compute: Callable[[], Awaitable[V]], local: str = ""
    ) -> V:
        """The cached value, or `compute()` once for all concurrent callers, then cached
        (with `local`, this process's writes then, for `recent`)."""
        cached = self.get(key, version)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        task = self._pending.get((key, version))
        if task is None:
            task = asyncio.ensure_future(compute())
            self._pending[(key, version)] = task
            task.add_done_callback(lambda done: self._settle(key, version, local, done))
        # shield: one caller giving up (cancelled) must not cancel the others' computation
        return await asyncio.shield(task)

    async def compute_new(
        self, key: K, compute: Callable[[], Awaitable[tuple[V, str]]], local: str = ""
    ) -> V:
        """For a key with nothing cached (`has` is False): `compute()` once for all concurrent
        callers, giving the value and the store version it read (before its articles), under
        which the value is then cached. No version is asked for beforehand: for a key never
        answered here, that query could only say what the computation finds out anyway."""
        self.misses += 1
        task = self._new.get(key)
        if task is None:
            task = asyncio.ensure_future(compute())
            self._new[key] = task
            task.add_done_callback(lambda done: self._settle_new(key, local, done))
        value, _ = await asyncio.shield(task)
        return value

    def _settle_new(self, key: K, local: str, task: asyncio.Task[tuple[V, str]]) -> None:
        """A computation of `compute_new` ended: cache its value under its version."""
        self._new.pop(key, None)
        if task.cancelled() or task.exception() is not None:
            return
        value, version = task.result()
        self.put(key, version, value, local)

    def _settle(self, key: K, version: str, local: str, task: asyncio.Task[V]) -> None:
        """A computation ended: cache its value, or just mark its exception as seen."""
        self._pending.pop((key, version), None)
        if task.cancelled() or task.exception() is not None:
            return
        self.put(key, version, task.result(), local)
