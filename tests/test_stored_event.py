"""What the tracker store writes for an event: Rasa's event, minus what nothing reads again."""
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered

from core import answer_plan, learning, ranking
from stores.stored_event import compact, dumps

STAMP = {"model_id": "bc03e8d00e8140b0a1b6c7e223b522b8", "assistant_id": "zhangqi-baozhang-assistant"}


def _round_trip(event: Event) -> Event:
    return Event.from_parameters(json.loads(dumps(event.as_dict())))


def test_events_read_back_as_the_same_events():
    for event in [SlotSet("has_open_dispute", None, 1.0, STAMP), SlotSet("has_open_dispute", "no", 1.0),
                  ActiveLoop(None, 2.0, STAMP), ActiveLoop("exit_check_form", 2.0),
                  ActionExecuted("action_listen", "RulePolicy", 1.0, timestamp=3.0, metadata=STAMP,
                                 hide_rule_turn=True),
                  BotUttered("您好", {"buttons": [{"title": "是", "payload": "/affirm"}]}, {"utter_action": "utter_x"}, 4.0),
                  UserUttered("賬期保障", {"name": "faq", "confidence": 0.5}, [], {"text": "账期保障"}, 5.0)]:
        back = _round_trip(event)
        expected = event.as_dict()
        if expected["event"] in ("slot", "action", "active_loop"):  # the model stamp is not repeated on these
            expected["metadata"] = {k: v for k, v in expected.get("metadata", {}).items() if k not in STAMP}
            if not expected["metadata"]:
                del expected["metadata"]
        assert type(back) is type(event) and back.as_dict() == expected
    assert _round_trip(SlotSet("has_open_dispute", None)).value is None
    assert _round_trip(ActionExecuted("action_listen", hide_rule_turn=True)).hide_rule_turn is True


def test_the_bookkeeping_events_drop_the_model_stamp_the_message_and_reply_keep_it():
    slot = compact(SlotSet("x", "y", 1.0, STAMP).as_dict())
    assert "metadata" not in slot
    user = compact(UserUttered("hi", metadata=STAMP).as_dict())
    assert user["metadata"] == STAMP
    bot = compact(BotUttered("hi", metadata={**STAMP, "utter_action": "utter_x"}).as_dict())
    assert bot["metadata"]["model_id"] == STAMP["model_id"] and bot["metadata"]["utter_action"] == "utter_x"


def test_chinese_is_stored_as_utf8_and_the_input_is_left_alone():
    event = BotUttered("退出账期保障的步骤", {"buttons": None}).as_dict()
    before = json.dumps(event, sort_keys=True)
    stored = dumps(event)
    assert "退出账期保障的步骤" in stored and "\\u" not in stored
    assert json.dumps(event, sort_keys=True) == before


def test_odd_events_are_stored_as_they_are():
    for event in [{"event": "user", "text": "x", "parse_data": None}, {"event": "bot", "text": "x", "data": None},
                  {"event": "user", "parse_data": {"intent_ranking": "junk", "response_selector": {"faq": 3}}},
                  {"event": "something_new", "value": None}]:
        assert compact(event) == event
        assert json.loads(dumps(event)) == event


def test_text_utf8_cannot_carry_is_stored_escaped_rather_than_refused():
    event = UserUttered("账期", metadata={"display": "\ud800"}).as_dict()
    stored = dumps(event)
    stored.encode("utf-8")  # what the database needs
    assert json.loads(stored)["metadata"]["display"] == "\ud800" and json.loads(stored)["text"] == "账期"


INTENTS = ["faq", "nlu_fallback", "ask_can_exit", "affirm", "deny", "dont_know", "thank", "greet", "out_of_scope",
           "request_human"]
TOPICS = [f"faq/topic_{n}" for n in range(10)]
confidences = st.lists(st.floats(0, 1, allow_nan=False), min_size=10, max_size=10)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.permutations(INTENTS), confidences, st.permutations(TOPICS), confidences)
def test_the_desk_reads_the_same_candidates_and_topic_from_any_stored_message(intents, weights, topics, topic_weights):
    """Whatever NLU ranked (the fallback first, flat rankings, ties), what is stored gives the same."""
    ranked = sorted(zip(intents, weights, strict=True), key=lambda p: -p[1])
    ranked_topics = sorted(zip(topics, topic_weights, strict=True), key=lambda p: -p[1])
    parse = {"intent": {"name": ranked[0][0], "confidence": ranked[0][1]}, "text": "问",
             "intent_ranking": [{"name": n, "confidence": c} for n, c in ranked],
             "response_selector": {"all_retrieval_intents": ["faq"], "faq": {
                 "response": {"responses": [{"text": "答"}], "confidence": ranked_topics[0][1],
                              "intent_response_key": ranked_topics[0][0], "utter_action": f"utter_{ranked_topics[0][0]}"},
                 "ranking": [{"confidence": c, "intent_response_key": k} for k, c in ranked_topics]}}}
    stored = json.loads(dumps({"event": "user", "text": "问", "parse_data": parse}))["parse_data"]
    assert learning._candidates(stored) == learning._candidates(parse)
    assert ranking.likeliest_intent(stored) == ranking.likeliest_intent(parse)
    for threshold, margin in [(0.35, 0.1), (0.5, 0.1)]:
        assert answer_plan.sure_topic(stored, threshold, margin) == answer_plan.sure_topic(parse, threshold, margin)
    assert answer_plan.asked_topics(stored) == answer_plan.asked_topics(parse)
    assert len(dumps({"event": "user", "parse_data": parse})) < len(json.dumps({"event": "user", "parse_data": parse}))
