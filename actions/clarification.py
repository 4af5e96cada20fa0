"""``action_clarify``: "您是不是想问…" when NLU is unsure, instead of a guess.

A short follow-up that leaves its subject out ("一年多少钱" after a question on
订单险) is first read with the conversation's subject put in front. A menu needs
at least two likely meanings: with one or none the bot says it did
not understand, and when declining is the likeliest meaning it declines (no
in-scope topics offered for an out-of-scope question). Offers up to three likely
meanings as buttons, each titled with the question
stored in its response's ``metadata.question`` (domain.yml), and a "none of
these" button (``utter_clarify``'s ``metadata.none_of_these``) that leads to the
honest out-of-scope answer.
"""
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.correction import corrected
from actions.handoff import offered_a_person, start_handoff
from actions.read_shop_facts import read_and_record
from core.answer_plan import answers_for, conversation_subject, follow_up_topic, says_exit_fails
from core.handoff import REQUESTED, failed_twice
from core.intent_rules import bare_ok, insults, short_yes
from core.ranking import faq_ranking, likeliest_intent, meanings
from core.slots import facts_from_slots

MAX_SUGGESTIONS = 3
MIN_MENU = 2  # a menu of one is a guess dressed up as a question
# Below these confidences a meaning is noise, not worth a button.
MIN_INTENT_CONFIDENCE = 0.05
MIN_TOPIC_CONFIDENCE = 0.15
MIN_TOPIC_WITHOUT_INTENT = 0.3
# Intents that can be offered, with the response whose metadata names them and
# the payload that triggers them. FAQ topics are handled separately.
SUGGESTIBLE_INTENTS = {"ask_can_exit": ("utter_start_exit_check", "/ask_can_exit")}


def _question(domain: DomainDict, response: Text) -> Optional[Text]:
    variations = domain.get("responses", {}).get(response) or [{}]
    return (variations[0].get("metadata") or {}).get("question")


def suggestions(message: Dict[Text, Any], domain: DomainDict) -> List[Dict[Text, Text]]:
    """Buttons for the most likely meanings of ``message``, best first (``core/ranking.py``)."""
    buttons: List[Dict[Text, Text]] = []
    for meaning in meanings(message):
        if meaning.intent_confidence < MIN_INTENT_CONFIDENCE:
            continue
        if meaning.response:
            title = _question(domain, meaning.response)
            if title and meaning.topic_confidence >= MIN_TOPIC_CONFIDENCE:
                # The payload is the question itself: parsing it picks the topic.
                buttons.append({"title": title, "payload": title})
        elif meaning.intent in SUGGESTIBLE_INTENTS:
            response, payload = SUGGESTIBLE_INTENTS[meaning.intent]
            title = _question(domain, response)
            if title:
                buttons.append({"title": title, "payload": payload})
    topics = faq_ranking(message)
    if not any(b["payload"] != "/ask_can_exit" for b in buttons) and topics:
        # A bare word ("退出") can leave the FAQ intent low while one topic stands out.
        top = topics[0]
        title = _question(domain, f"utter_{top.get('intent_response_key', '')}")
        if title and top.get("confidence", 0.0) >= MIN_TOPIC_WITHOUT_INTENT:
            buttons.append({"title": title, "payload": title})
    return buttons[:MAX_SUGGESTIONS]


def follow_up_suggestions(message: Dict[Text, Any], subject: Text, domain: DomainDict) -> List[Dict[Text, Text]]:
    """Buttons for an unsure follow-up ("那要多久" after the money answer), from its reading with the
    conversation's subject; [] when it is no follow-up or fewer than two topics are likely enough."""
    reading = (message.get("with_subject") or {}).get(subject) or {}
    buttons = []
    for topic in reading.get("topics") or []:
        title = _question(domain, f"utter_{topic.get('intent_response_key')}")
        if title and topic.get("confidence", 0.0) >= MIN_TOPIC_CONFIDENCE:
            buttons.append({"title": title, "payload": title})
    return buttons[:MAX_SUGGESTIONS] if len(buttons) >= MIN_MENU else []


class ActionClarify(Action):
    """Asks "您是不是想问…", admits it did not understand, or offers a person after two misses."""

    def name(self) -> Text:
        return "action_clarify"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        message = tracker.latest_message
        text = message.get("text") or ""
        if offered_a_person(tracker.events) and short_yes(text) and not bare_ok(text):  # "行吧" to the offer
            return start_handoff(dispatcher, tracker, REQUESTED)
        read = read_and_record(tracker)
        events = corrected(dispatcher, tracker, read)  # "哦不对 那个已经结束了" right after the verdict
        if events is not None:
            return events
        slots, recorded = read
        if insults(text):  # abuse: sorry, and a person if they want one (not "没看懂")
            dispatcher.utter_message(response="utter_sorry_offer_person")
            return recorded
        facts = facts_from_slots(slots)
        subject = conversation_subject(tracker.events)
        topic = follow_up_topic(message, subject)
        if not topic and says_exit_fails(text) and likeliest_intent(message) == "faq":
            topic = "exit_fails"  # "不是维权的问题 还是退不掉": it says so in words
        if topic:  # "一年多少钱" right after 订单险: read as "订单险一年多少钱"
            for name in answers_for([topic], facts, text):
                dispatcher.utter_message(response=name)
            return recorded
        if failed_twice(tracker.events):  # a person is offered, never imposed
            dispatcher.utter_message(response="utter_offer_person")
            return recorded
        if likeliest_intent(tracker.latest_message) == "out_of_scope":
            dispatcher.utter_message(response="utter_out_of_scope")
            return recorded
        buttons = (follow_up_suggestions(message, subject, domain)
                   or suggestions(tracker.latest_message, domain))
        if len(buttons) < MIN_MENU:
            dispatcher.utter_message(response="utter_default")
            return recorded
        clarify = (domain.get("responses", {}).get("utter_clarify") or [{}])[0]
        none_title = (clarify.get("metadata") or {}).get("none_of_these")
        buttons.append({"title": none_title, "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_clarify", buttons=buttons)
        return recorded
