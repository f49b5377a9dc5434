"""Made-up evaluation datasets written to a temporary folder (the real sets are never copied)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.summarize.news import BUDGET, FLOOD, FLOOD_FOLLOW_UP

SINGLE = [
    {
        "id": "flood",
        "title": "",
        "text": " ".join(FLOOD),
        "summary": "Floods forced families from their homes. Rescue teams used boats.",
    },
    {
        "id": "budget",
        "title": "Council approves transport budget",
        "text": "\n".join(BUDGET),
        "summary": "The council approved a transport budget with electric buses and trams.",
    },
]
MULTI = [
    {
        "id": "valley",
        "docs": ["\n".join(FLOOD), "\n".join(FLOOD_FOLLOW_UP)],
        "titles": [],
        "summaries": ["Floods forced families out of the valley; the clean-up began Tuesday."],
    }
]


def write(path: Path, records: list[dict[str, Any]]) -> Path:
    """Records as a JSON Lines file."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path
