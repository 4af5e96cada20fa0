"""The likely meanings of a parsed message, best first: intents in NLU's order,
the FAQ intent standing for its topics in the ResponseSelector's order.

One walk over Rasa's parse result for both places that offer meanings: the
clarification menu (``actions/clarification.py``: buttons titled with each
response's question) and the agents' suggested answers (``desk/suggestions.py``:
the responses' texts). Each decides its own thresholds.
"""
from typing import Any, Dict, List, NamedTuple, Optional

FAQ = "faq"
FALLBACK = "nlu_fallback"


class Meaning(NamedTuple):
    intent: str
    intent_confidence: float
    topic: Optional[str] = None  # "faq/exit_steps" when the intent is the FAQ
    topic_confidence: float = 0.0

    @property
    def confidence(self) -> float:
        """How likely this meaning is: the intent's confidence, times the topic's for an FAQ topic."""
        return self.intent_confidence * self.topic_confidence if self.topic is not None else self.intent_confidence

    @property
    def response(self) -> Optional[str]:
        """The FAQ answer's response name ("utter_faq/exit_steps"); None for other intents."""
        return f"utter_{self.topic}" if self.topic is not None else None


def faq_ranking(parse: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The ResponseSelector's ranking of FAQ topics ([] when there is none)."""
    return ((parse.get("response_selector") or {}).get(FAQ) or {}).get("ranking") or []


def meanings(parse: Dict[str, Any]) -> List[Meaning]:
    """Every intent except the fallback, in NLU's order; the FAQ intent expanded into its topics."""
    found: List[Meaning] = []
    topics = faq_ranking(parse)
    for intent in parse.get("intent_ranking") or []:
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if not name or name == FALLBACK:
            continue
        if name == FAQ:
            found.extend(Meaning(name, confidence, topic.get("intent_response_key", ""),
                                 float(topic.get("confidence") or 0.0)) for topic in topics)
        else:
            found.append(Meaning(name, confidence))
    return found


def likeliest_intent(parse: Dict[str, Any]) -> Optional[str]:
    """The most likely intent other than the fallback itself."""
    ranked = [i.get("name") for i in parse.get("intent_ranking") or [] if i.get("name") != FALLBACK]
    return ranked[0] if ranked else None
