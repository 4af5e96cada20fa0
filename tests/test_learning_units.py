"""What the bot missed, labels, and the training data they become (core/learning.py, desk/inbox.py, issue #16)."""
import pytest
import sqlalchemy as sa

from core.learning import mask_personal_data, misses, new_answers_report, training_examples
from desk.inbox import LabelError, check_label, inbox, label_choices
from stores import miss_labels

PARSE_UNSURE = {"intent": {"name": "nlu_fallback", "confidence": 0.6},
                "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.6}, {"name": "faq", "confidence": 0.3},
                                   {"name": "out_of_scope", "confidence": 0.1}],
                "response_selector": {"faq": {"ranking": [
                    {"intent_response_key": "faq/exit_steps", "confidence": 0.5},
                    {"intent_response_key": "faq/exit_fails", "confidence": 0.4}]}}}


def user(text, ts, parse=None):
    return {"event": "user", "text": text, "timestamp": ts, "parse_data": parse or {}}


def bot(text, utter, ts):
    return {"event": "bot", "text": text, "timestamp": ts, "metadata": {"utter_action": utter}}


def conversation():
    return [
        {"event": "action", "name": "action_listen", "timestamp": 0},
        user("账期保障怎么退出", 1), bot("退出账期保障的步骤：…", "utter_faq/exit_steps", 1.1),
        user("那个保障咋撤销啊 找不到", 2, PARSE_UNSURE), bot("您是不是想问：", "utter_clarify", 2.1),
        user("/out_of_scope", 3), bot("我手上的资料里没有…", "utter_out_of_scope", 3.1),
        user("88VIP的钱啥时候到", 4), bot("我手上的资料里没有…", "utter_out_of_scope", 4.1),
        user("退出后钱多久能用", 5), bot("退出前买家已经拍下的订单…", "utter_faq/money_after_exit", 5.1),
        {"event": "slot", "name": "answer_feedback", "timestamp": 6,
         "value": {"rating": "down", "message": "退出前买家已经拍下的订单…", "answer_ts": 5.1}},
        user("EXTERNAL: handoff_timeout", 7), bot("我手上的资料里没有…", "utter_out_of_scope", 7.1),
        user("/request_human", 8), bot("我手上的资料里没有…", "utter_out_of_scope", 8.1),
    ]


def test_declined_messages_none_of_these_and_thumbs_down_are_misses_with_reply_and_candidates():
    found = misses("seller-1", conversation())
    assert [(m["text"], m["reason"]) for m in found] == [
        ("那个保障咋撤销啊 找不到", "none_of_these"), ("88VIP的钱啥时候到", "declined"),
        ("退出后钱多久能用", "thumbs_down")]
    menu = found[0]
    assert menu["reply"] == ["您是不是想问："]
    assert [c["label"] for c in menu["candidates"]] == ["faq/exit_steps", "faq/exit_fails", "out_of_scope"]
    assert menu["candidates"][0]["confidence"] == pytest.approx(0.15)
    assert len({m["id"] for m in found}) == 3
    assert misses("seller-1", conversation())[0]["id"] == menu["id"]  # stable: a label finds it again
    assert misses("seller-2", conversation())[0]["id"] != menu["id"]


def test_a_later_thumbs_up_takes_the_thumbs_down_back():
    events = conversation() + [{"event": "slot", "name": "answer_feedback", "timestamp": 9,
                                "value": {"rating": "up", "answer_ts": 5.1}}]
    assert "退出后钱多久能用" not in [m["text"] for m in misses("s", events)]


def test_a_thumbs_down_on_an_agents_reply_is_not_the_bots_miss():
    events = [user("转人工", 1), bot("好的，正在为您转接", "utter_handoff", 1.1),
              user("你好 在吗", 2), {"event": "bot", "text": "您好，我是客服小王", "timestamp": 2.1,
                                      "metadata": {"agent": True}},
              {"event": "slot", "name": "answer_feedback", "timestamp": 3,
               "value": {"rating": "down", "answer_ts": 2.1}}]
    assert misses("s", events) == []


