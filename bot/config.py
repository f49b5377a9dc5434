"""Settings: one typed object read once from the environment and an optional `.env` file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB_PATH = Path.home() / ".local" / "share" / "newsbot" / "newsbot.db"
_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class Settings(BaseSettings):
    """Every setting of the bot; names are the environment variables, case-insensitive."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    database_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    log_level: str = "INFO"
    summary_sentences: Annotated[int, Field(ge=1, le=20)] = 3
    summary_method: str = ""
    topic_articles: Annotated[int, Field(ge=1, le=20)] = 5
    load_sample: bool = True

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith("sqlite:///") or value == "sqlite:///":
            raise ValueError("must look like sqlite:///path/to/file.db")
        return value

    @field_validator("log_level")
    @classmethod
    def _check_log_level(cls, value: str) -> str:
        if value.upper() not in _LEVELS:
            raise ValueError(f"must be one of {', '.join(_LEVELS)}")
        return value.upper()

    @field_validator("summary_method")
    @classmethod
    def _check_method(cls, value: str) -> str:
        from bot.summarize import METHODS

        if value and value not in METHODS:
            raise ValueError(f"unknown method; choose one of {', '.join(sorted(METHODS))}")
        return value

    @property
    def token(self) -> str | None:
        """The bot token in clear, for the Telegram client only; never log it."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings; a bad value raises ConfigError with one line naming the setting."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = error["msg"].removeprefix("Value error, ")
        shown = "" if "TOKEN" in name else f" (got {error.get('input')!r})"
        raise ConfigError(f"{name}: {message}{shown}") from None


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces secrets in the final line, tracebacks included."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then blank every secret."""
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text


def configure_logging(level: str, secrets: list[str] | None = None) -> None:
    """Log to stderr at `level`, with `secrets` (the bot token) never written out."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets or [])
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
