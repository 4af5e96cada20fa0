"""Tell the seller when the bot could not handle a message, instead of going quiet or wrong.

Rasa 3.6 keeps answering through two kinds of failure, and both would mislead a
seller:
- a custom action fails (the action server is down, times out or errs): Rasa
  logs "Encountered an exception while running action ..." from
  ``rasa.core.processor``, drops that action's events and carries on, so the
  seller gets half an answer or none;
- the tracker store fails (PostgreSQL down): Rasa's ``FailSafeTrackerStore``
  logs "Error happened when trying to ..." from ``rasa.core.tracker_store`` and
  carries on with an empty conversation kept in memory, so the bot forgets the
  facts already given and answers as if the seller had just arrived.
A failure of the whole handling (the lock store down) is an exception, which
Rasa's REST channel swallows and answers with nothing.

``apologising(on_new_message)`` wraps a channel's message handler. It notices
those log records for the message at hand (a context variable keeps concurrent
messages apart) and holds the bot's replies until the message is handled. Then
it sends them on, followed by the "please send it again" notice when an action
failed; after a store failure or an exception it sends only the notice, since
the replies were made without the conversation.
"""
import asyncio
import contextvars
import logging
from typing import Any, Awaitable, Callable, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel

from channels.notices import TECHNICAL_PROBLEM, notice

logger = logging.getLogger(__name__)
ACTION_FAILED, STORE_FAILED = "action", "store"
# (logger, start of the message) of each failure Rasa logs and goes on after.
FAILURE_LOGS = {
    ("rasa.core.processor", "Encountered an exception while running action"): ACTION_FAILED,
    ("rasa.core.tracker_store", "Error happened when trying to"): STORE_FAILED,
}
_failures: contextvars.ContextVar[Optional[List[str]]] = contextvars.ContextVar(
    "message_failures", default=None)


class _FailureRecorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        failures = _failures.get()
        if failures is None:
            return
        for (name, start), kind in FAILURE_LOGS.items():
            if record.name == name and str(record.msg).startswith(start):
                failures.append(kind)


def _install() -> None:
    for name in {name for name, _ in FAILURE_LOGS}:
        watched = logging.getLogger(name)
        if not any(isinstance(h, _FailureRecorder) for h in watched.handlers):
            watched.addHandler(_FailureRecorder(level=logging.ERROR))


def apologising(on_new_message: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[None]]:
    """``on_new_message`` that holds the replies and apologises when handling failed."""
    _install()

    async def handle(message: Any) -> None:
        channel, held = message.output_channel, CollectingOutputChannel()
        message.output_channel = held
        failures: List[str] = []
        token = _failures.set(failures)
        try:
            await on_new_message(message)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - e.g. the lock store is unreachable
            logger.exception("A message could not be handled; the seller is asked to send it again")
            failures.append(STORE_FAILED)
        finally:
            _failures.reset(token)
            message.output_channel = channel
        replies = [] if STORE_FAILED in failures else held.messages
        for reply in replies:
            reply = dict(reply)
            reply.pop("recipient_id", None)
            await channel.send_response(message.sender_id, reply)
        if failures:
            await channel.send_text_message(message.sender_id, notice(TECHNICAL_PROBLEM))

    return handle
