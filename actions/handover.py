"""``action_hand_over``: a person takes over; the bot pauses and the agents are told."""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import webhook
from actions.handoff import REQUESTED, handoff_payload
from actions.read_shop_facts import read_and_record
from actions.settings import handoff_webhook_url

HANDOFF_RESPONSES = {REQUESTED: "utter_handover", "not_understood": "utter_handover_not_understood"}


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text) -> List[EventType]:
    """Tell the seller, notify the agents' webhook (in the background), pause the bot."""
    dispatcher.utter_message(response=HANDOFF_RESPONSES[reason])
    slots, recorded = read_and_record(tracker)  # "转人工 我店里还有个维权": the agents see that too
    webhook.notify(handoff_webhook_url(), handoff_payload(tracker.sender_id, reason, tracker.events, slots))
    return recorded + [SlotSet("handoff_reason", reason), SlotSet("requested_slot", None),
                       ActiveLoop(None), ConversationPaused()]


class ActionHandOver(Action):
    """Hands the conversation to a person because the seller asked for one."""

    def name(self) -> Text:
        return "action_hand_over"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return hand_over(dispatcher, tracker, REQUESTED)
