"""Conversations waiting for a person. No Rasa imports."""
from typing import Any, Dict, List, Optional

from core.handoff import fact_labels, facts_collected
from core.stats import fold, new_figures
from core.transcript import transcript


def paused_since(events: List[Dict[str, Any]]) -> Optional[float]:
    """When a person was asked for, if the conversation still waits for one (as the figures count it)."""
    return fold(new_figures(), events)["waiting_since"]


def handoff_summary(conversation_id: str, events: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The agent's view of a paused conversation, or None when the bot is not paused."""
    since = paused_since(events)
    if since is None:
        return None
    slots: Dict[str, Any] = {}
    for event in events:
        if event.get("event") == "slot":
            slots[event.get("name")] = event.get("value")
    messages = transcript(events)
    facts = facts_collected(slots)
    return {
        "conversation_id": conversation_id,
        "reason": slots.get("handoff_reason"),
        "since": since,
        "facts": facts,
        "fact_labels": fact_labels(facts),
        "last_message": next((m.get("text") for m in reversed(messages) if m["sender"] == "user"), None),
        "transcript": messages,
    }
