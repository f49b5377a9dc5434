"""The command line, run as a user runs it: in a subprocess, with piped input."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def newsbot(
    *args: str, tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` with a fresh database and no .env file."""
    environment = {
        k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")
    }
    environment |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "LOG_LEVEL": "WARNING"}
    environment |= env or {}
    return subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(tmp_path / "none.env"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_run_without_token_explains(tmp_path: Path) -> None:
    """`newsbot run` with no token says how to set one and points to `newsbot chat`."""
    result = newsbot("run", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "newsbot chat" in result.stderr


def test_bad_setting_is_one_clear_line(tmp_path: Path) -> None:
    """A bad value stops start-up with one line naming the setting."""
    result = newsbot("chat", tmp_path=tmp_path, env={"SUMMARY_SENTENCES": "lots"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "SUMMARY_SENTENCES" in result.stderr


def test_chat_answers_from_the_bundled_sample(tmp_path: Path) -> None:
    """On an empty store, chat loads the bundled Wikinews sample and answers at once."""
    result = newsbot("chat", tmp_path=tmp_path, stdin="/summary tsunami\n/topics\n")
    assert result.returncode == 0, result.stderr
    assert "tsunami" in result.stdout.lower()
    assert "Wikinews" in result.stdout
    assert "CC BY 2.5" in result.stdout
    assert "<b>" not in result.stdout


def test_ingest_then_summarize_the_sample(tmp_path: Path) -> None:
    """After ingesting the sample article, its sentences come back without boilerplate."""
    sample = SAMPLES / "moscow-times-russia-china.txt"
    if not sample.exists():
        pytest.skip("../shared/samples is not present")
    ingest = newsbot("ingest", str(sample), tmp_path=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    assert "added 1" in ingest.stdout
    again = newsbot("ingest", str(sample), tmp_path=tmp_path)
    assert "added 0" in again.stdout
    chat = newsbot("chat", tmp_path=tmp_path, stdin="/summary Roskomnadzor\n")
    assert chat.returncode == 0, chat.stderr
    assert "Russia and China to Sign Agreement on Combating Illegal Online Content" in chat.stdout
    assert "Roskomnadzor" in chat.stdout
    for boilerplate in ("Support us", "Remind me later", "Pixabay", "Read more", "ad-free"):
        assert boilerplate not in chat.stdout


def test_bad_files_are_reported_and_skipped(tmp_path: Path) -> None:
    """A binary file is named with its reason; the good file next to it goes in."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A headline\nThe first sentence. The second sentence.\n")
    (folder / "bad.txt").write_bytes(b"\x00\x01\x02binary")
    result = newsbot("ingest", str(folder), tmp_path=tmp_path)
    assert "bad.txt" in result.stderr
    assert "added 1" in result.stdout


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("TELEGRAM_PROXY", "http://u:proxypw@host:notaport", "TELEGRAM_PROXY: must look like"),
        ("TELEGRAM_PROXY", "http://u:proxypw@127.0.0.1:9", "cannot reach Telegram at"),
        ("TELEGRAM_API_URL", "http://127.0.0.1:9", "cannot reach Telegram at http://127.0.0.1:9"),
        ("DATABASE_URL", "sqlite:////proc/nope/x.db", "cannot open the database (DATABASE_URL)"),
        ("DATABASE_URL", "sqlite:///{tmp}", "cannot open the database (DATABASE_URL)"),
        ("DATABASE_URL", "postgresql://postgres:dbpw@127.0.0.1:abc/test", "DATABASE_URL: has a"),
    ],
)
def test_a_start_up_failure_is_one_redacted_line(
    tmp_path: Path, setting: str, value: str, says: str
) -> None:
    """Telegram unreachable, a bad proxy or database: one line, no password, exit code 2.

    Before: ~70 lines with two tracebacks, the second showing the proxy password.
    """
    env = {"TELEGRAM_BOT_TOKEN": "123:secret-token", setting: value.format(tmp=tmp_path)}
    result = newsbot("run", tmp_path=tmp_path, env=env)
    assert result.returncode == 2
    assert says in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for secret in ("proxypw", "dbpw", "secret-token"):
        assert secret not in result.stderr


def test_a_dotenv_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    """A .env in Latin-1 raised UnicodeDecodeError with a traceback."""
    env_file = tmp_path / "latin1.env"
    env_file.write_bytes(b"TELEGRAM_BOT_TOKEN=1:abc\nLOG_LEVEL=caf\xe9\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--env-file", str(env_file), "run"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsbot: configuration error: {env_file}: not UTF-8 text (byte 38); save it as UTF-8"
    ]


def test_the_readme_example_is_what_the_bot_answers(tmp_path: Path) -> None:
    """The answer the README shows first is the one a user gets on a fresh machine (links
    printed as "label (url)" by the terminal chat; the README leaves the URLs out)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```text\n", 1)[1].split("```", 1)[0]
    shown_lines = [line for line in block.splitlines() if not line.startswith("…")]
    result = newsbot("chat", tmp_path=tmp_path, stdin="/summary tsunami aid\n")
    assert result.returncode == 0, result.stderr
    answer = re.sub(r" \(https?://[^)\s]*\)", "", result.stdout)
    assert " ".join(" ".join(shown_lines).split()) in " ".join(answer.split())
