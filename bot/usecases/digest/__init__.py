"""Digests: what a chat's digest holds, when it is due, and sending it exactly once.

bot/usecases/schedule.py (next due time; shared with subscriptions, which must not import digests) →
compose.py (new stories per topic) → render.py (messages) → deliver.py (send one chat's
digest, log each message) → jobs.py (JobQueue tick, fan-out).
"""

from __future__ import annotations

from bot.usecases.digest.compose import Digest, DigestLimits, compose_digest
from bot.usecases.digest.deliver import DigestOutcome, send_digest
from bot.usecases.digest.jobs import (
    DigestConfig,
    DigestWorker,
    digest_now,
    digest_tick,
    ensure_schedules,
    reschedule,
    start_digests,
)
from bot.usecases.digest.render import DigestMessage, render_digest
from bot.usecases.schedule import next_due

__all__ = [
    "Digest",
    "DigestConfig",
    "DigestLimits",
    "DigestMessage",
    "DigestOutcome",
    "DigestWorker",
    "compose_digest",
    "digest_now",
    "digest_tick",
    "ensure_schedules",
    "next_due",
    "render_digest",
    "reschedule",
    "send_digest",
    "start_digests",
]
