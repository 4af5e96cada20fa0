"""The channel helpers: request checks, origins, transcript, feedback."""
import pytest
from sanic.exceptions import InvalidUsage

from channels.feedback import FeedbackError, feedback_value, rated_answer_ts
from channels.origins import parse_origins
from channels.rest_input import checked_body
from core.message_limits import MessageTooLong, check_text
from core.transcript import transcript


@pytest.mark.parametrize("body", [None, [], "x", {"message": "hi"}, {"sender": " ", "message": "hi"},
                                  {"sender": "s"}, {"sender": "s", "message": 3},
                                  {"sender": "s", "message": "x" * 2001},
                                  {"sender": "s", "message": "hi", "metadata": "m"}])
def test_bad_message_bodies_are_refused(body):
    with pytest.raises(InvalidUsage):
        checked_body(body)


def test_good_message_body_passes_with_its_text_cleaned():
    body = {"sender": "s", "message": "有\x00维权\x07吗\n😀", "metadata": {"display": "有"}}
    assert checked_body(body) == {"sender": "s", "message": "有维权吗\n😀", "metadata": {"display": "有"}}
    assert checked_body({"sender": "s", "message": ""})["metadata"] == {}


@pytest.mark.parametrize("body", [
    {"sender": "s\x00", "message": "hi"},
    {"sender": "s", "message": "hi", "metadata": {"k": "x" * 9000}},
    {"sender": "x" * 257, "message": "hi"},
])
def test_control_characters_in_sender_and_huge_metadata_are_refused(body):
    with pytest.raises(InvalidUsage):
        checked_body(body)


def test_message_length_limit_is_configurable(monkeypatch):
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "10")
    with pytest.raises(MessageTooLong):
        check_text("退" * 11)
    assert check_text("退" * 10) == "退" * 10


def test_origins_are_listed_and_star_is_refused():
    assert parse_origins("http://a:8000, http://b/  http://c") == ["http://a:8000", "http://b", "http://c"]
    assert parse_origins(["http://a"]) == ["http://a"]
    assert parse_origins(None) == []
    with pytest.raises(ValueError):
        parse_origins("http://a *")


def test_transcript_shows_what_the_seller_saw():
    events = [
        {"event": "action", "name": "action_session_start"},
        {"event": "user", "text": "/deny", "metadata": {"display": "没有"}},
        {"event": "bot", "text": "好的", "data": {"buttons": [{"title": "有", "payload": "/affirm"}]}},
        {"event": "slot", "name": "answer_feedback", "value": {"rating": "up"}},
        {"event": "user", "text": "<script>x</script>", "metadata": {}},
        {"event": "bot", "text": None, "data": {"image": "https://e/x.png"}},
        {"event": "bot", "text": None, "data": {}},
    ]
    assert transcript(events) == [
        {"sender": "user", "text": "没有"},
        {"sender": "bot", "text": "好的", "buttons": [{"title": "有", "payload": "/affirm"}]},
        {"sender": "user", "text": "<script>x</script>"},
        {"sender": "bot", "image": "https://e/x.png"},
    ]


def test_feedback_values():
    assert feedback_value({"rating": "up", "message": "答"}) == {"rating": "up", "message": "答"}
    assert len(feedback_value({"rating": "down", "message": "x" * 5000})["message"]) == 2000
    for bad in [None, {"rating": "meh"}, {"rating": "up", "message": 1}]:
        with pytest.raises(FeedbackError):
            feedback_value(bad)


def test_a_rating_names_an_answer_the_conversation_holds():
    events = [{"event": "user", "text": "账期保障是什么", "timestamp": 1.0},
              {"event": "bot", "text": "答一", "timestamp": 2.0},
              {"event": "bot", "text": "答一", "timestamp": 4.0}]
    assert rated_answer_ts(events, "答一") == 4.0  # the latest answer with that text
    assert rated_answer_ts(events, "账期保障是什么") is None  # the seller's own words are no answer
    assert rated_answer_ts(events, "") is None


def test_the_handoff_timer_is_not_shown_as_something_the_seller_said():
    events = [{"event": "user", "text": "转人工"},
              {"event": "user", "text": "EXTERNAL: EXTERNAL_handoff_timeout"},
              {"event": "bot", "text": "抱歉，暂时没有人工客服接入。"}]
    assert transcript(events) == [{"sender": "user", "text": "转人工"},
                                  {"sender": "bot", "text": "抱歉，暂时没有人工客服接入。"}]


def test_the_too_long_notice_names_the_limit_in_force(monkeypatch):
    from channels.notices import MESSAGE_TOO_LONG, notice

    monkeypatch.delenv("MAX_MESSAGE_CHARS", raising=False)
    assert "最多读2000字" in notice(MESSAGE_TOO_LONG)
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "500")
    assert "最多读500字" in notice(MESSAGE_TOO_LONG) and "{" not in notice(MESSAGE_TOO_LONG)
