"""A fake Telegram Bot API server on 127.0.0.1, strict where Telegram is strict.

It answers the methods the bot uses, over real HTTP, and rejects what Telegram rejects:
a wrong token, empty or over-long text (4096 UTF-16 units after entity parsing) and
HTML that Telegram cannot parse (unknown tags, unclosed or crossed tags, bare `<` or `&`).
Tests push user messages with `send_text` and read the bot's answers with `replies`.
Flood limits and scripted failures (429, 403, 500, dropped connections) are in `flood`
(tests/fake_flood.py), off unless a test turns them on.
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

from tests.botapi_spec import load_spec
from tests.fake_flood import Dropped, FloodControl, Refusal

TOKEN = "123456:TEST-token-for-the-fake-bot-api"
ANONYMOUS_ADMIN = 1087968824  # Telegram's GroupAnonymousBot
BOT_USER = {"id": 42, "is_bot": True, "first_name": "newsbot", "username": "newsbot_test_bot"}
_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                 "span", "tg-spoiler", "blockquote", "tg-emoji"}  # fmt: skip
_INT_FIELDS = {"chat_id", "offset", "limit", "timeout", "message_id", "user_id"}
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
    violations: list[str] = field(default_factory=list)  # against the Bot API spec
    uneditable: set[int] = field(default_factory=set)  # message ids too old to edit
    answer_delay: float = 0.0  # seconds between accepting a sendMessage and answering it
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    inline_answers: list[dict[str, Any]] = field(default_factory=list)
    admins: set[tuple[int, int]] = field(default_factory=set)  # (chat_id, user_id)
    webhook: dict[str, Any] = field(default_factory=dict)  # the last setWebhook parameters
    flood: FloodControl = field(default_factory=FloodControl)  # 429/403/500s (fake_flood.py)
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

    async def send_text(
        self, text: str, chat_id: int = 1001, user_id: int = 1001, as_group: bool = False
    ) -> None:
        """A user writes `text` to the bot (a group chat when `chat_id` is negative).

        `as_group`: an anonymous group administrator, who writes as the group itself
        (`sender_chat` is the group; `from` is Telegram's GroupAnonymousBot).
        """
        chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "Tester"}
        if chat_id < 0:
            chat = {"id": chat_id, "type": "group", "title": "Test group"}
        message: dict[str, Any] = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": chat,
            "from": _user(user_id),
            "text": text,
        }
        if as_group:
            message["sender_chat"] = chat
            message["from"] = {"id": ANONYMOUS_ADMIN, "is_bot": True, "first_name": "Group",
                               "username": "GroupAnonymousBot"}  # fmt: skip
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        await self.push_update({"message": message})

    async def migrate_group(
        self, old: int, new: int, tell: tuple[str, ...] = ("old", "new"), user_id: int = 1001
    ) -> None:
        """Group `old` becomes supergroup `new`: the service message Telegram posts in each."""
        for where in tell:
            chat = {"id": old, "type": "group", "title": "Test group"}
            field = {"migrate_to_chat_id": new}
            if where == "new":
                chat = {"id": new, "type": "supergroup", "title": "Test group"}
                field = {"migrate_from_chat_id": old}
            message = {"message_id": self._message_id(), "date": int(time.time()), "chat": chat}
            await self.push_update({"message": {**message, "from": _user(user_id), **field}})

    async def press(self, message: dict[str, Any], data: str, user_id: int = 1001) -> str:
        """A user presses a button with callback `data` under a message the bot sent."""
        query_id = f"cb{self._message_id()}"
        wire = {k: v for k, v in message.items() if k not in ("html", "reply_markup")}
        update = {"id": query_id, "from": _user(user_id), "chat_instance": "ci", "data": data}
        await self.push_update({"callback_query": {**update, "message": wire}})
        return query_id

    async def inline(self, query: str, user_id: int = 1001) -> str:
        """A user types `@bot query` in some chat."""
        query_id = f"iq{self._message_id()}"
        update = {"id": query_id, "from": _user(user_id), "query": query, "offset": ""}
        await self.push_update({"inline_query": update})
        return query_id

    async def wait_for(self, done: Callable[[], bool], within: float = 15) -> None:
        """Wait until `done()` holds (checked after every call the bot makes)."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(done)

    def buttons(self, message: dict[str, Any]) -> dict[str, str]:
        """Button label → callback data of a sent message's inline keyboard."""
        markup = message.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", [])
        return {b["text"]: b.get("callback_data", "") for row in rows for b in row}

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
        try:
            form = await _fields(request)
        except ApiError as exc:
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            return web.json_response(body, status=exc.code)
        params = _decode(form)
        self.calls.append((method, params))
        try:
            self._conform(method, form)
            result = await self._call(method, params)
        except (ApiError, Refusal) as exc:
            self.rejected.append((method, exc.description))
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if isinstance(exc, Refusal) and exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.code)
        except Dropped:
            if request.transport is not None:
                request.transport.close()
            return web.Response()
        finally:
            async with self._changed:
                self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    def _conform(self, method: str, form: dict[str, str]) -> None:
        """Refuse, and remember, a request the Bot API (../shared/botapi) would refuse."""
        spec = load_spec(visible_text)
        problems = spec.check(method, form) if spec else []
        if problems:
            self.violations += problems
            raise ApiError(400, f"Bad Request: {problems[0]}")

    async def _call(self, method: str, params: dict[str, Any]) -> Any:
        simple: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda _: BOT_USER,
            "setMyCommands": self._set_commands,
            "answerCallbackQuery": self._answer_callback,
            "answerInlineQuery": self._answer_inline,
            "editMessageText": self._edit_message,
            "getChatMember": self._chat_member,
            "deleteWebhook": lambda _: True,
            "setWebhook": self._set_webhook,
            "close": lambda _: True,
            "logOut": lambda _: True,
        }
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "sendMessage":
            return await self._send_message(params)
        if method in simple:
            return simple[method](params)
        raise ApiError(404, "Not Found: method not found")

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        if not str(params.get("url", "")).startswith(("https://", "http://127.0.0.1")):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        self.webhook = params
        return True

    def _set_commands(self, params: dict[str, Any]) -> bool:
        self.commands = params["commands"]
        return True

    def _answer_callback(self, params: dict[str, Any]) -> bool:
        if any(
            a["callback_query_id"] == params["callback_query_id"] for a in self.callback_answers
        ):
            raise ApiError(400, "Bad Request: query is too old or query ID is invalid")
        self.callback_answers.append(params)
        return True

    def _answer_inline(self, params: dict[str, Any]) -> bool:
        results = params.get("results", [])
        if len(results) > 50:
            raise ApiError(400, "Bad Request: too many inline query results")
        for result in results:
            content = result.get("input_message_content", {})
            if content.get("parse_mode") == "HTML":
                visible_text(content["message_text"])
        self.inline_answers.append(params)
        return True

    def _edit_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text = str(params.get("text", ""))
        shown = self._check_text(text, params)
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        if message_id in self.uneditable:
            raise ApiError(400, "Bad Request: message can't be edited")
        for message in self.sent:
            if message["chat"]["id"] == chat_id and message["message_id"] == message_id:
                if message["html"] == text and message.get("reply_markup") == params.get(
                    "reply_markup"
                ):
                    raise ApiError(400, "Bad Request: message is not modified")
                message.update(text=shown, html=text, reply_markup=params.get("reply_markup"))
                message["edits"] = message.get("edits", 0) + 1
                return {k: v for k, v in message.items() if k not in ("html", "edits")}
        raise ApiError(400, "Bad Request: message to edit not found")

    def _chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        status = "administrator" if (chat_id, user_id) in self.admins else "member"
        if status == "administrator":
            return {"status": status, "user": _user(user_id), "can_be_edited": False,
                    "is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                    "can_manage_video_chats": True, "can_restrict_members": True,
                    "can_promote_members": False, "can_change_info": True,
                    "can_invite_users": True, "can_post_stories": False,
                    "can_edit_stories": False, "can_delete_stories": False}  # fmt: skip
        return {"status": status, "user": _user(user_id)}

    def _check_text(self, text: str, params: dict[str, Any]) -> str:
        """The visible text, or ApiError for what Telegram refuses."""
        shown = visible_text(text) if params.get("parse_mode") == "HTML" else text
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(shown) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        markup = params.get("reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return shown

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
        chat_id = int(params["chat_id"])
        self.flood.check(chat_id)
        shown = self._check_text(text, params)
        self.flood.accepted(chat_id)
        message = {
            "message_id": self._message_id(),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "from": BOT_USER,
            "text": shown,
            "html": text,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        async with self._changed:
            self.sent.append(message)
            self._changed.notify_all()
        if self.answer_delay:  # delivered, but the answer is late (a slow or lost network)
            await asyncio.sleep(self.answer_delay)
        return {k: v for k, v in message.items() if k != "html"}

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """Every message the bot sent to `chat_id`, oldest first."""
        return [m for m in self.sent if m["chat"]["id"] == chat_id]


def _user(user_id: int) -> dict[str, Any]:
    """A human Telegram user."""
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}


async def _fields(request: web.Request) -> dict[str, str]:
    """A request's parameters as form fields, from any body the Bot API takes.

    The Bot API reads a query string, a url-encoded or multipart form, or a JSON object (its
    non-string values stand for their JSON text, as in a form).
    """
    if request.content_type != "application/json":
        return {key: str(value) for key, value in (await request.post()).items()}
    try:
        parsed = json.loads(await request.read())
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "Bad Request: can't parse JSON object") from None
    if not isinstance(parsed, dict):
        raise ApiError(400, "Bad Request: can't parse JSON object")
    return {
        str(key): value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for key, value in parsed.items()
    }


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
