"""Custom actions with tracker fixtures and a CollectingDispatcher (no servers)."""
import pytest
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.clarification import ActionClarify
from actions.eligibility import Answer, Facts, assess
from actions.eligibility_report import ActionReportEligibility
from actions.verdict_responses import responses_for
from actions.exit_check_form import ValidateExitCheckForm
from tests.conftest import entity, make_tracker

DISPUTE, FORCED, COVERED = "has_open_dispute", "has_forced_category_items", "has_deposit_or_insurance"


async def _validate(tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await ValidateExitCheckForm().run(dispatcher, tracker, domain)
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher


async def test_fact_in_the_first_message_is_taken_and_not_asked_again(domain):
    text = "店里有个订单还在维权,能退出吗"
    tracker = make_tracker(text, "ask_can_exit", [entity(text, "维权", "dispute")])
    slots, _ = await _validate(tracker, domain)
    assert slots[DISPUTE] == "yes"
    assert FORCED not in slots and COVERED not in slots


async def test_several_facts_in_one_message(domain):
    text = "我卖的是强制类目,没交保证金,能退吗"
    tracker = make_tracker(text, "ask_can_exit", [
        entity(text, "强制类目", "forced_category"), entity(text, "保证金", "coverage")])
    slots, _ = await _validate(tracker, domain)
    assert slots[FORCED] == "yes" and slots[COVERED] == "no"
    assert DISPUTE not in slots


@pytest.mark.parametrize("text, intent, expected", [
    ("有两个", "affirm", "yes"),
    ("没", "deny", "no"),
    ("不是", "deny", "no"),
    ("不清楚", "dont_know", "unknown"),
    ("/affirm", "affirm", "yes"),  # the 有 button
    ("/dont_know", "dont_know", "unknown"),
    ("有的吧应该", "nlu_fallback", "yes"),  # unsure NLU, but a readable reply
])
async def test_reply_to_the_requested_question(domain, text, intent, expected):
    tracker = make_tracker(text, intent, slots={"requested_slot": DISPUTE})
    slots, _ = await _validate(tracker, domain)
    assert slots[DISPUTE] == expected


async def test_faq_question_in_the_middle_is_not_read_as_an_answer(domain):
    tracker = make_tracker("是不是要先处理维权才能退出", "faq",
                           slots={"requested_slot": DISPUTE})
    slots, _ = await _validate(tracker, domain)
    assert slots.get(DISPUTE) is None


async def test_no_forced_category_means_coverage_is_not_asked(domain):
    tracker = make_tracker("没有", "deny", slots={DISPUTE: "no", "requested_slot": FORCED})
    slots, _ = await _validate(tracker, domain)
    assert slots[FORCED] == "no"
    assert slots["requested_slot"] is None  # the form is complete


async def test_forced_category_leads_to_the_coverage_question(domain):
    tracker = make_tracker("有", "affirm", slots={DISPUTE: "no", "requested_slot": FORCED})
    slots, _ = await _validate(tracker, domain)
    assert slots[FORCED] == "yes"
    # All three facts are still relevant, so the SDK leaves the next question to
    # Rasa's form, which asks the first empty slot: the coverage one.
    assert "requested_slot" not in slots and COVERED not in slots


def _sent(dispatcher):
    return [m["response"] for m in dispatcher.messages]


async def test_report_for_a_blocked_shop_lists_each_blocker_with_remedy(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("有", "affirm", slots={DISPUTE: "yes", FORCED: "yes", COVERED: "no"})
    events = await ActionReportEligibility().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_verdict_blocked", "utter_blocker_dispute",
                                 "utter_blocker_forced_category", "utter_after_blockers"]
    assert {e["name"]: e["value"] for e in events} == {DISPUTE: None, FORCED: None, COVERED: None}


async def test_report_for_a_clean_shop_gives_steps_and_money_consequences(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("没有", "deny", slots={DISPUTE: "no", FORCED: "no"})
    await ActionReportEligibility().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_verdict_can_exit", "utter_exit_steps", "utter_after_exit"]


async def test_report_for_unknowns_says_it_depends(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("不知道", "dont_know",
                           slots={DISPUTE: "unknown", FORCED: "yes", COVERED: "yes"})
    await ActionReportEligibility().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_verdict_depends", "utter_possible_blocker_dispute",
                                 "utter_note_insurance_only", "utter_exit_steps", "utter_after_exit"]


async def test_report_with_a_missing_fact_goes_back_to_the_form(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("有", "affirm", slots={DISPUTE: "no", FORCED: "yes"})
    events = await ActionReportEligibility().run(dispatcher, tracker, domain)
    assert events == [FollowupAction("exit_check_form")] and not dispatcher.messages


@pytest.mark.parametrize("facts", [Facts(d, f, c) for d in Answer for f in Answer for c in Answer])
def test_every_verdict_maps_to_existing_responses(domain, facts):
    for name in responses_for(assess(facts)):
        assert name in domain["responses"], name


def _parse_data(intents, topics):
    return {
        "intent_ranking": [{"name": n, "confidence": c} for n, c in intents],
        "response_selector": {"faq": {"ranking": [
            {"intent_response_key": k, "confidence": c} for k, c in topics]}},
    }


async def test_clarify_offers_the_close_meanings_as_buttons(domain):
    tracker = make_tracker("退出", "nlu_fallback", **_parse_data(
        [("nlu_fallback", 0.5), ("faq", 0.55), ("ask_can_exit", 0.4)],
        [("faq/how_to_exit", 0.6), ("faq/exit_fails", 0.3), ("faq/what_is", 0.01)]))
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarify"
    titles = [b["title"] for b in message["buttons"]]
    # FAQ is the likelier intent, so its two plausible topics come first (what_is is noise).
    assert titles == ["账期保障怎么退出？", "为什么退不掉账期保障？", "我能退出账期保障吗？", "都不是"]
    assert message["buttons"][0]["payload"] == "账期保障怎么退出？"
    assert message["buttons"][2]["payload"] == "/ask_can_exit"
    assert message["buttons"][-1]["payload"] == "/out_of_scope"


async def test_clarify_without_candidates_admits_it_did_not_understand(domain):
    tracker = make_tracker("qwpoeiru", "nlu_fallback", **_parse_data(
        [("nlu_fallback", 0.5), ("greet", 0.3), ("faq", 0.04)], [("faq/what_is", 0.9)]))
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_default"]
