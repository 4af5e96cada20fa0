"""A seller waiting for a person: one acknowledgement, taking it back, the timer (no servers)."""
import time

import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.clarification import ActionClarify
from actions.handoff import ActionHandoff, ActionWhileWaiting
from core.waiting_for_person import (
    ACKNOWLEDGE,
    QUIET,
    TAKE_BACK,
    TIMED_OUT,
    TIMEOUT_INTENT,
    agent_has_written,
    takes_back,
    timeout_seconds,
    waiting_turn,
)
from tests.conftest import make_tracker


@pytest.mark.parametrize("text, intent", [
    ("算了", "cancel"), ("算了 不要人工了", "deny"), ("不用了", "deny"), ("不要人工了", "request_human"),
    ("不用转人工了 我自己看看", "nlu_fallback"), ("还是问机器人吧", "nlu_fallback"), ("机器人", "nlu_fallback"),
    ("/cancel", "cancel"), ("不等了", "nlu_fallback"), ("取消转人工", "request_human"),
    ("没事了", "deny"), ("cancel", "nlu_fallback"), ("取消吧 转人工太慢了", "request_human"),
    ("哦 算了 不麻烦了", "cancel"), ("算啦", "nlu_fallback"), ("不用麻烦了", "deny"), ("没事啦", "deny"),
    ("我自己弄好了", "nlu_fallback"), ("拜拜", "goodbye"), ("🙅", "nlu_fallback"), ("机器人你回答我吧 怎么退出", "faq"),
    ("不麻烦人工了 我店里没维权 能退吗", "ask_can_exit"),
])
def test_the_seller_takes_the_handoff_back(text, intent):
    assert takes_back(intent, text)


@pytest.mark.parametrize("text, intent", [
    ("你好 有人吗", "greet"), ("账期保障怎么退出", "faq"), ("不要机器人 我要人工", "request_human"),
    ("机器人没用", "nlu_fallback"), ("转人工", "request_human"), ("快点", "nlu_fallback"),
    ("你们是机器人吗", "nlu_fallback"),
    # They keep the request: a question about it, a negated cancel, a wish to wait.
    ("不用了吗?", "deny"), ("不取消 我继续等", "deny"), ("算了还是等人工吧", "cancel"), ("别取消", "cancel"),
    ("我不是不要人工 是问下要等多久", "request_human"), ("不用了？人呢", "deny"), ("算了吗？还要等多久", "cancel"),
    ("我没说不要人工", "request_human"), ("不算了 我等", "deny"), ("不是算了 是问还要多久", "cancel"),
    ("别算了", "cancel"),
])
def test_other_messages_do_not_take_it_back(text, intent):
    assert not takes_back(intent, text)


def _turn(intent="greet", text="有人吗", since=1000.0, now=1010.0, acknowledged=False, agent_wrote=False):
    return waiting_turn(intent, text, since=since, now=now, timeout=600, acknowledged=acknowledged,
                        agent_wrote=agent_wrote)


def test_one_acknowledgement_then_quiet():
    assert _turn() == ACKNOWLEDGE
    assert _turn(acknowledged=True) == QUIET
    assert _turn(agent_wrote=True) == QUIET  # the agent is talking to the seller


def test_the_timer_gives_up_only_when_no_agent_wrote():
    assert _turn(TIMEOUT_INTENT, "", now=1000 + 600) == TIMED_OUT
    assert _turn(TIMEOUT_INTENT, "", now=1000 + 600, agent_wrote=True) == QUIET
    assert _turn(TIMEOUT_INTENT, "", now=1000 + 10) == QUIET  # an older timer
    # The timer lost with a restart: the seller's next message finds the wait over.
    assert _turn("faq", "账期保障怎么退出", now=1000 + 700, acknowledged=True) == TIMED_OUT


def test_taking_back_wins_over_everything():
    assert _turn("cancel", "算了", acknowledged=True, agent_wrote=True) == TAKE_BACK


@pytest.mark.parametrize("raw, seconds", [("", 600), ("30", 30), ("0", 600), ("abc", 600), ("-5", 600)])
def test_handoff_timeout_setting(raw, seconds):
    assert timeout_seconds({"HANDOFF_TIMEOUT": raw}) == seconds


def test_agent_messages_count_only_after_the_handoff():
    events = [{"event": "bot", "text": "x", "timestamp": 5, "metadata": {"agent": True}},
              {"event": "bot", "text": "y", "timestamp": 20, "metadata": {}}]
    assert not agent_has_written(events, 10)
    assert agent_has_written(events, 1)


def _slots(response_events):
    return {e["name"]: e["value"] for e in response_events if e["event"] == "slot"}


