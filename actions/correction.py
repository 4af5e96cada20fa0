"""A seller correcting a fact right after the verdict ("哦不对 其实没有", "不对 其实没交"): a new verdict.

``read_shop_facts.pending_fact`` reads such a bare correction against the fact
it concerns; this turns the changed facts into the verdict they now give, or
takes the check up again when a fact is missing.
"""
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.read_shop_facts import corrects_verdict, read_and_record
from core.answer_plan import verdict_responses
from core.eligibility import Outcome, assess
from core.slots import facts_from_slots


def verdict_again(dispatcher: CollectingDispatcher, slots: Dict[Text, Any],
                  events: List[Dict[Text, Any]]) -> List[EventType]:
    """Say the verdict ``slots`` give now; when a fact is missing, ask it (the check goes on)."""
    facts = facts_from_slots(slots)
    dispatcher.utter_message(response="utter_correction_noted")
    if assess(facts).outcome is Outcome.INCOMPLETE:
        return [FollowupAction("exit_check_form")]
    for name in verdict_responses(facts, events):
        dispatcher.utter_message(response=name)
    return [FollowupAction("action_listen")]


def corrected(dispatcher: CollectingDispatcher, tracker: Tracker,
              read: Optional[Tuple[Dict[Text, Any], List[EventType]]] = None) -> Optional[List[EventType]]:
    """The events of a correction right after a verdict, its new verdict said; None when it is not one.

    ``read``: what ``read_and_record(tracker)`` gave, when the caller has read the message already.
    """
    slots, recorded = read or read_and_record(tracker)
    if not corrects_verdict(tracker, recorded):
        return None
    return recorded + verdict_again(dispatcher, slots, tracker.events)


class ActionBareNo(Action):
    """A lone "no" outside the check: a correction of the verdict just given, or a short OK."""

    def name(self) -> Text:
        return "action_bare_no"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = corrected(dispatcher, tracker)
        if events is not None:
            return events
        dispatcher.utter_message(response="utter_cancel_ok")
        return []
