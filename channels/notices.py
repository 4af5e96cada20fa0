"""What the channels themselves tell a seller (no dialogue involved), from domain.yml."""
from functools import lru_cache

from core.message_limits import max_message_chars
from core.replies import load_responses, response_text

TECHNICAL_PROBLEM = "utter_technical_problem"
MESSAGE_TOO_LONG = "utter_message_too_long"
MESSAGE_UNREADABLE = "utter_message_unreadable"


@lru_cache(maxsize=None)
def _text(name: str) -> str:
    text = response_text(load_responses(), name)
    if not text:
        raise KeyError(f"domain.yml has no text for {name}")
    return text


def notice(name: str) -> str:
    """The text of ``name``, with the message limit in force filled in ({max_chars})."""
    return _text(name).replace("{max_chars}", str(max_message_chars()))
