"""Fixtures for the web ingestion tests: a local site, a fetcher that may reach it, a poller."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.ingest.fetch import Fetcher, FetchLimits
from bot.ingest.polling import FeedPoller
from bot.ingest.safety import AddressPolicy
from bot.ingest.web import WebIngest
from bot.netaddr import parse_networks
from bot.store import Store
from tests.ingest.site import LocalSite

# Short limits keep the slow and failing cases fast.
TEST_LIMITS = FetchLimits(
    connect_timeout=1.0,
    read_timeout=0.5,
    total_timeout=2.0,
    max_bytes=300_000,
    max_redirects=4,
    retries=1,
    backoff=0.05,
    max_retry_wait=1.0,
)


def loopback_fetcher(limits: FetchLimits = TEST_LIMITS) -> Fetcher:
    """A fetcher allowed to reach 127.0.0.0/8 (and nothing else that is not public)."""
    return Fetcher(AddressPolicy(parse_networks("127.0.0.0/8")), limits)


@pytest.fixture
async def site() -> AsyncIterator[LocalSite]:
    """The local web site, listening on 127.0.0.1."""
    local = LocalSite()
    await local.start()
    yield local
    await local.stop()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    """A loopback-allowed fetcher with short timeouts."""
    client = loopback_fetcher()
    yield client
    await client.aclose()


@pytest.fixture
async def poller(store: Store) -> AsyncIterator[FeedPoller]:
    """Web ingestion into the test store through a loopback-allowed fetcher."""
    feeds = FeedPoller(WebIngest(store, loopback_fetcher()), interval=900, max_failures=3)
    yield feeds
    await feeds.web.close()
