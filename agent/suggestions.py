"""Suggested answers for an agent: the bot's own reply texts, ranked. No Rasa imports."""
from typing import Any, Dict

from agent.replies import response_text

MAX_SUGGESTIONS = 3
UNSURE_BELOW = 0.5  # best confidence under this: the agent should check
CLOSE_WITHIN = 0.1  # top two closer than this: the agent should choose
FALLBACK = "nlu_fallback"


def suggest(parse_result: Dict[str, Any], responses: Dict[str, Any],
            intent_replies: Dict[str, str]) -> Dict[str, Any]:
    """``{"suggestions": [{"text", "confidence", "topic"}], "unsure": bool}`` for a parse result."""
    faq = ((parse_result.get("response_selector") or {}).get("faq") or {}).get("ranking", [])
    candidates = []
    for intent in parse_result.get("intent_ranking") or []:
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if name == FALLBACK:
            continue
        if name == "faq":
            for topic in faq:
                key = topic.get("intent_response_key", "")
                text = response_text(responses, f"utter_{key}")
                if text:
                    candidates.append({"text": text, "topic": key,
                                       "confidence": round(confidence * float(topic.get("confidence") or 0), 4)})
        else:
            text = response_text(responses, intent_replies.get(name, ""))
            if text:
                candidates.append({"text": text, "topic": name, "confidence": round(confidence, 4)})
    candidates.sort(key=lambda c: c["confidence"], reverse=True)
    top = candidates[:MAX_SUGGESTIONS]
    best = top[0]["confidence"] if top else 0.0
    second = top[1]["confidence"] if len(top) > 1 else 0.0
    predicted = (parse_result.get("intent") or {}).get("name")
    unsure = (not top or predicted == FALLBACK or top[0]["topic"] == "out_of_scope"
              or best < UNSURE_BELOW or best - second < CLOSE_WITHIN)
    return {"suggestions": top, "unsure": unsure, "intent": predicted}

