"""Tests for bot.metrics: the per-update log context in log lines, and the exposition."""

from __future__ import annotations

import logging

from bot import metrics
from bot.config import RedactingFormatter


def _record(message: str, exc: bool = False) -> logging.LogRecord:
    """A log record, with a real traceback when `exc`."""
    info = None
    if exc:
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            import sys

            info = sys.exc_info()
    return logging.LogRecord("bot.x", logging.ERROR, __file__, 1, message, None, info)


def test_lines_carry_chat_and_update_ids_and_stay_one_line() -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s", ["123:SECRET"])
    chat = metrics.chat_id_var.set(-100)
    update = metrics.update_id_var.set(77)
    try:
        line = formatter.format(_record("failed for token 123:SECRET", exc=True))
    finally:
        metrics.chat_id_var.reset(chat)
        metrics.update_id_var.reset(update)
    assert "\n" not in line
    assert "chat_id=-100 update_id=77" in line
    assert "123:SECRET" not in line and "[REDACTED]" in line
    assert "ValueError: boom | second line" in line


def test_lines_outside_an_update_have_no_ids() -> None:
    line = RedactingFormatter("%(message)s", []).format(_record("started"))
    assert line == "started"


def test_sending_calls_are_counted_with_latency() -> None:
    before = metrics.MESSAGES_SENT.labels("sendMessage")._value.get()
    token = metrics.started_var.set(0.0)  # a very old update: latency lands in the top bucket
    try:
        metrics.observe_call("sendMessage")
        metrics.observe_call("getMe")  # not a message: not counted
    finally:
        metrics.started_var.reset(token)
    after = metrics.MESSAGES_SENT.labels("sendMessage")._value.get()
    assert after == before + 1
    assert b"newsbot_reply_latency_seconds_bucket" in metrics.exposition()
