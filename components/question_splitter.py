"""Rasa NLU components: classify each question of a message with several.

"退出账期保障怎么操作？退出后对店铺有影响吗？" asks two things. ``QuestionSplitter``
(first in the pipeline) adds one message per question to the batch, so Rasa's
own tokenizer, featurizers and classifiers handle each question exactly as they
handle a whole message. ``QuestionCollector`` (last) takes them out again and
stores what each was classified as under ``questions`` in the parse data, for
the action that answers them. How a message is split is
``actions.intent_rules.split_questions``.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from actions.intent_rules import split_questions

QUESTIONS = "questions"
_PARENT = "question_of"  # a question message points to the message it came from


class _Stateless(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class QuestionSplitter(_Stateless):
    """Adds a message for each question of a message that asks several."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training examples are one question each

    def process(self, messages: List[Message]) -> List[Message]:
        added: List[Message] = []
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue
            questions = split_questions(text)
            if len(questions) > 1:
                added += [Message(data={TEXT: question, _PARENT: message}) for question in questions]
        return messages + added


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class QuestionCollector(_Stateless):
    """Moves the question messages' results into their message's ``questions``."""

    def process(self, messages: List[Message]) -> List[Message]:
        kept: List[Message] = []
        for message in messages:
            parent = message.get(_PARENT)
            if parent is None:
                kept.append(message)
                continue
            intent = message.get(INTENT) or {}
            selected = ((message.get("response_selector") or {}).get("faq") or {}).get("response") or {}
            questions = parent.get(QUESTIONS) or []
            questions.append({
                "text": message.get("text_as_written") or message.get(TEXT),
                "intent": intent.get(INTENT_NAME_KEY),
                "confidence": intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
                "topic": selected.get("intent_response_key"),
                "topic_confidence": selected.get("confidence", 0.0),
            })
            parent.set(QUESTIONS, questions, add_to_output=True)
        for message in kept:
            self._ask_check_if_asked(message)
        return kept

    @staticmethod
    def _ask_check_if_asked(message: Message) -> None:
        """One of the questions asks whether the shop can exit: the check runs, the rest are answered."""
        questions = message.get(QUESTIONS) or []
        intent = message.get(INTENT) or {}
        if any(q["intent"] == "ask_can_exit" for q in questions) and intent.get(INTENT_NAME_KEY) in (
                "faq", "nlu_fallback"):
            message.data[INTENT] = {INTENT_NAME_KEY: "ask_can_exit",
                                    PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)}
