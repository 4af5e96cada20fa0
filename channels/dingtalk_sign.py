"""DingTalk robot callback signature, as DingTalk documents it. No Rasa imports.

The callback carries headers ``timestamp`` (milliseconds) and ``sign`` =
base64(HMAC-SHA256(key=app secret, message=timestamp + "\\n" + app secret)).
Requests more than five minutes older or newer than our clock are refused
(DingTalk documents an hour as its own limit; the sign covers the timestamp
only, not the body, so a captured pair must not stay usable that long); within
the window each msgId is answered once (channels/connector.py,
stores/seen_message_ids.py).
"""
import base64
import hashlib
import hmac
import time
from typing import Optional

MAX_AGE_MS = 5 * 60 * 1000
MAX_AHEAD_MS = 5 * 60 * 1000


class DingTalkSignError(ValueError):
    """Missing, wrong or stale signature."""


def sign(timestamp: str, app_secret: str) -> str:
    digest = hmac.new(app_secret.encode(), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check(timestamp: Optional[str], given: Optional[str], app_secret: str,
          now_ms: Optional[int] = None) -> None:
    if not timestamp or not given:
        raise DingTalkSignError("missing timestamp or sign header")
    try:
        stamp = int(timestamp)
    except ValueError:
        raise DingTalkSignError("timestamp is not a number") from None
    now = int(time.time() * 1000) if now_ms is None else now_ms
    if now - stamp > MAX_AGE_MS or stamp - now > MAX_AHEAD_MS:
        raise DingTalkSignError("timestamp too old or in the future")
    if not hmac.compare_digest(sign(timestamp, app_secret), given):
        raise DingTalkSignError("signature mismatch")
