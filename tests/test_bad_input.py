"""Bad input on every HTTP entry point of a running bot: a clear 4xx or a polite reply,
never a 500, never a crash, never a conversation changed by a refused request.

Entry points: the REST webhook (+ history, feedback), socket.io, the agent API
(web server). The DingTalk and WeCom connectors have theirs in test_connectors.py.
"""
import http.client
import json
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot_server import BotServer
from tests.widget_client import Widget

pytestmark = pytest.mark.model

AGENT_TOKEN = "bad-input-agent-token"
TOO_LONG = "消息太长了"
UNREADABLE = "这条消息我读不了"


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    server = BotServer(tmp_path_factory.mktemp("bad-input"), {"AGENT_TOKEN": AGENT_TOKEN}).start()
    yield server
    server.stop_all()


def texts(replies):
    return "\n".join(r.get("text") or "" for r in replies)


def raw_post(port, path, body, headers):
    """A POST with exactly these bytes and headers (urllib would fix a bad Content-Length)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.putrequest("POST", path, skip_accept_encoding=True, skip_host="Host" in headers)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def exit_check_started(bot, sender):
    assert "维权" in texts(bot.say(sender, "我能退出账期保障吗"))
    return len(bot.tracker(sender)["events"])


def exit_check_finishes(bot, sender):
    return "应该可以直接退出" in texts(bot.say(sender, "没有") + bot.say(sender, "没有"))


# ----------------------------------------------------------------- REST webhook
REFUSED_BODIES = [
    ("100 KB message", lambda s: json.dumps({"sender": s, "message": "退" * 34_000},
                                             ensure_ascii=False).encode(), 400),
    ("request over the size limit", lambda s: json.dumps({"sender": s, "message": "a" * 300_000}).encode(),
     413),
    ("huge metadata", lambda s: json.dumps({"sender": s, "message": "hi",
                                            "metadata": {"k": "x" * 20_000}}).encode(), 400),
    ("invalid UTF-8", lambda s: b'{"sender": "' + s.encode() + b'", "message": "\xff\xfe\xfa"}', 400),
    ("binary", lambda s: bytes(range(256)), 400),
    ("malformed JSON", lambda s: b'{"sender": "' + s.encode() + b'", "message": ', 400),
    ("wrong type of message", lambda s: json.dumps({"sender": s, "message": ["hi"]}).encode(), 400),
    ("wrong type of sender", lambda s: json.dumps({"sender": 42, "message": "hi"}).encode(), 400),
    ("missing sender", lambda s: json.dumps({"message": "hi"}).encode(), 400),
    ("control characters in sender", lambda s: json.dumps({"sender": s + "\x00", "message": "hi"}).encode(),
     400),
]


@pytest.mark.parametrize("case, body, status", REFUSED_BODIES, ids=[c[0] for c in REFUSED_BODIES])
def test_rest_refuses_bad_requests_clearly_and_keeps_the_conversation(bot, case, body, status):
    sender = f"bad-{uuid.uuid4().hex[:8]}"
    before = exit_check_started(bot, sender)
    got, answer = raw_post(bot.rasa_port, "/webhooks/rest/webhook", body(sender),
                           {"Content-Type": "application/json", "Content-Length": str(len(body(sender)))})
    assert got == status, (case, got, answer)
    assert "longer" in answer or "larger" in answer or "exceeds" in answer or "JSON" in answer \
        or "required" in answer or "must" in answer or "control" in answer or "body" in answer, answer
    assert len(bot.tracker(sender)["events"]) == before
    assert exit_check_finishes(bot, sender)


@pytest.mark.parametrize("message", ["\ud800\udfff\udc00", "\x1b[31m\x07\x08\x1b[0m", "🙂" * 500,
                                     "\u202e\u200b", "\t\n", "<script>alert(1)</script>"])
def test_rest_answers_odd_text_politely(bot, message):
    sender = f"odd-{uuid.uuid4().hex[:8]}"
    exit_check_started(bot, sender)
    # ASCII-escaped JSON, so lone surrogates travel as "\ud800" escapes
    status, replies = bot.post("/webhooks/rest/webhook",
                               json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200 and isinstance(replies, list), (status, replies)
    assert exit_check_finishes(bot, sender)


def test_history_and_feedback_refuse_bad_requests(bot):
    for query in ("", "?sender=", "?sender=" + "x" * 300, "?sender=%00"):
        assert bot.get(f"{bot.url}/webhooks/rest/history{query}")[0] == 400, query
    for body in (b"", b"[]", b'{"sender": "x", "rating": "meh"}', b'{"sender": 5, "rating": "up"}',
                 b"\xff"):
        status, _ = bot.post("/webhooks/rest/feedback", body)
        assert status == 400, body
    assert bot.rate(bot.session(), "up", "答") == 404  # a session with no such answer yet


FUZZ_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10)
FUZZ_BODIES = st.one_of(
    st.binary(max_size=200),
    FUZZ_JSON.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"sender": st.text(min_size=1, max_size=20) | FUZZ_JSON,
                           "message": st.text(max_size=200) | FUZZ_JSON},
                          optional={"metadata": FUZZ_JSON}).map(lambda d: json.dumps(d).encode()),
)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=FUZZ_BODIES)
def test_fuzzed_rest_requests_never_get_a_500(bot, body):
    status, answer = raw_post(bot.rasa_port, "/webhooks/rest/webhook", body,
                              {"Content-Type": "application/json", "Content-Length": str(len(body))})
    assert status in (200, 400), (body, status, answer)


def test_the_server_still_answers_after_the_fuzzing(bot):
    assert "千牛卖家中心" in texts(bot.say(f"after-{uuid.uuid4().hex[:6]}", "账期保障怎么退出"))


# ----------------------------------------------------------------- socket.io
@pytest.fixture
def widget(bot):
    client = Widget(bot)
    yield client
    client.close()


def test_socketio_bad_payloads_get_a_polite_reply_and_the_conversation_goes_on(bot, widget):
    assert "维权" in widget.say("我能退出账期保障吗")
    before = len(bot.tracker(widget.session_id)["events"])
    sid = widget.session_id
    for payload, reply in [
        ("just a string", UNREADABLE), (5, UNREADABLE), (None, UNREADABLE), ([1, 2], UNREADABLE),
        ({"message": "hi"}, UNREADABLE),  # no session id
        ({"message": 5, "session_id": sid}, UNREADABLE),
        ({"message": "hi", "session_id": {"x": 1}}, UNREADABLE),
        ({"message": "hi", "session_id": sid, "metadata": "{not json"}, UNREADABLE),
        ({"message": "hi", "session_id": sid, "metadata": {"k": "x" * 20_000}}, UNREADABLE),
        ({"message": "退" * 3000, "session_id": sid}, TOO_LONG),
    ]:
        assert reply in widget.send(payload, settle=0.3), payload
    assert len(bot.tracker(sid)["events"]) == before
    answer = widget.say("没有") + widget.say("没有")
    assert "应该可以直接退出" in answer


def test_socketio_oversized_payload_is_refused_and_the_server_lives_on(bot):
    big = Widget(bot)
    try:
        big.client.emit("user_uttered", {"message": "x" * 200_000, "session_id": big.session_id})
    except Exception:  # noqa: BLE001 - the client may see the refusal as a broken connection
        pass
    finally:
        big.close()
    fresh = Widget(bot)
    try:
        assert "千牛卖家中心" in fresh.say("账期保障怎么退出")
    finally:
        fresh.close()


# ----------------------------------------------------------------- whose conversation
def _user_texts(bot, sender):
    return [e["text"] for e in bot.tracker(sender)["events"] if e["event"] == "user"]


def test_rest_cannot_touch_the_chat_platforms_conversations(bot):
    for sender in ("wecom:zhangsan", "dingtalk:cid1:staff1"):
        status, answer = bot.post("/webhooks/rest/webhook", json.dumps(
            {"sender": sender, "message": "转人工"}).encode())
        assert status == 403 and "chat platform" in json.dumps(answer), (sender, status, answer)
        assert _user_texts(bot, sender) == []
        assert bot.get(f"{bot.url}/webhooks/rest/history?sender={sender}")[0] == 403


def test_a_web_session_is_read_and_written_only_with_its_token(bot):
    mine = bot.session()
    assert "千牛卖家中心" in texts(bot.say(mine, "账期保障怎么退出"))
    for token in ({}, {"X-Session-Token": "0" * 64}, {"X-Session-Token": bot.tokens[bot.session()]}):
        body = json.dumps({"sender": mine, "message": "转人工"}).encode()
        assert bot.post("/webhooks/rest/webhook", body, headers=token)[0] == 403, token
        status, headers = bot.get(f"{bot.url}/webhooks/rest/history?sender={mine}", headers=token)
        content_type = {k.lower(): v for k, v in headers.items()}["content-type"]
        assert status == 403 and content_type.startswith("application/json"), token
        rating = json.dumps({"sender": mine, "rating": "down", "message": "x"}).encode()
        assert bot.post("/webhooks/rest/feedback", rating, headers=token)[0] == 403, token
    assert _user_texts(bot, mine) == ["账期保障怎么退出"]
    assert [m["sender"] for m in bot.history(mine)] == ["user", "bot"]
    # A plain REST conversation (Rasa's usual {"sender": "alice"}) still talks, but has no readable history.
    plain = f"plain-{uuid.uuid4().hex[:8]}"
    assert texts(bot.say(plain, "账期保障是什么"))
    assert bot.get(f"{bot.url}/webhooks/rest/history?sender={plain}")[0] == 403


def test_socketio_cannot_join_or_write_someone_elses_session(bot):
    victim = Widget(bot)
    try:
        assert "千牛卖家中心" in victim.say("账期保障怎么退出")
        intruder = Widget(bot, session_id=victim.session_id)  # knows the id, not the token
        try:
            assert intruder.session_id != victim.session_id
            heard = len(victim.replies)
            assert UNREADABLE in intruder.send({"message": "转人工", "session_id": victim.session_id}, settle=0.3)
            assert "15天" in intruder.say("退出后钱多久能用")
            assert len(victim.replies) == heard  # nothing of the intruder's conversation reached the victim
            assert _user_texts(bot, victim.session_id) == ["账期保障怎么退出"]
        finally:
            intruder.close()
        again = Widget(bot, session_id=victim.session_id, token=victim.token)  # the widget after a reload
        try:
            assert again.session_id == victim.session_id
            assert "15天" in again.say("退出后钱多久能用")
        finally:
            again.close()
    finally:
        victim.close()


# ----------------------------------------------------------------- agent API
def agent_post(bot, path, body, headers=None, length=None):
    headers = {"Authorization": f"Bearer {AGENT_TOKEN}", "Content-Type": "application/json",
               "Content-Length": str(len(body)) if length is None else length, **(headers or {})}
    return raw_post(bot.web_port, path, body, headers)


@pytest.mark.parametrize("path, body, length, status", [
    ("/agent/api/suggest", b'{"text": "hi"}', "abc", 400),
    ("/agent/api/suggest", b'{"text": "hi"}', "-5", 400),
    ("/agent/api/suggest", b"x" * 70_000, None, 413),
    ("/agent/api/suggest", b"{not json", None, 400),
    ("/agent/api/suggest", b"\xff\xfe", None, 400),
    ("/agent/api/suggest", b"[1, 2]", None, 400),
    ("/agent/api/suggest", b'{"text": 5}', None, 400),
    ("/agent/api/suggest", b'{"text": "   "}', None, 400),
    ("/agent/api/suggest", json.dumps({"text": "退" * 3000}).encode(), None, 400),
    ("/agent/api/check", b'{"dispute": [1], "forced": {}, "covered": "maybe"}', None, 400),
    ("/agent/api/check", b"null", None, 400),
    ("/agent/api/handoffs/%ff%fe/reply", b'{"text": "hi"}', None, 404),
    ("/agent/api/handoffs/%00/resume", b"", None, 400),  # no conversation id holds control characters
    ("/agent/api/nothing", b"{}", None, 404),
])
def test_agent_api_refuses_bad_requests_with_a_clear_4xx(bot, path, body, length, status):
    got, answer = agent_post(bot, path, body, length=length)
    assert got == status, (path, body[:40], got, answer)
    assert json.loads(answer)["error"]


def test_agent_api_still_works_after_bad_requests(bot):
    got, answer = agent_post(bot, "/agent/api/suggest", '{"text": "账期保障怎么退出"}'.encode())
    assert got == 200 and json.loads(answer)["suggestions"]


# ------------------------------------------------- DNS rebinding, CSRF, tokens
def _rasa_api(bot, method, path, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", bot.rasa_port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    answer = connection.getresponse()
    return answer.status, answer.read().decode("utf-8", "replace")


def test_rasa_api_refuses_other_hosts_and_cross_origin_writes_and_always_needs_its_token(bot):
    token = bot.env["RASA_AUTH_TOKEN"]
    tracker = f"/conversations/someone/tracker?token={token}"
    assert _rasa_api(bot, "GET", tracker)[0] == 200
    status, answer = _rasa_api(bot, "GET", tracker, {"Host": f"rebind.example:{bot.rasa_port}"})
    assert status == 403 and "ALLOWED_HOSTS" in answer  # a page on another name resolving to 127.0.0.1
    assert _rasa_api(bot, "GET", tracker, {"Host": f"localhost:{bot.rasa_port}"})[0] == 200
    event = json.dumps({"event": "slot", "name": "handed_off", "value": True})
    write = f"/conversations/someone/tracker/events?token={token}"
    status, answer = _rasa_api(bot, "POST", write, {"Origin": "http://evil.example", "Content-Type": "text/plain"},
                               event)
    assert status == 403 and "CSRF" in answer
    assert _rasa_api(bot, "PUT", "/model", {"Content-Type": "application/json"}, "{}")[0] == 401  # no token
    assert _rasa_api(bot, "GET", "/", {"Host": "10.0.0.7"})[0] == 200  # the health greeting, probed by IP
    # The channels keep serving pages on other origins.
    status, _ = bot.post("/webhooks/rest/webhook", json.dumps({"sender": "guard", "message": "你好"}).encode(),
                         headers={"Origin": "http://evil.example"})
    assert status == 200


def test_agent_api_refuses_other_hosts_and_cross_origin_posts(bot):
    body = b'{"text": "hi"}'
    status, answer = agent_post(bot, "/agent/api/suggest", body, headers={"Host": "rebind.example"})
    assert status == 403 and "ALLOWED_HOSTS" in answer
    status, answer = agent_post(bot, "/agent/api/handoffs/x/reply", body,
                                headers={"Origin": "http://evil.example", "Content-Type": "text/plain"})
    assert status == 403 and "CSRF" in answer
    assert agent_post(bot, "/agent/api/suggest", body, headers={"Origin": bot.web_url})[0] == 200
