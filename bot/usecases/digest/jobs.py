"""Scheduled digests: the JobQueue tick, the fan-out over due chats, start-up and /digest.

Schedules live in the store (`next_due` per chat), so nothing is lost when the bot stops:
at start-up `start_digests` gives every subscribed chat without one a next digest time and
registers one repeating job. Each tick starts a drain (unless one is running): it claims due
chats in batches (a lease in the store, so other workers skip them), sends their digests
concurrently while a shared `Pacer` holds the whole fan-out under Telegram's overall limit,
and finishes each chat with its next due time. PTB's AIORateLimiter stays underneath and
also keeps group chats under 20 messages a minute.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application, ExtBot

from bot.config import Settings
from bot.context import NewsApp, NewsContext, Resources
from bot.errors import StoreError
from bot.models import utcnow
from bot.store.base import SubscriptionStore
from bot.transport.pacing import Pacer
from bot.usecases.digest.compose import DELIVERIES_KEPT, DigestLimits, TopicCache
from bot.usecases.digest.deliver import CHAT_PACE_SECONDS, DigestOutcome, send_digest
from bot.usecases.schedule import next_due

log = logging.getLogger(__name__)

LEASE_SECONDS = 600.0  # a claim outlives any batch; a crashed worker's chats wait this long
JOB_NAME = "digests"
FIRST_TICK_SECONDS = 1.0  # resume interrupted digests soon after a restart
PRUNE_EVERY = timedelta(hours=6)  # forgetting old deliveries scans the whole log
RETRY_SECONDS = 60.0  # an unfinished digest stays pending and is tried again this much later


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """How digests fan out: overall rate, chats in flight, per-chat pace, claim lease."""

    rate: float = 29.0
    batch: int = 100
    pace: float = CHAT_PACE_SECONDS
    lease_seconds: float = LEASE_SECONDS
    limits: DigestLimits = field(default_factory=DigestLimits)

    @classmethod
    def from_settings(cls, settings: Settings) -> DigestConfig:
        """The configuration that DIGEST_RATE, DIGEST_BATCH, DIGEST_LEASE_SECONDS ask for."""
        return cls(
            rate=settings.digest_rate,
            batch=settings.digest_batch,
            lease_seconds=settings.digest_lease_seconds,
        )


def worker_name() -> str:
    """A name for this process's digest worker, unique across hosts and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def reschedule(store: SubscriptionStore, chat_id: int, now: datetime) -> datetime | None:
    """Set the chat's next digest time from its settings; returns it."""
    due = next_due(await store.chat_settings(chat_id), now)
    await store.schedule_digest(chat_id, due)
    return due


async def ensure_schedules(store: SubscriptionStore, now: datetime, batch: int = 1000) -> int:
    """Give every subscribed chat that lacks one a next digest time; how many were set."""
    done: set[int] = set()
    while chats := [c for c in await store.unscheduled_chats(batch) if c not in done]:
        for chat_id in chats:
            await reschedule(store, chat_id, now)
        done.update(chats)
    return len(done)


