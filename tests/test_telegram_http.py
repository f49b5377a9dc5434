"""The Bot API HTTP layer (bot/transport/http.py) against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport.http import AiohttpRequest
from bot.transport.safe_updates import SafeUpdatesRequest

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SECRET_PATH = "/bot123456:SECRET-TOKEN/sendMessage"


async def _serve(handler: Handler) -> tuple[web.AppRunner, str]:
    """An HTTP server on a free loopback port answering every POST with `handler`."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest.fixture
async def layer() -> AsyncIterator[AiohttpRequest]:
    """An initialized layer with short timeouts, shut down afterwards."""
    request = AiohttpRequest(timeout=0.5, pool_timeout=0.5)
    await request.initialize()
    yield request
    await request.shutdown()


def _data(**values: Any) -> RequestData:
    """PTB's request data for these parameters."""
    return RequestData([RequestParameter.from_input(key, value) for key, value in values.items()])


async def test_sends_parameters_as_json_and_returns_status_and_body(
    layer: AiohttpRequest,
) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        seen.update(
            body=json.loads(await request.read()),
            type=request.content_type,
            agent=request.headers["User-Agent"],
        )
        return web.json_response({"ok": False, "description": "nope"}, status=400)

    runner, url = await _serve(handler)
    try:
        markup = {"inline_keyboard": [[{"text": "Ещё", "callback_data": "mo:1:5"}]]}
        text = "<b>Привет</b> & 😀 a=1&b=2+3"
        data = _data(chat_id=7, text=text, reply_markup=markup, disable_notification=True)
        status, body = await layer.do_request(url + "/bot1:x/sendMessage", "POST", data)
    finally:
        await runner.cleanup()
    assert status == 400
    assert json.loads(body) == {"ok": False, "description": "nope"}
    assert seen["type"] == "application/json"
    assert seen["body"] == {
        "chat_id": 7,
        "text": text,
        "reply_markup": markup,
        "disable_notification": True,
    }
    assert seen["agent"].startswith("python-telegram-bot")


async def test_invalid_unicode_in_a_parameter_goes_out_as_a_question_mark(
    layer: AiohttpRequest,
) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        seen.update(json.loads(await request.read()))
        return web.json_response({"ok": True, "result": True})

    runner, url = await _serve(handler)
    try:
        data = _data(callback_query_id="1", text="half \ud83d of an emoji")
        status, _ = await layer.do_request(url + "/bot1:x/answerCallbackQuery", "POST", data)
    finally:
        await runner.cleanup()
    assert status == 200
    assert seen["text"] == "half ? of an emoji"


async def test_uploads_files_as_multipart(layer: AiohttpRequest) -> None:
    seen: dict[str, Any] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["document"]
        assert isinstance(upload, web.FileField)
        seen.update(chat=form["chat_id"], name=upload.filename, body=upload.file.read())
        return web.json_response({"ok": True, "result": True})

    runner, url = await _serve(handler)
    try:
        data = _data(chat_id=9, document=InputFile(b"headline\n", filename="news.txt"))
        status, _ = await layer.do_request(url + "/bot1:x/sendDocument", "POST", data)
    finally:
        await runner.cleanup()
    assert status == 200
    assert seen == {"chat": "9", "name": "news.txt", "body": b"headline\n"}


async def test_a_slow_answer_is_timed_out(layer: AiohttpRequest) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({"ok": True, "result": True})

    runner, url = await _serve(handler)
    try:
        with pytest.raises(TimedOut):
            await layer.do_request(url + "/bot1:x/getMe", "POST", read_timeout=0.2)
    finally:
        await runner.cleanup()


async def test_a_refused_connection_is_a_network_error_without_the_token(
    layer: AiohttpRequest,
) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.Response()

    runner, url = await _serve(handler)
    await runner.cleanup()  # nothing listens on that port any more
    with pytest.raises(NetworkError) as error:
        await layer.do_request(url + SECRET_PATH, "POST", _data(chat_id=1, text="hi"))
    assert not isinstance(error.value, TimedOut)
    assert "SECRET-TOKEN" not in str(error.value)


async def test_requests_go_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxied: list[str] = []

    async def proxy(request: web.Request) -> web.Response:  # an HTTP proxy sees full URLs
        proxied.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    runner, proxy_url = await _serve(proxy)
    monkeypatch.setenv("HTTP_PROXY", proxy_url)
    monkeypatch.setenv("NO_PROXY", "bypassed.invalid")
    monkeypatch.delenv("http_proxy", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    request = AiohttpRequest(timeout=0.5)
    await request.initialize()
    try:
        status, _ = await request.do_request("http://api.telegram.invalid/bot1:x/getMe", "POST")
        with pytest.raises(NetworkError):  # NO_PROXY: straight to a name that cannot resolve
            await request.do_request("http://bypassed.invalid/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
        await runner.cleanup()
    assert status == 200
    assert proxied == ["http://api.telegram.invalid/bot1:x/getMe"]


async def test_a_given_proxy_takes_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    proxied: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        proxied.append(str(request.url))
        return web.json_response({"ok": True, "result": True})

    runner, proxy_url = await _serve(proxy)
    monkeypatch.setenv("NO_PROXY", "*")  # the environment says "no proxy": TELEGRAM_PROXY wins
    request = AiohttpRequest(timeout=0.5, proxy=proxy_url)
    await request.initialize()
    try:
        status, _ = await request.do_request("http://api.telegram.invalid/bot1:x/getMe", "POST")
    finally:
        await request.shutdown()
        await runner.cleanup()
    assert status == 200
    assert proxied == ["http://api.telegram.invalid/bot1:x/getMe"]


async def test_must_be_initialized_and_shuts_down_twice_harmlessly() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/bot1:x/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/bot1:x/getMe", "POST")
    await request.initialize()  # open again after shutdown, as PTB may
    await request.shutdown()


def test_updates_are_checked_one_by_one_only_in_a_batch_that_came_back() -> None:
    """PTB parses a batch once; a batch it could not parse comes back, and is then mended."""
    layer = SafeUpdatesRequest()
    chat = {"id": 1, "type": "private"}
    good = {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": chat, "text": "hi"}}
    bad = {"update_id": 6, "message": {"text": "/help"}}  # no chat, no date, no id
    batch = json.dumps({"ok": True, "result": [good, bad]}).encode()
    assert layer.parse_json_payload(batch)["result"] == [good, bad]  # unchecked: parsed once
    assert layer.parse_json_payload(batch)["result"] == [good, {"update_id": 6}]
    later = json.dumps({"ok": True, "result": [{**good, "update_id": 7}]}).encode()
    assert layer.parse_json_payload(later)["result"] == [{**good, "update_id": 7}]
