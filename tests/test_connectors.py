"""DingTalk and WeCom connectors against the real Rasa server and a fake of the platforms."""
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from channels import dingtalk_sign, wecom_crypto
from tests.bot_server import BotServer
from tests.fake_platforms import FakePlatforms

pytestmark = pytest.mark.model

DINGTALK_SECRET = "test-dingtalk-secret"
HANDOFF_TOKEN = "test-handoff-token"
# WeCom's published sample settings (WXBizMsgCrypt Sample.py).
WECOM = {"token": "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "aes_key": "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
         "corp_id": "ww1436e0e65a779aee"}


@pytest.fixture(scope="module")
def platforms():
    fake = FakePlatforms()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="module")
def bot(tmp_path_factory, platforms):
    server = BotServer(tmp_path_factory.mktemp("connectors"))
    server.env.update(
        DINGTALK_APP_SECRET=DINGTALK_SECRET, DINGTALK_API_BASE=platforms.base,
        WECOM_CORP_ID=WECOM["corp_id"], WECOM_TOKEN=WECOM["token"], WECOM_AES_KEY=WECOM["aes_key"],
        WECOM_SECRET="test-wecom-secret", WECOM_AGENT_ID="1000002", WECOM_API_BASE=platforms.base,
        DINGTALK_APP_KEY="test-dingtalk-app", DINGTALK_OPENAPI_BASE=platforms.base,
        HANDOFF_API_TOKEN=HANDOFF_TOKEN)
    for part in ("actions", "rasa"):
        server.start(part)
    yield server
    server.stop_all()


