"""Suggested answers for an agent: the bot's own reply texts for the likely meanings (core/ranking.py)."""
from typing import Any, Dict

from core.ranking import FALLBACK, meanings
from core.replies import response_text

MAX_SUGGESTIONS = 3
UNSURE_BELOW = 0.5  # best confidence under this: the agent should check
CLOSE_WITHIN = 0.1  # top two closer than this: the agent should choose


def suggest(parse_result: Dict[str, Any], responses: Dict[str, Any],
            intent_replies: Dict[str, str]) -> Dict[str, Any]:
    """``{"suggestions": [{"text", "confidence", "topic"}], "unsure": bool}`` for a parse result."""
    candidates = []
    for meaning in meanings(parse_result):
        if meaning.response:
            text = response_text(responses, meaning.response)
            if text:
                candidates.append({"text": text, "topic": meaning.topic,
                                   "confidence": round(meaning.confidence, 4)})
        else:
            text = response_text(responses, intent_replies.get(meaning.intent, ""))
            if text:
                candidates.append({"text": text, "topic": meaning.intent, "confidence": round(meaning.confidence, 4)})
    candidates.sort(key=lambda c: c["confidence"], reverse=True)
    top = candidates[:MAX_SUGGESTIONS]
    best = top[0]["confidence"] if top else 0.0
    second = top[1]["confidence"] if len(top) > 1 else 0.0
    predicted = (parse_result.get("intent") or {}).get("name")
    unsure = (not top or predicted == FALLBACK or top[0]["topic"] == "out_of_scope"
              or best < UNSURE_BELOW or best - second < CLOSE_WITHIN)
    return {"suggestions": top, "unsure": unsure, "intent": predicted}

