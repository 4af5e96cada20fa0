"""Rasa's REST channel with the request checked before it reaches the bot.

Rasa's own ``RestInput`` answers an empty body with a 500 and files every
message without a ``sender`` under one shared conversation called "default".
This subclass keeps the same URL and JSON (``POST /webhooks/rest/webhook``,
``{"sender": "...", "message": "..."}``) and refuses malformed requests with a
400 that says what is wrong. Nothing reaches the tracker in that case, so a bad
request never changes a conversation.
"""
import os
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage
from sanic.request import Request

DEFAULT_MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 256


def max_message_chars() -> int:
    return int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS))


def checked_body(body: Any) -> Dict[Text, Any]:
    """The request body if it is a valid message, else InvalidUsage (HTTP 400)."""
    if not isinstance(body, dict):
        raise InvalidUsage('body must be a JSON object: {"sender": "...", "message": "..."}')
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip():
        raise InvalidUsage('"sender" is required: a non-empty string naming the conversation')
    if len(sender) > MAX_SENDER_CHARS:
        raise InvalidUsage(f'"sender" is longer than {MAX_SENDER_CHARS} characters')
    message = body.get("message")
    if not isinstance(message, str):
        raise InvalidUsage('"message" is required and must be a string')
    if len(message) > max_message_chars():
        raise InvalidUsage(f'"message" is longer than {max_message_chars()} characters')
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise InvalidUsage('"metadata" must be a JSON object')
    return body


class ValidatedRestInput(RestInput):
    """REST channel that answers bad requests with a clear 400 instead of a 500."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @staticmethod
    def _body(request: Request) -> Dict[Text, Any]:
        return checked_body(request.json)  # sanic raises 400 itself for broken JSON

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        return self._body(req)["sender"]

    def _extract_message(self, req: Request) -> Optional[Text]:
        return self._body(req)["message"]

    def _extract_input_channel(self, req: Request) -> Text:
        channel = self._body(req).get("input_channel")
        return channel if isinstance(channel, str) and channel else self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return self._body(request).get("metadata")
