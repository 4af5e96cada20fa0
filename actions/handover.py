"""``action_hand_over`` and ``action_while_waiting``: a person takes over, and the seller is never stranded.

The hand-over is kept in slots (``handed_over``, ``handoff_since``,
``handoff_acknowledged``), not in Rasa's pause: a paused conversation ignores
every message, so a seller who changed their mind could not take it back. While
``handed_over`` is set, a rule (data/rules/handover.yml) sends every message to
``action_while_waiting``, which decides with actions/waiting_for_person.py.
Agents reply and resume through the Rasa-side hand-over API
(channels/handoff_api.py), which clears the same slots.
"""
import time
from datetime import datetime, timedelta
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import webhook
from actions.handoff import REQUESTED, handoff_payload
from actions.normalization import TEXT_AS_WRITTEN
from actions.read_shop_facts import read_and_record
from actions.settings import handoff_webhook_url
from actions.waiting_for_person import (ACKNOWLEDGE, TAKE_BACK, TIMED_OUT, TIMEOUT_INTENT, agent_has_written,
                                        timeout_seconds, waiting_turn)

HANDED_OVER, SINCE, ACKNOWLEDGED = "handed_over", "handoff_since", "handoff_acknowledged"
TIMER_NAME = "handoff_timeout"
# The seller's message, once the hand-over is withdrawn or given up, still gets its answer.
ANSWERING_ACTIONS = {"faq": "action_answer", "ask_can_exit": "exit_check_form"}


def waiting_cleared() -> List[EventType]:
    """The slot events that end a hand-over (the bot answers again)."""
    return [SlotSet(HANDED_OVER, False), SlotSet(SINCE, None), SlotSet(ACKNOWLEDGED, None)]


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text) -> List[EventType]:
    """Tell the seller, notify the agents' webhook (in the background), wait for a person.

    Rasa's reminder brings the conversation back to the bot when no agent has
    written within HANDOFF_TIMEOUT.
    """
    dispatcher.utter_message(response="utter_handover")
    slots, recorded = read_and_record(tracker)  # "转人工 我店里还有个维权": the agents see that too
    webhook.notify(handoff_webhook_url(), handoff_payload(tracker.sender_id, reason, tracker.events, slots))
    timeout = timeout_seconds()
    return recorded + [
        SlotSet("handoff_reason", reason), SlotSet("requested_slot", None), ActiveLoop(None),
        SlotSet(HANDED_OVER, True), SlotSet(SINCE, time.time()), SlotSet(ACKNOWLEDGED, False),
        ReminderScheduled(TIMEOUT_INTENT, datetime.now() + timedelta(seconds=timeout), name=TIMER_NAME,
                          kill_on_user_message=False),
    ]


class ActionHandOver(Action):
    """Hands the conversation to a person because the seller asked for one."""

    def name(self) -> Text:
        return "action_hand_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return hand_over(dispatcher, tracker, REQUESTED)


def _intent(message: Dict[Text, Any]) -> Text:
    return (message.get("intent") or {}).get("name") or ""


class ActionWhileWaiting(Action):
    """A message (or the timer) while a person is asked for: acknowledge once, take back, give up, or stay quiet."""

    def name(self) -> Text:
        return "action_while_waiting"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        message = tracker.latest_message
        intent = _intent(message)
        if not tracker.get_slot(HANDED_OVER):  # the timer of a hand-over an agent already ended
            return []
        since = tracker.get_slot(SINCE)
        turn = waiting_turn(intent, message.get(TEXT_AS_WRITTEN) or message.get("text") or "",
                            since=since, now=time.time(), timeout=timeout_seconds(),
                            acknowledged=bool(tracker.get_slot(ACKNOWLEDGED)),
                            agent_wrote=agent_has_written(tracker.events, since))
        _, recorded = ([], []) if intent == TIMEOUT_INTENT else read_and_record(tracker)
        if turn == ACKNOWLEDGE:
            dispatcher.utter_message(response="utter_handover_waiting")
            return recorded + [SlotSet(ACKNOWLEDGED, True)]
        if turn in (TAKE_BACK, TIMED_OUT):
            dispatcher.utter_message(response="utter_handover_taken_back" if turn == TAKE_BACK
                                     else "utter_handover_timed_out")
            # With the slot cleared no rule continues from here: the next step is said explicitly.
            followup = ANSWERING_ACTIONS.get(intent, "action_listen")
            return recorded + waiting_cleared() + [FollowupAction(followup)]
        return recorded
