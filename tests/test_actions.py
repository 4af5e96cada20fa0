"""Custom actions with tracker fixtures and a CollectingDispatcher (no servers)."""
import pytest
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.clarification import ActionClarify
from actions.decline import ActionDecline
from actions.eligibility_report import ActionReportEligibility
from actions.exit_check_form import ValidateExitCheckForm
from core.answer_plan import plan_confirmed, says_exit_fails, says_not_joined, stops_check
from core.eligibility import Answer, Facts, assess
from core.verdict_responses import responses_for
from tests.conftest import make_tracker

DISPUTE, FORCED, COVERED = "has_open_dispute", "has_forced_category_items", "has_deposit_or_insurance"


async def _validate(tracker):
    """What the form's validation returns, as Rasa calls it: without the domain (domain.yml)."""
    return await ValidateExitCheckForm().run(CollectingDispatcher(), tracker, {})


async def _read(tracker, domain):
    """The facts the form's validation reads from the latest message (it reads every message of the check)."""
    return {e["name"]: e["value"] for e in await _validate(tracker)
            if e["event"] == "slot" and e["name"] != "requested_slot"}


async def test_fact_in_the_first_message_is_read_whatever_the_intent(domain):
    for intent in ("ask_can_exit", "faq", "nlu_fallback"):
        slots = await _read(make_tracker("店里有个订单还在维权,能退出吗", intent), domain)
        assert slots == {DISPUTE: "yes"}


async def test_negation_inside_a_question_is_a_fact(domain):
    slots = await _read(make_tracker("没有维权订单为什么退不了", "faq"), domain)
    assert slots == {DISPUTE: "no"}


async def test_spaces_as_the_seller_wrote_them_separate_facts(domain):
    # Rasa's parse data carries the normalised text, where the space is gone.
    tracker = make_tracker("有维权没有强制类目", "ask_can_exit", text_as_written="有维权 没有强制类目")
    assert await _read(tracker, domain) == {DISPUTE: "yes", FORCED: "no"}


@pytest.mark.parametrize("text, intent, requested, expected", [
    ("有两个", "affirm", DISPUTE, "yes"),
    ("有的 但是快结束了", "affirm", DISPUTE, "yes"),  # still open
    ("早就处理完了", "deny", DISPUTE, "no"),
    ("不清楚", "dont_know", DISPUTE, "unknown"),
    ("交过了", "faq", COVERED, "yes"),  # NLU took it for a question about 保证金
    ("订单险买了", "faq", COVERED, "yes"),
    ("都没有", "deny", COVERED, "no"),
    ("没在卖", "deny", FORCED, "no"),
    ("/affirm", "affirm", DISPUTE, "yes"),  # the 有 button
    ("/dont_know", "dont_know", FORCED, "unknown"),
])
async def test_reply_to_the_requested_question(domain, text, intent, requested, expected):
    slots = await _read(make_tracker(text, intent, slots={"requested_slot": requested}), domain)
    assert slots == {requested: expected}


@pytest.mark.parametrize("text", ["维权是指什么 差评算吗", "有维权就退不了吗", "算了"])
async def test_a_question_or_a_cancel_instead_of_an_answer_states_nothing(domain, text):
    assert await _read(make_tracker(text, "faq", slots={"requested_slot": DISPUTE}), domain) == {}


async def test_a_bare_yes_outside_the_check_states_nothing(domain):
    tracker = make_tracker("有", "affirm")
    tracker.active_loop = {}
    assert await _read(tracker, domain) == {}


async def test_asking_for_a_person_during_the_check_fills_nothing(domain):
    # a filled slot would carry the check on instead of handing over
    tracker = make_tracker("没有维权 我不懂 转人工吧", "request_human", slots={"requested_slot": FORCED})
    assert await _read(tracker, domain) == {}


async def test_every_fact_a_reply_states_is_kept_even_once_the_verdict_no_longer_needs_it(domain):
    # a stated dispute decides the verdict, the 保证金 beside it is still the seller's fact
    events = await _validate(make_tracker("有维权 保证金也没交", "affirm", slots={"requested_slot": DISPUTE}))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {DISPUTE: "yes", COVERED: "no", "requested_slot": None}  # None: the check is complete


@pytest.mark.parametrize("slots, requested", [
    ({}, DISPUTE),  # the check starts: Rasa needs no second call to find the first question
    ({DISPUTE: "no"}, FORCED),
    ({DISPUTE: "no", FORCED: "yes"}, COVERED),
    ({DISPUTE: "no", FORCED: "no"}, None),
])
async def test_the_validation_always_names_the_next_question(slots, requested):
    tracker = make_tracker("帮我检查能不能退出", "ask_can_exit", slots=slots)
    tracker.active_loop = {}
    events = await _validate(tracker)
    assert [e["value"] for e in events if e["name"] == "requested_slot"] == [requested]


