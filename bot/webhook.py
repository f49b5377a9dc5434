"""Webhook mode (`newsbot run --webhook`): an aiohttp server that Telegram posts updates to.

Every POST to the webhook path must carry `X-Telegram-Bot-Api-Secret-Token` equal to
WEBHOOK_SECRET (compared in constant time); a wrong or missing one gets 403 and a log line
that names the peer, never the token. Accepted updates go to the PTB application's update
queue, so they are handled exactly as in polling mode. `GET /healthz` answers 200 while the
bot runs (503 while it stops), for load balancers; `GET /metrics` serves Prometheus metrics
when METRICS is on.

Start-up calls setWebhook with the secret, `allowed_updates` and `drop_pending_updates`
off. Shutdown (SIGTERM or Ctrl-C) stops accepting requests, lets requests in flight finish,
then stops the application, which handles every update already queued. The webhook is not
deleted on shutdown: other instances behind the same URL keep serving it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from contextlib import suppress
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update

from bot import metrics
from bot.app import ALLOWED_UPDATES
from bot.config import Settings
from bot.context import NewsApp
from bot.errors import ConfigError, StoreError
from bot.models import utcnow

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHUTDOWN_TIMEOUT_SECONDS = 25.0  # under the usual 30 s grace period of orchestrators


def webhook_path(settings: Settings) -> str:
    """The path Telegram posts to: WEBHOOK_URL's path, else /telegram."""
    return urlsplit(settings.webhook_url or "").path or "/telegram"


class WebhookServer:
    """The HTTP side of webhook mode, bound to one running application."""

    def __init__(self, app: NewsApp, settings: Settings) -> None:
        """Routes for the webhook, health and metrics; nothing listens yet."""
        if settings.webhook_secret is None:
            raise ConfigError("WEBHOOK_SECRET: required in webhook mode (1-256 of A-Z a-z 0-9 _ -)")
        self._app = app
        self._settings = settings
        self._secret = settings.webhook_secret.get_secret_value().encode()
        self._stopping = False
        web_app = web.Application()
        web_app.router.add_post(webhook_path(settings), self._update)
        web_app.router.add_get("/healthz", self._health)
        if settings.metrics:
            web_app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(
            web_app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_SECONDS
        )
        self.port = 0

    async def start(self) -> int:
        """Listen on WEBHOOK_LISTEN:WEBHOOK_PORT; returns the port (useful when it was 0)."""
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.webhook_listen, self._settings.webhook_port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("webhook server listening on port %d", self.port)
        return self.port

    async def stop(self) -> None:
        """Refuse new work (health goes 503), finish requests in flight, close."""
        self._stopping = True
        await self._runner.cleanup()

    async def _update(self, request: web.Request) -> web.Response:
        """One update from Telegram: check the secret, queue it for the application."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            metrics.WEBHOOK_REJECTED.inc()
            why = "wrong" if given else "missing"
            log.warning("webhook: refused a request from %s: %s secret token", request.remote, why)
            return web.Response(status=403, text="forbidden")
        if self._stopping:
            return web.Response(status=503, text="shutting down")
        try:
            data: Any = await request.json()
            update = Update.de_json(data, self._app.bot)
        except (ValueError, TypeError, KeyError, AttributeError):  # e.g. "message": "text"
            # It came with our secret, so from Telegram: answering an error would make
            # Telegram send it again and again, holding back the updates after it.
            log.warning("webhook: a malformed update was skipped")
            return web.Response(text="skipped")
        log.debug("webhook: update %d received", update.update_id)
        try:
            first = await self._app.bot_data.store.claim_update(update.update_id, utcnow())
        except StoreError:  # the store is down: better a rare double answer than none
            log.warning("webhook: could not check update %d for a repeat", update.update_id)
            first = True
        if not first:  # Telegram resent it (our answer was lost): another instance took it
            log.info("webhook: update %d was already taken; skipped", update.update_id)
            return web.Response(text="repeat")
        await self._app.update_queue.put(update)
        return web.Response(text="ok")

    async def _health(self, request: web.Request) -> web.Response:
        """200 while the bot serves updates, 503 otherwise."""
        if self._stopping or not self._app.running:
            return web.Response(status=503, text="stopping")
        return web.Response(text="ok")

    async def _metrics(self, request: web.Request) -> web.Response:
        """Prometheus text exposition."""
        return web.Response(body=metrics.exposition(), content_type="text/plain")


async def register_webhook(app: NewsApp, settings: Settings) -> None:
    """setWebhook: our URL and secret, the update kinds we handle, pending updates kept."""
    assert settings.webhook_url and settings.webhook_secret
    await app.bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
    )
    log.info("webhook registered with Telegram")


async def serve(app: NewsApp, settings: Settings, stop: asyncio.Event) -> None:
    """Run the application behind the webhook server until `stop` is set."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        server = WebhookServer(app, settings)
        await server.start()
        try:
            await register_webhook(app, settings)
            await stop.wait()
            log.info("webhook mode: stopping; finishing the updates in flight")
        finally:
            await server.stop()
            await app.stop()
    finally:
        if app.post_shutdown:
            await app.post_shutdown(app)
        await app.shutdown()


def run_webhook(app: NewsApp, settings: Settings) -> None:
    """`newsbot run --webhook`: serve until SIGTERM or Ctrl-C, then shut down cleanly."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await serve(app, settings, stop)

    asyncio.run(main())
