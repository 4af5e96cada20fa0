"""What the seller says about their shop, read from every message they send.

During the exit check the form's validation action reads each user message
(:func:`read_in_check`; the slots' ``custom`` mappings in domain.yml name no
action, so Rasa leaves the extraction to it), whatever the intent: a bare reply
is read as the answer to the fact the check waits for (``requested_slot``), a
fact stated inside an FAQ question counts as much. Outside the check the actions
that answer a message (``action_answer``, ``action_clarify``, ``action_handoff``)
read it with :func:`read_and_record`. Either way the reading rides on a call
Rasa makes anyway: no action-server round trip of its own.
"""
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from core.answer_plan import plan_confirmed, stops_check
from core.eligibility import Answer, Blocker, Fact
from core.fact_table import BY_SLOT
from core.intent_rules import is_other_product
from core.normalization import TEXT_AS_WRITTEN, normalizer_for
from core.settings import dictionary_dir
from core.shop_facts import goes_to_check, read_facts, verb_fact
from core.slots import facts_from_slots
from core.verdict_responses import BLOCKER_RESPONSES, VERDICT_OPENINGS

# TEXT_AS_WRITTEN: Rasa's parse data carries the normalised text, where the
# seller's spaces are gone; components/text_normalizer.py keeps the original.
# The check's buttons send an intent: the intent is the answer.
BUTTON_ANSWERS = {"affirm": Answer.YES, "deny": Answer.NO, "dont_know": Answer.UNKNOWN}
# Messages that are about something else are not read as replies to the check.
# An "out of scope" one still is, unless it names another product: the
# classifier takes some replies ("有几个链接是") for out of scope.
NOT_REPLIES = {"request_human", "cancel", "greet", "goodbye", "thank"}


# A verdict that named one stated blocker: a bare correction right after it is about that fact
# ("有" → "现在还退不了…维权…" → "哦不对 刚看了 没有了 昨天结束了").
# Only a reply that says it corrects: "没事 谢谢" after the verdict is not "no 维权".
CORRECTED_BY_REPLY = {"utter_blocker_dispute": Fact.DISPUTE}
CORRECTION = re.compile(r"不对|错了|记错|看错|说错|搞错|弄错|刚看|刚查|查了下|看了下|其实|更正|纠正")
# Or news since the verdict: "现在处理完了", "已经结束了" after "a dispute blocks it" (a seller-tester's got
# "好的。还有其他…" and the old verdict stood).
UPDATE = re.compile(r"现在|刚刚|刚才|已经|这会儿|目前|今天")


def pending_fact(tracker: Tracker) -> Optional[Fact]:
    """The fact the check is waiting for, if it is waiting; else the blocker its verdict just named."""
    if tracker.active_loop_name != "exit_check_form":
        text = tracker.latest_message.get("text") or ""
        if not (CORRECTION.search(text) or UPDATE.search(text)) or not _verdict_just_given(tracker.events):
            return None
        # "哦不对 其实没交" after any verdict: the verb says which fact; else the one blocker it named
        return verb_fact(text) or _blocker_just_named(tracker.events)
    spec = BY_SLOT.get(tracker.get_slot("requested_slot") or "")
    return spec.fact if spec else None


def bot_messages_before_latest(events: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """The bot's messages between the seller's previous message and their latest one, latest first."""
    messages: List[Dict[Text, Any]] = []
    seen_user = False
    for event in reversed(events):
        if event.get("event") == "user":
            if seen_user:
                break
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            messages.append(event)
    return messages


def bot_actions_before_latest(events: List[Dict[Text, Any]]) -> List[Text]:
    """The response names of those messages."""
    return [(e.get("metadata") or {}).get("utter_action") or "" for e in bot_messages_before_latest(events)]


def _verdict_just_given(events: List[Dict[Text, Any]]) -> bool:
    return any(name in VERDICT_OPENINGS for name in bot_actions_before_latest(events))


def corrects_verdict(tracker: Tracker, recorded: List[EventType]) -> bool:
    """Whether the latest message, right after a verdict, changed a fact it rested on ("哦不对 其实没有")."""
    return (tracker.active_loop_name != "exit_check_form" and bool(recorded)
            and _verdict_just_given(tracker.events)
            and any(tracker.get_slot(e["name"]) != e["value"] for e in recorded))


def _blocker_just_named(events: List[Dict[Text, Any]]) -> Optional[Fact]:
    """The fact of the only stated blocker in the bot's messages before the seller's latest one."""
    named = [CORRECTED_BY_REPLY.get(name) for name in bot_actions_before_latest(events)
             if name in BLOCKER_RESPONSES]
    return named[0] if len(named) == 1 else None


def facts_in_message(message: Dict[Text, Any], pending: Optional[Fact]) -> Dict[Fact, Answer]:
    """The facts the latest user message states (see ``core.shop_facts``)."""
    text = message.get(TEXT_AS_WRITTEN) or message.get("text") or ""
    intent = (message.get("intent") or {}).get("name") or ""
    if text.startswith("/"):
        answer = BUTTON_ANSWERS.get(intent)
        return {pending: answer} if pending and answer else {}
    normalize = normalizer_for(dictionary_dir())
    normalized = normalize(text)
    if intent in NOT_REPLIES or (intent == "out_of_scope" and is_other_product(normalized)) \
            or stops_check(normalized):
        pending = None  # "算了 不退了，退出以后钱啥时候到" answers no question of the check
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


# The facts a remedy is about: "那我先把维权处理完再退出对吧" says what the seller will do, not that the
# dispute is over (the reader sees "维权处理完"); recording it turned a blocked shop into "can exit".
PLANNED_FACTS = {Blocker.DISPUTE: {Fact.DISPUTE}, Blocker.FORCED_CATEGORY: {Fact.FORCED, Fact.COVERED}}


def _slot_events(tracker: Tracker) -> List[EventType]:
    """The slot events that record the facts the latest message states (not those of a remedy it plans)."""
    found = facts_in_message(tracker.latest_message, pending_fact(tracker))
    planned = plan_confirmed(tracker.latest_message.get("text") or "", facts_from_slots(tracker.slots))
    if planned is not None:
        found = {fact: answer for fact, answer in found.items() if fact not in PLANNED_FACTS[planned]}
    return [SlotSet(fact.value, answer.value) for fact, answer in found.items()]


def read_and_record(tracker: Tracker) -> Tuple[Dict[Text, Any], List[EventType]]:
    """The slots as they stand once the latest message is read, and the slot events that record what it states."""
    events = _slot_events(tracker)
    return {**tracker.slots, **{event["name"]: event["value"] for event in events}}, events


def read_in_check(tracker: Tracker) -> List[EventType]:
    """The slot events for what the latest message states, as the check reads it (the form's validation)."""
    if (tracker.latest_message.get("intent") or {}).get("name") == "request_human":
        # "我不懂 转人工问问吧": a filled slot would carry the check on instead of handing over;
        # action_handoff reads and records the facts itself.
        return []
    return _slot_events(tracker)


def looked_up_first(tracker: Tracker) -> Optional[Text]:
    """The check's pending slot, if the latest message says the seller goes to look it up first ("我去看看")."""
    requested = tracker.get_slot("requested_slot")
    message = tracker.latest_message
    text = message.get(TEXT_AS_WRITTEN) or message.get("text") or ""
    if (tracker.active_loop_name != "exit_check_form" or requested not in BY_SLOT or text.startswith("/")
            or (message.get("intent") or {}).get("name") in NOT_REPLIES):
        return None
    return requested if goes_to_check(normalizer_for(dictionary_dir())(text)) else None
