"""``action_report_eligibility``: tell the seller the outcome of the exit check."""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.eligibility import Fact, Outcome, Verdict, assess
from actions.slots import facts_from_slots

_OPENING = {
    Outcome.CAN_EXIT: "utter_verdict_can_exit",
    Outcome.BLOCKED: "utter_verdict_blocked",
    Outcome.DEPENDS: "utter_verdict_depends",
}


def responses_for(verdict: Verdict) -> List[Text]:
    """The response names that tell ``verdict`` to the seller, in order."""
    if verdict.outcome is Outcome.INCOMPLETE:
        return []
    names = [_OPENING[verdict.outcome]]
    names += [f"utter_blocker_{blocker.value}" for blocker in verdict.blockers]
    names += [f"utter_possible_blocker_{blocker.value}" for blocker in verdict.possible_blockers]
    if verdict.category_may_require_insurance:
        names.append("utter_note_insurance_only")
    if verdict.show_steps:
        names.append("utter_exit_steps")
    else:
        names.append("utter_after_blockers")
    if verdict.show_consequences:
        names.append("utter_after_exit")
    return names


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
        for response in responses_for(verdict):
            dispatcher.utter_message(response=response)
        # Facts can change (a dispute gets closed): the next check asks afresh.
        return [SlotSet(fact.value, None) for fact in Fact]

