"""Telegram transport: the Bot API over HTTP, pacing and rate limits, message text, safe polling.

The webhook server and the application's wiring are one floor up (`bot.webhook`, `bot.app`).
"""
