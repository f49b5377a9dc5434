"""Tests for `bot.summarize`."""
