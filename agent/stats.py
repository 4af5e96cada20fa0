"""Resolution figures over stored conversations (AliMe's KBQA definition). No Rasa imports.

A conversation is unresolved when the seller asked for a person, gave a 👎, or
the bot had no answer (it said it cannot answer, did not understand, or handed
over because it did not understand).
"""
from collections import Counter
from typing import Any, Dict, Iterable, List

NO_ANSWER_RESPONSES = {"utter_out_of_scope", "utter_default", "utter_handover_not_understood"}
TOP_UNANSWERED = 10


def _utter(event: Dict[str, Any]) -> str:
    return (event.get("metadata") or {}).get("utter_action") or ""


def conversation_figures(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """What one conversation contributes to the figures."""
    asked_person, thumbs_down, unanswered, reasons = False, False, [], []
    last_user_text = None
    for event in events:
        kind = event.get("event")
        if kind == "user":
            last_user_text = event.get("text")
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            asked_person = asked_person or intent == "request_human"
        elif kind == "bot" and _utter(event) in NO_ANSWER_RESPONSES and last_user_text:
            unanswered.append(last_user_text)
        elif kind == "slot" and event.get("name") == "answer_feedback":
            thumbs_down = thumbs_down or (event.get("value") or {}).get("rating") == "down"
        elif kind == "slot" and event.get("name") == "handoff_reason" and event.get("value"):
            reasons.append(event["value"])
    has_user = any(e.get("event") == "user" for e in events)
    return {
        "counted": has_user,
        "resolved": not (asked_person or thumbs_down or unanswered),
        "asked_person": asked_person,
        "thumbs_down": thumbs_down,
        "unanswered": unanswered,
        "handoff_reasons": reasons,
    }


def stats(conversations: Iterable[List[Dict[str, Any]]]) -> Dict[str, Any]:
    """Totals over all conversations."""
    figures = [f for f in map(conversation_figures, conversations) if f["counted"]]
    total = len(figures)
    resolved = sum(f["resolved"] for f in figures)
    questions = Counter(q.strip() for f in figures for q in f["unanswered"] if q and not q.startswith("/"))
    return {
        "conversations": total,
        "resolved": resolved,
        "resolution_rate": round(resolved / total, 4) if total else None,
        "unresolved_because": {
            "asked_for_person": sum(f["asked_person"] for f in figures),
            "thumbs_down": sum(f["thumbs_down"] for f in figures),
            "no_answer": sum(bool(f["unanswered"]) for f in figures),
        },
        "handoffs_by_reason": dict(Counter(r for f in figures for r in f["handoff_reasons"])),
        "top_unanswered": [{"text": text, "count": count}
                           for text, count in questions.most_common(TOP_UNANSWERED)],
    }
