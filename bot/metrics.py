"""Observability: Prometheus metrics and the per-update log context (chat id, update id).

`track_update` is the first handler of every update (group -2 in the handler table): it
counts the update, remembers when it arrived and puts its update id and chat id into context
variables, which every log line written while handling it carries (`log_fields`, used by
`bot.config.RedactingFormatter`). PTB handles each update in its own task, so the values
never leak between updates. The metrics live in a registry of their own, served as
`/metrics` by the webhook server when METRICS is on.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

if TYPE_CHECKING:  # bot.config imports this module: keep telegram out of its imports
    from telegram import Update

REGISTRY = CollectorRegistry(auto_describe=True)
UPDATES = Counter("newsbot_updates", "Updates received and handled", ["kind"], registry=REGISTRY)
REPLY_LATENCY = Histogram(
    "newsbot_reply_latency_seconds",
    "From receiving an update to each message the bot sends for it",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
    registry=REGISTRY,
)
MESSAGES_SENT = Counter(
    "newsbot_messages_sent", "Bot API calls that send or edit a message", ["method"],
    registry=REGISTRY,
)  # fmt: skip
FLOOD_WAITS = Counter(
    "newsbot_telegram_429", "Bot API answers 429 Too Many Requests (RetryAfter)",
    registry=REGISTRY,
)  # fmt: skip
FEED_ERRORS = Counter("newsbot_feed_errors", "Failed feed polls", registry=REGISTRY)
WEBHOOK_REJECTED = Counter(
    "newsbot_webhook_rejected", "Webhook requests refused (wrong or missing secret)",
    registry=REGISTRY,
)  # fmt: skip

update_id_var: ContextVar[int | None] = ContextVar("update_id", default=None)
chat_id_var: ContextVar[int | None] = ContextVar("chat_id", default=None)
started_var: ContextVar[float | None] = ContextVar("update_started", default=None)

SENDING = frozenset(
    {"sendMessage", "editMessageText", "answerInlineQuery", "sendPhoto", "sendDocument"}
)


def log_fields() -> str:
    """` chat_id=… update_id=…` for the update being handled ("" outside one)."""
    update_id, chat_id = update_id_var.get(), chat_id_var.get()
    fields = []
    if chat_id is not None:
        fields.append(f"chat_id={chat_id}")
    if update_id is not None:
        fields.append(f"update_id={update_id}")
    return " " + " ".join(fields) if fields else ""


def _kind(update: Update) -> str:
    """A short label for what the update carries."""
    if update.callback_query:
        return "button"
    if update.inline_query:
        return "inline"
    if update.effective_message and update.effective_message.text:
        return "command" if update.effective_message.text.startswith("/") else "text"
    return "other"


async def track_update(update: object, context: Any) -> None:
    """First handler of every update: count it, start its clock, set the log context."""
    from telegram import Update

    if not isinstance(update, Update):
        return
    UPDATES.labels(_kind(update)).inc()
    update_id_var.set(update.update_id)
    chat_id_var.set(update.effective_chat.id if update.effective_chat else None)
    started_var.set(time.monotonic())


def observe_call(method: str) -> None:
    """Count a Bot API call that sends a message and record the reply latency."""
    if method not in SENDING:
        return
    MESSAGES_SENT.labels(method).inc()
    started = started_var.get()
    if started is not None:
        REPLY_LATENCY.observe(time.monotonic() - started)


def exposition() -> bytes:
    """The metrics in Prometheus' text format."""
    return generate_latest(REGISTRY)
