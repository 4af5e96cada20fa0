"""The agents' inbox of what the bot missed, and checking an agent's label. Pure: no Rasa, no database.

``desk/http.py`` serves it (``GET /agent/api/inbox``, ``POST /agent/api/inbox/{id}/label``)
over the stored conversations (``desk/conversations.py``) and the labels
(``stores/miss_labels.py``); what a miss is: ``core/learning.py``.
"""
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from core.learning import LABEL_KINDS, misses

MAX_NOTE_CHARS = 1000
MAX_AGENT_CHARS = 100
# Intents an agent may give a missed message, besides the FAQ topics: the ones a seller's words can mean.
LABEL_INTENTS = ("ask_can_exit", "request_human", "greet", "goodbye", "thank", "affirm", "deny", "dont_know",
                 "cancel")


class LabelError(ValueError):
    """The label is not one the bot can learn from; the message says why."""


def label_choices(responses: Dict[str, Any]) -> List[Dict[str, str]]:
    """What a miss can be labelled with: every FAQ topic (titled with its question) and the intents above."""
    topics = [{"value": name[len("utter_"):], "title": ((variations or [{}])[0].get("metadata") or {}).get(
        "question") or name[len("utter_faq/"):]} for name, variations in sorted(responses.items())
              if name.startswith("utter_faq/")]
    return topics + [{"value": intent, "title": intent} for intent in LABEL_INTENTS]


def inbox(conversations: Iterable[Tuple[str, List[Dict[str, Any]]]], labelled: Set[str],
          limit: int) -> Dict[str, Any]:
    """The misses not labelled yet, newest first: ``{"items": [...], "total": n}``."""
    found = [miss for conversation_id, events in conversations for miss in misses(conversation_id, events)
             if miss["id"] not in labelled]
    found.sort(key=lambda miss: miss.get("timestamp") or 0, reverse=True)
    return {"items": found[:limit], "total": len(found)}


def find_miss(conversation_id: str, events: List[Dict[str, Any]], miss_id: str) -> Optional[Dict[str, Any]]:
    return next((miss for miss in misses(conversation_id, events) if miss["id"] == miss_id), None)


def check_label(data: Any, choices: List[Dict[str, str]]) -> Tuple[str, Optional[str], Optional[str], str]:
    """(kind, value, note, agent) from a label request body; LabelError when it cannot be used."""
    if not isinstance(data, dict):
        raise LabelError('body must be a JSON object: {"conversation_id", "kind", "value", "note", "agent"}')
    kind, value, note, agent = data.get("kind"), data.get("value"), data.get("note"), data.get("agent")
    if kind not in LABEL_KINDS:
        raise LabelError(f'"kind" must be one of {", ".join(LABEL_KINDS)}')
    if not isinstance(agent, str) or not agent.strip() or len(agent) > MAX_AGENT_CHARS:
        raise LabelError(f'"agent" (who labels) is required: a name of at most {MAX_AGENT_CHARS} characters')
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE_CHARS):
        raise LabelError(f'"note" must be a string of at most {MAX_NOTE_CHARS} characters')
    if kind == "intent":
        if value not in {choice["value"] for choice in choices}:
            raise LabelError('"value" must be an FAQ topic ("faq/<topic>") or an intent the bot has')
    elif kind == "new_answer":
        if not note or not note.strip():
            raise LabelError('"note" is required for "new_answer": what the answer should say, for its owner')
        value = None
    else:
        value = None
    return kind, value, (note or "").strip() or None, agent.strip()
