"""Rasa NLU component: turn an unsure FAQ answer into ``nlu_fallback``.

Rasa 3.6's ResponseSelector always picks an answer, however low its confidence.
This gate runs after it: when the message was classified as the retrieval
intent ``faq`` but the chosen answer is weak (below ``threshold``) or nearly tied
with the runner-up (closer than ``ambiguity_threshold``), it predicts
``nlu_fallback`` the same way Rasa's FallbackClassifier does, so the
conversation goes to the "您是不是想问…" clarification instead of a guess.
"""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

from core.answer_plan import is_unsure  # shared with the actions (no Rasa imports there)

RESPONSE_SELECTOR = "response_selector"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class FaqGate(GraphComponent):
    """Predicts ``nlu_fallback`` for low-confidence or ambiguous FAQ answers."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"retrieval_intent": "faq", "threshold": 0.5, "ambiguity_threshold": 0.1}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "FaqGate":
        return cls(config)

    def _ranking(self, message: Message) -> Optional[List[Dict[Text, Any]]]:
        selector = (message.get(RESPONSE_SELECTOR) or {}).get(
            self._config["retrieval_intent"]
        )
        return None if selector is None else selector.get("ranking", [])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != self._config["retrieval_intent"]:
                continue
            ranking = self._ranking(message)
            if ranking is None or not is_unsure(
                ranking, self._config["threshold"], self._config["ambiguity_threshold"]
            ):
                continue
            fallback = {
                INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
            }
            message.data[INTENT] = fallback
            message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, dict(fallback))
        return messages