async def _required(slots, domain):
    tracker = make_tracker("x", "affirm", slots=slots)
    return await ValidateExitCheckForm().required_slots([], CollectingDispatcher(), tracker, domain)


async def test_the_form_stops_asking_once_a_blocker_is_stated(domain):
    assert await _required({DISPUTE: "yes"}, domain) == []
    assert await _required({FORCED: "yes", COVERED: "no"}, domain) == []


async def test_no_forced_category_means_coverage_is_not_asked(domain):
    assert await _required({DISPUTE: "no"}, domain) == [DISPUTE, FORCED, COVERED]
    assert await _required({DISPUTE: "no", FORCED: "yes"}, domain) == [DISPUTE, FORCED, COVERED]
    assert await _required({DISPUTE: "no", FORCED: "no"}, domain) == []  # complete: 保证金 never asked


async def test_junk_in_a_fact_slot_counts_as_not_asked(domain):
    form = ValidateExitCheckForm()
    assert form.validate_has_open_dispute("maybe", None, None, domain) == {DISPUTE: None}
    assert form.validate_has_open_dispute("no", None, None, domain) == {DISPUTE: "no"}


def _sent(dispatcher):
    return [m["response"] for m in dispatcher.messages]


async def test_report_for_a_blocked_shop_lists_each_blocker_with_remedy(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("有", "affirm", slots={DISPUTE: "yes", FORCED: "yes", COVERED: "no"})
    events = await ActionReportEligibility().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_verdict_blocked", "utter_blocker_dispute",
                                 "utter_blocker_forced_category", "utter_after_blockers"]
    assert events == []  # the facts stay: the seller said them


async def test_a_stated_blocker_is_reported_with_the_unasked_fact_as_possible(domain):
    dispatcher = CollectingDispatcher()
    await ActionReportEligibility().run(dispatcher, make_tracker("x", "ask_can_exit",
                                                                 slots={DISPUTE: "yes"}), domain)
    assert _sent(dispatcher) == ["utter_verdict_blocked", "utter_blocker_dispute", "utter_also_check",
                                 "utter_possible_blocker_forced_category", "utter_after_blockers"]


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


def _faq(topic, confidence=0.9):
    return {"intent_response_key": f"faq/{topic}", "confidence": confidence}


async def _answer(domain, text, intent="faq", slots=None, in_check=False, **parse_data):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, intent, slots=slots, **parse_data)
    if not in_check:
        tracker.active_loop = {}
    await ActionAnswer().run(dispatcher, tracker, domain)
    return _sent(dispatcher)


async def test_asking_again_inside_the_check_just_goes_on(domain):
    assert await _answer(domain, "能退出吗", intent="ask_can_exit", in_check=True) == []


async def test_answer_gives_the_selected_topic(domain):
    sent = await _answer(domain, "账期保障怎么关", response_selector={"faq": {"response": _faq("how_to_exit")}})
    assert sent == ["utter_faq/how_to_exit"]


async def test_answer_gives_each_question_of_a_message_in_order(domain):
    questions = [{"intent": "faq", "topic": "faq/how_to_exit"}, {"intent": "faq", "topic": "faq/exit_effect"},
                 {"intent": "nlu_fallback", "topic": "faq/what_is"}]
    sent = await _answer(domain, "怎么退？退了有影响吗？还有呢", questions=questions,
                         response_selector={"faq": {"response": _faq("exit_effect")}})
    assert sent == ["utter_faq/how_to_exit", "utter_faq/exit_effect"]


async def test_why_exit_fails_names_only_the_causes_left_by_what_the_seller_said(domain):
    selector = {"faq": {"response": _faq("exit_fails")}}
    sent = await _answer(domain, "没有维权为什么退不了", slots={DISPUTE: "no"}, response_selector=selector)
    assert sent == ["utter_cause_ruled_out_dispute", "utter_possible_blocker_forced_category",
                    "utter_offer_exit_check"]
    sent = await _answer(domain, "都没有还是退不掉", slots={DISPUTE: "no", FORCED: "no"}, response_selector=selector)
    assert sent == ["utter_cause_ruled_out_dispute", "utter_cause_ruled_out_forced_category",
                    "utter_causes_beyond_material"]
    sent = await _answer(domain, "有维权退不了", slots={DISPUTE: "yes"}, response_selector=selector)
    assert sent == ["utter_verdict_blocked", "utter_blocker_dispute", "utter_also_check",
                    "utter_possible_blocker_forced_category", "utter_after_blockers"]  # the verdict at once


