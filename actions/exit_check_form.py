"""Validation for ``exit_check_form``: what a reply states, and which facts are still needed.

Rasa calls this action whenever the form runs: on every message during the check
and when the check starts. It reads the facts the latest message states
(``read_shop_facts.read_in_check``: the slots' ``custom`` mappings name no action
of their own, which would be one more round trip per message), then asks only
for what ``eligibility.next_question`` still needs, and stops as soon as the
facts decide the verdict. It always names the next slot itself, so Rasa does not
call it a second time when the check starts, and it does not need the domain.
"""
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.read_shop_facts import looked_up_first, read_in_check
from core import eligibility
from core.answer_plan import answers_for, asked_topics
from core.eligibility import Answer
from core.fact_table import FACT_TABLE
from core.normalization import normalizer_for
from core.settings import dictionary_dir
from core.shop_facts import asks_something
from core.slots import facts_from_slots

_VALUES = {answer.value for answer in Answer}
# The form's required slots in domain.yml (tests/test_domain.py keeps them equal).
FORM_SLOTS = [spec.slot for spec in FACT_TABLE]


class ValidateExitCheckForm(FormValidationAction):
    """Asks only what is missing; accepts only yes / no / unknown."""

    def name(self) -> Text:
        return "validate_exit_check_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        read = read_in_check(tracker)
        looking = None if read else looked_up_first(tracker)
        if looking:
            # "我去看看": nothing to record yet; the same question again, so the answer that follows is
            # read against it (an "unknown" would move on, and "看了 有的" would answer the next question).
            # A slot event keeps Rasa from rejecting the form for a message that filled nothing.
            dispatcher.utter_message(response="utter_take_your_time")
            return [SlotSet(looking, None), SlotSet("requested_slot", looking)]
        tracker.add_slots(read)
        # "没有维权 对了退了以后之前那些订单的钱还压着吗": the answer fills the slot, so Rasa runs the
        # form at once and no FAQ rule answers the question beside it: it is answered here.
        if _question_beside_answer(tracker):
            facts = facts_from_slots(tracker.slots)
            text = tracker.latest_message.get("text") or ""
            # the plain answers: the check's verdict or next question follows ("维权怎么算结束？我有一个…"
            # got the whole verdict twice, once as the answer on why exits fail)
            for name in answers_for(asked_topics(tracker.latest_message), facts, text, causes=False):
                dispatcher.utter_message(response=name)
        events = await super().run(dispatcher, tracker, domain)
        asked = tracker.get_slot("requested_slot")
        if read and tracker.active_loop_name and asked and asked not in {e["name"] for e in read} \
                and SlotSet("requested_slot", asked) in events:
            dispatcher.utter_message(response="utter_fact_noted")  # other facts than the one asked; same question
        return read + events

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        """The form's slots without the domain: Rasa does not send it to this action (domain.yml)."""
        return list(FORM_SLOTS)

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> EventType:
        """The next fact to ask for, always named (rasa_sdk leaves it to Rasa when all three are still
        relevant, and Rasa then calls this action once more when the check starts, only to find it)."""
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet("requested_slot", next((slot for slot in required if tracker.slots.get(slot) is None), None))

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        facts = facts_from_slots(tracker.slots)
        if eligibility.next_question(facts) is None:
            return []
        return [fact.value for fact in eligibility.relevant_facts(facts)]

    @staticmethod
    def _known(slot: Text, value: Any) -> Dict[Text, Any]:
        """Junk in a fact slot (set by hand through the tracker API) counts as not asked."""
        return {slot: value if value in _VALUES else None}

    def validate_has_open_dispute(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known("has_open_dispute", value)

    def validate_has_forced_category_items(self, value: Any, dispatcher: CollectingDispatcher,
                                           tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known("has_forced_category_items", value)

    def validate_has_deposit_or_insurance(self, value: Any, dispatcher: CollectingDispatcher,
                                          tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        return self._known("has_deposit_or_insurance", value)


def _question_beside_answer(tracker: Tracker) -> bool:
    """Whether the latest message is an FAQ question that nothing has answered yet in this turn.

    A reply the classifier took for a question but that asks nothing ("之前有一个 已经关了",
    "还没交 准备去交") gets no answer to a question nobody asked.
    """
    message = tracker.latest_message
    if (message.get("intent") or {}).get("name") != "faq":
        return False
    if not asks_something(normalizer_for(dictionary_dir())(message.get("text") or "")):
        return False
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    since = tracker.events[users[-1] + 1:] if users else []
    return not any(e.get("event") == "bot" or (e.get("event") == "action" and e.get("name") == "action_answer")
                   for e in since)