def test_the_question_answered_just_before_a_seller_asks_for_a_person_is_a_miss():
    events = [user("账期保障是什么", 1), bot("账期保障是…", "utter_faq/what_is", 1.1),
              user("退了以后那笔钱咋整", 2, {"intent": {"name": "faq", "confidence": 0.8}}),
              bot("退出后…", "utter_faq/money_after_exit", 2.1),
              user("你说的不对 我要人工", 3, {"intent": {"name": "request_human", "confidence": 0.9}}),
              bot("好的，正在为您转接", "utter_handoff", 3.1)]
    assert [(m["text"], m["reason"]) for m in misses("s", events)] == [("退了以后那笔钱咋整", "handed_over")]
    # The button does the same; a question already declined keeps its first reason.
    declined = [user("88VIP的钱啥时候到", 1), bot("我手上的资料里没有…", "utter_out_of_scope", 1.1),
                user("/request_human", 2), bot("好的，正在为您转接", "utter_handoff", 2.1)]
    assert [(m["text"], m["reason"]) for m in misses("s", declined)] == [("88VIP的钱啥时候到", "declined")]
    button = events[:4] + [user("/request_human", 3), bot("好的，正在为您转接", "utter_handoff", 3.1)]
    assert [m["reason"] for m in misses("s", button)] == ["handed_over"]
    # Not a miss: a greeting before the request, a message an agent answered, a second request for a person.
    hello = [user("你好", 1, {"intent": {"name": "greet", "confidence": 0.9}}), bot("您好…", "utter_greet", 1.1),
             user("人工", 2, {"intent": {"name": "request_human", "confidence": 0.9}}), bot("好的", "utter_handoff", 2.1)]
    assert misses("s", hello) == []
    by_agent = [user("退了以后那笔钱咋整", 1, {"intent": {"name": "faq", "confidence": 0.8}}),
                {"event": "bot", "text": "我帮您查一下", "timestamp": 1.1, "metadata": {"agent": True}},
                user("/request_human", 2), bot("好的", "utter_handoff", 2.1)]
    assert misses("s", by_agent) == []
    again = [user("转人工", 1, {"intent": {"name": "request_human", "confidence": 0.9}}), bot("好的", "utter_handoff", 1.1),
             user("人呢 快点转人工", 2, {"intent": {"name": "request_human", "confidence": 0.9}}),
             bot("好的", "utter_handoff", 2.1)]
    assert misses("s", again) == []


def test_answered_conversations_have_no_misses():
    assert misses("s", [user("账期保障是什么", 1), bot("账期保障是…", "utter_faq/what_is", 1.1)]) == []
    assert misses("s", []) == []


def test_the_inbox_lists_unlabelled_misses_newest_first():
    found = misses("seller-1", conversation())
    listed = inbox([("seller-1", conversation())], {found[1]["id"]}, limit=10)
    assert [m["text"] for m in listed["items"]] == ["退出后钱多久能用", "那个保障咋撤销啊 找不到"]
    assert listed["total"] == 2
    assert len(inbox([("seller-1", conversation())], set(), limit=1)["items"]) == 1


@pytest.mark.parametrize("text, masked", [
    ("我是张三，手机13812345678 订单3456789012345678怎么退", "我是某某，手机1********** 订单****************怎么退"),
    ("我叫李小龙", "我叫某某"),
    ("我是卖家 怎么退出账期保障", "我是卖家 怎么退出账期保障"),
    ("我是新手，请问账期保障是什么", "我是新手，请问账期保障是什么"),
    ("退出要15天吗", "退出要15天吗"),
    ("电话 138-1234-5678 或 +86 13912345678", "电话 1********** 或 1**********"),
    ("卡号 6222 0212 3456 7890 邮箱 abc.d@qq.com", "卡号 **** **** **** **** 邮箱 ***@***"),
    ("加我微信号 wxid_abc123 我姓王", "加我微信号 *** 我姓某"),
])
def test_personal_data_is_masked_and_ordinary_words_are_not(text, masked):
    assert mask_personal_data(text) == masked