async def test_a_definition_asked_as_why_the_exit_fails_gets_the_causes(domain):
    sent = await _answer(domain, "我没有强制类目的商品 为啥还是退不了", slots={FORCED: "no"},
                         response_selector={"faq": {"response": _faq("forced_category")}})
    assert "utter_cause_ruled_out_forced_category" in sent and "utter_possible_blocker_dispute" in sent
    assert "utter_faq/forced_category" not in sent


@pytest.mark.parametrize("text", ["没有强制类目的商品 退出账期保障还是失败 为什么", "没有强制类目 关账期保障系统不让 咋回事"])
def test_an_exit_named_then_its_failure_is_read_as_the_exit_failing(text):
    assert says_exit_fails(text)


@pytest.mark.parametrize("text", ["退出账期保障会失去什么", "帮我检查一下能不能退出", "取消账期保障后钱多久到"])
def test_questions_about_exiting_do_not_say_it_fails(text):
    assert not says_exit_fails(text)


async def test_asking_whether_one_can_exit_answers_the_other_questions_then_starts(domain):
    questions = [{"intent": "faq", "topic": "faq/money_after_exit"}, {"intent": "ask_can_exit", "topic": None}]
    sent = await _answer(domain, "退了钱怎么算？我能退吗", intent="ask_can_exit", questions=questions)
    assert sent == ["utter_faq/money_after_exit", "utter_start_exit_check"]


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


async def test_clarify_never_offers_a_menu_of_one(domain):
    tracker = make_tracker("退", "nlu_fallback", **_parse_data(
        [("nlu_fallback", 0.5), ("faq", 0.45), ("greet", 0.05)], [("faq/how_to_exit", 0.6), ("faq/what_is", 0.1)]))
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_default"]


async def test_clarify_declines_when_out_of_scope_is_likeliest(domain):
    tracker = make_tracker("花呗到账", "nlu_fallback", **_parse_data(
        [("nlu_fallback", 0.5), ("out_of_scope", 0.4), ("faq", 0.35)],
        [("faq/hold_rules", 0.5), ("faq/money_after_exit", 0.4)]))
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_out_of_scope"]


async def test_a_follow_up_is_read_with_the_subject_of_the_conversation(domain):
    readings = {"订单险": {"intent": "faq", "topic": "faq/insurance"},
                "账期保障": {"intent": "faq", "topic": "faq/exit_timing"}}
    tracker = make_tracker("一年多少钱", "nlu_fallback", with_subject=readings)
    tracker.events = [{"event": "user", "text": "订单险是什么", "parse_data": {"text": "订单险是什么"}},
                      {"event": "bot", "metadata": {"utter_action": "utter_faq/insurance"}},
                      {"event": "user", "text": "一年多少钱", "parse_data": {"text": "一年多少钱"}}]
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_faq/insurance"]


async def test_an_unsure_follow_up_is_asked_back_with_the_topics_of_its_subject_reading(domain):
    """"那要多久" after the money answer: the hold, or when the exit takes effect? Not "没看懂"."""
    readings = {"账期保障": {"intent": "nlu_fallback", "topic": "faq/hold_rules", "topics": [
        {"intent_response_key": "faq/hold_rules", "confidence": 0.45},
        {"intent_response_key": "faq/exit_timing", "confidence": 0.35},
        {"intent_response_key": "faq/what_is", "confidence": 0.05}]}}
    tracker = make_tracker("那要多久", "nlu_fallback", with_subject=readings, **_parse_data(
        [("nlu_fallback", 0.8), ("greet", 0.1)], [("faq/hold_rules", 0.27)]))
    tracker.events = [{"event": "user", "text": "退出以后之前的钱呢", "parse_data": {"text": "退出以后之前的钱呢"}},
                      {"event": "bot", "metadata": {"utter_action": "utter_faq/money_after_exit"}},
                      {"event": "user", "text": "那要多久", "parse_data": {"text": "那要多久"}}]
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, domain)
    [message] = dispatcher.messages
    assert message["response"] == "utter_clarify"
    questions = {"faq/" + key: domain["responses"][f"utter_faq/{key}"][0]["metadata"]["question"]
                 for key in ("hold_rules", "exit_timing")}
    assert [b["title"] for b in message["buttons"]][:2] == [questions["faq/hold_rules"], questions["faq/exit_timing"]]


async def test_can_i_exit_it_after_a_deposit_question_is_about_the_deposit(domain):
    readings = {"保证金": {"intent": "faq", "topic": "faq/deposit_release"}}
    tracker = make_tracker("以后能退吗", "ask_can_exit", with_subject=readings)
    tracker.events = [{"event": "user", "text": "消保保证金是啥", "parse_data": {"text": "消保保证金是啥"}},
                      {"event": "bot", "metadata": {"utter_action": "utter_faq/deposit"}},
                      {"event": "user", "text": "以后能退吗", "parse_data": {"text": "以后能退吗"}}]
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_faq/deposit_release"]
    assert events == [FollowupAction("action_listen")]  # the exit check does not start