async def test_handoff_waits_with_a_timer_and_keeps_the_facts(domain, monkeypatch):
    monkeypatch.setenv("HANDOFF_TIMEOUT", "120")
    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, make_tracker("转人工 我店里还有个维权", "request_human"), domain)
    slots = _slots(events)
    assert slots["handed_off"] is True and slots["has_open_dispute"] == "yes"
    assert abs(slots["handoff_since"] - time.time()) < 5 and slots["handoff_acknowledged"] is False
    [timer] = [e for e in events if e["event"] == "reminder"]
    assert timer["intent"] == TIMEOUT_INTENT and timer["kill_on_user_msg"] is False
    assert not any(e["event"] == "pause" for e in events)  # a paused bot could not hear "算了"
    assert dispatcher.messages[0]["response"] == "utter_handoff"


def _waiting(text, intent, topic=None, **slots):
    selector = {"response_selector": {"faq": {"response": {"intent_response_key": topic}}}} if topic else {}
    return make_tracker(text, intent, slots={"handed_off": True, "handoff_since": time.time(),
                                             "handoff_acknowledged": False, **slots}, **selector)


async def test_while_waiting_the_first_message_is_acknowledged_with_a_way_back(domain):
    dispatcher = CollectingDispatcher()
    events = await ActionWhileWaiting().run(dispatcher, _waiting("你好 有人吗", "greet"), domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_waiting"]
    assert _slots(events) == {"handoff_acknowledged": True}
    buttons = domain["responses"]["utter_handoff_waiting"][0]["buttons"]
    assert {"title": "不用人工了", "payload": "/cancel"} in buttons

    dispatcher = CollectingDispatcher()
    tracker = _waiting("还有人吗", "greet", handoff_acknowledged=True)
    assert await ActionWhileWaiting().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []


async def test_taking_it_back_answers_the_question_with_what_the_bot_knew(domain):
    dispatcher = CollectingDispatcher()
    tracker = _waiting("算了 账期保障怎么退出", "faq", topic="faq/how_to_exit", has_open_dispute="no")
    events = await ActionWhileWaiting().run(dispatcher, tracker, domain)
    # Answered here, in the same turn: no rule would continue after a follow-up action.
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_taken_back", "utter_faq/how_to_exit"]
    assert {k: v for k, v in _slots(events).items() if k.startswith("hand")} == {
        "handed_off": False, "handoff_since": None, "handoff_acknowledged": None, "handoff_during_check": None}
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}
    assert "handoff_reason" not in _slots(events)


async def test_facts_told_while_waiting_are_recorded_for_the_agent(domain):
    events = await ActionWhileWaiting().run(CollectingDispatcher(), _waiting("店里还有个维权没处理完", "faq"),
                                            domain)
    assert _slots(events)["has_open_dispute"] == "yes"


async def test_the_timer_after_the_handoff_ended_says_nothing(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("", TIMEOUT_INTENT, slots={"handed_off": False})
    assert await ActionWhileWaiting().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages == []


async def test_the_timer_tells_the_seller_and_the_bot_carries_on(domain, monkeypatch):
    monkeypatch.setenv("HANDOFF_TIMEOUT", "60")
    dispatcher = CollectingDispatcher()
    tracker = _waiting("", TIMEOUT_INTENT, handoff_since=time.time() - 61)
    events = await ActionWhileWaiting().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_timed_out"]
    assert _slots(events)["handed_off"] is False
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


async def test_two_misunderstandings_offer_a_person_instead_of_handing_over(domain):
    misunderstood = {"event": "user", "text": "钱", "parse_data": {"intent": {"name": "nlu_fallback"}}}
    tracker = make_tracker("保证金", "nlu_fallback", intent_ranking=[])
    tracker.events = [misunderstood, {**misunderstood, "text": "保证金"}]
    dispatcher = CollectingDispatcher()
    events = await ActionClarify().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_offer_person"]
    assert "handed_off" not in _slots(events)
    assert domain["responses"]["utter_offer_person"][0]["buttons"][0]["payload"] == "/request_human"


async def test_taking_it_back_during_the_check_goes_on_with_the_check(domain):
    tracker = _waiting("算了", "cancel", handoff_during_check="has_forced_category_items", has_open_dispute="no")
    events = await ActionWhileWaiting().run(CollectingDispatcher(), tracker, domain)
    assert events[-1] == {"event": "followup", "name": "exit_check_form", "timestamp": None}
    assert _slots(events)["handoff_during_check"] is None


async def test_yes_to_the_offer_of_a_person_hands_over(domain):
    from actions.handoff import ActionAcceptOffer

    offer = {"event": "bot", "text": "抱歉…", "data": {"buttons": [{"title": "转人工", "payload": "/request_human"}]}}
    tracker = make_tracker("好的 转吧", "affirm")
    tracker.events = [{"event": "user", "text": "保证金"}, offer, {"event": "user", "text": "好的 转吧"}]
    dispatcher = CollectingDispatcher()
    events = await ActionAcceptOffer().run(dispatcher, tracker, domain)
    assert _slots(events)["handed_off"] is True
    assert dispatcher.messages[-1]["response"] == "utter_handoff"

    menu = {"event": "bot", "text": "您好…", "data": {"buttons": [{"title": "帮我检查", "payload": "/ask_can_exit"},
                                                                  {"title": "怎么退出", "payload": "怎么退出"}]}}
    tracker.events = [{"event": "user", "text": "你好"}, menu, {"event": "user", "text": "好的"}]
    tracker.active_loop = {}  # outside the check (in it, the form's question follows alone)
    dispatcher = CollectingDispatcher()
    assert await ActionAcceptOffer().run(dispatcher, tracker, domain) == []  # a menu: "好的" chooses nothing
    assert dispatcher.messages[-1]["response"] == "utter_affirm_ok"


@pytest.mark.parametrize("text", ["可以", "好的", "麻烦了", "嗯嗯 帮我看看"])
async def test_yes_to_the_offer_of_the_check_starts_it(domain, text):
    from actions.handoff import ActionAcceptOffer

    offer = {"event": "bot", "text": "退不掉账期保障，常见是这两个原因…我可以帮您逐项检查。",
             "data": {"buttons": [{"title": "帮我检查能不能退出", "payload": "/ask_can_exit"}]}}
    tracker = make_tracker(text, "affirm")
    tracker.events = [{"event": "user", "text": "退不掉怎么办"}, offer, {"event": "user", "text": text}]
    dispatcher = CollectingDispatcher()
    events = await ActionAcceptOffer().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("exit_check_form")]
    assert [m["response"] for m in dispatcher.messages] == ["utter_start_exit_check"]


