"""Tell the seller when the bot could not finish a message, instead of going quiet.

When a custom action fails (the action server is down, times out or errs),
Rasa 3.6 logs "Encountered an exception while running action ..." from
``rasa.core.processor``, drops that action's events and carries on: the seller
would get a half answer or none. ``apologising(on_new_message)`` wraps a
channel's message handler: it notices that log record for the message being
handled (a context variable keeps concurrent messages apart) and then sends
the "please try again" notice on the message's own output channel. The
conversation itself stays as Rasa stored it: the seller's message and every
earlier fact are kept, the failed action left no events, and the next message
works as soon as the action server is back.
"""
import contextvars
import logging
from typing import Any, Awaitable, Callable, List, Optional

from channels.notices import TECHNICAL_PROBLEM, notice

PROCESSOR_LOGGER = "rasa.core.processor"
FAILURE_PREFIX = "Encountered an exception while running action"
_failures: contextvars.ContextVar[Optional[List[str]]] = contextvars.ContextVar(
    "action_failures", default=None)


class _FailureRecorder(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        failures = _failures.get()
        if failures is not None and str(record.msg).startswith(FAILURE_PREFIX):
            failures.append(str(record.msg))


def _install() -> None:
    processor_logger = logging.getLogger(PROCESSOR_LOGGER)
    if not any(isinstance(h, _FailureRecorder) for h in processor_logger.handlers):
        processor_logger.addHandler(_FailureRecorder(level=logging.ERROR))


def apologising(on_new_message: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
    """``on_new_message`` that also apologises when an action failed on the way."""
    _install()

    async def handle(message: Any) -> Any:
        failures: List[str] = []
        token = _failures.set(failures)
        try:
            result = await on_new_message(message)
        finally:
            _failures.reset(token)
        if failures:
            await message.output_channel.send_text_message(message.sender_id, notice(TECHNICAL_PROBLEM))
        return result

    return handle