class DigestWorker:
    """One bot instance's digest sender: claims due chats and fans their digests out."""

    def __init__(
        self,
        bot: ExtBot[Any],
        resources: Resources,
        *,
        config: DigestConfig | None = None,
        worker: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        running: Callable[[], bool] = lambda: True,
    ) -> None:
        self.bot, self.resources = bot, resources
        self.config = config or DigestConfig()
        self.worker = worker or worker_name()
        self.clock, self.running = clock, running
        self.pacer = Pacer(self.config.rate)
        self.cache = TopicCache()
        self._drain: asyncio.Task[list[DigestOutcome]] | None = None
        self._pruned: datetime | None = None

    async def drain(self) -> list[DigestOutcome]:
        """Send every digest due now, keeping up to `batch` chats in flight; their outcomes."""
        config, store = self.config, self.resources.store
        await self._prune()
        outcomes: list[DigestOutcome] = []
        tasks: set[asyncio.Task[DigestOutcome]] = set()
        more = True
        while True:
            if more and self.running() and len(tasks) <= config.batch // 2:
                want = config.batch - len(tasks)
                claimed = await store.claim_due_digests(
                    self.clock(), self.worker, config.lease_seconds, limit=want
                )
                more = len(claimed) == want
                tasks.update(asyncio.create_task(self.deliver(chat)) for chat in claimed)
            if not tasks:
                break
            done, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            outcomes += [task.result() for task in done]
        if outcomes:
            _log_summary(outcomes)
        return outcomes

    async def _prune(self) -> None:
        """Forget deliveries no digest can need (`DELIVERIES_KEPT`), every `PRUNE_EVERY`."""
        now = self.clock()
        if self._pruned is not None and now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        try:
            forgotten = await self.resources.store.prune_deliveries(now - DELIVERIES_KEPT)
        except StoreError as error:
            log.warning("could not forget old deliveries: %s", error)
            return
        if forgotten:
            log.info("forgot %d deliveries sent over %d days ago", forgotten, DELIVERIES_KEPT.days)

    async def deliver(self, chat_id: int) -> DigestOutcome:
        """Send one claimed chat's digest, then release the claim with its next due time."""
        try:
            outcome = await send_digest(
                self.bot,
                self.resources,
                chat_id,
                pace=self.config.pace,
                limits=self.config.limits,
                pacer=self.pacer,
                cache=self.cache,
                keep_going=self.running,
            )
        except Exception:
            log.exception("digest for chat %d failed; it stays due", chat_id)
            outcome = DigestOutcome(chat_id, "failed")
        try:
            await self.resources.store.finish_digest(chat_id, self.worker, await self._due(outcome))
        except Exception:
            log.exception("cannot release the digest claim of chat %d (its lease will)", chat_id)
        return outcome

    async def _due(self, outcome: DigestOutcome) -> datetime | None:
        """When the chat's digest is due next, after this outcome."""
        if outcome.status in ("blocked", "moved"):  # moved: the new chat's row is due already
            return None
        if outcome.complete:
            return next_due(await self.resources.store.chat_settings(outcome.chat_id), self.clock())
        # Still pending (the slot is not skipped), but not again within this drain.
        return outcome.retry_at or self.clock() + timedelta(seconds=RETRY_SECONDS)

    def kick(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Start a drain in the background unless one is still running."""
        if self._drain is None or self._drain.done():
            self._drain = application.create_task(self.drain(), name=JOB_NAME)


def _log_summary(outcomes: list[DigestOutcome]) -> None:
    """One log line per drain."""
    status = [o.status for o in outcomes]
    log.info(
        "digests: %d chats, %d messages, %d blocked, %d left for later, %d flood waits",
        len(outcomes),
        sum(o.messages for o in outcomes),
        status.count("blocked"),
        sum(not o.complete and o.status != "blocked" for o in outcomes),
        sum(o.flood_waits for o in outcomes),
    )


async def digest_tick(context: NewsContext) -> None:
    """JobQueue callback: start draining the due digests (the job's data is the worker)."""
    worker = context.job.data if context.job else None
    if isinstance(worker, DigestWorker):
        worker.kick(context.application)


async def start_digests(app: NewsApp) -> DigestWorker | None:
    """Repair missing schedules and register the digest tick (post_init; after store.open).

    Only a bot that polls Telegram sends digests: `newsbot chat` (no updater) must not
    consume real subscribers' digests. DIGEST_TICK_SECONDS=0 turns digests off.
    """
    resources, settings = app.bot_data, app.bot_data.settings
    if app.job_queue is None or app.updater is None or settings.digest_tick_seconds <= 0:
        return None
    repaired = await ensure_schedules(resources.store, utcnow())
    if repaired:
        log.info("scheduled digests for %d subscribed chats that had no next time", repaired)
    worker = DigestWorker(
        app.bot,
        resources,
        config=DigestConfig.from_settings(settings),
        running=lambda: app.running,
    )
    app.job_queue.run_repeating(
        digest_tick,
        interval=settings.digest_tick_seconds,
        first=FIRST_TICK_SECONDS,
        data=worker,
        name=JOB_NAME,
    )
    return worker


async def digest_now(bot: ExtBot[Any], resources: Resources, chat_id: int) -> DigestOutcome:
    """/digest: the chat's digest right away, under a claim so no scheduled run overlaps.

    Status "busy" (nothing sent) when a scheduled run is sending this chat's digest now.
    """
    store, worker, now = resources.store, f"digest-now:{worker_name()}", utcnow()
    if not await store.claim_digest(chat_id, now, worker, LEASE_SECONDS):
        return DigestOutcome(chat_id, "busy")
    due: datetime | None = now
    try:
        outcome = await send_digest(bot, resources, chat_id, pace=CHAT_PACE_SECONDS, manual=True)
        if outcome.complete:
            due = next_due(await store.chat_settings(chat_id), utcnow())
        elif outcome.status in ("blocked", "moved"):
            due = None
    finally:
        await store.finish_digest(chat_id, worker, due)
    return outcome
