"""``action_decline``: the honest "not in my material" answer to an out-of-scope message.

In the middle of the exit check a reply the classifier took for out of scope
("不是没有 是还有一单没结束", "有几个链接是") may still answer the check's
question: the form's validation has then filled the slot
(``read_shop_facts.read_in_check``), and declining it would contradict the
seller. The check just goes on.
"""
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.correction import corrected
from actions.read_shop_facts import answered_check_question


class ActionDecline(Action):
    """Declines an out-of-scope message, unless it answered the check's question."""

    def name(self) -> Text:
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = corrected(dispatcher, tracker)  # "不对不对，我是交了一部分，没交满" right after the verdict
        if events is not None:
            return events
        if not answered_check_question(tracker):
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
