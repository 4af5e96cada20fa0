"""Rasa NLU component: normalise seller text before the tokenizer.

A thin adapter: the rules live in ``core.normalization`` so the action server
reads text the same way the model does.
"""
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.normalizing_component import NormalizingComponent
from core.normalization import TEXT_AS_WRITTEN


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class TextNormalizer(NormalizingComponent):
    """Rewrites ``message.text`` into the canonical form (see core.normalization)."""

    def _normalize_message(self, message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and not text.startswith("/"):
            # Kept for readers that need the seller's spaces (core.shop_facts).
            message.set(TEXT_AS_WRITTEN, text, add_to_output=True)
            message.set(TEXT, self._normalize(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize_message(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize_message(message)
        return messages
