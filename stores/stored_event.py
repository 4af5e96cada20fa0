"""What the SQL tracker store writes for one event: Rasa's event dict, without what nothing reads again.

Rasa keeps the whole parse data with every seller message: the ResponseSelector's
chosen answer *texts* (already in the domain), ten-entry rankings with
17-digit confidences. Only the turn being handled uses all of it, and that turn
works on the tracker in memory; what reads stored messages later (the agents'
desk, the hand-off timer, the learning inbox, Rasa rebuilding the tracker for the
next turn) reads the intent, the chosen answer's key, the top of each ranking and
the question parts. Stored events keep those (rankings: the top 3, confidences
to 4 places), and JSON is written as UTF-8
rather than \\u escapes (each Chinese character 3 bytes instead of 6), without spaces.
Measured in docs/benchmarks.md ("Stored bytes per message").
"""
import json
from typing import Any, Dict

RANKING_KEPT = 3  # the desk shows at most 3 candidates (core.learning); is_unsure reads the top 2
DIGITS = 4


def _rounded(entry: Any) -> Any:
    if isinstance(entry, dict) and isinstance(entry.get("confidence"), float):
        return {**entry, "confidence": round(entry["confidence"], DIGITS)}
    return entry


def _ranking(entries: Any) -> Any:
    """The first entries, rounded; those that round to nothing after the first are dropped."""
    if not isinstance(entries, list):
        return entries
    kept = [_rounded(e) for e in entries[:RANKING_KEPT]]
    return kept[:1] + [e for e in kept[1:] if not isinstance(e, dict) or e.get("confidence") != 0.0]


def _selector(selector: Dict[str, Any]) -> Dict[str, Any]:
    """Each retrieval intent's result without the answer texts (the domain has them under utter_action)."""
    compact: Dict[str, Any] = {}
    for key, value in selector.items():
        if isinstance(value, dict):
            value = dict(value)
            response = value.get("response")
            if isinstance(response, dict):
                value["response"] = _rounded({k: v for k, v in response.items() if k != "responses"})
            if "ranking" in value:
                value["ranking"] = _ranking(value["ranking"])
        compact[key] = value
    return compact


def _parse_data(parse: Dict[str, Any]) -> Dict[str, Any]:
    parse = {k: v for k, v in parse.items() if k != "text_tokens"}  # the tokenizer's offsets, for NLU only
    if isinstance(parse.get("intent"), dict):
        parse["intent"] = _rounded(parse["intent"])
    if "intent_ranking" in parse:
        parse["intent_ranking"] = _ranking(parse["intent_ranking"])
    if isinstance(parse.get("response_selector"), dict):
        parse["response_selector"] = _selector(parse["response_selector"])
    return parse


# Rasa stamps every event with the model and assistant; the seller's message and the bot's reply keep the
# stamp (which model read and answered), the bookkeeping events of the same turn do not repeat it.
STAMP = ("model_id", "assistant_id")
UNSTAMPED = ("action", "slot", "user_featurization", "active_loop")


def compact(event: Dict[str, Any]) -> Dict[str, Any]:
    """``event`` (Rasa's ``as_dict()``) as it is worth keeping; a new dict, the input is not changed."""
    kind = event.get("event")
    if kind in UNSTAMPED and isinstance(event.get("metadata"), dict):
        metadata = {k: v for k, v in event["metadata"].items() if k not in STAMP}
        event = {k: v for k, v in event.items() if k != "metadata"}
        if metadata:
            event["metadata"] = metadata
    if kind == "action":  # "action_text": null for every action but end-to-end ones
        event = {k: v for k, v in event.items() if v is not None}
    if kind == "user" and isinstance(event.get("parse_data"), dict):
        return {**event, "parse_data": _parse_data(event["parse_data"])}
    if kind == "bot" and isinstance(event.get("data"), dict):
        # Rasa writes every rich-content field, mostly null: {"elements": null, "buttons": null, ...}
        return {**event, "data": {k: v for k, v in event["data"].items() if v is not None}}
    return event


def dumps(event: Dict[str, Any]) -> str:
    """The stored JSON text of ``event``."""
    return json.dumps(compact(event), ensure_ascii=False, separators=(",", ":"))