async def test_can_it_be_refunded_after_a_deposit_answer_is_read_so_even_when_it_sounds_like_leaving(domain):
    # "那能退吗" read with 保证金: the classifier still says ask_can_exit, its topic is getting the deposit back
    readings = {"保证金": {"intent": "ask_can_exit", "topic": "faq/deposit_release"},
                "维权": {"intent": "ask_can_exit", "topic": "faq/dispute_blocks_exit"}}
    for subject_answer, expected in (("utter_faq/deposit", ["utter_faq/deposit_release"]),
                                     ("utter_faq/dispute_freeze", ["utter_start_exit_check"])):
        tracker = make_tracker("那能退吗", "ask_can_exit", with_subject=readings)
        tracker.active_loop = {}
        tracker.events = [{"event": "bot", "metadata": {"utter_action": subject_answer}},
                          {"event": "user", "text": "那能退吗", "parse_data": {"text": "那能退吗"}}]
        dispatcher = CollectingDispatcher()
        await ActionAnswer().run(dispatcher, tracker, domain)
        assert _sent(dispatcher) == expected, subject_answer  # after a 维权 answer it is the exit check


@pytest.mark.parametrize("said, reminded", [("订单险买了", False), ("我们开了订单险的", False), ("订单险也开了", False),
                                            ("交了保证金", True), ("/affirm", True), ("订单险没买 保证金交了", True)])
def test_the_insurance_only_reminder_is_for_sellers_who_did_not_say_they_have_insurance(said, reminded):
    from core.answer_plan import verdict_responses
    events = [{"event": "user", "text": said, "parse_data": {"text": said}}]
    names = verdict_responses(Facts(dispute=Answer.NO, forced=Answer.YES, covered=Answer.YES), events)
    assert names[0] == "utter_verdict_can_exit"
    assert ("utter_note_insurance_only" in names) is reminded


@pytest.mark.parametrize("said, covered, noted", [
    ("交了500不知道够不够", Answer.UNKNOWN, True), ("保证金交了两千", Answer.YES, True),
    ("交了保证金", Answer.YES, False), ("没交", Answer.NO, False)])
def test_a_seller_who_names_or_doubts_the_amount_paid_hears_it_must_reach_the_standard(said, covered, noted):
    from core.answer_plan import verdict_responses
    events = [{"event": "user", "text": said, "parse_data": {"text": said}}]
    names = verdict_responses(Facts(dispute=Answer.NO, forced=Answer.YES, covered=covered), events)
    assert ("utter_note_deposit_amount" in names) is noted
    if noted:  # before the steps, not after everything
        assert names.index("utter_note_deposit_amount") < names.index("utter_exit_steps")


async def test_a_lone_ok_during_the_check_gets_only_the_question_again(domain):
    from actions.handoff import ActionAcceptOffer
    dispatcher = CollectingDispatcher()
    assert await ActionAcceptOffer().run(dispatcher, _in_check("好的", "affirm", []), domain) == []
    assert _sent(dispatcher) == []  # not "想问账期保障的哪方面？" before the form's question


def _in_check(text, intent, slot_events):
    from rasa_sdk import Tracker
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    return Tracker(sender_id="t", slots={"requested_slot": DISPUTE}, latest_message=user["parse_data"] | {"text": text},
                   events=[user] + slot_events, paused=False, followup_action=None,
                   active_loop={"name": "exit_check_form"}, latest_action_name="action_listen")


async def test_a_reply_taken_for_out_of_scope_that_answers_the_check_is_not_declined(domain):
    tracker = _in_check("不是没有 是还有一单没结束", "out_of_scope",
                        [{"event": "slot", "name": DISPUTE, "value": "yes"}])
    dispatcher = CollectingDispatcher()
    await ActionDecline().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == []  # the check goes on with the answer


async def test_an_out_of_scope_question_during_the_check_is_declined(domain):
    dispatcher = CollectingDispatcher()
    await ActionDecline().run(dispatcher, _in_check("直通车怎么扣费", "out_of_scope", []), domain)
    assert _sent(dispatcher) == ["utter_out_of_scope"]


async def test_abuse_gets_an_apology_and_the_offer_of_a_person(domain):
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, make_tracker("垃圾客服 一问三不知", "nlu_fallback"), domain)
    assert _sent(dispatcher) == ["utter_sorry_offer_person"]
    assert domain["responses"]["utter_sorry_offer_person"][0]["buttons"][0]["payload"] == "/request_human"


