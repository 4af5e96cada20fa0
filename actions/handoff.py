"""``action_handoff`` and ``action_while_waiting``: a person takes over, and the seller is never stranded.

The hand-off is kept in slots (``handed_off``, ``handoff_since``,
``handoff_acknowledged``), not in Rasa's pause: a paused conversation ignores
every message, so a seller who changed their mind could not take it back. While
``handed_off`` is set, a rule (data/rules/handoff.yml) sends every message to
``action_while_waiting``, which decides with core/waiting_for_person.py.
Agents reply and resume through the Rasa-side hand-off API
(channels/handoff_api.py), which clears the same slots.
"""
import time
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import ActionAnswer
from actions.correction import corrected
from actions.read_shop_facts import (
    bot_actions_before_latest,
    bot_messages_before_latest,
    facts_in_message,
    read_and_record,
)
from core import webhook
from core.answer_plan import MAX_ANSWERS, OUT_OF_SCOPE, answers_for, asked_topics, sure_topic
from core.fact_table import BY_SLOT
from core.handoff import REQUESTED, handoff_payload
from core.intent_rules import acknowledges, bare_ok, question_besides_person, trouble_you
from core.normalization import TEXT_AS_WRITTEN
from core.settings import handoff_webhook_url
from core.slots import facts_from_slots
from core.transcript import typed_by_seller
from core.waiting_for_person import (
    ACKNOWLEDGE,
    ASKED_AGAIN,
    ENDED_HANDOFF_SLOTS,
    TAKE_BACK,
    TIMED_OUT,
    TIMEOUT_INTENT,
    agent_has_written,
    question_besides_take_back,
    timeout_seconds,
    waiting_turn,
)

HANDED_OFF, SINCE, ACKNOWLEDGED = "handed_off", "handoff_since", "handoff_acknowledged"
# The exit check was under way (the slot holds the fact it was asking for): it goes on if the bot takes over again.
DURING_CHECK = "handoff_during_check"
TIMER_NAME = "handoff_timeout"  # + ":" + the conversation id: Rasa keys reminder jobs by name alone


def waiting_cleared() -> List[EventType]:
    """The slot events that end a hand-off (the bot answers again)."""
    return [SlotSet(name, value) for name, value in ENDED_HANDOFF_SLOTS.items()]


# The question beside a request for a person, or beside taking the hand-off back, is answered when the answer
# selector is as sure as it must be for any FAQ answer (config.yml, FaqGate: 0.35 and 0.1 ahead of the runner-up).
SURE_TOPIC, SURE_MARGIN = 0.35, 0.1


def questions_in(parse: Dict[Text, Any], text: Text) -> List[Text]:
    """The FAQ topics a message asks, also beside a request for a person ("我要人工 退出后钱多久能用")."""
    topics = [topic for topic in asked_topics(parse) if topic and topic != OUT_OF_SCOPE]
    if not topics and question_besides_person(text):
        topic = sure_topic(parse, SURE_TOPIC, SURE_MARGIN)
        topics = [topic] if topic else []
    return topics


def start_handoff(dispatcher: CollectingDispatcher, tracker: Tracker, reason: Text) -> List[EventType]:
    """Tell the seller, notify the agents' webhook (in the background), wait for a person.

    Rasa's reminder brings the conversation back to the bot when no agent has
    written within HANDOFF_TIMEOUT.
    """
    slots, recorded = read_and_record(tracker)  # "转人工 我店里还有个维权": the agents see that too
    # "我要人工 退出后钱多久能用": the question is answered while the seller waits.
    message = tracker.latest_message
    topics = questions_in(message, message.get("text") or "")
    for name in answers_for(topics, facts_from_slots(slots), message.get(TEXT_AS_WRITTEN) or message.get("text") or ""):
        dispatcher.utter_message(response=name)
    dispatcher.utter_message(response="utter_handoff")
    webhook.notify(handoff_webhook_url(), handoff_payload(tracker.sender_id, reason, tracker.events, slots))
    timeout = timeout_seconds()
    return recorded + [
        SlotSet("handoff_reason", reason), SlotSet("requested_slot", None), ActiveLoop(None),
        SlotSet(HANDED_OFF, True), SlotSet(SINCE, time.time()), SlotSet(ACKNOWLEDGED, False),
        SlotSet(DURING_CHECK, (tracker.get_slot("requested_slot") or "exit_check_form")
                if tracker.active_loop_name == "exit_check_form" else None),
        ReminderScheduled(TIMEOUT_INTENT, datetime.now() + timedelta(seconds=timeout),
                          name=f"{TIMER_NAME}:{tracker.sender_id}", kill_on_user_message=False),
    ]


