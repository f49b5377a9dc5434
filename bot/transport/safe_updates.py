"""getUpdates that survives malformed updates: one bad update must not stop polling.

PTB parses a getUpdates batch all at once. One update it cannot parse (a missing field, an
object where a string belongs) makes the whole call fail, the offset never moves past it and
the same batch comes back forever: the bot would stop answering everyone. Here each update is
checked first; one that does not parse is logged and replaced by an empty update with the
same update_id, so the offset moves on and the rest of the batch is handled.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update

from bot.transport.http import AiohttpRequest

log = logging.getLogger(__name__)


class SafeUpdatesRequest(AiohttpRequest):
    """The HTTP layer of getUpdates (PTB sends nothing else through it): bad updates emptied."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """The Bot API answer, with every update in it made parseable."""
        answer: dict[str, Any] = AiohttpRequest.parse_json_payload(payload)
        result = answer.get("result")
        if isinstance(result, list):
            checked = (_checked(item) for item in result)
            answer["result"] = [item for item in checked if item is not None]
        return answer


def _checked(item: object) -> dict[str, Any] | None:
    """The update if PTB can parse it, else an empty one with its id (None without an id)."""
    try:
        if isinstance(item, dict) and Update.de_json(item, None) is not None:
            return item
    except Exception:  # any parse failure means a malformed update
        pass
    update_id = item.get("update_id") if isinstance(item, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        log.warning("dropped a malformed update without an update_id")
        return None
    log.warning("update %d is malformed and was skipped", update_id)
    return {"update_id": update_id}