@pytest.mark.parametrize("text, facts", [
    ("有几个链接是", {DISPUTE: "yes"}),  # a bare reply, read as the answer to the pending question
    ("88vip有没有维权", {}),  # another product: not a reply
])
async def test_replies_the_classifier_took_for_out_of_scope_are_still_read(text, facts, domain):
    assert await _read(_in_check(text, "out_of_scope", []), domain) == facts


async def test_a_part_declined_but_about_the_topic_another_part_is_answered_with_is_not_declined_too(domain):
    # "为啥钱要压15天，能不能提前解冻": the hold answer says there is no early release in the material
    questions = [{"intent": "faq", "topic": "faq/hold_rules"}, {"intent": "out_of_scope", "topic": "faq/hold_rules"}]
    sent = await _answer(domain, "为啥钱要压15天，能不能提前解冻", questions=questions)
    assert sent == ["utter_faq/hold_rules"]
    # another product's part is declined still: the steps must not read as applying to it
    questions = [{"intent": "out_of_scope", "topic": "faq/how_to_exit", "text": "天猫的账期保障怎么退"},
                 {"intent": "faq", "topic": "faq/how_to_exit", "text": "淘宝的怎么退"}]
    sent = await _answer(domain, "天猫的账期保障怎么退 淘宝的怎么退", questions=questions)
    assert sent == ["utter_out_of_scope", "utter_faq/how_to_exit"]


async def test_a_message_mixing_another_product_answers_its_own_part_and_declines_the_other(domain):
    questions = [{"intent": "out_of_scope", "topic": "faq/what_is"}, {"intent": "faq", "topic": "faq/how_to_exit"}]
    sent = await _answer(domain, "88vip怎么开 还有账期保障怎么退", questions=questions)
    assert sent == ["utter_out_of_scope", "utter_faq/how_to_exit"]


@pytest.mark.parametrize("text, topic", [("我没开账期保障 为什么钱也压着", "hold_rules"),
                                         ("账期保障我都没加入啊 为啥支付宝里有不可用余额", "why_join")])
async def test_a_seller_who_never_joined_is_not_answered_as_if_they_had(domain, text, topic):
    sent = await _answer(domain, text, response_selector={"faq": {"response": _faq(topic)}})
    assert sent == ["utter_hold_not_from_zqbz"]


async def test_a_seller_who_never_joined_asking_why_the_exit_fails_is_told_the_material_does_not_say(domain):
    sent = await _answer(domain, "我没开过账期保障啊 为啥说我退不了", response_selector={"faq": {"response": _faq("exit_fails")}})
    assert sent == ["utter_out_of_scope"]


@pytest.mark.parametrize("text", ["开了账期保障钱压几天", "没开订单险 账期保障怎么退", "我没退出账期保障 钱还压着"])
def test_saying_one_never_joined_is_told_from_other_negations(text):
    assert not says_not_joined(text)


async def test_a_message_whose_every_question_is_about_another_product_is_declined_once(domain):
    questions = [{"intent": "out_of_scope", "topic": "faq/what_is"}, {"intent": "out_of_scope", "topic": "faq/how_to_exit"}]
    sent = await _answer(domain, "抖店有没有账期保障 怎么退", questions=questions,
                         response_selector={"faq": {"response": _faq("how_to_exit")}})
    assert sent == ["utter_out_of_scope"]


async def test_asking_to_be_checked_is_not_saying_the_exit_fails(domain):
    sent = await _answer(domain, "帮我检查一下能不能退出", intent="ask_can_exit")
    assert sent == ["utter_start_exit_check"]


async def test_saying_the_exit_fails_is_answered_even_when_the_topic_is_unsure(domain):
    tracker = make_tracker("不是维权的问题 还是退不掉", "nlu_fallback", slots={DISPUTE: "no"}, **_parse_data(
        [("nlu_fallback", 1.0), ("faq", 0.99)], [("faq/dispute_blocks_exit", 0.3), ("faq/exit_fails", 0.25)]))
    dispatcher = CollectingDispatcher()
    await ActionClarify().run(dispatcher, tracker, domain)
    assert _sent(dispatcher)[0] == "utter_cause_ruled_out_dispute"


async def test_the_answer_records_the_facts_its_message_states(domain):
    """Outside the check no slot mapping reads the message: the action that answers it records the facts."""
    tracker = make_tracker("没有维权订单为什么退不了", "faq", response_selector={"faq": {"response": _faq("exit_fails")}})
    dispatcher = CollectingDispatcher()
    events = await ActionAnswer().run(dispatcher, tracker, domain)
    assert {e["name"]: e["value"] for e in events if e.get("event") == "slot"} == {DISPUTE: "no"}
    assert "utter_cause_ruled_out_dispute" in _sent(dispatcher)  # and answers with it, in the same turn


