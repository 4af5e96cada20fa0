"""Rasa NLU components: answer the messages agents labelled as they labelled them, and nothing else differently.

The examples of ``data/nlu/learned.yml`` (written by ``make learn`` from the desk's inbox; their metadata
``source`` says "labelled by …") are real sellers' messages the bot missed. Trained into DIET and the
ResponseSelector, one new example moves borderline cases of every topic either way (measured 2026-12-03: a
fine-tune with one labelled message changed the label of 97 of 861 evaluation sentences), so a guarded retrain
could not tell learning from noise. Instead:

- ``LearnedExamples`` (early in the pipeline) keeps them apart: at training it remembers each one's label under
  ``core.learning.learned_key`` and hands the rest of the pipeline the training data without them, so DIET and the
  ResponseSelector are the models trained on the team's own data (the seeds are pinned: trained anew on the same
  data with the same software on this machine they came out the same, prediction by prediction on 861
  evaluation sentences);
  at prediction it marks a message whose key is a labelled one.
- ``LearnedAnswers`` (after the classifiers, gates and ``IntentRules``: an agent's label is the last word) gives a
  marked message its label with full confidence, and drops the per-question readings of it: the agent labelled
  the message as a whole.

A labelled message is matched as the model reads it (traditional characters, typos, pinyin, spacing,
punctuation, final particles that change nothing), not by similarity: "有维权能退吗" must never take the label
of "没有维权能退吗". Only questions that name what they ask about are matched (``core.learning.unlearnable``):
a reply or a follow-up ("没维权", "那怎么退") means what the conversation makes it mean, and a masked message
no longer says what the seller said. Moving learned sentences into the team's own data files makes DIET learn
from them too; that is an ordinary data change, checked by `make test`.
"""
import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.normalizing_component import NormalizingComponent
from components.question_splitter import PARENT
from core.learning import is_learned, learned_key, unlearnable

LEARNED = "learned"  # in the parse data: the label a message was answered with, and where it came from
RESPONSE_SELECTOR = "response_selector"
_FILE = "learned.json"


def _source(example: Message) -> Any:
    return ((example.get("metadata") or {}).get("example") or {}).get("source")


def _label(example: Message) -> Optional[Text]:
    return example.get(INTENT_RESPONSE_KEY) or example.get(INTENT)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LearnedExamples(NormalizingComponent):
    """Remembers the labelled messages apart from the training data; marks a message that is one of them."""

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 learned: Optional[Dict[Text, Dict[Text, Any]]] = None) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self._learned = learned or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LearnedExamples":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LearnedExamples":
        try:
            with model_storage.read_from(resource) as directory:
                learned = json.loads((directory / _FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):  # a model trained before there was anything learned
            learned = {}
        return cls(config, model_storage, resource, learned)

    def train(self, training_data: TrainingData) -> Resource:
        learned: Dict[Text, Dict[Text, Any]] = {}
        for example in training_data.training_examples:
            label = _label(example)
            text = example.get(TEXT)
            if is_learned(_source(example)) and label and isinstance(text, str) \
                    and not unlearnable(text, self._normalize):  # make learn leaves those out; a hand edit may not
                key = learned_key(text, self._normalize)
                if key and key not in learned:  # the export keeps one label per key; a hand edit: the first
                    template = f"utter_{label}"
                    learned[key] = {"label": label, "source": _source(example),
                                    "responses": training_data.responses.get(template)}
        with self._model_storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(json.dumps(learned, ensure_ascii=False), encoding="utf-8")
        self._learned = learned
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """The training data without the labelled messages: what the rest of the pipeline learns from."""
        return training_data.filter_training_examples(lambda example: not is_learned(_source(example)))

    def process(self, messages: List[Message]) -> List[Message]:
        if not self._learned:
            return messages
        for message in messages:
            text = message.get(TEXT)
            # Whole messages only: a question cut out of a longer message (PARENT) is not what an agent labelled.
            if isinstance(text, str) and not text.startswith("/") and message.get(PARENT) is None:
                found = self._learned.get(learned_key(text, self._normalize))
                if found:
                    message.set(LEARNED, found)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LearnedAnswers(GraphComponent):
    """A message ``LearnedExamples`` marked takes its label, sure; its per-question readings are dropped."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LearnedAnswers":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        marked = [message for message in messages if message.get(LEARNED)]
        if not marked:
            return messages
        for message in marked:
            self._answer_as_labelled(message)
        # The question messages of a labelled message (components/question_splitter.py) leave the batch.
        return [message for message in messages if not any(message.get(PARENT) is m for m in marked)]

    @staticmethod
    def _answer_as_labelled(message: Message) -> None:
        found = message.get(LEARNED)
        label = found["label"]
        intent, _, topic = label.partition("/")
        message.data[INTENT] = {INTENT_NAME_KEY: intent, PREDICTED_CONFIDENCE_KEY: 1.0}
        others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != intent]
        message.data[INTENT_RANKING_KEY] = [dict(message.data[INTENT])] + others
        if topic:
            selectors = message.get(RESPONSE_SELECTOR) or {}
            selector = selectors.get(intent) or {}
            ranking = [r for r in selector.get("ranking") or [] if r.get(INTENT_RESPONSE_KEY) != label]
            top = {"id": None, PREDICTED_CONFIDENCE_KEY: 1.0, INTENT_RESPONSE_KEY: label}
            selectors[intent] = {**selector, "response": {
                "responses": found.get("responses"), PREDICTED_CONFIDENCE_KEY: 1.0,
                INTENT_RESPONSE_KEY: label, "utter_action": f"utter_{label}"}, "ranking": [top] + ranking}
            message.set(RESPONSE_SELECTOR, selectors, add_to_output=True)
        message.set(LEARNED, {"label": label, "source": found.get("source")}, add_to_output=True)
