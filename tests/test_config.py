"""Settings: defaults, environment, and one clear line for a bad value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import RedactingFormatter, load_settings
from bot.errors import ConfigError


def test_defaults_need_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing set, the bot has an SQLite database and no token."""
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_settings(None)
    assert settings.token is None
    assert settings.database_url.startswith("sqlite:///")
    assert settings.summary_sentences == 3


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Values come from .env when the environment does not set them."""
    monkeypatch.delenv("SUMMARY_SENTENCES", raising=False)
    env = tmp_path / ".env"
    env.write_text("SUMMARY_SENTENCES=5\nTELEGRAM_BOT_TOKEN=1:abc\n")
    settings = load_settings(env)
    assert settings.summary_sentences == 5
    assert settings.token == "1:abc"
    assert "1:abc" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SUMMARY_SENTENCES", "zero"),
        ("SUMMARY_SENTENCES", "0"),
        ("LOG_LEVEL", "LOUD"),
        ("DATABASE_URL", "mysql://x"),
        ("TELEGRAM_API_URL", "ftp://x"),
        ("SUMMARY_METHOD", "magic"),
    ],
)
def test_bad_value_names_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """A bad value raises ConfigError with one line that starts with the setting's name."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings(None)
    message = str(info.value)
    assert message.startswith(name + ":")
    assert "\n" not in message


def test_formatter_redacts_the_token() -> None:
    """The token never reaches a log line, tracebacks included."""
    formatter = RedactingFormatter("%(message)s", ["123:SECRET"])
    try:
        raise RuntimeError("POST https://api.telegram.org/bot123:SECRET/getMe failed")
    except RuntimeError as exc:
        record = logging.LogRecord("x", logging.ERROR, "f", 1, "url bot123:SECRET", (), None)
        record.exc_info = (type(exc), exc, exc.__traceback__)
    line = formatter.format(record)
    assert "123:SECRET" not in line
    assert "[REDACTED]" in line


def test_postgres_url_and_webhook_settings_are_accepted() -> None:
    settings = load_settings(
        None,
        database_url="postgresql://bot:pa55word@db:5432/news",
        webhook_url="https://bot.example.org/telegram",
        webhook_secret="abc_DEF-123",
        telegram_bot_token="1:TOKEN",
    )
    assert settings.database_url.startswith("postgresql://")
    assert settings.secrets == ["1:TOKEN", "abc_DEF-123", "pa55word"]


def test_the_bot_api_proxy_must_be_http_and_its_password_is_a_secret() -> None:
    settings = load_settings(
        None, telegram_bot_token="1:TOKEN", telegram_proxy="http://me:pr0xy-pass@10.0.0.1:3128"
    )
    assert settings.telegram_proxy == "http://me:pr0xy-pass@10.0.0.1:3128"
    assert settings.secrets == ["1:TOKEN", "pr0xy-pass"]
    with pytest.raises(ConfigError, match="TELEGRAM_PROXY"):
        load_settings(None, telegram_proxy="socks5://10.0.0.1:1080")


@pytest.mark.parametrize("secret", ["has space", "ünïcode", "x" * 257])
def test_bad_webhook_secret_is_refused_without_echoing_it(secret: str) -> None:
    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET:") as info:
        load_settings(None, webhook_secret=secret)
    assert secret not in str(info.value)
