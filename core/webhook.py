"""Tell an outside system something without ever holding up the seller.

``notify`` posts JSON in a background thread, with a timeout per attempt and a
few retries with growing pauses (``core/retry.py``); failures are logged, never raised.
Nothing here imports Rasa.
"""
import asyncio
import json
import threading
import urllib.request
from typing import Any, Dict, Optional

from core.retry import with_retries

TIMEOUT_SECONDS = 3.0
ATTEMPTS = 3
FIRST_PAUSE_SECONDS = 0.5


def _post_once(url: str, body: bytes, timeout: float) -> bool:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")
    return True


def post_json(url: str, payload: Dict[str, Any], timeout: float = TIMEOUT_SECONDS,
              attempts: int = ATTEMPTS, first_pause: float = FIRST_PAUSE_SECONDS) -> bool:
    """POST ``payload``; True once a 2xx answer came back, False after the last failure (core/retry.py)."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")

    async def send() -> bool:  # blocking is fine: the loop is this call's own (notify runs it in a thread)
        return _post_once(url, body, timeout)

    return bool(asyncio.run(with_retries(send, f"webhook {url}", attempts, first_pause)))


def notify(url: Optional[str], payload: Dict[str, Any]) -> Optional[threading.Thread]:
    """Send ``payload`` to ``url`` in the background (nothing when no URL is set)."""
    if not url:
        return None
    thread = threading.Thread(target=post_json, args=(url, payload), daemon=True)
    thread.start()
    return thread