@pytest.mark.parametrize("text, dispute, planned", [
    ("那我等它结束再退就行了吧", "yes", "dispute"),  # 它 = the 维权 the seller said is open
    ("等维权都处理完了再去退出 对吧", None, "dispute"),
    ("那我等它结束再退就行了吧", None, None),  # nothing said to be open: 它 is unknown
    ("等15天结束了再退出行吗", None, None),  # waits for something else
    ("那我先交保证金再退出对吧", None, "forced_category"), ("订单险买好了就能关了吧", None, "forced_category"),
    ("退出后钱多久能用", None, None), ("交了保证金以后还能退回来吗", None, None), ("消保保证金要交多少 以后能退吗", None, None),
])
def test_the_seller_repeating_a_remedy_is_recognised(text, dispute, planned):
    found = plan_confirmed(text, Facts(dispute=Answer(dispute) if dispute else None))
    assert (found.value if found else None) == planned


async def test_a_repeated_remedy_is_confirmed_and_the_other_cause_kept_open(domain):
    sent = await _answer(domain, "那我等它结束再退就行了吧", slots={DISPUTE: "yes"},
                         response_selector={"faq": {"response": _faq("rejoin")}})
    assert sent == ["utter_confirm_plan_dispute", "utter_also_check", "utter_possible_blocker_forced_category"]
    assert "对" in domain["responses"]["utter_confirm_plan_dispute"][0]["text"]


@pytest.mark.parametrize("text, stops", [("算了不查了 我想问退出以后钱多久能用", True), ("先不查了 退出有影响吗", True),
                                         ("退出以后钱多久能用", False), ("查一下能不能退", False)])
def test_stopping_the_check_inside_a_question(text, stops):
    assert stops_check(text) is stops


