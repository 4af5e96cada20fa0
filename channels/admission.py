"""Messages are handled a few at a time, first come first served.

One Rasa process handles every message on one event loop. Without a limit, all
the messages that arrive during a busy spell are handled at once, each
advancing a step whenever another waits (for the action server, for the
database): every one of them is slowed by all the others, and a turn of the
exit check, which calls the action server two or three times, queues behind
the whole crowd after each call. Under load its sellers waited two to three
times as long as those asking an FAQ question (docs/benchmarks.md).

Here at most ``MESSAGE_CONCURRENCY`` messages (default 4; enough to keep the
process busy while some wait for the action server) are handled at once, and
the others wait their turn in the order they came. A message that has waited
``ADMISSION_WAIT`` seconds (default 5) is handled anyway: if the action
server hangs, the messages holding the places would otherwise keep everyone
else waiting for as long as the action timeout.

Python 3.10's ``asyncio.Semaphore`` is not first come first served (a newcomer
can take a place freed for a waiter, which then queues again at the end), hence
the small queue below. Each Rasa process (``SANIC_WORKERS``) has its own.
"""
import asyncio
import collections
import logging
import weakref
from typing import Any, Awaitable, Callable, Deque, Optional

from core.settings import positive_number

logger = logging.getLogger(__name__)
DEFAULT_CONCURRENCY = 4
DEFAULT_WAIT_SECONDS = 5.0


def concurrency() -> int:
    """MESSAGE_CONCURRENCY: messages handled at once; a missing, unreadable or non-positive value gives 4."""
    return positive_number("MESSAGE_CONCURRENCY", DEFAULT_CONCURRENCY, int)


def wait_seconds() -> float:
    """ADMISSION_WAIT: the longest a message waits for its turn; a missing, unreadable or non-positive value gives 5."""
    return positive_number("ADMISSION_WAIT", DEFAULT_WAIT_SECONDS, float)


class Admission:
    """At most ``limit`` holders at once; the others wait first come first served, at most ``wait`` seconds."""

    def __init__(self, limit: int, wait: float) -> None:
        self.limit, self.wait = limit, wait
        self.active = 0
        self._waiting: Deque[asyncio.Future] = collections.deque()

    async def __aenter__(self) -> "Admission":
        if self.active < self.limit and not self._waiting:
            self.active += 1
            return self
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await asyncio.wait_for(asyncio.shield(turn), self.wait)
        except asyncio.TimeoutError:
            if not turn.done():  # waited long enough: handled beside the others
                turn.cancel()
                self._waiting.remove(turn)
                self.active += 1
                logger.warning("a message waited %.1f s for its turn and is handled anyway", self.wait)
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # the place it was given goes to the next one
            else:
                turn.cancel()
                if turn in self._waiting:
                    self._waiting.remove(turn)
            raise
        return self  # a place handed over by _release counts in self.active already

    async def __aexit__(self, *_: Any) -> None:
        self._release()

    def _release(self) -> None:
        if self.active > self.limit:  # one handled beside the others after waiting too long
            self.active -= 1
            return
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the place passes to the longest waiting
                return
        self.active -= 1


_admissions: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Admission]" = weakref.WeakKeyDictionary()


def admission() -> Admission:
    """This event loop's admission (one per Rasa process in production)."""
    loop = asyncio.get_running_loop()
    found: Optional[Admission] = _admissions.get(loop)
    if found is None:
        found = _admissions[loop] = Admission(concurrency(), wait_seconds())
    return found


def admitted(on_new_message: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
    """``on_new_message`` that waits for its turn."""
    async def handle(message: Any) -> Any:
        async with admission():
            return await on_new_message(message)
    return handle
