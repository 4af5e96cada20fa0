"""Resolution figures of conversations (AliMe's KBQA definition). No Rasa imports.

A conversation is unresolved when the seller asked for a person, gave a 👎 (the
latest rating of an answer counts, once per answer), or the bot had no answer
(it said it cannot answer, or did not understand).

The figures of one conversation are folded from its events a batch at a time
(:func:`fold`), so the index kept by the tracker store
(stores/conversation_index.py) updates them with each saved turn instead of
reading whole conversations; :func:`stats` is the same definition over whole
conversations (the reference the index is tested against).
"""
import copy
from collections import Counter
from typing import Any, Dict, Iterable, List

from core.transcript import intent_of, typed_by_seller

NO_ANSWER_RESPONSES = {"utter_out_of_scope", "utter_default", "utter_offer_person"}
TOP_UNANSWERED = 10


def _utter(event: Dict[str, Any]) -> str:
    return (event.get("metadata") or {}).get("utter_action") or ""


def new_figures() -> Dict[str, Any]:
    """The figures of a conversation with no events (JSON-serialisable)."""
    return {"counted": False, "asked_person": False, "ratings": {}, "unanswered": [], "handoff_reasons": [],
            "last_user_text": None, "waiting": False, "waiting_since": None}


def fold(figures: Dict[str, Any], events: Iterable[Dict[str, Any]]) -> Dict[str, Any]:
    """``figures`` after ``events`` (a copy; the input is left as it was)."""
    figures = copy.deepcopy(figures)
    for event in events:
        kind = event.get("event")
        if kind == "user" and not typed_by_seller(event):  # the hand-off timer, not the seller
            continue
        if kind == "user":
            figures["counted"] = True
            figures["last_user_text"] = event.get("text")
            figures["asked_person"] = figures["asked_person"] or intent_of(event) == "request_human"
        elif kind == "bot" and _utter(event) in NO_ANSWER_RESPONSES and figures["last_user_text"]:
            figures["unanswered"].append(figures["last_user_text"])
        elif kind == "slot" and event.get("name") == "answer_feedback" and isinstance(event.get("value"), dict):
            value = event["value"]
            figures["ratings"][str(value.get("answer_ts", value.get("message")))] = value.get("rating")
        elif kind == "slot" and event.get("name") == "handoff_reason" and event.get("value"):
            figures["handoff_reasons"].append(event["value"])
        elif kind == "slot" and event.get("name") == "handed_off":
            figures["waiting"] = bool(event.get("value"))
            figures["waiting_since"] = event.get("timestamp") if figures["waiting"] else None
        elif kind == "restart":
            figures["waiting"], figures["waiting_since"] = False, None
    return figures


# The slots :func:`fold` reads; with the events it reads below, what can change a conversation's figures.
FIGURE_SLOTS = {"answer_feedback", "handoff_reason", "handed_off"}


def changes_figures(events: Iterable[Dict[str, Any]]) -> bool:
    """Whether a batch of events can change the figures of a conversation that already has some.

    Most turns cannot (a question answered): then the save costs no index work.
    """
    for event in events:
        kind = event.get("event")
        if kind in ("restart", "rewind", "undo") or (kind == "slot" and event.get("name") in FIGURE_SLOTS):
            return True
        if kind == "bot" and (event.get("metadata") or {}).get("utter_action") in NO_ANSWER_RESPONSES:
            return True
        if kind == "user" and intent_of(event) == "request_human":
            return True
    return False


def outcome(figures: Dict[str, Any]) -> Dict[str, bool]:
    """Whether the conversation counts, and why it is unresolved if it is."""
    thumbs_down = "down" in figures["ratings"].values()
    no_answer = bool(figures["unanswered"])
    return {"counted": figures["counted"], "asked_person": figures["asked_person"], "thumbs_down": thumbs_down,
            "no_answer": no_answer, "resolved": not (figures["asked_person"] or thumbs_down or no_answer)}


def useful_question(text: Any) -> bool:
    """Unanswered texts worth listing (not button payloads such as "/request_human")."""
    return isinstance(text, str) and bool(text.strip()) and not text.strip().startswith("/")


def report(conversations: int, resolved: int, asked_person: int, thumbs_down: int, no_answer: int,
           reasons: Dict[str, int], questions: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The figures as the agents' API answers them."""
    return {
        "conversations": conversations,
        "resolved": resolved,
        "resolution_rate": round(resolved / conversations, 4) if conversations else None,
        "unresolved_because": {"asked_for_person": asked_person, "thumbs_down": thumbs_down,
                               "no_answer": no_answer},
        "handoffs_by_reason": reasons,
        "top_unanswered": questions,
    }


def stats(conversations: Iterable[List[Dict[str, Any]]]) -> Dict[str, Any]:
    """Totals over whole conversations (each a list of events)."""
    folded = [fold(new_figures(), events) for events in conversations]
    counted = [(f, outcome(f)) for f in folded if f["counted"]]
    questions = Counter(q.strip() for f, _ in counted for q in f["unanswered"] if useful_question(q))
    return report(
        len(counted), sum(o["resolved"] for _, o in counted), sum(o["asked_person"] for _, o in counted),
        sum(o["thumbs_down"] for _, o in counted), sum(o["no_answer"] for _, o in counted),
        dict(Counter(r for f, _ in counted for r in f["handoff_reasons"])),
        [{"text": text, "count": count} for text, count in questions.most_common(TOP_UNANSWERED)])
