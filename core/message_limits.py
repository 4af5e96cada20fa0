"""What a message from any channel may be: who sent it, its text, its metadata.

One set of limits for every entry point (REST, socket.io, DingTalk, WeCom), so
a message refused on one is refused on all. ``MessageError`` says what is wrong
in words an API client can act on; each channel decides whether that becomes a
4xx (API clients) or a polite reply (people typing in a chat).
"""
import json
import os
import re
from typing import Any, Dict

DEFAULT_MAX_MESSAGE_CHARS = 2000
MAX_SENDER_CHARS = 256
MAX_METADATA_BYTES = 8 * 1024
# C0/C1 control characters other than tab and newline, and unpaired surrogates
# (what invalid UTF-8 decoded with "surrogateescape" or JSON "\udcxx" gives).
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


class MessageError(ValueError):
    """A message no channel passes on to the bot; the text says why."""


class MessageTooLong(MessageError):
    """The text is longer than the limit (people get told to shorten it)."""


def max_message_chars() -> int:
    return int(os.environ.get("MAX_MESSAGE_CHARS", DEFAULT_MAX_MESSAGE_CHARS))


def check_sender(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MessageError('"sender" is required: a non-empty string naming the conversation')
    if len(value) > MAX_SENDER_CHARS:
        raise MessageError(f'"sender" is longer than {MAX_SENDER_CHARS} characters')
    if _UNPRINTABLE.search(value):
        raise MessageError('"sender" contains control characters')
    return value


def check_text(value: Any) -> str:
    """The message text without control characters; refuses non-strings and long texts."""
    if not isinstance(value, str):
        raise MessageError('"message" is required and must be a string')
    if len(value) > max_message_chars():
        raise MessageTooLong(f'"message" is longer than {max_message_chars()} characters')
    return _UNPRINTABLE.sub("", value)


def check_metadata(value: Any) -> Dict[str, Any]:
    """Metadata as a dict ({} when absent); refuses other types and oversized ones."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MessageError('"metadata" must be a JSON object')
    if len(json.dumps(value, ensure_ascii=False).encode("utf-8", "replace")) > MAX_METADATA_BYTES:
        raise MessageError(f'"metadata" is larger than {MAX_METADATA_BYTES} bytes')
    return value