def test_labels_become_examples_masked_deduplicated_with_where_they_came_from():
    labels = [
        {"kind": "intent", "value": "faq/exit_steps", "text": "那个保障咋撤销啊 找不到", "agent": "小王",
         "labelled_at": "2026-12-03", "conversation_id": "seller-1", "reason": "none_of_these"},
        {"kind": "intent", "value": "faq/exit_steps", "text": "那个保障 咋撤销啊，找不到！", "agent": "小李"},
        {"kind": "out_of_scope", "text": "88VIP的钱啥时候到 我是王五", "agent": "小王"},
        {"kind": "intent", "value": "faq/exit_steps", "text": "账期保障怎么退出", "agent": "小王"},
        {"kind": "new_answer", "text": "退出要手续费吗", "note": "等运营确认", "agent": "小王"},
        {"kind": "skip", "text": "哈哈", "agent": "小王"},
    ]
    grouped = training_examples(labels, existing=["账期保障怎么退出？"])
    assert {intent: [e["text"] for e in examples] for intent, examples in grouped.items()} == {
        "faq/exit_steps": ["那个保障咋撤销啊 找不到"], "out_of_scope": ["88VIP的钱啥时候到 我是某某"]}
    source = grouped["faq/exit_steps"][0]["source"]
    assert "小王" in source and "2026-12-03" in source and "seller-1" not in source
    report = new_answers_report(labels)
    assert "退出要手续费吗" in report and "等运营确认" in report
    assert new_answers_report(labels[:1]) is None


CHOICES = label_choices({"utter_faq/exit_steps": [{"text": "…", "metadata": {"question": "怎么退出账期保障"}}],
                         "utter_greet": [{"text": "你好"}]})


def test_the_choices_are_the_faq_topics_with_their_questions_and_the_intents():
    assert CHOICES[0] == {"value": "faq/exit_steps", "title": "怎么退出账期保障"}
    assert {"value": "ask_can_exit", "title": "ask_can_exit"} in CHOICES
    assert not any(c["value"] in ("faq", "nlu_fallback", "out_of_scope") for c in CHOICES)


@pytest.mark.parametrize("body, complaint", [
    (None, "JSON object"), ({"kind": "guess", "agent": "a"}, '"kind"'), ({"kind": "skip"}, '"agent"'),
    ({"kind": "intent", "value": "faq/nonexistent", "agent": "a"}, '"value"'),
    ({"kind": "new_answer", "agent": "a"}, '"note"'), ({"kind": "skip", "agent": "a", "note": 5}, '"note"'),
])
def test_labels_the_bot_cannot_learn_from_are_refused_with_the_reason(body, complaint):
    with pytest.raises(LabelError, match=complaint):
        check_label(body, CHOICES)


def test_a_good_label_is_accepted_as_given():
    assert check_label({"kind": "intent", "value": "faq/exit_steps", "agent": " 小王 "}, CHOICES) == (
        "intent", "faq/exit_steps", None, "小王")
    assert check_label({"kind": "out_of_scope", "value": "faq/exit_steps", "agent": "小王", "note": " "},
                       CHOICES) == ("out_of_scope", None, None, "小王")


def test_labels_are_stored_with_who_and_when_and_a_new_label_replaces_the_old():
    engine = sa.create_engine("sqlite://")
    miss_labels.create_tables(engine)
    miss = misses("seller-1", conversation())[0]
    with engine.begin() as connection:
        miss_labels.save(connection, miss, "skip", None, None, "小王", now=100.0)
        miss_labels.save(connection, miss, "intent", "faq/exit_steps", None, "小李", now=200.0)
    with engine.connect() as connection:
        assert miss_labels.labelled_ids(connection) == {miss["id"]}
        [label] = miss_labels.all_labels(connection)
    assert (label["kind"], label["value"], label["agent"], label["labelled_at"], label["text"]) == (
        "intent", "faq/exit_steps", "小李", 200.0, "那个保障咋撤销啊 找不到")


def figures(failed, hard=(), singles=10, conversations=4):
    return {"single_messages": singles, "conversations": conversations, "failed": list(failed), "hard": list(hard),
            "single_correct": 1 - sum(f.startswith("single") for f in failed) / singles,
            "conversations_correct": 1 - sum(f.startswith("conversation") for f in failed) / conversations}


