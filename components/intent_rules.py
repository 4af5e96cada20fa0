"""Rasa NLU component: correct the classifier's intent where words settle it.

Runs after the classifiers and gates; the rules are ``core.intent_rules``
(plain Python, tested on their own):

- another product or a buyer's question → ``out_of_scope``; a question the
  classifier took for out of scope that names 账期保障 and nothing else, and
  whose FAQ topic is sure, → ``faq`` ("帐期保障期间有售后 钱怎么处理");
- a long message classified as a bare reply or small talk ("没有", "好的") →
  the next intent that is not one;
- a mention of a person that does not ask for one ("还剩一个在等小二处理") is not
  ``request_human``; "how do I…" / "why…" ("我想把账期保障关了，怎么操作") is not ``ask_can_exit``:
  the next likeliest intent instead; neither is a question taken for a bare
  yes / no ("哦对了 退出要钱吗"); "能开吗" about joining is an FAQ question;
  "麻烦了" is a yes (to an offer: ``action_accept_offer``);
- "can I exit?" asked ("能关掉吗", "我符合条件吗") → ``ask_can_exit``; so is a
  plain statement of shop facts ("哦不对 还有一个维权没完"), which changes the
  verdict.
"""
from typing import List, Set, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.normalizing_component import NormalizingComponent
from core import intent_rules
from core.normalization import TEXT_AS_WRITTEN
from core.shop_facts import read_facts

# Intents no word rule overrides: the seller stops, asks for a person, or
# talks about something else.
KEPT_INTENTS = {"ask_can_exit", "cancel", "request_human", "out_of_scope", "greet", "goodbye", "thank"}
# What the classifier makes of bare abuse ("垃圾客服 一问三不知" → request_human by its 客服); a stop or a
# goodbye in it ("算了 垃圾") is still one.
ABUSE_READ_AS = {"request_human", "out_of_scope", "nlu_fallback", "affirm", "deny", "dont_know", "greet", "thank"}
# How sure the FAQ topic must be to answer a question the classifier took for out of scope.
SURE_TOPIC = 0.7


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRules(NormalizingComponent):
    """Overrides the predicted intent by the rules of ``core.intent_rules``."""

    @staticmethod
    def _set_intent(message: Message, name: Text) -> None:
        confidence = (message.get(INTENT) or {}).get(PREDICTED_CONFIDENCE_KEY, 0.0)
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
        message.data[INTENT] = intent
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get(INTENT_NAME_KEY) != name]
        message.data[INTENT_RANKING_KEY] = [dict(intent)] + ranking

    @staticmethod
    def _topic_confidence(message: Message) -> float:
        selected = ((message.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        return selected.get("confidence", 0.0)

    @staticmethod
    def _next_intent(message: Message, rejected: Set[Text]) -> Text:
        """The likeliest intent not ``rejected``; the fallback if none."""
        ranking = [r.get(INTENT_NAME_KEY) for r in message.get(INTENT_RANKING_KEY) or []]
        others = [name for name in ranking if name and name != DEFAULT_NLU_FALLBACK_INTENT_NAME
                  and name not in rejected]
        return others[0] if others else DEFAULT_NLU_FALLBACK_INTENT_NAME

    @staticmethod
    def _wrong(intent: Text, text: Text, states_facts: bool, written: Text = "") -> bool:
        """Whether the words rule ``intent`` out: a person not asked for, a stop without a word of stopping,
        "how" taken for "can I", the check for a
        message that neither mentions leaving nor states a fact, a story or a question taken for a bare reply."""
        return ((intent == "request_human" and not intent_rules.asks_for_person(text))
                or (intent == "cancel" and not intent_rules.says_stop(text))
                or (intent == "goodbye" and not (intent_rules.says_bye(text) or intent_rules.says_bye(written)))
                or (intent == "ask_can_exit" and (intent_rules.asks_how_or_why(text) or not (
                    states_facts or intent_rules.mentions_exit_or_check(text))))
                or intent_rules.too_long_for_reply(intent, text)
                or intent_rules.question_not_reply(intent, text))

    def _corrected(self, message: Message) -> Text:
        text = message.get(TEXT) or ""
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) or ""
        if text.startswith("/"):
            return intent
        if intent_rules.is_other_product(text):
            return "out_of_scope"
        if intent_rules.demands_person(text):  # "账期保障怎么退出 转人工吧": the person is what they ask for
            return "request_human"
        if intent in ABUSE_READ_AS and intent_rules.insults(text) and not intent_rules.is_question(text):
            return DEFAULT_NLU_FALLBACK_INTENT_NAME  # "傻逼机器人": an apology and a person offered (action_clarify)
        if intent_rules.wants_to_exit(text):
            return "ask_can_exit"  # "我想退账期保障", "帮我退出账期保障 谢谢": the check, which ends with the steps
        if intent_rules.acknowledges(text):
            return "affirm"  # "收到", "明白了": an OK to what was said; action_accept_offer takes it as no more
        if intent == "thank" and intent_rules.trouble_you(text):
            return "affirm"  # "麻烦了": yes to an offer, else thanks (action_accept_offer)
        if intent == "ask_can_exit" and intent_rules.short_yes(text):
            return "affirm"  # a bare "可以" accepts what was offered (action_accept_offer), it asks nothing
        if intent == "ask_can_exit" and (intent_rules.asks_to_join(text) or intent_rules.asks_to_rejoin(text)):
            return "faq"  # "我想开通账期保障，我能开吗", "退了还能再开吗": FAQ topics, not the exit check
        written = message.get(TEXT_AS_WRITTEN) or text
        states_facts = bool(read_facts(written, self._normalize))
        rejected: Set[Text] = set()
        while intent != DEFAULT_NLU_FALLBACK_INTENT_NAME and self._wrong(intent, text, states_facts, written):
            rejected.add(intent)
            if intent in intent_rules.REPLY_INTENTS:
                rejected |= set(intent_rules.REPLY_INTENTS)
            intent = self._next_intent(message, rejected)
        if intent == "ask_can_exit" and (intent_rules.asks_to_join(text) or intent_rules.asks_to_rejoin(text)):
            return "faq"
        if (intent == "out_of_scope" and intent_rules.about_own_topic(text)
                and self._topic_confidence(message) >= SURE_TOPIC):
            return "faq"
        if intent in KEPT_INTENTS:
            return intent
        if intent_rules.asks_whether_exit_possible(text) and not (
                intent_rules.asks_to_join(text) or intent_rules.asks_to_rejoin(text)):
            return "ask_can_exit"
        if not intent_rules.is_question(text) and states_facts:
            return "ask_can_exit"
        return intent

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            corrected = self._corrected(message)
            if corrected and corrected != intent:
                self._set_intent(message, corrected)
        return messages
