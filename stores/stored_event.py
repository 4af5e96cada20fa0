"""What the SQL tracker store writes for one event: Rasa's event dict, without what nothing reads again.

Rasa keeps the whole parse data with every seller message: the ResponseSelector's
chosen answer *texts* (already in the domain), ten-entry rankings with
17-digit confidences. Only the turn being handled uses all of it, and that turn
works on the tracker in memory; what reads stored messages later (the agents'
desk, the hand-off timer, the learning inbox, Rasa rebuilding the tracker for the
next turn) reads the intent, the chosen answer's key, the top of each ranking and
the question parts. Stored events keep those (the rankings as far as the desk's
three candidates reach), and JSON is written as UTF-8
rather than \\u escapes (each Chinese character 3 bytes instead of 6), without spaces.
Measured in docs/benchmarks.md ("Database per seller message").
"""
import json
from typing import Any, Dict

from core.learning import MAX_CANDIDATES
from core.ranking import FALLBACK, FAQ

# The desk's candidates (core.learning, core.ranking.meanings) are the 3 likeliest meanings, the FAQ intent
# expanded into its topics: the first 3 intents besides the fallback and the FAQ, the FAQ itself and its first
# 3 topics give exactly the same 3. is_unsure reads the first 2 topics.
KEPT = MAX_CANDIDATES
NOT_COUNTED = (FALLBACK, FAQ)


def _intent_ranking(entries: Any) -> Any:
    if not isinstance(entries, list):
        return entries
    kept, counted = [], 0
    for entry in entries:
        if counted == KEPT:
            break
        kept.append(entry)
        if not isinstance(entry, dict) or entry.get("name") not in NOT_COUNTED:
            counted += 1
    return kept


def _topic_ranking(entries: Any) -> Any:
    return entries[:KEPT] if isinstance(entries, list) else entries


def _selector(selector: Dict[str, Any]) -> Dict[str, Any]:
    """Each retrieval intent's result without the answer texts (the domain has them under utter_action)."""
    compact: Dict[str, Any] = {}
    for key, value in selector.items():
        if isinstance(value, dict):
            value = dict(value)
            response = value.get("response")
            if isinstance(response, dict):
                value["response"] = {k: v for k, v in response.items() if k != "responses"}
            if "ranking" in value:
                value["ranking"] = _topic_ranking(value["ranking"])
        compact[key] = value
    return compact


def _parse_data(parse: Dict[str, Any]) -> Dict[str, Any]:
    parse = {k: v for k, v in parse.items() if k != "text_tokens"}  # the tokenizer's offsets, for NLU only
    if "intent_ranking" in parse:
        parse["intent_ranking"] = _intent_ranking(parse["intent_ranking"])
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
    """The stored JSON text of ``event``: UTF-8, or \\u escapes when the event holds text UTF-8 cannot carry
    (a lone surrogate, possible in a channel's metadata), which the database would refuse."""
    kept = compact(event)
    text = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(kept, separators=(",", ":"))
    return text
