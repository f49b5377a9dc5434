"""The Bot API conformance check (tests/botapi_spec.py) catches what Telegram refuses.

Every test that uses the fake Bot API fails when the bot sends such a request (the
`fake_api` fixture asserts no violations); these tests show the check itself can fail.
"""

from __future__ import annotations

import json

import aiohttp
import pytest

from tests.botapi_spec import SPEC_PATH, Spec, load_spec
from tests.fakes import TOKEN, FakeBotApi, visible_text

pytestmark = pytest.mark.skipif(
    not SPEC_PATH.is_file(), reason=f"the Bot API spec is not at {SPEC_PATH}"
)


@pytest.fixture
def spec() -> Spec:
    loaded = load_spec(visible_text)
    assert loaded is not None
    return loaded


def _markup(rows: object) -> str:
    return json.dumps({"inline_keyboard": rows})


def test_a_well_formed_request_passes(spec: Spec) -> None:
    button = {"text": "More ▶", "callback_data": "mo:1:5"}
    form = {
        "chat_id": "-1001",
        "text": "<b>Hello</b> &amp; welcome",
        "parse_mode": "HTML",
        "reply_markup": _markup([[button]]),
        "link_preview_options": json.dumps({"is_disabled": True}),
    }
    assert spec.check("sendMessage", form) == []


@pytest.mark.parametrize(
    ("method", "form", "problem"),
    [
        ("sendMesage", {"chat_id": "1", "text": "x"}, "unknown method"),
        ("sendMessage", {"text": "x"}, "missing required parameter chat_id"),
        ("sendMessage", {"chat_id": "1", "text": "x", "colour": "red"}, "unknown parameter"),
        ("sendMessage", {"chat_id": "1", "text": "x", "reply_markup": "{}"}, "required field"),
        ("sendMessage", {"chat_id": "1", "text": "x" * 4097}, "4097 characters"),
        ("sendMessage", {"chat_id": "1", "text": "<b>x", "parse_mode": "HTML"}, "unclosed"),
        ("sendMessage", {"chat_id": "1", "text": "x", "disable_notification": "maybe"}, "Bool"),
        # 150 astral-plane characters are 300 UTF-16 units: over the 200 of a callback answer
        ("answerCallbackQuery", {"callback_query_id": "1", "text": "😀" * 150}, "300 char"),
        (
            "sendMessage",
            {
                "chat_id": "1",
                "text": "x",
                "reply_markup": _markup([[{"text": "b", "callback_data": "x" * 65}]]),
            },
            "65 bytes",
        ),
        (
            "answerInlineQuery",
            {
                "inline_query_id": "1",
                "results": json.dumps(
                    [
                        {
                            "type": "article",
                            "id": "1",
                            "title": "t",
                            "input_message_content": {"message_text": "y" * 5000},
                        }
                    ]
                ),
            },
            "5000 characters",
        ),
    ],
)
def test_what_telegram_refuses_is_caught(
    spec: Spec, method: str, form: dict[str, str], problem: str
) -> None:
    problems = spec.check(method, form)
    assert problems and problem in " ".join(problems), problems


async def test_the_fake_reads_json_and_form_bodies_alike(fake_api: FakeBotApi) -> None:
    """The bot sends JSON; the fake must check it as strictly as a form, and refuse junk."""
    url = f"{fake_api.url}/bot{TOKEN}/sendMessage"
    long_text, html = "x" * 4097, {"parse_mode": "HTML"}
    async with aiohttp.ClientSession() as session:
        as_json = await session.post(url, json={"chat_id": 5, "text": "<b>hi</b>", **html})
        as_form = await session.post(url, data={"chat_id": "5", "text": "<b>hi</b>", **html})
        too_long = await session.post(url, json={"chat_id": 5, "text": long_text})
        junk = await session.post(
            url, data=b"{not json", headers={"Content-Type": "application/json"}
        )
        statuses = [r.status for r in (as_json, as_form, too_long, junk)]
        junk_answer = await junk.json()
    assert statuses == [200, 200, 400, 400]
    assert [m["text"] for m in fake_api.messages(5)] == ["hi", "hi"]
    assert junk_answer["ok"] is False
    assert fake_api.violations == ["sendMessage.text: 4097 characters, allowed 1-4096"]
    fake_api.violations.clear()  # seen as expected: the fixture refuses any left
