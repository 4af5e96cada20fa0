"""What connectors send: bot messages as plain text, split to a platform's limit,
numbered choices for buttons, and at-most-once handling (retries: core/retry.py).
No Rasa imports.
"""
import logging
import re
import time
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterable, List, Optional

logger = logging.getLogger(__name__)

CHOICE_HINT = "回复数字选择："


def render(messages: Iterable[Dict[str, Any]]) -> str:
    """Bot messages as one text; buttons become a numbered list to answer with a number."""
    parts = []
    for message in messages:
        text = message.get("text") or ""
        buttons = message.get("buttons") or []
        if buttons:
            options = "\n".join(f"{i}. {b.get('title', '')}" for i, b in enumerate(buttons, start=1))
            text = f"{text}\n{CHOICE_HINT}\n{options}".strip()
        if message.get("image"):
            text = f"{text}\n{message['image']}".strip()
        if text:
            parts.append(text)
    return "\n\n".join(parts)


def choice_payload(text: str, last_buttons: List[Dict[str, Any]]) -> Optional[str]:
    """The payload of button N when the user answers just "N" to a numbered list."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*", text or "")
    if not match or not last_buttons:
        return None
    index = int(match.group(1)) - 1
    return last_buttons[index].get("payload") if 0 <= index < len(last_buttons) else None


def split_text(text: str, max_bytes: int) -> List[str]:
    """Pieces of at most ``max_bytes`` UTF-8 bytes, cut at line ends where possible."""
    pieces, current = [], ""
    for line in text.splitlines(keepends=True):
        while len(line.encode()) > max_bytes:  # one line longer than the limit
            cut = len(line)
            while len(line[:cut].encode()) > max_bytes:
                cut -= 1
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut])
            line = line[cut:]
        if len((current + line).encode()) > max_bytes:
            pieces.append(current)
            current = ""
        current += line
    if current:
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces if p.strip()]


class SeenMessages:
    """Message ids seen recently, so a platform's retry of a message is answered once."""

    def __init__(self, ttl_seconds: float = 600, max_size: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: "OrderedDict[str, float]" = OrderedDict()
        self._ttl, self._max, self._clock = ttl_seconds, max_size, clock

    def first_time(self, message_id: Optional[str]) -> bool:
        if not message_id:
            return True
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) < now - self._ttl:
            self._seen.popitem(last=False)
        if message_id in self._seen:
            return False
        self._seen[message_id] = now
        if len(self._seen) > self._max:
            self._seen.popitem(last=False)
        return True