async def test_a_question_that_stops_the_check_is_answered_and_the_check_ends(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("算了不查了 我想问退出以后钱多久能用", "faq", slots={"requested_slot": DISPUTE},
                           response_selector={"faq": {"response": _faq("money_after_exit")}})
    events = await ActionAnswer().run(dispatcher, tracker, domain)
    assert _sent(dispatcher) == ["utter_exit_check_cancelled", "utter_faq/money_after_exit"]
    assert ActiveLoop(None) in events and SlotSet("requested_slot", None) in events
    assert events[-1] == FollowupAction("action_listen")


def test_a_question_beside_an_answer_to_the_check_is_answered_once():
    from actions.exit_check_form import _question_beside_answer

    user = {"event": "user", "text": "没有维权 对了退了以后之前那些订单的钱还压着吗"}
    tracker = make_tracker(user["text"], "faq")
    tracker.events = [user, {"event": "slot", "name": DISPUTE, "value": "no"}]
    assert _question_beside_answer(tracker)  # the form runs at once: nothing has answered it
    tracker.events.append({"event": "action", "name": "action_answer"})
    assert not _question_beside_answer(tracker)  # the FAQ rule answered it already
    assert not _question_beside_answer(make_tracker("没有", "deny"))
    # a reply the classifier took for a question asks nothing: no answer to a question nobody asked
    for statement in ("之前有一个 已经关了", "还没交 准备去交"):
        tracker = make_tracker(statement, "faq")
        tracker.events = [{"event": "user", "text": statement}]
        assert not _question_beside_answer(tracker), statement


@pytest.mark.parametrize("text, requested, noted", [
    ("我交了保证金的", DISPUTE, True),  # not what was asked: the same question comes again, after "记下了"
    ("没有", DISPUTE, False),  # the answer: the next question says it was heard
    ("有维权", FORCED, False),  # a blocker: the verdict follows
])
async def test_a_fact_other_than_the_one_asked_is_acknowledged(text, requested, noted):
    dispatcher = CollectingDispatcher()
    await ValidateExitCheckForm().run(dispatcher, make_tracker(text, "inform", slots={"requested_slot": requested}), {})
    assert (_sent(dispatcher) == ["utter_fact_noted"]) is noted


async def test_a_question_beside_an_answer_that_decides_the_check_gets_its_plain_answer_not_the_verdict(domain):
    # "维权怎么算结束？我有一个买家申请了退款还没处理" got the whole verdict twice: as the answer on why exits
    # fail, then as the check's own verdict
    dispatcher = CollectingDispatcher()
    text = "维权怎么算结束？我有一个买家申请了退款还没处理"
    tracker = make_tracker(text, "faq", slots={"requested_slot": DISPUTE},
                           response_selector={"faq": {"response": _faq("dispute_blocks_exit")}})
    tracker.events = [{"event": "user", "text": text}]
    events = await ValidateExitCheckForm().run(dispatcher, tracker, {})
    assert _sent(dispatcher) == ["utter_faq/dispute_blocks_exit"]  # the verdict comes once, from the report
    assert SlotSet(DISPUTE, "yes") in events and SlotSet("requested_slot", None) in events


async def test_going_to_look_gets_the_same_question_again_and_records_nothing(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("等下 我去后台看看", "nlu_fallback", slots={"requested_slot": FORCED, DISPUTE: "no"})
    events = await ValidateExitCheckForm().run(dispatcher, tracker, {})
    assert _sent(dispatcher) == ["utter_take_your_time"]
    # the slot stays empty (the event keeps Rasa from rejecting the form) and the same question is next
    assert [(e["name"], e["value"]) for e in events] == [(FORCED, None), ("requested_slot", FORCED)]
    # the answer after it is read against that question, not the next one
    assert await _read(make_tracker("看了，有的", "affirm", slots={"requested_slot": FORCED}), domain) == {FORCED: "yes"}


async def test_restating_the_plan_as_a_question_is_confirmed_without_a_new_check(domain):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("那我等维权结束了再退是吧", "ask_can_exit", slots={DISPUTE: "yes"})
    tracker.active_loop = {}
    events = await ActionAnswer().run(dispatcher, tracker, domain)
    assert _sent(dispatcher)[0] == "utter_confirm_plan_dispute"
    assert "utter_start_exit_check" not in _sent(dispatcher)
    assert FollowupAction("action_listen") in events  # not the form: the verdict is not given again


def _after_verdict(text, intent, slots, *verdict):
    tracker = make_tracker(text, intent, slots=slots)
    tracker.active_loop = {}
    said = [{"event": "bot", "text": "…", "metadata": {"utter_action": name}} for name in verdict]
    tracker.events = [{"event": "user", "text": "有"}, *said, {"event": "user", "text": text}]
    return tracker


@pytest.mark.parametrize("text, expected", [("哦不对 刚看了 没有了 昨天结束了", {DISPUTE: "no"}),
                                            ("现在处理完了", {DISPUTE: "no"}), ("已经结束了", {DISPUTE: "no"}),
                                            ("现在怎么办", {}), ("没事 谢谢", {}), ("好的", {})])
async def test_a_correction_right_after_a_verdict_is_about_the_blocker_it_named(domain, text, expected):
    from actions.read_shop_facts import read_and_record

    tracker = _after_verdict(text, "ask_can_exit", {DISPUTE: "yes"}, "utter_verdict_blocked", "utter_blocker_dispute")
    _, recorded = read_and_record(tracker)
    assert {e["name"]: e["value"] for e in recorded} == expected


@pytest.mark.parametrize("text, topic", [("我能开账期保障吗", "how_to_join"), ("我想先把账期保障开起来 要怎么开？", "how_to_join"),
                                         ("开账期保障有什么用", "why_join")])
def test_joining_questions_get_the_way_to_join(text, topic):
    from core.answer_plan import answers_for

    assert answers_for(["why_join"], Facts(), text) == [f"utter_faq/{topic}"]


def test_a_freeze_without_a_dispute_is_the_hold_not_the_dispute_freeze():
    from core.answer_plan import answers_for

    assert answers_for(["dispute_freeze"], Facts(dispute=Answer.NO), "我钱被冻结了 也没人维权啊") == ["utter_faq/hold_rules"]
    assert answers_for(["dispute_freeze"], Facts(), "为啥我的钱要冻结十五天") == ["utter_faq/hold_rules"]
    assert answers_for(["dispute_freeze"], Facts(), "维权期间钱被冻结了咋办") == ["utter_faq/dispute_freeze"]


async def test_a_bare_no_correcting_the_verdict_gives_the_new_one(domain):
    from actions.correction import ActionBareNo

    dispatcher = CollectingDispatcher()
    tracker = _after_verdict("哦不对 其实没交", "deny", {DISPUTE: "no", FORCED: "yes", COVERED: "yes"},
                             "utter_verdict_can_exit", "utter_exit_steps")
    events = await ActionBareNo().run(dispatcher, tracker, domain)
    assert SlotSet(COVERED, "no") in events
    sent = _sent(dispatcher)
    assert sent[:3] == ["utter_correction_noted", "utter_verdict_blocked", "utter_blocker_forced_category"]

    dispatcher = CollectingDispatcher()  # not after a verdict: a plain OK, nothing recorded
    assert await ActionBareNo().run(dispatcher, make_tracker("不用了", "deny"), domain) == []
    assert _sent(dispatcher) == ["utter_cancel_ok"]


@pytest.mark.parametrize("text, intent, action", [
    # "有一个维权" → verdict → "哦不对 那个已经结束了" went to the "您是不是想问…" menu
    ("哦不对 那个已经结束了", "nlu_fallback", "ActionClarify"),
    # taken for ask_can_exit, the seller got the opening line of a new check
    ("哦不对 其实那个维权结束了", "ask_can_exit", "ActionAnswer"),
])
async def test_a_correction_whatever_the_classifier_took_it_for_gives_the_new_verdict(domain, text, intent, action):
    from actions.clarification import ActionClarify

    dispatcher = CollectingDispatcher()
    tracker = _after_verdict(text, intent, {DISPUTE: "yes", FORCED: "no"}, "utter_verdict_blocked",
                             "utter_blocker_dispute")
    events = await {"ActionClarify": ActionClarify, "ActionAnswer": ActionAnswer}[action]().run(dispatcher, tracker,
                                                                                               domain)
    assert SlotSet(DISPUTE, "no") in events
    assert _sent(dispatcher)[:2] == ["utter_correction_noted", "utter_verdict_can_exit"]
    assert "utter_start_exit_check" not in _sent(dispatcher)


@pytest.mark.parametrize("text, intent", [("那我先把维权处理完再退出对吧", "ask_can_exit"),
                                          ("维权处理完了就能退了吧？", "faq")])
async def test_the_remedy_asked_about_after_the_verdict_is_confirmed_and_the_dispute_stays_open(domain, text, intent):
    # seller-tester: taken for a correction, the dispute was recorded as over, and "没有" next gave "can exit"
    dispatcher = CollectingDispatcher()
    tracker = _after_verdict(text, intent, {DISPUTE: "yes"}, "utter_verdict_blocked", "utter_blocker_dispute")
    events = await ActionAnswer().run(dispatcher, tracker, domain)
    assert _sent(dispatcher)[0] == "utter_confirm_plan_dispute"
    assert not [e for e in events if e.get("event") == "slot"]  # the dispute is still open


async def test_a_correction_after_the_verdict_taken_for_out_of_scope_gives_the_new_verdict(domain):
    # "不对不对，我是交了一部分，没交满" got "资料里没有", and "can exit" stood
    dispatcher = CollectingDispatcher()
    tracker = _after_verdict("不对不对，我是交了一部分，没交满", "out_of_scope",
                             {DISPUTE: "no", FORCED: "yes", COVERED: "yes"}, "utter_verdict_can_exit")
    events = await ActionDecline().run(dispatcher, tracker, domain)
    assert SlotSet(COVERED, "no") in events
    assert _sent(dispatcher)[:2] == ["utter_correction_noted", "utter_verdict_blocked"]


async def test_a_correction_that_leaves_a_fact_unknown_takes_the_check_up_again(domain):
    from actions.correction import ActionBareNo

    dispatcher = CollectingDispatcher()
    tracker = _after_verdict("哦不对 刚看了 没有了", "deny", {DISPUTE: "yes"}, "utter_verdict_blocked",
                             "utter_blocker_dispute", "utter_also_check", "utter_possible_blocker_forced_category")
    events = await ActionBareNo().run(dispatcher, tracker, domain)
    assert SlotSet(DISPUTE, "no") in events and events[-1] == FollowupAction("exit_check_form")


def test_a_seller_whose_exit_fails_is_not_told_they_can_exit():
    from core.answer_plan import verdict_responses

    events = [{"event": "user", "text": "退出失败了 但是我没有维权啊"}, {"event": "user", "text": "也没有强制类目"}]
    names = verdict_responses(Facts(dispute=Answer.NO, forced=Answer.NO), events)
    assert names[:2] == ["utter_verdict_can_exit", "utter_causes_beyond_material"]
    assert "utter_causes_beyond_material" not in verdict_responses(Facts(dispute=Answer.NO, forced=Answer.NO),
                                                                   events[1:])


@pytest.mark.parametrize("text, topic, refined", [
    ("为啥啊 我都退了", "exit_fails", "money_after_exit"), ("我退不掉 为啥啊", "exit_fails", "exit_fails"),
    ("我不是要退出 我就想知道账期保障到底是干嘛的", "how_to_exit", "what_is"),
    ("新开的店 没开账期保障 能卖衣服吗", "why_join", "why_join"),
])
def test_the_words_settle_the_topic(text, topic, refined):
    from core.answer_plan import answers_for

    assert answers_for([topic], Facts(), text) == [f"utter_faq/{refined}"]


@pytest.mark.parametrize("text", ["算了 不退了，退出以后钱啥时候到", "不关了 那保证金怎么退"])
def test_taking_leaving_back_answers_no_question_of_the_check(text):
    """A seller-tester's "算了 不退了…" at the 保证金 question was read as paid and got "可以退出"."""
    from actions.read_shop_facts import facts_in_message
    from core.eligibility import Fact

    for pending in Fact:
        assert facts_in_message({"text": text, "intent": {"name": "faq"}}, pending) == {}