class ActionHandoff(Action):
    """Hands the conversation to a person because the seller asked for one."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return start_handoff(dispatcher, tracker, REQUESTED)


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
        if not tracker.get_slot(HANDED_OFF):  # the timer of a hand-off an agent already ended
            return []
        since = tracker.get_slot(SINCE)
        turn = waiting_turn(intent, message.get(TEXT_AS_WRITTEN) or message.get("text") or "",
                            since=since, now=time.time(), timeout=timeout_seconds(),
                            acknowledged=bool(tracker.get_slot(ACKNOWLEDGED)),
                            agent_wrote=agent_has_written(tracker.events, since))
        if turn == ASKED_AGAIN:  # "转人工" again after the wait ran out: a new hand-off, a new wait
            return start_handoff(dispatcher, tracker, REQUESTED)
        recorded = [] if intent == TIMEOUT_INTENT else _read_as_reply(tracker)
        if turn == ACKNOWLEDGE:
            dispatcher.utter_message(response="utter_handoff_waiting")
            return recorded + [SlotSet(ACKNOWLEDGED, True)]
        if turn in (TAKE_BACK, TIMED_OUT):
            dispatcher.utter_message(response="utter_handoff_taken_back" if turn == TAKE_BACK
                                     else "utter_handoff_timed_out")
            if turn == TIMED_OUT:
                _answer_questions_asked_while_waiting(dispatcher, tracker)
            return await self._carry_on(dispatcher, tracker, domain, intent, recorded)
        return recorded

    @staticmethod
    async def _carry_on(dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, intent: Text,
                        recorded: List[EventType]) -> List[EventType]:
        """The bot takes over again with what it knew: the message's question answered, or the check resumed.

        With the slot cleared no rule continues from here, so the next step is named explicitly.
        """
        message = tracker.latest_message
        text = message.get(TEXT_AS_WRITTEN) or message.get("text") or ""
        if intent == "faq":  # "算了 账期保障怎么退出"
            answered = await ActionAnswer().run(dispatcher, tracker, domain)
            return [e for e in answered if e.get("event") != "followup"] + waiting_cleared() + [
                FollowupAction("action_listen")]
        topic = sure_topic(message, SURE_TOPIC, SURE_MARGIN) if question_besides_take_back(
            message.get("text") or text) else None
        if topic and intent != "ask_can_exit":  # "取消 我就想知道退出入口在哪"
            slots = {**tracker.slots, **{e["name"]: e["value"] for e in recorded if e.get("event") == "slot"}}
            for name in answers_for([topic], facts_from_slots(slots), text):
                dispatcher.utter_message(response=name)
            return recorded + waiting_cleared() + [FollowupAction("action_listen")]
        if intent == "ask_can_exit" or tracker.get_slot(DURING_CHECK):
            return recorded + waiting_cleared() + [FollowupAction("exit_check_form")]
        return recorded + waiting_cleared() + [FollowupAction("action_listen")]


def _read_as_reply(tracker: Tracker) -> List[EventType]:
    """The facts of the seller's message; a bare "没有" answers the check's question pending at the hand-off."""
    pending = BY_SLOT.get(tracker.get_slot(DURING_CHECK) or "")
    if pending is None:
        return read_and_record(tracker)[1]
    found = facts_in_message(tracker.latest_message, pending.fact)
    return [SlotSet(fact.value, answer.value) for fact, answer in found.items()]


def _messages_since_handoff(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The parse data of the seller's messages from the one that asked for a person on, in order."""
    messages: List[Dict[Text, Any]] = []
    last_user: Optional[Dict[Text, Any]] = None
    for event in events:
        if event.get("event") == "user" and typed_by_seller(event):
            last_user = {**(event.get("parse_data") or {}), "text": event.get("text")}
            messages.append(last_user)
        elif event.get("event") == "slot" and event.get("name") == HANDED_OFF and event.get("value"):
            messages = [last_user] if last_user else []
    return messages


