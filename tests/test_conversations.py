"""Whole conversations over the REST channel against the real servers of `make run`."""
import re
import uuid

import pytest

from tests.bot_server import BotServer

pytestmark = pytest.mark.model

EXIT_PATH = ["千牛卖家中心", "淘宝服务", "消费者保障服务", "账期保障", "退出"]


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    server = BotServer(tmp_path_factory.mktemp("bot")).start()
    yield server
    code = server.stop()
    server.stop_all()
    assert code in (0, 143), "serve.sh did not stop cleanly on SIGTERM"


@pytest.fixture
def sender():
    return f"seller-{uuid.uuid4().hex[:8]}"


def texts(replies):
    return "\n".join(r.get("text", "") for r in replies)


def buttons(replies):
    return [b for r in replies for b in r.get("buttons", [])]


def numbered_steps(answer):
    return [line for line in answer.splitlines() if re.match(r"\d+\. ", line)]


def shows_exit_path(replies):
    """One of the replies lists the five places of K2 as numbered steps, in order."""
    for reply in replies:
        steps = numbered_steps(reply.get("text", ""))
        if len(steps) == len(EXIT_PATH) and all(
                step.startswith(f"{i}. ") and place in step
                for i, (step, place) in enumerate(zip(steps, EXIT_PATH, strict=False), start=1)):
            return True
    return False


def test_how_to_exit_gives_the_numbered_path(bot, sender):
    for question in ["账期保障怎么退出", "賬期保障怎麼關閉？", "zqbz在哪取消啊"]:
        replies = bot.say(sender, question)
        assert shows_exit_path(replies), texts(replies)


def test_money_after_exit_answer(bot, sender):
    answer = texts(bot.say(sender, "退出后钱多久能用"))
    assert "15天" in answer and "不可用余额" in answer and "确认收货" in answer


def test_a_blocker_in_the_first_message_settles_the_verdict_at_once(bot, sender):
    replies = bot.say(sender, "店里有个订单还在维权，能退出吗")
    verdict = texts(replies)
    assert "店里现在有没有还在维权中" not in verdict, "asked about 维权 although the seller said so"
    assert "退不了" in verdict and "维权处理完" in verdict
    assert "如果店里有在售的强制类目商品" in verdict  # the other cause, named as possible
    assert not shows_exit_path(replies)


def test_two_protections_denied_together_are_both_denied(bot, sender):
    # A seller-tester's conversation: "订单险和保证金我都没有" was read as covered, and a shop selling
    # dresses (a forced category, K11) without either was told it could leave.
    replies = bot.say(sender, "我有个问题 维权没结束的话能退出账期保障吗 还有就是订单险和保证金我都没有 我卖的是连衣裙")
    replies += bot.say(sender, "没有")
    verdict = texts(replies)
    assert "应该可以直接退出" not in verdict and "退不了" in verdict and "强制类目" in verdict, verdict
    assert not shows_exit_path(replies)


def test_yes_go_on_in_the_middle_of_the_check_does_not_stop_it(bot, sender):
    # A seller-tester's conversation: "那行 帮我检查" was taken for "stop" by its word 检查 alone.
    bot.say(sender, "我想退账期保障")
    bot.say(sender, "你先说说退了有啥影响")
    replies = texts(bot.say(sender, "那行 帮我检查"))
    assert "先不检查了" not in replies and "维权" in replies, replies


def test_facts_in_the_first_message_are_not_asked_again(bot, sender):
    replies = bot.say(sender, "维权都处理完了，能退出吗")
    assert "维权中" not in texts(replies) and "强制类目" in texts(replies)
    verdict = texts(bot.say(sender, "没有"))
    assert "应该可以直接退出" in verdict


def test_exit_check_by_buttons_ends_with_steps_and_money(bot, sender):
    replies = bot.say(sender, "/ask_can_exit")
    assert [b["title"] for b in buttons(replies)] == ["有", "没有", "不确定"]
    bot.say(sender, "/deny")  # no open dispute
    replies = bot.say(sender, "/affirm")  # sells in a forced category
    assert "保证金" in texts(replies)  # so the coverage question comes
    replies = bot.say(sender, "/affirm")  # has deposit or insurance
    verdict = texts(replies)
    assert "应该可以直接退出" in verdict and "以千牛页面的提示为准" in verdict
    assert "只接受订单险" in verdict  # K9 hedge
    assert shows_exit_path(replies)
    assert "15天" in verdict and "不可用余额" in verdict


def test_typed_answers_and_unknowns(bot, sender):
    bot.say(sender, "我能退出账期保障吗")
    bot.say(sender, "不清楚")
    bot.say(sender, "有两个")
    verdict = texts(bot.say(sender, "没交"))
    assert "退不了" in verdict and "交这个类目的消保保证金" in verdict
    assert "如果店里有还没结束的维权订单" in verdict  # the unknown fact, conditional


def test_faq_in_the_middle_then_back_to_the_check(bot, sender):
    bot.say(sender, "帮我检查能不能退出")
    replies = bot.say(sender, "账期保障是什么")
    assert "不可用余额" in texts(replies)
    assert "维权" in texts(replies[-1:])  # the pending question again
    bot.say(sender, "没有")
    verdict = texts(bot.say(sender, "没有"))
    assert "应该可以直接退出" in verdict


def test_a_question_beside_a_reply_to_the_check_is_answered(bot, sender):
    bot.say(sender, "帮我检查能不能退出")
    replies = texts(bot.say(sender, "没有维权 对了退了以后之前那些订单的钱还压着吗"))
    assert "不可用余额" in replies and "强制类目" in replies  # the answer, then the next question


