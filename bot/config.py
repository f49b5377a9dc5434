"""Settings: one typed object read once from the environment and an optional `.env` file."""

from __future__ import annotations

import contextlib
import logging
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError
from bot.metrics import log_fields
from bot.netaddr import parse_networks

DEFAULT_API_URL = "https://api.telegram.org/bot"
DEFAULT_DB_PATH = Path.home() / ".local" / "share" / "newsbot" / "newsbot.db"
_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
# Well-known public news feeds, polled when the feed list is empty and DEFAULT_FEEDS is true.
DEFAULT_FEED_URLS = (
    "https://feeds.bbci.co.uk/news/world/rss.xml",
    "https://www.theguardian.com/world/rss",
    "https://rss.nytimes.com/services/xml/rss/nyt/World.xml",
    "https://feeds.npr.org/1004/rss.xml",
    "https://www.aljazeera.com/xml/rss/all.xml",
    "https://www.france24.com/en/rss",
    "https://rss.dw.com/rdf/rss-en-all",
)


class Settings(BaseSettings):
    """Every setting of the bot; names are the environment variables, case-insensitive."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = DEFAULT_API_URL
    telegram_proxy: str | None = None  # http://[user:password@]host:port for the Bot API
    database_url: str = f"sqlite:///{DEFAULT_DB_PATH}"
    log_level: str = "INFO"
    summary_sentences: Annotated[int, Field(ge=1, le=20)] = 3
    summary_method: str = ""
    topic_articles: Annotated[int, Field(ge=1, le=20)] = 5
    topic_cache: Annotated[int, Field(ge=0, le=100_000)] = 512  # topic answers kept; 0: none
    # seconds a topic answer is reused without asking the store for new articles from other
    # processes (this process's own new articles are seen at once); 0: always ask
    topic_fresh_seconds: Annotated[float, Field(ge=0, le=3600)] = 30.0
    # Summary processes; 0: a thread. Unset: 1 on a machine with 2 cores or more.
    summary_workers: Annotated[int, Field(ge=0, le=64)] | None = None
    load_sample: bool = True
    auto_migrate: bool = False  # open() may upgrade an older schema
    webhook_url: str | None = None  # public https URL Telegram posts to; set: webhook mode
    webhook_secret: SecretStr | None = None  # checked on every webhook request
    webhook_listen: str = "0.0.0.0"  # address the webhook server binds
    webhook_port: Annotated[int, Field(ge=0, le=65535)] = 8080
    metrics: bool = False  # serve Prometheus metrics at /metrics on the webhook server
    fleet_rate: Annotated[float, Field(gt=0, le=1000)] = 30.0  # messages/s for all instances
    chat_rate: Annotated[float, Field(gt=0, le=1000)] = 1.0  # messages/s to one chat
    user_rate_per_minute: Annotated[float, Field(gt=0)] = 30.0
    user_burst: Annotated[int, Field(ge=1)] = 10
    digest_tick_seconds: Annotated[int, Field(ge=0, le=3600)] = 30  # 0: send no digests
    digest_rate: Annotated[float, Field(gt=0, le=30)] = 29.0  # most digest messages in any 1 s
    digest_batch: Annotated[int, Field(ge=1, le=1000)] = 100  # chats in flight at once
    digest_lease_seconds: Annotated[float, Field(ge=1, le=86400)] = 600.0  # claim lifetime
    admin_ids: str = ""  # comma-separated Telegram user ids allowed to manage feeds
    allow_private_urls: str = ""  # comma-separated networks fetching may reach anyway
    default_feeds: bool = True  # seed DEFAULT_FEED_URLS into an empty feed list
    feed_tick_seconds: Annotated[int, Field(ge=0, le=3600)] = 60  # 0: poll no feeds
    feed_interval: Annotated[int, Field(ge=60, le=7 * 86400)] = 900
    feed_max_failures: Annotated[int, Field(ge=1, le=100)] = 5
    feed_quiet_days: Annotated[int, Field(ge=0, le=365)] = 7  # 0: never call a feed quiet
    fetch_timeout: Annotated[float, Field(gt=0, le=120)] = 10.0
    fetch_max_bytes: Annotated[int, Field(ge=10_000, le=100 * 2**20)] = 5 * 2**20
    # Extraction processes; 0: a thread. Unset: a thread in the bot, processes for bulk CLI runs.
    ingest_workers: Annotated[int, Field(ge=0, le=64)] | None = None

    @field_validator("telegram_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("telegram_proxy")
    @classmethod
    def _check_proxy(cls, value: str | None) -> str | None:
        if value and not (value.startswith(("http://", "https://")) and _has_host_port(value)):
            raise ValueError("must look like http://[user:password@]host:port (an HTTP proxy)")
        return value or None

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if value.startswith(("postgresql://", "postgres://")) and len(value) > 13:
            if not _has_host_port(value, port_required=False):
                raise ValueError("has a host or port that is not valid (the port is a number)")
            return value
        if not value.startswith("sqlite:///") or value == "sqlite:///":
            raise ValueError(
                "must look like sqlite:///path/to/file.db or postgresql://user@host/dbname"
            )
        return value

    @field_validator("admin_ids")
    @classmethod
    def _check_admin_ids(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        bad = [item for item in items if not item.lstrip("-").isdigit()]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a Telegram user id (a whole number)")
        return ",".join(items)

    @field_validator("allow_private_urls")
    @classmethod
    def _check_networks(cls, value: str) -> str:
        return ",".join(str(network) for network in parse_networks(value))

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
    def admins(self) -> frozenset[int]:
        """The Telegram user ids of ADMIN_IDS."""
        return frozenset(int(item) for item in self.admin_ids.split(",") if item)

    @field_validator("webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value else None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def secrets(self) -> list[str]:
        """Every secret that must never reach a log line: token, webhook secret, passwords."""
        found = [self.token or ""]
        if self.webhook_secret:
            found.append(self.webhook_secret.get_secret_value())
        found.append(urlsplit(self.database_url).password or "")
        found.append(urlsplit(self.telegram_proxy or "").password or "")
        return [secret for secret in found if secret]

    @property
    def token(self) -> str | None:
        """The bot token in clear, for the Telegram client only; never log it."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def _has_host_port(url: str, port_required: bool = True) -> bool:
    """Whether `url` parses with a valid port (1-65535) if it has one, and, if
    `port_required`, has a host and a port."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for "host:notaport" or a port out of range
    except ValueError:
        return False
    return not port_required or (bool(parts.hostname) and port is not None)


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings; a bad value raises ConfigError with one line naming the setting."""
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{env_file}: not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = error["msg"].removeprefix("Value error, ")
        secret = "TOKEN" in name or "SECRET" in name or "@" in str(error.get("input"))
        shown = "" if secret else f" (got {error.get('input')!r})"
        raise ConfigError(f"{name}: {message}{shown}") from None


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces secrets in the final line, tracebacks included."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then blank every secret."""
        text = super().format(record) + log_fields()  # chat_id=… update_id=… in an update
        text = text.replace("\n", " | ")  # one line per event, tracebacks included
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text


class _RedactingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stderr handler whose failures never print the raw record."""

    def handleError(self, record: logging.LogRecord) -> None:
        """Say where a record failed; the default prints its arguments, where a token may be."""
        with contextlib.suppress(Exception):  # the stream itself may be broken: nothing to do
            self.stream.write(f"logging error in {record.name}:{record.lineno} (record hidden)\n")


def configure_logging(level: str, secrets: list[str] | None = None) -> None:
    """Log to stderr at `level`, with `secrets` (the bot token) never written out."""
    handler = _RedactingHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets or [])
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run is noise
