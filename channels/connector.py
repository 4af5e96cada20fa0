"""What the DingTalk and WeCom channels share: answering one user message with
the bot, mapping "N" to the N-th button of the last answer, and outbound HTTP.
"""
import asyncio
import json
import logging
import urllib.parse
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic.request import Request

from channels.failures import apologising
from channels.message_limits import MessageTooLong, check_text
from channels.notices import MESSAGE_TOO_LONG, notice
from channels.outgoing import choice_payload

logger = logging.getLogger(__name__)
TIMEOUT = aiohttp.ClientTimeout(total=5)


class OutboundError(RuntimeError):
    """The platform's API refused or failed a call."""


def under_base(url: Optional[str], base: str) -> bool:
    """Whether ``url`` is on the configured API host (scheme, host, port, path prefix)."""
    if not url:
        return False
    given, allowed = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (given.scheme, given.netloc) == (allowed.scheme, allowed.netloc) and \
        given.path.startswith(allowed.path.rstrip("/") + "/")


async def call_json(method: str, url: str, body: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    """One HTTP call returning JSON; any failure raises (the caller retries)."""
    async with aiohttp.ClientSession(timeout=TIMEOUT) as session:
        async with session.request(method, url, json=body) as response:
            if response.status >= 400:
                raise OutboundError(f"HTTP {response.status} from {url.split('?')[0]}")
            return json.loads(await response.text() or "{}")


class ConnectorInput(InputChannel):
    """Base of the project's chat-platform channels."""

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
        collector = CollectingOutputChannel()
        await apologising(on_new_message)(UserMessage(
            payload or text, collector, sender_id, input_channel=self.name(), metadata=metadata))
        return collector.messages
