"""``action_read_shop_facts``: record what the seller says about their shop, on every message.

Rasa runs it after each user message (the ``custom`` slot mappings in
domain.yml name it), whatever the intent: a fact stated inside an FAQ question
counts as much as an answer to the check's own question. While the check waits
for a fact (``requested_slot``), a bare reply is read as the answer to it.
"""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.eligibility import Answer, Fact
from actions.fact_table import BY_SLOT
from actions.intent_rules import is_other_product
from actions.normalization import TEXT_AS_WRITTEN, normalizer_for
from actions.settings import dictionary_dir
from actions.shop_facts import read_facts

# TEXT_AS_WRITTEN: Rasa's parse data carries the normalised text, where the
# seller's spaces are gone; components/text_normalizer.py keeps the original.
# The check's buttons send an intent: the intent is the answer.
BUTTON_ANSWERS = {"affirm": Answer.YES, "deny": Answer.NO, "dont_know": Answer.UNKNOWN}
# Messages that are about something else are not read as replies to the check.
# An "out of scope" one still is, unless it names another product: the
# classifier takes some replies ("有几个链接是") for out of scope.
NOT_REPLIES = {"request_human", "cancel", "greet", "goodbye", "thank"}


def pending_fact(tracker: Tracker) -> Optional[Fact]:
    """The fact the check is waiting for, if it is waiting."""
    if tracker.active_loop_name != "exit_check_form":
        return None
    spec = BY_SLOT.get(tracker.get_slot("requested_slot") or "")
    return spec.fact if spec else None


def facts_in_message(message: Dict[Text, Any], pending: Optional[Fact]) -> Dict[Fact, Answer]:
    """The facts the latest user message states (see ``actions.shop_facts``)."""
    text = message.get(TEXT_AS_WRITTEN) or message.get("text") or ""
    intent = (message.get("intent") or {}).get("name") or ""
    if text.startswith("/"):
        answer = BUTTON_ANSWERS.get(intent)
        return {pending: answer} if pending and answer else {}
    normalize = normalizer_for(dictionary_dir())
    if intent in NOT_REPLIES or (intent == "out_of_scope" and is_other_product(normalize(text))):
        pending = None
    return read_facts(text, normalize, pending)


def answered_check_question(tracker: Tracker) -> bool:
    """Whether the latest message gave the fact the check was waiting for."""
    requested = tracker.get_slot("requested_slot")
    if tracker.active_loop_name != "exit_check_form" or requested not in BY_SLOT:
        return False
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    start = users[-1] if users else 0
    return any(e.get("event") == "slot" and e.get("name") == requested and e.get("value") is not None
               for e in tracker.events[start:])


class ActionReadShopFacts(Action):
    """Sets the exit check's slots from what the seller states in their message."""

    def name(self) -> Text:
        return "action_read_shop_facts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        found = facts_in_message(tracker.latest_message, pending_fact(tracker))
        return [SlotSet(fact.value, answer.value) for fact, answer in found.items()]
