"""Slot extraction and validation for ``exit_check_form``.

Reads the three facts from what the seller writes, whether as a reply to the
bot's question ("有两个", "没", "不清楚", or a button) or stated in passing
("店里有个订单还在维权，能退出吗"). Which facts are still needed is decided by
``eligibility.relevant_facts``.
"""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import answers, eligibility
from actions.eligibility import Answer, Fact
from actions.normalization import normalizer_for
from actions.settings import dictionary_dir
from actions.slots import ENTITY_FACTS, facts_from_slots

# Intents whose messages may carry an answer. An FAQ question that happens to
# start with "是" ("是不是要先处理维权") must not be read as "yes".
ANSWER_INTENTS = {"affirm", "deny", "dont_know", "ask_can_exit", "nlu_fallback"}
INTENT_ANSWERS = {"affirm": Answer.YES, "deny": Answer.NO, "dont_know": Answer.UNKNOWN}


def extract_fact(
    fact: Fact, message: Dict[Text, Any], requested_slot: Optional[Text]
) -> Optional[Answer]:
    """The answer the latest user message gives about ``fact``, if any."""
    intent = (message.get("intent") or {}).get("name")
    if intent not in ANSWER_INTENTS:
        return None
    text = normalizer_for(dictionary_dir())(message.get("text") or "")
    for entity in message.get("entities") or []:
        if ENTITY_FACTS.get(entity.get("entity")) is fact and "start" in entity:
            return answers.mention_polarity(text, entity["start"], entity["end"], fact)
    if requested_slot != fact.value:
        return None
    if text.startswith("/"):  # a button: the intent is the answer
        return INTENT_ANSWERS.get(intent)
    return answers.parse_reply(text, fact) or INTENT_ANSWERS.get(intent)


class ValidateExitCheckForm(FormValidationAction):
    """Fills the exit check's facts from the seller's words and asks only what is missing."""

    def name(self) -> Text:
        return "validate_exit_check_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        facts = facts_from_slots(tracker.slots)
        return [fact.value for fact in eligibility.relevant_facts(facts)]

    def _extract(self, fact: Fact, tracker: Tracker) -> Dict[Text, Any]:
        answer = extract_fact(fact, tracker.latest_message, tracker.get_slot("requested_slot"))
        return {} if answer is None else {fact.value: answer.value}

    @staticmethod
    def _validate(fact: Fact, value: Any) -> Dict[Text, Any]:
        valid = value in {answer.value for answer in Answer}
        return {fact.value: value if valid else None}

    async def extract_has_open_dispute(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._extract(Fact.DISPUTE, tracker)

    async def extract_has_forced_category_items(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._extract(Fact.FORCED, tracker)

    async def extract_has_deposit_or_insurance(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._extract(Fact.COVERED, tracker)

    def validate_has_open_dispute(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._validate(Fact.DISPUTE, value)

    def validate_has_forced_category_items(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._validate(Fact.FORCED, value)

    def validate_has_deposit_or_insurance(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return self._validate(Fact.COVERED, value)