def _answer_questions_asked_while_waiting(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """At the timer: the FAQ questions the seller asked while waiting (not the latest message), answered now."""
    topics: List[Text] = []
    asked = _messages_since_handoff(tracker.events)
    if _intent(tracker.latest_message) != TIMEOUT_INTENT:  # the latest message is answered by _carry_on
        asked = asked[:-1]
    for parse in asked:
        topics += [t for t in questions_in(parse, parse.get("text") or "") if t not in topics]
    if topics:
        dispatcher.utter_message(response="utter_answers_while_you_waited")
        for name in answers_for(topics[:MAX_ANSWERS], facts_from_slots(tracker.slots), ""):
            dispatcher.utter_message(response=name)


def offered_buttons(events: List[Dict[Text, Any]]) -> List[Text]:
    """The button payloads the bot offered in its messages since the seller's previous message."""
    return [button.get("payload") for event in bot_messages_before_latest(events)
            for button in (event.get("data") or {}).get("buttons") or []]


def offered_a_person(events: List[Dict[Text, Any]]) -> bool:
    """Whether the bot's messages before the seller's latest one offered a person (a 转人工 button)."""
    return PERSON_PAYLOAD in offered_buttons(events)


PERSON_PAYLOAD = "/request_human"
CHECK_PAYLOAD = "/ask_can_exit"


# The bot's last words were an answer: a FAQ topic, or the end of a verdict.
_ANSWER_ENDINGS = ("utter_after_exit", "utter_after_blockers", "utter_exit_steps")


def _just_answered(events: List[Dict[Text, Any]]) -> bool:
    """Whether the bot's messages before the seller's latest one answered something."""
    return any(name.startswith("utter_faq/") or name in _ANSWER_ENDINGS for name in bot_actions_before_latest(events))


class ActionAcceptOffer(Action):
    """A lone "yes" outside the check accepts what the bot just offered: "好的 转吧" a person, "可以" /
    "麻烦了" the exit check; with nothing offered, a short OK ("麻烦了": you're welcome)."""

    def name(self) -> Text:
        return "action_accept_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        events = corrected(dispatcher, tracker)  # "对 其实有" right after the verdict
        if events is not None:
            return events
        text = tracker.latest_message.get("text") or ""
        if acknowledges(text):  # "收到", "明白了": understood, which accepts no offer
            if tracker.active_loop_name != "exit_check_form":  # in the check the form's question follows alone
                dispatcher.utter_message(response="utter_acknowledged")
            return []
        offered = offered_buttons(tracker.events)
        names_person = any(word in text for word in ("转", "人工", "客服"))
        if PERSON_PAYLOAD in offered and (names_person or CHECK_PAYLOAD not in offered):
            if names_person or not bare_ok(text):
                return start_handoff(dispatcher, tracker, REQUESTED)
            dispatcher.utter_message(response="utter_acknowledged")  # "嗯嗯" to "可以转人工": noted
            return []
        choices = [payload for payload in offered if payload not in (PERSON_PAYLOAD, CHECK_PAYLOAD)]
        if CHECK_PAYLOAD in offered and not choices:  # the greeting's menu offers more: "好的" chooses nothing
            dispatcher.utter_message(response="utter_start_exit_check")
            return [FollowupAction("exit_check_form")]
        if trouble_you(text):
            dispatcher.utter_message(response="utter_thank")
        elif tracker.active_loop_name != "exit_check_form":  # in the check the form's question follows alone
            # "ok" after an answer acknowledges it; with nothing answered, it asks for a topic
            dispatcher.utter_message(response="utter_acknowledged" if _just_answered(tracker.events)
                                     else "utter_affirm_ok")
        return []
