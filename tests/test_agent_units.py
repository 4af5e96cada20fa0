"""The agent tools' pure parts, and the hand-off notice, without servers."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import webhook
from core.handoff import failed_twice, handoff_payload
from core.replies import intent_replies, load_responses
from core.stats import stats
from desk.handoffs import handoff_summary, paused_since
from desk.http import ApiError, authorize
from desk.shop_check import CheckError, check_shop
from desk.suggestions import suggest

RESPONSES = load_responses()


def user(text, intent, **extra):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}, **extra}


def bot(text, utter=None):
    return {"event": "bot", "text": text, "metadata": {"utter_action": utter} if utter else {}}


def test_intent_replies_come_from_the_rules():
    replies = intent_replies()
    assert replies["out_of_scope"] == "utter_out_of_scope"
    assert replies["faq"] == "action_answer" and replies["request_human"] == "action_handoff"
    assert replies["deny"] == "action_bare_no" and replies["cancel"] == "utter_cancel_ok"
    assert replies["affirm"] == "action_accept_offer" and replies["dont_know"] == "utter_affirm_ok"


def test_suggestions_use_the_bots_texts_and_flag_doubt():
    parse = {"intent": {"name": "faq"},
             "intent_ranking": [{"name": "faq", "confidence": 0.9}, {"name": "out_of_scope", "confidence": 0.1}],
             "response_selector": {"faq": {"ranking": [
                 {"intent_response_key": "faq/how_to_exit", "confidence": 0.95},
                 {"intent_response_key": "faq/exit_fails", "confidence": 0.05}]}}}
    answer = suggest(parse, RESPONSES, intent_replies())
    assert answer["suggestions"][0]["text"] == RESPONSES["utter_faq/how_to_exit"][0]["text"]
    assert answer["suggestions"][0]["confidence"] == pytest.approx(0.855)
    assert not answer["unsure"]
    close = dict(parse, intent_ranking=[{"name": "faq", "confidence": 0.5}, {"name": "ask_can_exit", "confidence": 0.45}])
    assert suggest(close, RESPONSES, intent_replies())["unsure"]


def test_shop_check_maps_true_false_null():
    assert check_shop({"dispute": False, "forced": False, "covered": None}, RESPONSES)["can_exit"] is True
    with pytest.raises(CheckError):
        check_shop({"dispute": 1}, RESPONSES)


def test_conversations_waiting_for_a_person_are_listed_until_the_handoff_ends():
    events = [user("转人工", "request_human"), {"event": "slot", "name": "handoff_reason", "value": "requested"},
              {"event": "slot", "name": "has_open_dispute", "value": "yes"},
              {"event": "slot", "name": "handed_off", "value": True, "timestamp": 5.0}, user("在吗", "greet")]
    summary = handoff_summary("c1", events)
    assert summary["reason"] == "requested" and summary["facts"] == {"has_open_dispute": "yes"}
    assert summary["fact_labels"] == {"has_open_dispute": "维权中的订单"}  # from core/fact_table.py
    assert summary["last_message"] == "在吗" and summary["since"] == 5.0
    # Resumed by an agent, taken back by the seller, given up by the timer: all clear the slot.
    assert paused_since(events + [{"event": "slot", "name": "handed_off", "value": False}]) is None
    assert paused_since(events + [{"event": "restart"}]) is None


def rating(value, answer_ts):
    return {"event": "slot", "name": "answer_feedback",
            "value": {"rating": value, "message": "答", "answer_ts": answer_ts}}


def test_stats_follow_the_kbqa_definition():
    conversations = [
        [user("账期保障是什么", "faq"), bot("…")],  # resolved
        [user("88VIP", "out_of_scope"), bot("抱歉", "utter_out_of_scope")],  # no answer
        [user("转人工", "request_human"), {"event": "slot", "name": "handoff_reason", "value": "requested"}],
        [user("x", "faq"), {"event": "slot", "name": "answer_feedback", "value": {"rating": "down"}}],
        [{"event": "action", "name": "action_session_start"}],  # nobody spoke: not counted
        # One rating per answer, the latest counts: a 👎 taken back with a 👍 leaves it resolved.
        [user("y", "faq"), bot("答"), rating("down", 7.0), rating("down", 7.0), rating("up", 7.0)],
    ]
    figures = stats(conversations)
    assert figures["conversations"] == 5 and figures["resolved"] == 2
    assert figures["resolution_rate"] == 0.4
    assert figures["unresolved_because"] == {"asked_for_person": 1, "thumbs_down": 1, "no_answer": 1}
    assert figures["handoffs_by_reason"] == {"requested": 1}
    assert figures["top_unanswered"] == [{"text": "88VIP", "count": 1}]


def test_two_misunderstandings_in_a_row():
    assert failed_twice([user("钱", "nlu_fallback"), bot("?"), user("保证金", "nlu_fallback")])
    assert not failed_twice([user("钱", "nlu_fallback"), user("怎么退出", "faq"), user("嗯", "nlu_fallback")])


def test_handoff_payload_carries_transcript_and_facts():
    payload = handoff_payload("c9", "requested", [user("转人工", "request_human")],
                              {"has_open_dispute": "no", "answer_feedback": None})
    assert payload["transcript"] == [{"sender": "user", "text": "转人工"}]
    assert payload["facts"] == {"has_open_dispute": "no"}
    assert payload["fact_labels"] == {"has_open_dispute": "维权中的订单"}


def test_agent_api_token(monkeypatch):
    monkeypatch.setenv("AGENT_TOKEN", "s3cret")
    authorize({"Authorization": "Bearer s3cret"})
    authorize({"authorization": "Bearer s3cret"})  # HTTP/2 through a proxy: lower-case names
    for headers in [{}, {"Authorization": "Bearer nope"}, {"Authorization": "s3cret"}]:
        with pytest.raises(ApiError) as refused:
            authorize(headers)
        assert refused.value.status == 401
    monkeypatch.delenv("AGENT_TOKEN")
    for bind in ("0.0.0.0", "127.0.0.1"):  # no token: closed, on the loopback address too
        monkeypatch.setenv("BIND_HOST", bind)
        with pytest.raises(ApiError) as refused:
            authorize({})
        assert refused.value.status == 503


def test_webhook_retries_then_succeeds():
    calls = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            calls.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(503 if len(calls) < 3 else 200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/"
        assert webhook.post_json(url, {"a": "转人工"}, first_pause=0.01)
        assert len(calls) == 3 and calls[-1] == {"a": "转人工"}
    finally:
        server.shutdown()


def test_webhook_gives_up_on_a_dead_address():
    assert not webhook.post_json("http://127.0.0.1:9/", {}, timeout=0.5, attempts=2, first_pause=0.01)
    assert webhook.notify("", {}) is None
