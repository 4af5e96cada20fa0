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
messages apart) and holds the bot's replies until the message is handled. Then:
- nothing failed: the replies go out;
- an action failed: none of the replies go out (a check that started and then
  broke would be half an answer), only the "please send it again" notice, except
  for a plain FAQ question outside the check and outside a hand-off: its
  answers are planned here as ``action_answer`` plans them (the same Rasa-free
  ``core/answer_plan.py``, from the stored parse data and facts), stored in
  the conversation as the bot's messages and sent instead, so FAQ answers keep
  working while the action server is down;
- a store failed or the handling raised: only the notice, since the replies
  were made without the conversation.
"""
import asyncio
import contextvars
import logging
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.shared.core.events import BotUttered
from sanic import Sanic
from sanic.exceptions import SanicException

from channels.notices import TECHNICAL_PROBLEM, notice
from core.answer_plan import answers_for, asked_topics
from core.normalization import TEXT_AS_WRITTEN, normalizer_for
from core.replies import load_responses
from core.settings import dictionary_dir
from core.shop_facts import read_facts
from core.slots import facts_from_slots

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


RASA_APPS = ("rasa_server", "rasa_core_no_api")  # `rasa run` with and without --enable-api


def _rasa_agent() -> Any:
    for name in RASA_APPS:
        try:
            return Sanic.get_app(name).ctx.agent
        except (SanicException, AttributeError):
            continue
    return None


@lru_cache(maxsize=1)
def _responses() -> Dict[str, Any]:
    return load_responses()


def faq_answers(tracker: Any) -> List[Dict[str, Any]]:
    """The FAQ answers to the latest message as action_answer plans them ({"response", "text", "buttons"?});
    [] unless it is a plain FAQ question outside the check and outside a hand-off."""
    if tracker is None or tracker.active_loop_name or tracker.get_slot("handed_off"):
        return []
    parse = tracker.latest_message.parse_data if tracker.latest_message else {}
    if (parse.get("intent") or {}).get("name") != "faq":
        return []
    text = parse.get(TEXT_AS_WRITTEN) or parse.get("text") or ""
    stated = read_facts(text, normalizer_for(dictionary_dir()))  # what this very message says counts too
    slots = {**tracker.current_slot_values(), **{fact.value: answer.value for fact, answer in stated.items()}}
    answers = []
    for name in answers_for(asked_topics(parse), facts_from_slots(slots), text):
        variation = (_responses().get(name) or [{}])[0]
        if variation.get("text"):
            answers.append({"response": name, "text": variation["text"],
                            **({"buttons": variation["buttons"]} if variation.get("buttons") else {})})
    return answers


async def _answers_without_actions(sender_id: str) -> List[Dict[str, Any]]:
    """Plans the FAQ answers and stores them in the conversation, as the bot's messages."""
    agent = _rasa_agent()
    if agent is None:
        return []
    try:
        async with agent.lock_store.lock(sender_id):
            tracker = await agent.tracker_store.retrieve(sender_id)
            answers = faq_answers(tracker)
            for answer in answers:
                tracker.update(BotUttered(answer["text"], data={"buttons": answer.get("buttons")},
                                          metadata={"utter_action": answer["response"]}))
            if answers:
                await agent.tracker_store.save(tracker)
            return answers
    except Exception:  # any failure: then the apology, as without this
        logger.exception("could not plan FAQ answers without the action server")
        return []


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
        except Exception:  # any failure: e.g. the lock store is unreachable
            logger.exception("A message could not be handled; the seller is asked to send it again")
            failures.append(STORE_FAILED)
        finally:
            _failures.reset(token)
            message.output_channel = channel
        if not failures:
            for reply in held.messages:
                reply = dict(reply)
                reply.pop("recipient_id", None)
                await channel.send_response(message.sender_id, reply)
            return
        answers = await _answers_without_actions(message.sender_id) if STORE_FAILED not in failures else []
        for answer in answers:
            await channel.send_response(message.sender_id, {key: value for key, value in answer.items()
                                                            if key != "response"})
        if not answers:
            await channel.send_text_message(message.sender_id, notice(TECHNICAL_PROBLEM))

    return handle
