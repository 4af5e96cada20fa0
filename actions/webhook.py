"""Tell an outside system something without ever holding up the seller.

``notify`` posts JSON in a background thread, with a timeout per attempt and a
few retries with growing pauses; failures are logged, never raised.
Nothing here imports Rasa.
"""
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
ATTEMPTS = 3
FIRST_PAUSE_SECONDS = 0.5


def post_json(url: str, payload: Dict[str, Any], timeout: float = TIMEOUT_SECONDS,
              attempts: int = ATTEMPTS, first_pause: float = FIRST_PAUSE_SECONDS) -> bool:
    """POST ``payload``; True once a 2xx answer came back, False after the last failure."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    pause = first_pause
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if 200 <= response.status < 300:
                    return True
        except (urllib.error.URLError, OSError, ValueError) as error:
            logger.warning("webhook %s attempt %d/%d failed: %s", url, attempt, attempts, error)
        if attempt < attempts:
            time.sleep(pause)
            pause *= 2
    logger.error("webhook %s gave up after %d attempts", url, attempts)
    return False


def notify(url: Optional[str], payload: Dict[str, Any]) -> Optional[threading.Thread]:
    """Send ``payload`` to ``url`` in the background (nothing when no URL is set)."""
    if not url:
        return None
    thread = threading.Thread(target=post_json, args=(url, payload), daemon=True)
    thread.start()
    return thread
