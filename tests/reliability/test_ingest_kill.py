"""The process killed during ingestion: the store stays consistent and ingestion resumes.

`python -m bot ingest DIR` runs in a subprocess over many files and is SIGKILLed midway.
Every stored article must then be whole (its row, its full text and its search index row
agree), and running the same command again must add exactly the rest.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

FILES = 150


def _write_articles(folder: Path) -> dict[str, str]:
    """FILES plain-text articles; title → the body the store must hold for it."""
    folder.mkdir()
    bodies: dict[str, str] = {}
    for n in range(FILES):
        title = f"Harbour report {n} on ferry number {n}"
        body = "\n".join(
            f"The ferry number {n} crossed the harbour {k} times on day {n} of the strike."
            for k in range(6)
        )
        (folder / f"a{n:04d}.txt").write_text(f"{title}\n{body}\n", encoding="utf-8")
        bodies[title] = body
    return bodies


def _ingest(folder: Path, db: Path) -> subprocess.Popen[bytes]:
    """Start `python -m bot ingest folder` on the database `db`."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DEFAULT_FEEDS": "false"}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
    )


def _count(db: Path) -> int:
    """Stored articles, read from another connection (0 while the schema is not there)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.Error:
        return 0


def _check_consistent(db: Path, bodies: dict[str, str]) -> int:
    """Assert every stored article is whole and indexed; how many are stored."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
        rows = conn.execute("SELECT id, title, text FROM articles").fetchall()
        indexed = {r[0] for r in conn.execute("SELECT rowid FROM article_fts")}
    finally:
        conn.close()
    assert {r[0] for r in rows} == indexed
    for _, title, text in rows:
        assert text == bodies[title], title
    assert len({r[1] for r in rows}) == len(rows)  # no article twice
    return len(rows)


def test_killed_ingestion_leaves_whole_articles_and_resumes(tmp_path: Path) -> None:
    """SIGKILL midway: only whole, indexed articles are stored; a rerun adds exactly the rest."""
    bodies = _write_articles(tmp_path / "in")
    db = tmp_path / "news.db"
    process = _ingest(tmp_path / "in", db)
    deadline = time.monotonic() + 30
    while _count(db) < 20 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    stored = _check_consistent(db, bodies)
    assert 0 < stored < FILES, "killed too late to test anything; make the run longer"
    rerun = _ingest(tmp_path / "in", db)
    assert rerun.wait(60) == 0
    assert _check_consistent(db, bodies) == FILES