def test_a_correction_right_after_the_verdict_changes_it(bot, sender):
    bot.say(sender, "帮我检查能不能退出")
    assert "现在还退不了" in texts(bot.say(sender, "有"))
    replies = texts(bot.say(sender, "哦不对 其实没有 那个已经结束了"))
    assert "更正" in replies and "现在还退不了" not in replies and "强制类目" in replies


def test_stopping_the_check_to_ask_something_else(bot, sender):
    bot.say(sender, "我想退账期保障")
    replies = texts(bot.say(sender, "算了不查了 我想问退出以后钱多久能用"))
    assert "先不检查了" in replies and "15天" in replies and "维权中" not in replies


def test_yes_to_the_offer_of_the_check_starts_it(bot, sender):
    assert buttons(bot.say(sender, "账期保障退不掉怎么办"))
    assert "维权" in texts(bot.say(sender, "可以"))


@pytest.mark.parametrize("understood", ["收到", "明白了", "嗯嗯 知道了"])
def test_understood_after_a_decline_neither_is_declined_nor_hands_over(bot, sender, understood):
    bot.say(sender, "讲个笑话")  # declined, with a 转人工 button
    answer = texts(bot.say(sender, understood))
    assert "还有别的问题随时问我" in answer
    assert "转接" not in answer and "资料里没有" not in answer


def test_a_seller_who_takes_leaving_back_and_asks_how_to_join_gets_the_joining_path(bot, sender):
    replies = bot.say(sender, "我不想退了 我想问怎么开通")
    assert "申请加入" in texts(replies) and not shows_exit_path(replies)


@pytest.mark.parametrize("abuse", ["傻逼机器人", "垃圾客服 一问三不知"])
def test_abuse_is_offered_a_person_not_handed_over(bot, sender, abuse):
    replies = bot.say(sender, abuse)
    assert "转接" not in texts(replies) and "抱歉" in texts(replies)
    assert any(b["payload"] == "/request_human" for b in buttons(replies))


def test_cancel_stops_the_check(bot, sender):
    bot.say(sender, "我能退出账期保障吗")
    assert "先不检查了" in texts(bot.say(sender, "算了"))
    answer = texts(bot.say(sender, "账期保障怎么退出"))
    assert "千牛卖家中心" in answer and "维权中" not in answer


@pytest.mark.parametrize("question", ["88VIP怎么开通", "直通车怎么扣费", "我是买家，退款多久到账",
                                      "讲个笑话", "asdfghjkl"])
def test_out_of_scope_is_declined_with_an_offer_of_a_person(bot, sender, question):
    replies = bot.say(sender, question)
    answer = texts(replies)
    assert "账期保障是消费者保障服务" not in answer and "千牛卖家中心" not in answer
    assert any(b["payload"] == "/request_human" for b in buttons(replies)) or "转人工" in answer


def test_handoff(bot, sender):
    assert "人工客服" in texts(bot.say(sender, "转人工"))


@pytest.mark.parametrize("message", ["", "   ", "😀😀😀", "<script>alert(1)</script>",
                                     "<img src=x onerror=alert(1)>", "\u0000\u0001", "退" * 2000])
def test_odd_messages_get_a_reply_and_keep_the_conversation(bot, sender, message):
    bot.say(sender, "我能退出账期保障吗")
    bot.say(sender, message)  # must not fail (checked inside say: HTTP 200)
    verdict = texts(bot.say(sender, "没有")) + texts(bot.say(sender, "没有"))
    assert "应该可以直接退出" in verdict


@pytest.mark.parametrize("body", [
    b"{not json", b"", b"\xff\xfe\x00", b"[1, 2]", b"null",
    b'{"message": "hi"}',  # no sender: must not land in a shared conversation
    b'{"sender": "", "message": "hi"}', b'{"sender": "x"}', b'{"sender": "x", "message": 5}',
    b'{"sender": "x", "message": "hi", "metadata": [1]}',
    ('{"sender": "x", "message": "%s"}' % ("退" * 2001)).encode("utf-8"),
])
def test_malformed_requests_get_a_clear_400(bot, body):
    status, reason = bot.post("/webhooks/rest/webhook", body)
    assert status == 400, (body, status, reason)
    assert reason, "the 400 must say what is wrong"


def test_a_refused_request_leaves_the_conversation_as_it_was(bot, sender):
    bot.say(sender, "我能退出账期保障吗")
    before = len(bot.tracker(sender)["events"])
    status, _ = bot.post("/webhooks/rest/webhook",
                         ('{"sender": "%s", "message": "%s"}' % (sender, "x" * 3000)).encode())
    assert status == 400
    assert len(bot.tracker(sender)["events"]) == before
    assert "应该可以直接退出" in texts(bot.say(sender, "没有") + bot.say(sender, "没有"))


def test_conversation_is_stored(bot, sender):
    bot.say(sender, "账期保障是什么")
    events = bot.tracker(sender)["events"]
    assert any(e["event"] == "user" and e["text"] == "账期保障是什么" for e in events)


def test_unsure_message_gets_did_you_mean_buttons_that_lead_to_answers(bot, sender):
    replies = bot.say(sender, "退出")
    assert "您是不是想问" in texts(replies)
    options = buttons(replies)
    assert len(options) >= 3 and options[-1] == {"title": "都不是", "payload": "/out_of_scope"}
    for option in options[:-1]:
        followed = bot.say(sender, option["payload"])
        assert "您是不是想问" not in texts(followed), option
        if option["payload"] == "/ask_can_exit":
            bot.say(sender, "算了")
    assert "我手上的资料里没有" in texts(bot.say(sender, "/out_of_scope"))
