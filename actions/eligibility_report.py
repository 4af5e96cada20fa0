"""``action_report_eligibility``: tell the seller the outcome of the exit check."""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from core.answer_plan import verdict_responses
from core.eligibility import Outcome, assess
from core.slots import facts_from_slots


class ActionReportEligibility(Action):
    """Gives the verdict, blockers with remedies, exit steps and what happens to the money."""

    def name(self) -> Text:
        return "action_report_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        verdict = assess(facts_from_slots(tracker.slots))
        if verdict.outcome is Outcome.INCOMPLETE:  # a fact went missing: ask it
            return [FollowupAction("exit_check_form")]
        for response in verdict_responses(facts_from_slots(tracker.slots), tracker.events):
            dispatcher.utter_message(response=response)
        # The facts stay: the seller said them, and corrects them in their own
        # words ("维权处理完了"), which actions/read_shop_facts.py reads.
        return []

