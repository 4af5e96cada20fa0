"""What a seller saw of a conversation, rebuilt from the tracker's events.

Used by the widget to show earlier messages again after a page reload. A user
message sent by a button shows the button's title (kept in the message's
metadata as ``display``), not its payload. A message an agent wrote is marked
``"agent": true``. No Rasa imports: events are the
plain dicts of ``tracker.current_state()``.
"""
from typing import Any, Dict, Iterable, List, Optional

BOT_FIELDS = ("text", "buttons", "image", "attachment", "custom")
# Rasa's text for an intent triggered by a reminder (the hand-off timer): nobody typed it.
EXTERNAL_PREFIX = "EXTERNAL: "


def intent_of(event: Dict[str, Any]) -> Optional[str]:
    """The intent a user event was classified as (None for other events or without parse data)."""
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name")


def typed_by_seller(event: Dict[str, Any]) -> bool:
    """Whether a user event is a message the seller sent (not a reminder Rasa triggered)."""
    return event.get("event") == "user" and not str(event.get("text") or "").startswith(EXTERNAL_PREFIX)


def transcript(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """User and bot messages in order, as the widget renders them."""
    messages: List[Dict[str, Any]] = []
    for event in events:
        if event.get("event") == "user":
            if not typed_by_seller(event):
                continue
            display = (event.get("metadata") or {}).get("display")
            text = display if isinstance(display, str) and display else event.get("text")
            if text:
                messages.append({"sender": "user", "text": text})
        elif event.get("event") == "bot":
            message = {"sender": "bot"}
            if event.get("text"):
                message["text"] = event["text"]
            data = event.get("data") or {}
            message.update({k: data[k] for k in BOT_FIELDS[1:] if data.get(k)})
            if len(message) > 1:
                if (event.get("metadata") or {}).get("agent"):  # written by a person at the desk
                    message["agent"] = True
                messages.append(message)
    return messages
