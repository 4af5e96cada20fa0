"""What the people taking over a conversation are told. No Rasa imports."""
import time
from typing import Any, Dict, Iterable, Mapping

from core.eligibility import Fact
from core.fact_table import BY_SLOT
from core.transcript import intent_of, transcript

REQUESTED = "requested"  # the seller asked for a person


def facts_collected(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The exit-check facts known so far (yes / no / unknown), by slot name."""
    return {fact.value: slots.get(fact.value) for fact in Fact if slots.get(fact.value) is not None}


def fact_labels(facts: Mapping[str, Any]) -> Dict[str, str]:
    """What agents call each of ``facts`` (core.fact_table), by slot name."""
    return {slot: BY_SLOT[slot].label for slot in facts if slot in BY_SLOT}


def handoff_payload(conversation_id: str, reason: str, events: Iterable[Dict[str, Any]],
                    slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The webhook body announcing a hand-off."""
    facts = facts_collected(slots)
    return {
        "conversation_id": conversation_id,
        "reason": reason,
        "transcript": transcript(events),
        "facts": facts,
        "fact_labels": fact_labels(facts),
        "timestamp": time.time(),
    }


def failed_twice(events: Iterable[Dict[str, Any]], fallback_intent: str = "nlu_fallback") -> bool:
    """Whether the last two user messages were both not understood."""
    intents = [intent_of(e) for e in events if e.get("event") == "user"]
    return len(intents) >= 2 and intents[-1] == intents[-2] == fallback_intent
