"""`newsbot chat`: the same application and handlers, with the terminal instead of Telegram.

The seam is PTB's `BaseRequest`: `TerminalRequest` answers the Bot API calls in-process,
printing sent messages as plain text. Each input line becomes a user's message update.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import sys
import time
from collections.abc import AsyncIterator
from typing import Any, TextIO

from telegram import Update
from telegram.request import BaseRequest, RequestData

from bot.app import build_application
from bot.config import Settings

_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
USER = {"id": 1, "is_bot": False, "first_name": "You"}
BOT = {"id": 2, "is_bot": True, "first_name": "newsbot", "username": "newsbot"}
CHAT = {"id": 1, "type": "private", "first_name": "You"}


def html_to_text(text: str) -> str:
    """Readable plain text from a reply in Telegram HTML: links as `label (url)`."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({html.unescape(m.group(1))})", text)
    return html.unescape(_TAG.sub("", text))


class TerminalRequest(BaseRequest):
    """A Bot API that lives in this process and prints what the bot sends."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._message_id = 0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *args: Any, **kwargs: Any) -> tuple[int, bytes]:  # fmt: skip
        """Answer one Bot API call."""
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: object = True
        if name == "getMe":
            result = BOT
        elif name == "getUpdates":
            result = []
        elif name in ("sendMessage", "editMessageText"):
            self._out.write(html_to_text(str(params.get("text", ""))) + "\n\n")
            self._out.flush()
            result = self.next_message(str(params.get("text", "")), BOT)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def next_message(self, text: str, sender: dict[str, object]) -> dict[str, object]:
        """A Message object as the Bot API returns it."""
        self._message_id += 1
        return {
            "message_id": self._message_id,
            "date": int(time.time()),
            "chat": CHAT,
            "from": sender,
            "text": text,
        }


def _update(request: TerminalRequest, update_id: int, text: str) -> dict[str, object]:
    """The update Telegram would send for a user's text message."""
    message = request.next_message(text, USER)
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"update_id": update_id, "message": message}


async def _lines(source: TextIO, out: TextIO) -> AsyncIterator[str]:
    """Input lines, read off the event loop; a prompt when a person is typing."""
    interactive = source.isatty()
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = await asyncio.to_thread(source.readline)
        if not line:
            return
        yield line.rstrip("\n")


async def run_chat(
    settings: Settings, source: TextIO = sys.stdin, out: TextIO = sys.stdout
) -> None:
    """Feed each input line to the bot as a message; print its replies; stop at end of input."""
    request = TerminalRequest(out)
    app = build_application(settings, request=request)
    async with app:
        if app.post_init:
            await app.post_init(app)
        await app.start()
        try:
            update_id = 0
            async for text in _lines(source, out):
                if text.strip():
                    update_id += 1
                    data = _update(request, update_id, text)
                    await app.process_update(Update.de_json(data, app.bot))
        finally:
            await app.stop()
            if app.post_shutdown:
                await app.post_shutdown(app)
