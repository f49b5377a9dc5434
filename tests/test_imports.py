"""What the bot process loads: nothing it never uses (issue 19: idle memory).

sumy's summarizer package imports nltk, which imports scipy.stats: ~35 MB for stemmers the
bot never calls. Only a user picking one of sumy's methods loads them.
"""

from __future__ import annotations

import json
import subprocess
import sys

# nltk and scipy.stats come with sumy's summarizers, scipy.integrate with datasketch (only
# fingerprinting an article needs it), alembic only when a schema is upgraded, trafilatura
# (and lxml) with the first page, feedparser with the first feed, scipy with the first summary.
NEVER_AT_START = (
    "nltk", "scipy", "sumy.summarizers", "datasketch", "alembic", "trafilatura", "lxml",
    "feedparser",
)  # fmt: skip


def _loaded_after(code: str) -> list[str]:
    """Which of NEVER_AT_START a fresh interpreter has loaded after running `code`."""
    loaded = f"[m for m in {NEVER_AT_START!r} if m in sys.modules]"
    probe = f"import json, sys\n{code}\nprint(json.dumps({loaded}))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return list(json.loads(result.stdout))


def test_the_bot_starts_without_nltk_or_sumys_summarizers() -> None:
    code = "import bot.app, bot.cli\nfrom bot.summarize import Summarizer\nSummarizer()"
    assert _loaded_after(code) == []


def test_a_sumy_method_is_loaded_when_picked() -> None:
    code = "from bot.summarize.registry import build_summarizer\nbuild_summarizer('lexrank', 'en')"
    assert {"nltk", "sumy.summarizers"} <= set(_loaded_after(code))
