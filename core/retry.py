"""Retry with growing pauses: the one loop for every call to an outside service.

Used by the hand-off webhook (``core/webhook.py``, in a background thread) and
by the chat platforms' send APIs (``channels/dingtalk.py``, ``channels/wecom.py``).
Failures are logged, never raised: the seller's conversation goes on.
"""
import asyncio
import logging
from typing import Awaitable, Callable, Optional, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")


async def with_retries(send: Callable[[], Awaitable[T]], what: str, attempts: int = 4,
                       first_pause: float = 0.5) -> Optional[T]:
    """Run ``send`` until it works, pausing 0.5 s, 1 s, 2 s…; log and give up after ``attempts``."""
    pause = first_pause
    for attempt in range(1, attempts + 1):
        try:
            return await send()
        except Exception as error:  # noqa: BLE001 - any failure of the outside service is retried
            logger.warning("%s: attempt %d/%d failed: %s", what, attempt, attempts, error)
            if attempt < attempts:
                await asyncio.sleep(pause)
                pause *= 2
    logger.error("%s: gave up after %d attempts", what, attempts)
    return None