PERSON_ONLY = ["/request_human"]
CHECK_AND_PERSON = ["/ask_can_exit", "/request_human"]


@pytest.mark.parametrize("text, offered", [
    # A bare OK-sound to "需要的话可以转人工客服 [转人工]" is noted (a seller-tester's "嗯嗯" was handed over).
    ("嗯嗯", PERSON_ONLY), ("ok", PERSON_ONLY), ("好滴", PERSON_ONLY),
    # "Understood" accepts neither offer ("明白了" after a 转人工 button handed the seller over).
    ("收到", CHECK_AND_PERSON), ("明白了", CHECK_AND_PERSON), ("知道了", PERSON_ONLY), ("好的 了解了", CHECK_AND_PERSON),
    ("👌", CHECK_AND_PERSON),
])
async def test_an_ok_or_understood_accepts_no_offer(domain, text, offered):
    from actions.handoff import ActionAcceptOffer

    offer = {"event": "bot", "text": "…", "data": {"buttons": [{"payload": payload} for payload in offered]}}
    tracker = make_tracker(text, "affirm")
    tracker.events = [{"event": "user", "text": "为啥退不了"}, offer, {"event": "user", "text": text}]
    tracker.active_loop = {}
    dispatcher = CollectingDispatcher()
    assert await ActionAcceptOffer().run(dispatcher, tracker, domain) == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_acknowledged"]


@pytest.mark.parametrize("before, expected", [("utter_faq/what_is", "utter_acknowledged"),
                                              ("utter_after_exit", "utter_acknowledged"),
                                              ("utter_greet", "utter_affirm_ok")])
async def test_ok_after_an_answer_acknowledges_it_and_otherwise_asks_for_a_topic(domain, before, expected):
    from actions.handoff import ActionAcceptOffer

    said = {"event": "bot", "text": "…", "metadata": {"utter_action": before}}
    tracker = make_tracker("ok", "affirm")
    tracker.events = [{"event": "user", "text": "账期保障是啥"}, said, {"event": "user", "text": "ok"}]
    tracker.active_loop = {}
    dispatcher = CollectingDispatcher()
    assert await ActionAcceptOffer().run(dispatcher, tracker, domain) == []
    assert [m["response"] for m in dispatcher.messages] == [expected]


async def test_offered_both_a_check_and_a_person_a_yes_naming_the_person_hands_over(domain):
    from actions.handoff import ActionAcceptOffer

    both = {"event": "bot", "text": "…可以转人工。也可以让我帮您逐项检查。",
            "data": {"buttons": [{"payload": "/ask_can_exit"}, {"payload": "/request_human"}]}}
    for text, expected in (("好的", "utter_start_exit_check"), ("好的 转人工吧", "utter_handoff")):
        tracker = make_tracker(text, "affirm")
        tracker.events = [{"event": "user", "text": "为啥退不了"}, both, {"event": "user", "text": text}]
        dispatcher = CollectingDispatcher()
        await ActionAcceptOffer().run(dispatcher, tracker, domain)
        assert dispatcher.messages[-1]["response"] == expected


