"""The `newsbot` command line: run, chat, ingest, feeds, extract, eval, db."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable, Sequence

from bot import dbcli
from bot.config import Settings, configure_logging, load_settings
from bot.errors import ConfigError, NewsbotError, SchemaError

NO_TOKEN = (
    "TELEGRAM_BOT_TOKEN is not set. Get a token from @BotFather and put "
    "TELEGRAM_BOT_TOKEN=<token> in the environment or in .env "
    "(see .env.example). To try the bot without Telegram, run: newsbot chat"
)


def _run(settings: Settings, args: argparse.Namespace) -> int:
    """Poll Telegram until Ctrl-C or SIGTERM."""
    if settings.token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.app import ALLOWED_UPDATES, build_application

    problem = asyncio.run(_preflight(settings))
    if problem is not None:  # one line, secrets blanked; never a traceback
        for secret in settings.secrets:
            problem = problem.replace(secret, "[REDACTED]")
        print(f"newsbot: {problem}", file=sys.stderr)
        return 2

    if args.webhook or settings.webhook_url:
        from bot.webhook import run_webhook

        if not settings.webhook_url or not settings.webhook_secret:
            missing = "WEBHOOK_URL" if not settings.webhook_url else "WEBHOOK_SECRET"
            raise ConfigError(f"{missing}: required in webhook mode (see .env.example)")
        run_webhook(build_application(settings), settings)
        return 0
    build_application(settings).run_polling(allowed_updates=ALLOWED_UPDATES)
    return 0


async def _preflight(settings: Settings) -> str | None:
    """Why the bot cannot start (the store will not open, Telegram cannot be reached), or None.

    Checked before PTB starts, whose start-up failures are tracebacks of seventy lines.
    """
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.app import api_base
    from bot.store import open_store
    from bot.transport.http import AiohttpRequest

    store = open_store(settings.database_url, auto_migrate=settings.auto_migrate)
    try:
        await store.open()
    except SchemaError:
        raise  # says what to do already (an old schema: run `newsbot db migrate`)
    except Exception as exc:  # no file, no server, OS errors: the setting is the problem
        return f"cannot open the database (DATABASE_URL): {_reason(exc)}"
    finally:
        with contextlib.suppress(Exception):
            await store.close()
    bot = Bot(
        settings.token or "",
        base_url=api_base(settings.telegram_api_url),
        request=AiohttpRequest(proxy=settings.telegram_proxy),
    )
    try:
        async with bot:  # getMe
            return None
    except InvalidToken:
        return "Telegram refused the bot token (TELEGRAM_BOT_TOKEN): check it with @BotFather"
    except NetworkError as exc:
        via = " through TELEGRAM_PROXY" if settings.telegram_proxy else ""
        return f"cannot reach Telegram at {settings.telegram_api_url}{via}: {exc.message}"
    except TelegramError as exc:
        return f"Telegram refused to start the bot: {exc.message}"


def _reason(error: BaseException) -> str:
    """An exception as a short reason: its first line."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    """Talk to the bot in the terminal."""
    from bot.chat import run_chat

    asyncio.run(run_chat(settings))
    return 0


def _web(name: str) -> Callable[[Settings, argparse.Namespace], int]:
    """A subcommand handler from `bot.webcli`, imported only when the command runs."""

    def handler(settings: Settings, args: argparse.Namespace) -> int:
        from bot import webcli as web_cli

        return int(getattr(web_cli, name)(settings, args))

    return handler


def parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    top = argparse.ArgumentParser(
        prog="newsbot", description="Extractive summaries of stored news, over Telegram."
    )
    top.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the bot on Telegram (long polling)")
    run.add_argument("--webhook", action="store_true", help="serve a webhook (WEBHOOK_URL)")
    run.set_defaults(handler=_run)
    commands.add_parser("chat", help="talk to the bot in this terminal").set_defaults(handler=_chat)
    ingest = commands.add_parser("ingest", help="store articles from files, URLs or the feeds")
    ingest.add_argument(
        "paths", nargs="*", metavar="PATH_OR_URL", help=".txt/.html/.jsonl files, folders, URLs"
    )
    ingest.add_argument("--feeds", action="store_true", help="also poll every feed once")
    ingest.set_defaults(handler=_web("ingest"))
    feeds = commands.add_parser("feeds", help="manage the RSS/Atom feeds the bot polls")
    actions = feeds.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add a feed, or the feed a site's page links to")
    add.add_argument("target", metavar="URL")
    add.add_argument("--interval", type=int, default=None, help="seconds between polls")
    actions.add_parser("list", help="every feed with its status and article count")
    actions.add_parser("remove", help="stop polling a feed").add_argument(
        "target", metavar="ID_OR_URL"
    )
    feeds.set_defaults(handler=_web("feeds"))
    extract = commands.add_parser("extract", help="print a page's clean text as it would be stored")
    extract.add_argument("target", metavar="PATH_OR_URL", help="a .txt/.html file or a URL")
    extract.set_defaults(handler=_web("extract"))
    evaluate = commands.add_parser("eval", help="score the summarizers on a .jsonl dataset")
    evaluate.add_argument(
        "dataset", metavar="DATASET", nargs="?", help="JSON Lines file, read in place"
    )
    evaluate.add_argument(
        "--retrieval", metavar="QRELS", help="score topic search on judged queries instead"
    )
    evaluate.add_argument("--split", default="all", choices=("dev", "test", "all"))
    evaluate.add_argument(
        "--store", metavar="URL", help="with --retrieval: this store (default: the sample)"
    )
    evaluate.add_argument("--sentences", type=int, default=3, help="per article (default 3)")
    evaluate.add_argument("--words", type=int, default=250, help="per cluster (default 250)")
    evaluate.add_argument(
        "--as-users",
        action="store_true",
        help="clusters cut to the length a /summary answer has (50 words per article)",
    )
    evaluate.add_argument("--limit", type=int, default=None, help="only the first K items")
    evaluate.add_argument("--methods", default=None, help="comma-separated, e.g. lead,newsrank")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler=_eval)
    dbcli.register(commands)  # db migrate / status / export / import
    return top


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    """Score every summarizer against the human summaries of a dataset."""
    import importlib.util

    if importlib.util.find_spec("rouge_score") is None:
        raise NewsbotError(
            "newsbot eval needs the evaluation extra: pip install -e '.[eval]' (./dev install eval)"
        )
    from bot.evaluate.command import run

    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `newsbot` and `python -m bot`."""
    args = parser().parse_args(argv)
    try:
        settings = load_settings(args.env_file)
        configure_logging(settings.log_level, settings.secrets)
        code: int = args.handler(settings, args)
    except ConfigError as exc:
        print(f"newsbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except NewsbotError as exc:
        print(f"newsbot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return code
