"""What the DingTalk and WeCom channels share: answering one user message with
the bot, mapping "N" to the N-th button of the last answer, outbound HTTP, and
the output for messages sent later (an agent's reply, the hand-off timer's
message), which go through the platform's send API.
"""
import asyncio
import json
import logging
import posixpath
import time
import urllib.parse
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic.request import Request

from channels.admission import admitted
from channels.failures import apologising
from channels.notices import MESSAGE_TOO_LONG, notice
from channels.outgoing import SeenMessages, choice_payload, render
from core.message_limits import MessageTooLong, check_text
from stores.seen_message_ids import SeenMessageIds

logger = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=5)


class OutboundError(RuntimeError):
    """The platform's API refused or failed a call."""


def under_base(url: Optional[str], base: str) -> bool:
    """Whether ``url`` is on the configured API host (scheme, host, port, path prefix)."""
    if not url:
        return False
    given, allowed = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    # The path as the HTTP client will fetch it: "…/robot/../x" is "/x", outside the base.
    path = posixpath.normpath("/" + urllib.parse.unquote(given.path).lstrip("/"))
    prefix = allowed.path.rstrip("/") + "/"
    return (given.scheme, given.netloc) == (allowed.scheme, allowed.netloc) and \
        path.startswith(prefix) and len(path) > len(prefix)


async def call_json(method: str, url: str, body: Optional[Dict[str, Any]] = None,
                    headers: Optional[Dict[str, str]] = None) -> Dict[str, Any]:
    """One HTTP call returning JSON; any failure raises (the caller retries)."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.request(method, url, json=body, headers=headers) as response:
            if response.status >= 400:
                raise OutboundError(f"HTTP {response.status} from {url.split('?')[0]}")
            return json.loads(await response.text() or "{}")


class CachedToken:
    """A platform's access token, fetched when missing and kept until five minutes before it expires."""

    def __init__(self, fetch: Callable[[], Awaitable[Tuple[Text, int]]]) -> None:
        self._fetch = fetch  # → (token, lifetime in seconds)
        self._token: Optional[Text] = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self, refresh: bool = False) -> Text:
        async with self._lock:
            if refresh or not self._token or time.monotonic() >= self._expires:
                self._token, lifetime = await self._fetch()
                self._expires = time.monotonic() + max(60, int(lifetime) - 300)
            return self._token


class PlatformOutput(OutputChannel):
    """Bot messages sent on their own through a platform's send API, rendered as the answers are."""

    def __init__(self, send_text: Callable[[Text, Text], Awaitable[None]]) -> None:
        self._send_text = send_text

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        text = render([message])
        if text:
            await self._send_text(recipient_id, text)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


class ReplyCollector(CollectingOutputChannel):
    """Collects the bot's answer to one message; what the bot says after it went out
    (the hand-off timer's message, which Rasa sends through the output of the
    message that set the timer) goes through ``later``, the platform's send API."""

    def __init__(self, later: Optional[OutputChannel]) -> None:
        super().__init__()
        self.later = later
        self.answered = False

    async def _persist_message(self, message: Dict[Text, Any]) -> None:
        if not self.answered:
            await super()._persist_message(message)
        elif self.later is not None:
            await self.later.send_response(message["recipient_id"],
                                           {k: v for k, v in message.items() if k != "recipient_id"})
        else:
            logger.warning("%s: a later message for %s stays in its history: no send API configured",
                           type(self).__name__, message.get("recipient_id"))


class ConnectorInput(InputChannel):
    """Base of the project's chat-platform channels."""

    # How long a message id is remembered: longer than the channel's timestamp window.
    remember_ids_seconds: float = 600

    def _seen_ids(self, request: Request) -> Optional[SeenMessageIds]:
        """The ids kept in the tracker database (None: the tracker store has no SQL database)."""
        store = request.app.ctx.agent.tracker_store
        while hasattr(store, "_tracker_store"):  # Rasa's wrappers (fail-safe, awaitable)
            store = store._tracker_store
        engine = getattr(store, "engine", None)
        if engine is None:
            return None
        kept = self.__dict__.get("_kept_ids")
        if kept is None or kept.engine is not engine:
            kept = self.__dict__["_kept_ids"] = SeenMessageIds(engine, self.remember_ids_seconds)
        return kept

    def first_time(self, request: Request, key: Optional[Text]) -> bool:
        """Whether this message (platform id or callback signature) is new: answered once, whichever instance."""
        if not key:
            return True
        try:
            kept = self._seen_ids(request)
            if kept is not None:
                return kept.first_time(f"{self.name()}:{key}")
        except Exception:  # any failure: the database is down: remember in this process meanwhile
            logger.exception("%s: could not check message id %s in the database", self.name(), key)
        memory = self.__dict__.setdefault("_seen_memory", SeenMessages(self.remember_ids_seconds))
        return memory.first_time(key)

    def in_background(self, work: Awaitable[Any]) -> None:
        """Run ``work`` after the HTTP answer went out, keeping a reference until it ends."""
        running = self.__dict__.setdefault("_running", set())
        task = asyncio.ensure_future(work)
        running.add(task)
        task.add_done_callback(running.discard)

    @staticmethod
    async def _last_buttons(request: Request, sender_id: Text) -> List[Dict[str, Any]]:
        tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
        for event in reversed(tracker.events if tracker else []):
            if getattr(event, "type_name", "") == "bot":
                return list((event.data or {}).get("buttons") or [])
            if getattr(event, "type_name", "") == "user":
                return []
        return []

    async def answer(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     sender_id: Text, text: Text, metadata: Dict[Text, Any]) -> List[Dict[str, Any]]:
        """The bot's messages for ``text``; "2" after a numbered list means button 2.

        A text over the length limit gets a polite request to shorten it and
        never reaches the conversation; a failed action gets an apology.
        """
        try:
            text = check_text(text)
        except MessageTooLong:
            return [{"recipient_id": sender_id, "text": notice(MESSAGE_TOO_LONG)}]
        payload = choice_payload(text, await self._last_buttons(request, sender_id))
        collector = ReplyCollector(self.get_output_channel())
        await apologising(admitted(on_new_message))(UserMessage(
            payload or text, collector, sender_id, input_channel=self.name(), metadata=metadata))
        collector.answered = True
        return collector.messages