async def test_trouble_you_with_nothing_offered_is_thanks(domain):
    from actions.handoff import ActionAcceptOffer

    tracker = make_tracker("麻烦了", "affirm")
    tracker.events = [{"event": "user", "text": "怎么退"}, {"event": "bot", "text": "步骤…"},
                      {"event": "user", "text": "麻烦了"}]
    dispatcher = CollectingDispatcher()
    assert await ActionAcceptOffer().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages[-1]["response"] == "utter_thank"


async def test_a_bare_reply_after_the_wait_answers_the_question_pending_at_the_handoff(domain, monkeypatch):
    monkeypatch.setenv("HANDOFF_TIMEOUT", "60")
    tracker = _waiting("没有", "deny", handoff_during_check="has_open_dispute", handoff_since=time.time() - 61)
    events = await ActionWhileWaiting().run(CollectingDispatcher(), tracker, domain)
    assert _slots(events)["has_open_dispute"] == "no"
    assert events[-1] == {"event": "followup", "name": "exit_check_form", "timestamp": None}


async def test_asking_for_a_person_again_after_the_wait_ran_out_starts_a_new_wait(domain, monkeypatch):
    monkeypatch.setenv("HANDOFF_TIMEOUT", "60")
    dispatcher = CollectingDispatcher()
    tracker = _waiting("转人工", "request_human", handoff_since=time.time() - 61)
    events = await ActionWhileWaiting().run(dispatcher, tracker, domain)
    assert dispatcher.messages[-1]["response"] == "utter_handoff"
    assert _slots(events)["handed_off"] is True and time.time() - _slots(events)["handoff_since"] < 5


async def test_at_the_timer_the_questions_asked_while_waiting_are_answered(domain, monkeypatch):
    monkeypatch.setenv("HANDOFF_TIMEOUT", "60")
    since = time.time() - 61
    asked = {"event": "user", "text": "退出后钱多久能用", "timestamp": since + 5,
             "parse_data": {"intent": {"name": "faq"}, "response_selector": {
                 "faq": {"response": {"intent_response_key": "faq/money_after_exit"}}}}}
    tracker = _waiting("", TIMEOUT_INTENT, handoff_since=since)
    tracker.events = [asked]
    dispatcher = CollectingDispatcher()
    await ActionWhileWaiting().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_handoff_timed_out", "utter_answers_while_you_waited", "utter_faq/money_after_exit"]


async def test_taking_it_back_with_a_question_the_classifier_filed_elsewhere_still_answers_it(domain):
    dispatcher = CollectingDispatcher()
    tracker = _waiting("算了 謝謝 怎麼退出帳期保障", "cancel", topic="faq/how_to_exit",
                       text_as_written="算了 謝謝 怎麼退出帳期保障")
    tracker.latest_message["text"] = "算了 谢谢 怎么退出账期保障"  # Rasa's parse data: normalised
    selector = tracker.latest_message["response_selector"]["faq"]
    selector["response"]["confidence"] = 0.8
    selector["ranking"] = [{"intent_response_key": "faq/how_to_exit", "confidence": 0.8},
                           {"intent_response_key": "faq/exit_fails", "confidence": 0.1}]  # as Rasa reports it
    events = await ActionWhileWaiting().run(dispatcher, tracker, domain)
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_taken_back", "utter_faq/how_to_exit"]
    assert events[-1] == {"event": "followup", "name": "action_listen", "timestamp": None}


async def test_at_the_timer_a_question_asked_with_the_request_for_a_person_is_answered(domain, monkeypatch):
    monkeypatch.setenv("HANDOFF_TIMEOUT", "60")
    since = time.time() - 61
    request = {"event": "user", "text": "我要人工 退出后钱多久能用", "timestamp": since - 1,
               "parse_data": {"intent": {"name": "request_human"}, "response_selector": {"faq": {
                   "response": {"intent_response_key": "faq/money_after_exit", "confidence": 0.45},
                   "ranking": [{"confidence": 0.45}, {"confidence": 0.2}]}}}}
    earlier = {**request, "text": "账期保障是什么", "timestamp": since - 100, "parse_data": {
        "intent": {"name": "faq"}, "response_selector": {"faq": {"response": {"intent_response_key": "faq/what_is"}}}}}
    tracker = _waiting("", TIMEOUT_INTENT, handoff_since=since)
    tracker.events = [earlier, request, {"event": "slot", "name": "handed_off", "value": True}]
    dispatcher = CollectingDispatcher()
    await ActionWhileWaiting().run(dispatcher, tracker, domain)
    # The question before the hand-off was answered then: only the one asked with the request is.
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_handoff_timed_out", "utter_answers_while_you_waited", "utter_faq/money_after_exit"]
