"""``action_answer``: answer every question of the seller's message, in order."""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.correction import corrected
from actions.read_shop_facts import read_and_record
from core.answer_plan import (
    DEFAULT_SUBJECT,
    answers_for,
    asked_topics,
    causes_before_check,
    conversation_subject,
    follow_up_topic,
    plan_confirmed,
    says_exit_fails,
    stops_check,
)
from core.slots import facts_from_slots


class ActionAnswer(Action):
    """Answers the FAQ questions of the latest message (up to three) with what the seller said."""

    def name(self) -> Text:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        message = tracker.latest_message
        text = message.get("text") or ""
        starts_check = (message.get("intent") or {}).get("name") == "ask_can_exit"
        read = read_and_record(tracker)  # once per message: the correction check and the answer share it
        # A correction right after the verdict, asked as a question or as "can I exit then", says so and
        # gives the new verdict ("好的，按您更正后的情况重新看", not the opening line of a new check).
        events = corrected(dispatcher, tracker, read)
        if events is not None:
            return events
        slots, recorded = read
        facts = facts_from_slots(slots)
        subject = conversation_subject(tracker.events) if starts_check else DEFAULT_SUBJECT
        follow_up = follow_up_topic(message, subject) if subject != DEFAULT_SUBJECT else None
        if follow_up:
            # "以后能退吗" right after a question on 保证金 asks about the 保证金, not the check.
            for name in answers_for([follow_up], facts, text):
                dispatcher.utter_message(response=name)
            return recorded + [FollowupAction("action_listen")]
        names = answers_for(asked_topics(message), facts, text)
        if tracker.active_loop_name and stops_check(text) and not starts_check and not tracker.get_slot("handed_off"):
            # "算了不查了 我想问退出以后钱多久能用": the check stops, the question is answered.
            dispatcher.utter_message(response="utter_exit_check_cancelled")
            for name in names:
                dispatcher.utter_message(response=name)
            return recorded + [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction("action_listen")]
        if starts_check and says_exit_fails(text):
            causes = causes_before_check(facts)
            names = causes + [name for name in names if name not in causes]
        for name in names:
            dispatcher.utter_message(response=name)
        if starts_check and plan_confirmed(text, facts) is not None:
            # "那我等维权结束了再退是吧": the confirmed plan answers the question; no new check, no second verdict.
            return recorded + [FollowupAction("action_listen")]
        if starts_check:
            if not tracker.active_loop_name:  # asked again inside the check: it just goes on
                dispatcher.utter_message(response="utter_start_exit_check")
        elif not names:
            dispatcher.utter_message(response="utter_default")
        return recorded
