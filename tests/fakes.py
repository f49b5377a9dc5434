"""A fake Telegram Bot API server on 127.0.0.1, strict where Telegram is strict.

It answers the methods the bot uses, over real HTTP, and rejects what Telegram rejects:
a wrong token, empty or over-long text (4096 UTF-16 units after entity parsing) and
HTML that Telegram cannot parse (unknown tags, unclosed or crossed tags, bare `<` or `&`).
Tests push user messages with `send_text` and read the bot's answers with `replies`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-for-the-fake-bot-api"
BOT_USER = {"id": 42, "is_bot": True, "first_name": "newsbot", "username": "newsbot_test_bot"}
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "span", "tg-spoiler", "blockquote", "tg-emoji"}  # fmt: skip
_INT_FIELDS = {"chat_id", "offset", "limit", "timeout", "message_id", "reply_to_message_id"}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    """A Bot API error answer."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code, self.description = code, description


class _EntityChecker(HTMLParser):
    """Parses Telegram HTML the way the Bot API does, collecting the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            raise ApiError(
                400, f'Bad Request: can\'t parse entities: unsupported start tag "{tag}"'
            )
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ApiError(400, f'Bad Request: can\'t parse entities: unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def visible_text(html: str) -> str:
    """The text Telegram would show for `html`, or ApiError when it would refuse it."""
    bare = _ENTITY.sub("", html)
    if re.search(r"&", bare) or re.search(r"<(?![a-zA-Z/])", bare):
        raise ApiError(400, "Bad Request: can't parse entities: unescaped '<' or '&'")
    checker = _EntityChecker()
    checker.feed(html)
    checker.close()
    if checker.stack:
        raise ApiError(
            400, f'Bad Request: can\'t parse entities: unclosed tag "{checker.stack[-1]}"'
        )
    return "".join(checker.visible)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class FakeBotApi:
    """The fake server and what it has seen."""

    token: str = TOKEN
    sent: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _next_update: int = 1
    _next_message: int = 1
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> str:
        """Listen on a free loopback port; returns the base URL (without `/bot`)."""
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Close the server."""
        if self._runner:
            await self._runner.cleanup()

    # --- the test side -------------------------------------------------------------------

    async def send_text(self, text: str, chat_id: int = 1001, user_id: int = 1001) -> None:
        """A user writes `text` to the bot in a private chat."""
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Tester"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Tester"},
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        await self.push_update({"message": message})

    async def push_update(self, update: dict[str, Any]) -> None:
        """Queue a raw update for getUpdates."""
        async with self._changed:
            self._updates.append({"update_id": self._next_update, **update})
            self._next_update += 1
            self._changed.notify_all()

    async def replies(self, chat_id: int, count: int, within: float = 15) -> list[str]:
        """Wait until the bot has sent `count` messages to `chat_id`; return their texts."""
        return await self.replies_until(chat_id, lambda texts: len(texts) >= count, within)

    async def replies_until(
        self, chat_id: int, done: Callable[[list[str]], bool], within: float = 15
    ) -> list[str]:
        """Wait until the texts sent to `chat_id` satisfy `done`; return them."""

        def mine() -> list[str]:
            return [m["text"] for m in self.sent if m["chat"]["id"] == chat_id]

        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: done(mine()))
        return mine()

    # --- the Bot API side ----------------------------------------------------------------

    def _message_id(self) -> int:
        self._next_message += 1
        return self._next_message

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = _decode(dict(await request.post()))
        self.calls.append((method, params))
        try:
            result = await self._call(method, params)
        except ApiError as exc:
            self.rejected.append((method, exc.description))
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            return web.json_response(body, status=exc.code)
        return web.json_response({"ok": True, "result": result})

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "sendMessage":
            return await self._send_message(params)
        if method == "setMyCommands":
            self.commands = params["commands"]
            return True
        if method in ("deleteWebhook", "close", "logOut"):
            return True
        raise ApiError(404, "Not Found: method not found")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        async with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates:
                try:
                    async with asyncio.timeout(float(params.get("timeout", 0))):
                        await self._changed.wait_for(lambda: bool(self._updates))
                except TimeoutError:
                    return []
            return list(self._updates[: int(params.get("limit", 100))])

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        shown = visible_text(text) if params.get("parse_mode") == "HTML" else text
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(shown) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        chat_id = int(params["chat_id"])
        message = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": shown,
            "html": text,
        }
        async with self._changed:
            self.sent.append(message)
            self._changed.notify_all()
        return {k: v for k, v in message.items() if k != "html"}


def _decode(form: dict[str, Any]) -> dict[str, Any]:
    """Form fields as the Bot API reads them: numbers and JSON where the field needs it."""
    decoded: dict[str, Any] = {}
    for key, value in form.items():
        text = str(value)
        if key in _INT_FIELDS:
            decoded[key] = int(text)
        elif key != "text" and text.startswith(("[", "{")):
            decoded[key] = json.loads(text)
        else:
            decoded[key] = text
    return decoded
