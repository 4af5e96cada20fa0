"""What the tracker store writes for an event: Rasa's event, minus what nothing reads again."""
import json

from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered

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
        assert json.loads(dumps(event)) == compact(event)
        assert compact(event)["event"] == event["event"]
