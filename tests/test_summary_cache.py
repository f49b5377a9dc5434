"""The answer cache: LRU bound, store-version and age validity, one computation per key."""

from __future__ import annotations

import asyncio

import pytest

from bot.answer_cache import AnswerCache


def test_values_are_valid_for_their_version_only() -> None:
    """A value cached under one store version is not served under another."""
    cache: AnswerCache[str, int] = AnswerCache()
    cache.put("tax", "v1", 1)
    assert cache.get("tax", "v1") == 1
    assert cache.get("tax", "v2") is None
    assert cache.get("oil", "v1") is None


def test_least_recently_used_is_evicted_past_the_size() -> None:
    """The cache never holds more than `size` values; the least recently read goes first."""
    cache: AnswerCache[str, int] = AnswerCache(size=2)
    cache.put("a", "v", 1)
    cache.put("b", "v", 2)
    assert cache.get("a", "v") == 1  # "b" is now the least recently used
    cache.put("c", "v", 3)
    assert len(cache) == 2
    assert cache.get("b", "v") is None
    assert (cache.get("a", "v"), cache.get("c", "v")) == (1, 3)


def test_values_expire_after_the_ttl() -> None:
    """A value older than `ttl` seconds is not served, even under the same version."""
    now = [100.0]
    cache: AnswerCache[str, int] = AnswerCache(ttl=10.0, clock=lambda: now[0])
    cache.put("tax", "v", 1)
    now[0] = 110.0
    assert cache.get("tax", "v") == 1
    now[0] = 110.5
    assert cache.get("tax", "v") is None


async def test_concurrent_misses_share_one_computation() -> None:
    """Ten callers asking at once for the same key and version run `compute` once."""
    cache: AnswerCache[str, int] = AnswerCache()
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42

    results = await asyncio.gather(*(cache.get_or_compute("k", "v", compute) for _ in range(10)))
    assert results == [42] * 10 and calls == 1
    assert await cache.get_or_compute("k", "v", compute) == 42 and calls == 1
    assert await cache.get_or_compute("k", "v2", compute) == 42 and calls == 2


async def test_a_failed_computation_is_not_cached() -> None:
    """An exception reaches the caller and the next call computes again."""
    cache: AnswerCache[str, int] = AnswerCache()

    async def fail() -> int:
        raise RuntimeError("database locked")

    async def succeed() -> int:
        return 7

    with pytest.raises(RuntimeError, match="database locked"):
        await cache.get_or_compute("k", "v", fail)
    assert await cache.get_or_compute("k", "v", succeed) == 7


def test_size_zero_caches_nothing() -> None:
    """`size=0` turns caching off (the benchmark's cold figure)."""
    cache: AnswerCache[str, int] = AnswerCache(size=0)
    cache.put("k", "v", 1)
    assert cache.get("k", "v") is None and len(cache) == 0


def test_recent_values_need_no_version_while_this_process_wrote_nothing() -> None:
    """`recent` serves a value younger than the bound computed at the same local writes."""
    now = [100.0]
    cache: AnswerCache[str, int] = AnswerCache(clock=lambda: now[0])
    cache.put("tax", "v1", 1, local="7")
    assert cache.recent("tax", "7", within=30.0) == 1
    assert cache.recent("tax", "8", within=30.0) is None  # this process wrote since
    now[0] = 130.0
    assert cache.recent("tax", "7", within=30.0) is None  # older than the bound
    assert cache.get("tax", "v1") == 1  # the version check still serves it


async def test_a_new_key_is_computed_once_and_cached_under_the_version_it_read() -> None:
    """`compute_new`: no version asked beforehand; concurrent callers share one computation."""
    cache: AnswerCache[str, int] = AnswerCache()
    calls = 0

    async def compute() -> tuple[int, str]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return 42, "v7"

    assert not cache.has("k")
    results = await asyncio.gather(*(cache.compute_new("k", compute) for _ in range(10)))
    assert results == [42] * 10 and calls == 1
    assert cache.has("k") and cache.get("k", "v7") == 42 and cache.get("k", "v8") is None

    async def fail() -> tuple[int, str]:
        raise RuntimeError("database locked")

    with pytest.raises(RuntimeError, match="database locked"):
        await cache.compute_new("other", fail)
    assert not cache.has("other")
