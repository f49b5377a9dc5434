"""The `newsbot` command line: run, chat, ingest."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings, configure_logging, load_settings
from bot.errors import ConfigError, NewsbotError

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
    from telegram import Update

    from bot.app import build_application

    build_application(settings).run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    """Talk to the bot in the terminal."""
    from bot.chat import run_chat

    asyncio.run(run_chat(settings))
    return 0


def _ingest(settings: Settings, args: argparse.Namespace) -> int:
    """Store articles from local files and folders."""
    from bot.ingest import ingest_paths
    from bot.store import open_store

    async def ingest() -> int:
        store = open_store(settings.database_url)
        await store.open()
        try:
            report = await ingest_paths(store, [Path(p) for p in args.paths])
        finally:
            await store.close()
        for path, reason in report.failures:
            print(f"skipped {path}: {reason}", file=sys.stderr)
        print(
            f"added {report.added}, updated {report.updated}, "
            f"already stored {report.duplicate}, skipped {len(report.failures)}"
        )
        return 1 if report.failures and not (report.added or report.updated) else 0

    return asyncio.run(ingest())


def parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    top = argparse.ArgumentParser(
        prog="newsbot", description="Extractive summaries of stored news, over Telegram."
    )
    top.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="run the bot on Telegram (long polling)").set_defaults(
        handler=_run
    )
    commands.add_parser("chat", help="talk to the bot in this terminal").set_defaults(handler=_chat)
    ingest = commands.add_parser("ingest", help="store articles from .txt/.html/.jsonl files")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    ingest.set_defaults(handler=_ingest)
    evaluate = commands.add_parser("eval", help="score the summarizers on a .jsonl dataset")
    evaluate.add_argument("dataset", metavar="DATASET", help="JSON Lines file, read in place")
    evaluate.add_argument("--sentences", type=int, default=3, help="per article (default 3)")
    evaluate.add_argument("--words", type=int, default=250, help="per cluster (default 250)")
    evaluate.add_argument("--limit", type=int, default=None, help="only the first K items")
    evaluate.add_argument("--methods", default=None, help="comma-separated, e.g. lead,newsrank")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.set_defaults(handler=_eval)
    return top


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    """Score every summarizer against the human summaries of a dataset."""
    from bot.evaluate.command import run

    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `newsbot` and `python -m bot`."""
    args = parser().parse_args(argv)
    try:
        settings = load_settings(args.env_file)
        configure_logging(settings.log_level, [settings.token or ""])
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
