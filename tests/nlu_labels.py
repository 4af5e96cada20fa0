"""How a parse result is scored against a held-out label."""
from typing import Any, Dict


def predicted_label(parse_result: Dict[str, Any]) -> str:
    """``faq/<topic>`` for FAQ answers, else the intent name (incl. ``nlu_fallback``)."""
    intent = parse_result["intent"]["name"]
    if intent == "faq":
        selected = parse_result["response_selector"]["faq"]["response"]
        return selected["intent_response_key"]
    return intent


def is_correct(gold: str, predicted: str) -> bool:
    """Right label; for out-of-scope, declining through the fallback also counts."""
    if gold == "out_of_scope":
        return predicted in {"out_of_scope", "nlu_fallback"}
    return predicted == gold