def test_the_guard_refuses_a_candidate_worse_on_any_set():
    from scripts.learn import worse

    current = {"eval": figures(["single: a", "single: b"]), "fresh": figures([])}
    assert worse(current, current) == []
    # Better on one set, the same on the other: accepted.
    assert worse(current, {"eval": figures(["single: a"]), "fresh": figures([])}) == []
    # A contradiction or wrong verdict the current model does not make: refused.
    reasons = worse(current, {"eval": figures(["single: a", "single: b", "single: x"], hard=["single: x"]),
                              "fresh": figures([])})
    assert [r for r in reasons if "new contradictions" in r and "single: x" in r]
    # A case newly wrong, even traded for another on the same set or made up for on another set: refused.
    reasons = worse(current, {"eval": figures(["single: a", "single: c"]), "fresh": figures([])})
    assert reasons == ["eval: 1 cases newly wrong (single messages 80.0% → 80.0%, conversations 100.0% → 100.0%): "
                       "single: c"]
    reasons = worse(current, {"eval": figures([]), "fresh": figures(["conversation: chain"])})
    assert reasons and reasons[0].startswith("fresh: 1 cases newly wrong") and "conversations 100.0% → 75.0%" in reasons[0]


def test_export_writes_rasa_training_data_that_survives_quotes_newlines_and_comments(tmp_path):
    from rasa.shared.nlu.training_data.loading import load_data

    from scripts.learn import export

    learned, report = tmp_path / "learned.yml", tmp_path / "report.md"
    assert export([], learned, report)["examples"] == 0 and not learned.exists()  # no labels: no file
    tricky = '他说: "退出 #账期保障" 怎么弄\n第二行 \\ 还有'
    emoji_codes = "[微笑][微笑] 账期保障在[哪里](找) 退呀"  # Rasa would read "[..](..)" as an entity
    labels = [{"kind": "intent", "value": "faq/how_to_exit", "text": tricky, "agent": "小王", "labelled_at": 0.0},
              {"kind": "intent", "value": "faq/how_to_exit", "text": emoji_codes, "agent": "小王"},
              {"kind": "out_of_scope", "text": "88VIP的钱啥时候到账啊朋友", "agent": "小李", "labelled_at": 0.0}]
    written = export(labels, learned, report)
    assert written["examples"] == 3 and written["intents"] == ["faq/how_to_exit", "out_of_scope"]
    examples = {m.get("text"): m.get("intent_response_key") or m.get("intent")
                for m in load_data(str(learned)).training_examples}
    assert examples[tricky.strip()] == "faq/how_to_exit" and examples["88VIP的钱啥时候到账啊朋友"] == "out_of_scope"
    assert examples["［微笑］［微笑］ 账期保障在［哪里］(找) 退呀"] == "faq/how_to_exit"
    assert "1970-01-01" in learned.read_text(encoding="utf-8")
    # Another export (another machine, no labels there yet) keeps what the file has; a relabel replaces.
    assert export([], learned, report)["examples"] == 3
    relabelled = [{"kind": "out_of_scope", "text": tricky, "agent": "小李"}]
    export(relabelled, learned, report)
    examples = {m.get("text"): m.get("intent_response_key") or m.get("intent")
                for m in load_data(str(learned)).training_examples}
    assert examples[tricky.strip()] == "out_of_scope" and len(examples) == 3


def test_the_evaluation_servers_get_nothing_live(tmp_path):
    from pathlib import Path

    from scripts.learn import evaluation_env

    live = {"TRACKER_DB_URL": "postgresql://prod", "DB_HOST": "db", "REDIS_HOST": "redis", "BIND_HOST": "0.0.0.0",
            "HANDOFF_WEBHOOK_URL": "https://crm", "WECOM_SECRET": "s", "RASA_AUTH_TOKEN": "live-token",
            "PATH": "/usr/bin"}
    env = evaluation_env(live, Path("candidate.tar.gz"), tmp_path)
    assert not {"TRACKER_DB_URL", "DB_HOST", "REDIS_HOST", "HANDOFF_WEBHOOK_URL", "WECOM_SECRET"} & set(env)
    assert env["BIND_HOST"] == "127.0.0.1" and env["TRACKER_DB"] == str(tmp_path / "tracker.db")
    assert env["RASA_AUTH_TOKEN"] != "live-token" and env["MODEL"] == "candidate.tar.gz" and env["PATH"] == "/usr/bin"
