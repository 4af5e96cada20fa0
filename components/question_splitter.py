"""Rasa NLU components: classify each question of a message with several.

"退出账期保障怎么操作？退出后对店铺有影响吗？" asks two things. ``QuestionSplitter``
(first in the pipeline) adds one message per question to the batch, so Rasa's
own tokenizer, featurizers and classifiers handle each question exactly as they
handle a whole message. ``QuestionCollector`` (last) takes them out again and
stores what each was classified as under ``questions`` in the parse data, for
the action that answers them. How a message is split is
``core.intent_rules.split_questions``.

A long message with one question ("开店两年…周转很难受 账期保障怎么退出") gets
its last question classified alone too (``core_question``). Where the whole
message was too unsure to answer, the collector takes the questions' readings
instead: each question understood, or the last question understood.
"""
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.normalizing_component import NormalizingComponent
from core.intent_rules import (
    FOLLOW_UP_SUBJECTS,
    after_taking_back_leaving,
    core_question,
    is_follow_up,
    split_questions,
    with_subjects,
)
from core.normalization import TEXT_AS_WRITTEN

QUESTIONS = "questions"
PARENT = "question_of"  # a question message points to the message it came from
_CORE = "core_question"  # marks the one message made of a long message's last question
_TAKEN_BACK = "after_taking_back"  # marks the question after "我不想退了": its reading is the message's
_SUBJECT = "subject"  # marks a follow-up read with a subject put in front
WITH_SUBJECT = "with_subject"
FALLBACK = "nlu_fallback"
UNDERSTOOD = ("faq", "ask_can_exit")
TOPICS_KEPT = 3


class _Stateless(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class QuestionSplitter(NormalizingComponent):
    """Adds a message for each question of a message that asks several."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training examples are one question each

    def process(self, messages: List[Message]) -> List[Message]:
        added: List[Message] = []
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or text.startswith("/"):
                continue
            questions = with_subjects(split_questions(text, self._normalize), self._normalize)
            if len(questions) > 1:
                added += [Message(data={TEXT: question, PARENT: message}) for question in questions]
            elif asked := after_taking_back_leaving(text):
                added.append(Message(data={TEXT: asked, PARENT: message, _CORE: True, _TAKEN_BACK: True}))
            elif asked := core_question(text):
                added.append(Message(data={TEXT: asked, PARENT: message, _CORE: True}))
            elif is_follow_up(self._normalize(text)):
                added += [Message(data={TEXT: subject + text, PARENT: message, _SUBJECT: subject})
                          for subject in FOLLOW_UP_SUBJECTS]
        return messages + added


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class QuestionCollector(_Stateless):
    """Moves the question messages' results into their message's ``questions``."""

    def process(self, messages: List[Message]) -> List[Message]:
        kept: List[Message] = []
        for message in messages:
            parent = message.get(PARENT)
            if parent is None:
                kept.append(message)
                continue
            if message.get(_CORE):
                self._adopt_if_unsure(parent, message)
            elif message.get(_SUBJECT):
                readings = parent.get(WITH_SUBJECT) or {}
                readings[message.get(_SUBJECT)] = self._reading(message)
                parent.set(WITH_SUBJECT, readings, add_to_output=True)
            else:
                parent.set(QUESTIONS, (parent.get(QUESTIONS) or []) + [self._reading(message)],
                           add_to_output=True)
        for message in kept:
            self._answer_questions_if_unsure(message)
            self._ask_check_if_asked(message)
        return kept

    @staticmethod
    def _reading(message: Message) -> Dict[Text, Any]:
        """What one question was classified as."""
        intent = message.get(INTENT) or {}
        selected = ((message.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        return {
            "text": message.get(TEXT_AS_WRITTEN) or message.get(TEXT),
            "intent": intent.get(INTENT_NAME_KEY),
            "confidence": intent.get(PREDICTED_CONFIDENCE_KEY, 0.0),
            "topic": selected.get("intent_response_key"),
            "topic_confidence": selected.get("confidence", 0.0),
            # The runners-up, so an unsure follow-up can be asked back with them ("那要多久": the hold, or
            # when the exit takes effect?).
            "topics": [{"intent_response_key": t.get("intent_response_key"), "confidence": t.get("confidence", 0.0)}
                       for t in (((message.get("response_selector") or {}).get("faq") or {}).get("ranking")
                                 or [])[:TOPICS_KEPT]],
        }

    @staticmethod
    def _adopt_if_unsure(parent: Message, core: Message) -> None:
        """An unsure long message takes the reading of its last question, if that one is sure; a message that
        takes leaving back ("我不想退了 我想问怎么开通") always takes the reading of what it then asks."""
        core_intent = (core.get(INTENT) or {}).get(INTENT_NAME_KEY)
        unsure = (parent.get(INTENT) or {}).get(INTENT_NAME_KEY) == FALLBACK
        if (unsure or core.get(_TAKEN_BACK)) and core_intent in UNDERSTOOD:
            for key in (INTENT, "intent_ranking", "response_selector"):
                if core.get(key) is not None:
                    parent.data[key] = core.get(key)

    @staticmethod
    def _answer_questions_if_unsure(message: Message) -> None:
        """An unsure message whose questions were each understood is answered question by question;
        so is one that mixes another product with a question on 账期保障."""
        questions = message.get(QUESTIONS) or []
        intent = message.get(INTENT) or {}
        understood = [q for q in questions if q["intent"] == "faq"]
        mixed = intent.get(INTENT_NAME_KEY) == "out_of_scope" and understood  # "88vip怎么开 还有账期保障怎么退"
        if (intent.get(INTENT_NAME_KEY) == FALLBACK and len(understood) >= 2) or mixed:
            message.data[INTENT] = {INTENT_NAME_KEY: "faq",
                                    PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)}

    @staticmethod
    def _ask_check_if_asked(message: Message) -> None:
        """One of the questions asks whether the shop can exit: the check runs, the rest are answered."""
        questions = message.get(QUESTIONS) or []
        intent = message.get(INTENT) or {}
        if any(q["intent"] == "ask_can_exit" for q in questions) and intent.get(INTENT_NAME_KEY) in (
                "faq", "nlu_fallback"):
            message.data[INTENT] = {INTENT_NAME_KEY: "ask_can_exit",
                                    PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY, 0.0)}