def request(url, body=b"", headers=None, method="POST"):
    req = urllib.request.Request(url, data=body if method == "POST" else None, headers=headers or {},
                                 method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


# ----------------------------------------------------------------- DingTalk
def dingtalk(bot, platforms, text, session=None, msg_id=None, sign=True, stamp=None, body=None, webhook=None):
    session = session or uuid.uuid4().hex
    stamp = stamp or str(int(time.time() * 1000))
    payload = body if body is not None else json.dumps({
        "msgtype": "text", "text": {"content": text}, "msgId": msg_id or uuid.uuid4().hex,
        "conversationId": "cid-1", "senderId": f"user-{session}", "senderStaffId": f"staff-{session}",
        "sessionWebhook": webhook or f"{platforms.base}/robot/sendBySession?session={session}",
    }).encode()
    headers = {"Content-Type": "application/json", "timestamp": stamp}
    if sign:
        headers["sign"] = dingtalk_sign.sign(stamp, DINGTALK_SECRET)
    status, answer = request(f"{bot.url}/webhooks/dingtalk/webhook", payload, headers)
    return session, status, answer


def test_dingtalk_question_in_right_answer_out(bot, platforms):
    session, status, _ = dingtalk(bot, platforms, "账期保障怎么退出")
    assert status == 200
    [answer] = platforms.wait_for("dingtalk", session)
    assert "1. 打开千牛卖家中心" in answer and "5. 点「退出」" in answer


def test_dingtalk_buttons_become_numbers_and_numbers_answer_them(bot, platforms):
    session, _, _ = dingtalk(bot, platforms, "我能退出账期保障吗")
    first = platforms.wait_for("dingtalk", session)[-1]
    assert "回复数字选择" in first and "1. 有\n2. 没有\n3. 不确定" in first
    dingtalk(bot, platforms, "2", session=session)  # 没有 (no open dispute)
    second = platforms.wait_for("dingtalk", session, count=2)[-1]
    assert "强制类目" in second


def test_dingtalk_refuses_bad_signatures_and_replays(bot, platforms):
    for kwargs in [{"sign": False}, {"stamp": str(int(time.time() * 1000) - 2 * 3600 * 1000)}]:
        session, status, _ = dingtalk(bot, platforms, "账期保障怎么退出", **kwargs)
        assert status == 401
    stamp = str(int(time.time() * 1000))
    status, _ = request(f"{bot.url}/webhooks/dingtalk/webhook", b"{}",
                        {"timestamp": stamp, "sign": dingtalk_sign.sign(stamp, "wrong-secret")})
    assert status == 401
    time.sleep(1)
    assert platforms.texts("dingtalk", session) == []  # nothing reached the bot


@pytest.mark.parametrize("body", [b"{not json", b"[1]", json.dumps({"msgtype": "picture"}).encode(),
                                  json.dumps({"msgtype": "text", "text": "x"}).encode(),
                                  # without a msgId a replay could not be told from a new message
                                  json.dumps({"msgtype": "text", "text": {"content": "x"}, "senderId": "u1"}).encode()])
def test_dingtalk_malformed_bodies_get_a_clear_400(bot, platforms, body):
    _, status, answer = dingtalk(bot, platforms, "", body=body)
    assert status == 400 and answer


@pytest.mark.parametrize("text, reply", [("退" * 3000, "消息太长了"), ("\x00\x01🙂", None)])
def test_dingtalk_odd_messages_get_a_polite_reply(bot, platforms, text, reply):
    session, status, _ = dingtalk(bot, platforms, text)
    assert status == 200
    [answer] = platforms.wait_for("dingtalk", session)
    assert answer and (reply is None or reply in answer)


def test_dingtalk_sender_over_the_limit_is_refused(bot, platforms):
    body = json.dumps({"msgtype": "text", "text": {"content": "hi"}, "msgId": uuid.uuid4().hex,
                       "senderId": "u" * 300}).encode()
    _, status, answer = dingtalk(bot, platforms, "", body=body)
    assert status == 400 and "sender" in answer


def test_dingtalk_duplicate_delivery_is_answered_once(bot, platforms):
    session, _, _ = dingtalk(bot, platforms, "账期保障是什么", msg_id="dup-1")
    dingtalk(bot, platforms, "账期保障是什么", session=session, msg_id="dup-1")
    platforms.wait_for("dingtalk", session)
    time.sleep(1.5)
    assert len(platforms.texts("dingtalk", session)) == 1


def test_dingtalk_foreign_session_webhook_is_never_called(bot, platforms):
    session, status, answer = dingtalk(bot, platforms, "账期保障怎么退出",
                                       webhook="http://127.0.0.1:9/robot/sendBySession?session=x")
    assert status == 200 and "千牛卖家中心" in json.loads(answer)["text"]["content"]


def test_dingtalk_send_api_down_then_up(bot, platforms):
    platforms.down = True
    try:
        session, status, _ = dingtalk(bot, platforms, "账期保障怎么退出")
        assert status == 200
        time.sleep(0.8)
        assert platforms.texts("dingtalk", session) == []
    finally:
        platforms.down = False
    assert "千牛卖家中心" in platforms.wait_for("dingtalk", session)[0]  # a retry got through


# -------------------------------------------------------------------- WeCom
def wecom_post(bot, user, text, msg_id=None, msg_type="text", tamper=False, raw=None, stamp=None):
    return request(*wecom_callback(bot, user, text, msg_id, msg_type, tamper, raw, stamp))


def wecom_callback(bot, user, text, msg_id=None, msg_type="text", tamper=False, raw=None, stamp=None,
                   with_id=True):
    """(url, body, headers) of a signed WeCom message callback: sent again as is, it is a replay."""
    msg_id_element = f"<MsgId>{msg_id or uuid.uuid4().int % 10**18}</MsgId>" if with_id else ""
    inner = (f"<xml><ToUserName><![CDATA[{WECOM['corp_id']}]]></ToUserName>"
             f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>1476422779</CreateTime>"
             f"<MsgType><![CDATA[{msg_type}]]></MsgType><Content><![CDATA[{text}]]></Content>"
             f"{msg_id_element}<AgentID>1000002</AgentID></xml>")
    encrypted = wecom_crypto.encrypt(inner, WECOM["aes_key"], WECOM["corp_id"])
    stamp, nonce = stamp or str(int(time.time())), "1597212914"
    sig = wecom_crypto.signature(WECOM["token"], stamp, nonce, encrypted)
    if tamper:
        sig = "0" * 40
    body = raw if raw is not None else (
        f"<xml><ToUserName><![CDATA[{WECOM['corp_id']}]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>").encode()
    query = urllib.parse.urlencode({"msg_signature": sig, "timestamp": stamp, "nonce": nonce})
    return f"{bot.url}/webhooks/wecom/webhook?{query}", body, {"Content-Type": "text/xml"}


def test_wecom_url_verification_with_the_published_sample(bot):
    query = urllib.parse.urlencode({
        "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "timestamp": "1476416373",
        "nonce": "47744683",
        "echostr": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="})
    assert request(f"{bot.url}/webhooks/wecom/webhook?{query}", method="GET") == (200, "1288432023552776189")
    bad = query.replace("012bc692", "112bc692")
    assert request(f"{bot.url}/webhooks/wecom/webhook?{bad}", method="GET")[0] == 401


def test_wecom_question_in_right_answer_out_with_a_cached_token(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    assert wecom_post(bot, user, "退出后钱多久能用") == (200, "")
    [answer] = platforms.wait_for("wecom", user)
    assert "15天" in answer and "不可用余额" in answer
    calls = platforms.token_calls
    wecom_post(bot, user, "账期保障是什么")
    platforms.wait_for("wecom", user, count=2)
    assert platforms.token_calls == calls  # the access token was reused
    sent = [s for s in platforms.sent if s["api"] == "wecom" and s["body"]["touser"] == user]
    assert all(s["query"]["access_token"].startswith("tok-") and s["body"]["agentid"] == "1000002"
               for s in sent)


def test_wecom_expired_token_is_refreshed(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    calls = platforms.token_calls
    platforms.expire_token_once = True
    wecom_post(bot, user, "账期保障怎么退出")
    assert "千牛卖家中心" in platforms.wait_for("wecom", user)[0]
    assert platforms.token_calls == calls + 1


def test_wecom_long_answers_are_split_to_2048_bytes(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    wecom_post(bot, user, "我能退出账期保障吗")
    first = platforms.wait_for("wecom", user)[0]
    assert all(len(t.encode()) <= 2048 for t in platforms.texts("wecom", user))
    assert "1. 有" in first  # buttons as a numbered list
    wecom_post(bot, user, "1")  # 有: an open dispute
    assert "强制类目" in platforms.wait_for("wecom", user, count=2)[-1]


def test_wecom_refuses_bad_signature_malformed_xml_and_unknown_types(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    assert wecom_post(bot, user, "账期保障是什么", tamper=True)[0] == 401
    assert wecom_post(bot, user, "", raw=b"<xml><Encrypt>")[0] == 400
    assert wecom_post(bot, user, "", raw=b"not xml at all")[0] == 400
    assert wecom_post(bot, user, "", raw=b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>')[0] == 400
    assert wecom_post(bot, user, "", msg_type="event")[0] == 400
    time.sleep(1)
    assert platforms.texts("wecom", user) == []


def test_wecom_duplicate_delivery_is_answered_once(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    wecom_post(bot, user, "账期保障是什么", msg_id="777")
    wecom_post(bot, user, "账期保障是什么", msg_id="777")
    platforms.wait_for("wecom", user)
    time.sleep(1.5)
    assert len(platforms.texts("wecom", user)) == 1


def test_wecom_replays_are_refused_or_answered_once_even_after_a_restart(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    assert wecom_post(bot, user, "账期保障是什么", stamp=str(int(time.time()) - 3600))[0] == 401  # stale
    with_id = wecom_callback(bot, user, "账期保障是什么")
    without_id = wecom_callback(bot, user, "退出后钱多久能用", with_id=False)
    assert request(*with_id) == (200, "") and request(*without_id) == (200, "")
    platforms.wait_for("wecom", user, count=2)
    assert request(*with_id) == (200, "") and request(*without_id) == (200, "")  # captured and sent again
    bot.stop("rasa")
    bot.start("rasa")
    assert request(*with_id) == (200, "") and request(*without_id) == (200, "")
    time.sleep(1.5)
    assert len(platforms.texts("wecom", user)) == 2


def test_wecom_send_api_down_then_up_keeps_the_conversation(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    platforms.down = True
    try:
        wecom_post(bot, user, "账期保障怎么退出")
        time.sleep(0.8)
        assert platforms.texts("wecom", user) == []
    finally:
        platforms.down = False
    assert "千牛卖家中心" in platforms.wait_for("wecom", user)[0]
    events = bot.tracker(f"wecom:{user}")["events"]
    assert any(e["event"] == "user" and e["text"] == "账期保障怎么退出" for e in events)


# ------------------------------------------------- hand-off on both platforms
def handoff(bot, action, conversation_id, text=None):
    body = {"conversation_id": conversation_id, **({"text": text} if text else {})}
    return request(f"{bot.url}/webhooks/handoff/{action}", json.dumps(body, ensure_ascii=False).encode(),
                   {"Content-Type": "application/json", "Authorization": f"Bearer {HANDOFF_TOKEN}"})


def test_dingtalk_seller_gets_the_agents_reply_and_the_bot_back(bot, platforms):
    session, _, _ = dingtalk(bot, platforms, "转人工")
    assert "转接人工客服" in platforms.wait_for("dingtalk", session)[-1]
    conversation = f"dingtalk:cid-1:staff-{session}"  # ':' in the id: no URL encoding involved
    assert handoff(bot, "reply", conversation, "您好，我是客服小王")[0] == 200
    # The session webhook may have expired: the agent's message goes through the open API.
    assert platforms.wait_for("dingtalk", session, count=2)[-1] == "您好，我是客服小王"
    assert any(s["path"] == "/v1.0/robot/oToMessages/batchSend" for s in platforms.sent)
    assert handoff(bot, "resume", conversation)[0] == 200
    assert "继续为您解答" in platforms.wait_for("dingtalk", session, count=3)[-1]
    assert handoff(bot, "resume", conversation)[0] == 409
    dingtalk(bot, platforms, "账期保障怎么退出", session=session)
    assert "千牛卖家中心" in platforms.wait_for("dingtalk", session, count=4)[-1]


def test_wecom_seller_gets_the_agents_reply_and_the_bot_back(bot, platforms):
    user = f"wx-{uuid.uuid4().hex[:8]}"
    wecom_post(bot, user, "转人工")
    assert "转接人工客服" in platforms.wait_for("wecom", user)[-1]
    assert handoff(bot, "reply", f"wecom:{user}", "您好，这边帮您查一下")[0] == 200
    assert platforms.wait_for("wecom", user, count=2)[-1] == "您好，这边帮您查一下"
    assert handoff(bot, "resume", f"wecom:{user}")[0] == 200
    assert "继续为您解答" in platforms.wait_for("wecom", user, count=3)[-1]
    assert handoff(bot, "reply", f"wecom:{user}", "too late")[0] == 409
    wecom_post(bot, user, "退出后钱多久能用")
    assert "15天" in platforms.wait_for("wecom", user, count=4)[-1]
    assert "too late" not in platforms.texts("wecom", user)


def test_the_handoff_api_needs_its_token(bot):
    body = json.dumps({"conversation_id": "wecom:someone"}).encode()
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        assert request(f"{bot.url}/webhooks/handoff/resume", body,
                       {"Content-Type": "application/json", **headers})[0] == 401
    assert handoff(bot, "resume", f"wecom:nobody-{uuid.uuid4().hex[:6]}")[0] == 404
    assert request(f"{bot.url}/webhooks/handoff/reply", b"[1]", {"Content-Type": "application/json",
                   "Authorization": f"Bearer {HANDOFF_TOKEN}"})[0] == 400
