"""Which answers a message gets: one per question asked, using what the seller said.

No Rasa imports. The input is Rasa's parse data of the latest message (a plain
dict) and the facts known so far; the output is response names of domain.yml.
"""
import re
from typing import Any, Dict, List, Optional, Text

from core.eligibility import Answer, Blocker, Facts, Outcome, assess, blockers
from core.intent_rules import is_other_product, subject_of
from core.shop_facts import COVER_VERB, DOUBTS_AMOUNT, amounts
from core.verdict_responses import cause_responses, responses_for

MAX_ANSWERS = 3
OUT_OF_SCOPE = "out_of_scope"  # a question of the message about something else: declined in its place
# FAQ topics asking why the exit fails: once the seller has said something about
# their shop, the answer names the causes that fit it instead of all of them.
CAUSE_TOPICS = {"exit_fails", "dispute_blocks_exit"}
# A question about a blocker's topic that really asks why the exit fails:
# "我没有强制类目的商品 为啥还是退不了".
EXIT_FAILS_CUES = ("退不了", "退不掉", "退不出", "还是退", "无法退出", "退出失败", "不能退出", "退不成", "点不了",
                   "不让退", "退出不了", "退出不成功", "还是不行", "关不了", "关不掉", "不让关", "取消不了")
# "退出账期保障还失败", "关账期保障 系统不让": the exit named, then its failure.
_EXIT_THEN_FAILS = re.compile(r"(退|关|取消|解除)\S{0,10}(失败|报错|不成功|不让|不行|failed)")
FACT_TOPICS = {"forced_category", "what_is", "how_to_exit", "deposit", "insurance"}
# "我没开账期保障 为什么钱也压着": the seller says they never joined, so answers
# about 账期保障's hold would contradict them.
_NOT_JOINED = re.compile(r"(没|未|没有|从来没|从没|不曾)(开|加入|参加|开通|报名|申请|签)(过)?(这个)?(账期|zqbz)|"
                         r"(账期保障|账期|zqbz)(我们|我|都|也|从来|根本)*(没|未|没有|从来没)(开|加入|参加|开通|报名)")
# "没开账期保障 为什么钱也压着": the not-joined answer is about money held; "没开账期保障 能卖衣服吗" is not.
_MONEY_HELD = re.compile(r"钱|款|余额|压|冻结|到账|提现")
HOLD_TOPICS = {"hold_rules", "why_join", "what_is", "money_after_exit", "aftersales_during_hold", "other_15_days"}
# Why a shop that never joined is told it cannot exit is not in the material.
EXIT_TOPICS = {"exit_fails", "how_to_exit", "dispute_blocks_exit", "exit_timing"}


def _topic(intent: Optional[Text], topic: Optional[Text]) -> Optional[Text]:
    if intent == "faq" and topic and "/" in topic:
        return topic.split("/", 1)[1]
    return None


def is_unsure(ranking: List[Dict[Text, Any]], threshold: float, margin: float) -> bool:
    """Whether a ResponseSelector ranking is too weak or too close to trust (components/faq_gate.py)."""
    if not ranking:
        return True
    top = ranking[0].get("confidence", 0.0)
    second = ranking[1].get("confidence", 0.0) if len(ranking) > 1 else 0.0
    return top < threshold or top - second < margin


def sure_topic(parse: Dict[Text, Any], threshold: float, margin: float) -> Optional[Text]:
    """The FAQ topic the answer selector chose for ``parse``, if it is sure of it (see :func:`is_unsure`)."""
    selector = (parse.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    unsure = is_unsure(selector.get("ranking") or [], threshold, margin)
    return key.split("/", 1)[1] if "/" in key and not unsure else None


def asked_topics(parse: Dict[Text, Any]) -> List[Text]:
    """The FAQ topics the message asks about, in order, without repeats."""
    selected = (((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {})
    whole = _topic((parse.get("intent") or {}).get("name"), selected.get("intent_response_key"))
    questions = parse.get("questions") or []
    found = [OUT_OF_SCOPE if q.get("intent") == "out_of_scope" else _topic(q.get("intent"), q.get("topic"))
             for q in questions]
    if found and all(f == OUT_OF_SCOPE for f in found):  # "抖店有没有账期保障 怎么退"
        return [OUT_OF_SCOPE]
    # "为啥钱要压15天，能不能提前解冻": the second part is out of scope, but the answer to the first (the hold)
    # is the nearest the material has, and says that there is no early release; no decline after it. A part
    # about another product ("天猫的怎么退") is still declined, so the answer is not taken to apply to it.
    answered = set(found)
    found = [f for f, q in zip(found, questions, strict=True)
             if not (f == OUT_OF_SCOPE and _topic("faq", q.get("topic")) in answered
                     and not is_other_product(q.get("text") or ""))]
    if not any(f and f != OUT_OF_SCOPE for f in found):  # nothing in scope understood on its own
        found = [whole]
    topics: List[Text] = []
    for topic in found:
        if topic and topic not in topics:
            topics.append(topic)
    return topics[:MAX_ANSWERS]


def says_exit_fails(text: Text) -> bool:
    """Whether the seller says their exit fails ("退不掉", "点退出提示失败"); "能不能退出" asks, it does not say."""
    text = re.sub(r"\s", "", text.replace("能不能", ""))
    return any(cue in text for cue in EXIT_FAILS_CUES) or bool(_EXIT_THEN_FAILS.search(text))


def _said(events: List[Dict[Text, Any]]) -> List[Text]:
    """What the seller wrote in this conversation, message by message (normalised where NLU saw it)."""
    return [(e.get("parse_data") or {}).get("text") or e.get("text") or "" for e in events if e.get("event") == "user"]


def said_exit_fails(events: List[Dict[Text, Any]]) -> bool:
    """Whether the seller said in this conversation that their exit fails ("退出失败了 但是我没有维权啊")."""
    return any(says_exit_fails(text) for text in _said(events))


# "订单险买了", "我们开了订单险": the seller has 订单险 (normalised text; "订单险没买" is not).
_HAS_INSURANCE = re.compile(r"(?<![没未不])(买|开|开通|加入|加|参加|投保|有)(了|过|着)?(这个)?订单险|"
                            r"订单险(也|都|早就|已经|之前)?(买|开|开通|加入|加|参加|投保|有|交)(了|过|着|好)")


def said_insurance(events: List[Dict[Text, Any]]) -> bool:
    """Whether the seller said in this conversation that they have 订单险."""
    return any(_HAS_INSURANCE.search(text) and "吗" not in text for text in _said(events))


def said_deposit_amount(events: List[Dict[Text, Any]]) -> bool:
    """Whether the seller named an amount they paid ("交了500", "保证金交了两千": enough depends on the category's
    standard, N1), or doubted it is enough ("不知道够不够")."""
    return any(DOUBTS_AMOUNT.search(text) or (amounts(text) and (COVER_VERB.search(text) or "保证金" in text))
               for text in _said(events))


def verdict_responses(facts: Facts, events: List[Dict[Text, Any]]) -> List[Text]:
    """The verdict's responses; for a seller who said the exit fails although no cause the material knows is
    left, "you can exit" comes with "if it still fails, the cause is not in the material: a person". The
    reminder that some categories take 订单险 only is left out for a seller who said they have 订单险."""
    verdict = assess(facts)
    names = responses_for(verdict)
    if verdict.outcome is Outcome.CAN_EXIT and said_exit_fails(events):
        names.insert(1, "utter_causes_beyond_material")  # "still fails? not in the material: a person"
    if "utter_note_insurance_only" in names and said_insurance(events):
        names.remove("utter_note_insurance_only")
    if (facts.forced is not Answer.NO and facts.covered in (Answer.YES, Answer.UNKNOWN)
            and said_deposit_amount(events)):
        after = [i for i, name in enumerate(names) if name in ("utter_exit_steps", "utter_after_blockers")]
        names.insert(after[0] if after else len(names), "utter_note_deposit_amount")
    return names


def causes_before_check(facts: Facts) -> List[Text]:
    """Why the exit fails, said before the check asks what is still unknown.

    Without any fact the general answer; the check's own questions replace the
    offer to check.
    """
    if not facts.any_known:
        return ["utter_faq/exit_fails"]
    return [name for name in cause_responses(facts) if name != "utter_offer_exit_check"]


# "算了不查了 我想问…": the seller stops the check and asks something else.
_STOPS_CHECK = re.compile(r"算了|不查了|不用查|别查|先不查|不检查|不用检查|不测了|先不弄|不弄了|不用帮我|改主意|"
                          r"不退了|不关了|不想退了|先不退|不打算退")


def stops_check(text: Text) -> bool:
    """Whether the seller says to stop the exit check (inside a message that asks something else)."""
    return bool(_STOPS_CHECK.search(re.sub(r"\s", "", text)))


def says_not_joined(text: Text) -> bool:
    """Whether the seller says their shop never joined 账期保障 ("我没开账期保障", "账期保障我都没加入")."""
    return bool(_NOT_JOINED.search(re.sub(r"\s", "", text)))


# The seller repeats the advice to be sure of it: "那我等它结束再退就行了吧", "先交保证金再退出对吧".
# "再退", "就能关了"; not "以后能退吗" / "退回来" (the 保证金 coming back).
_THEN_EXIT = r"\S{0,6}(再|就|然后|才)\S{0,3}(去)?(退(?!回|还|钱|款|保证金)|关|取消|解除)"
_PLANS = (
    (Blocker.DISPUTE, re.compile(r"(等\S{0,10}|维权|纠纷)\S{0,6}(结束|处理完|处理好|完了|完结|关闭|撤|判)" + _THEN_EXIT)),
    (Blocker.FORCED_CATEGORY, re.compile(r"(交|缴|补|买|加入|加|开|上)\S{0,6}(保证金|订单险)" + _THEN_EXIT + "|"
                                         r"(保证金|订单险)\S{0,4}(交|缴|补|买|加入|开)\S{0,4}" + _THEN_EXIT)),
)


# What "等它结束" waits for: the 维权 named, or one the seller said is open ("它", "这个").
_DISPUTE_NAMED = re.compile(r"维权|纠纷")
_POINTS_BACK = re.compile(r"等(它|他|她|这个|那个|这些|那些|这单|那单|这笔|那笔|买家)")


def plan_confirmed(text: Text, facts: Facts) -> Optional[Blocker]:
    """The blocker whose remedy the seller repeats to check it, if they do ("等维权结束再退就行吧").

    "等15天结束再退" waits for something else: not a 维权 plan.
    """
    compact = re.sub(r"\s", "", text)
    for blocker, pattern in _PLANS:
        if not pattern.search(compact):
            continue
        if blocker is Blocker.DISPUTE and not (_DISPUTE_NAMED.search(compact) or (
                _POINTS_BACK.search(compact) and facts.dispute is Answer.YES)):
            continue
        return blocker
    return None


def confirm_plan(blocker: Blocker, facts: Facts) -> List[Text]:
    """Yes to the remedy the seller named, then what else may still block the exit."""
    certain, possible = blockers(facts)
    others = [b for b in list(certain) + list(possible) if b is not blocker]
    names = [f"utter_confirm_plan_{blocker.value}"]
    if others:
        names.append("utter_also_check")
    names += [f"utter_{'blocker' if b in certain else 'possible_blocker'}_{b.value}" for b in others]
    return names


# "我能开账期保障吗", "…要怎么开？": whether or how one may join is answered by how to join (the page decides).
_CAN_JOIN = re.compile(r"(能|可以|能不能|可不可以|能否|怎么|如何|咋)\S{0,2}(开|加入|参加|开通|申请)")
# The 15-day hold named: "为啥我的钱要冻结十五天".
_HOLD_NAMED = re.compile(r"15天|十五天|半个月|不可用余额|账期")


_ALREADY_EXITED = re.compile(r"(已经|都|刚|早就)(退|关|取消)(了|出了|掉了|出)")
_NOT_EXITING = re.compile(r"(不是|不|没)(要|想|打算)(退|关)")
_ASKS_WHAT = re.compile(r"干嘛|干什么|是什么|是啥|什么东西|啥意思|什么意思|有什么用|有啥用")


def _refined(topic: Text, facts: Facts, text: Text, asked: List[Text]) -> Text:
    """The topic where the words settle it better than the classifier: a money freeze explained by 维权 to a
    seller who said there is none, or who names the 15-day hold, is the hold; "能开吗" is how to join."""
    compact = re.sub(r"\s", "", text)
    if topic == "exit_fails" and _ALREADY_EXITED.search(compact) and not says_exit_fails(text):
        return "money_after_exit"  # "为啥啊 我都退了": why the money is still held after the exit (K3)
    if topic in EXIT_TOPICS and _NOT_EXITING.search(compact) and _ASKS_WHAT.search(compact):
        return "what_is"  # "我不是要退出 我就想知道账期保障到底是干嘛的"
    if topic == "dispute_freeze" and (facts.dispute is Answer.NO or (
            _HOLD_NAMED.search(compact) and "维权" not in compact)):
        return "hold_rules"
    if topic == "why_join" and _CAN_JOIN.search(compact) and "how_to_join" not in asked:
        return "how_to_join"
    return topic


def answers_for(topics: List[Text], facts: Facts, text: Text, causes: bool = True) -> List[Text]:
    """Response names answering ``topics``, in order; facts shape the answer on why exits fail (``causes``:
    off where the check's own verdict or question follows, so that the verdict is not said twice)."""
    planned = plan_confirmed(text, facts)
    if planned is not None:
        return confirm_plan(planned, facts)
    known = facts.any_known
    not_joined = says_not_joined(text)
    names: List[Text] = []
    for topic in topics:
        topic = _refined(topic, facts, text, topics)
        if topic == OUT_OF_SCOPE:
            chosen = ["utter_out_of_scope"]
        elif not_joined and topic in HOLD_TOPICS and _MONEY_HELD.search(text):
            chosen = ["utter_hold_not_from_zqbz"]
        elif not_joined and topic in EXIT_TOPICS:
            chosen = ["utter_out_of_scope"]
        elif causes and known and (topic in CAUSE_TOPICS or (topic in FACT_TOPICS and says_exit_fails(text))):
            chosen = cause_responses(facts)
        else:
            chosen = [f"utter_faq/{topic}"]
        names += [name for name in chosen if name not in names]
    return names


# The subject each FAQ topic is about, for follow-ups ("订单险是什么" → "一年多少钱").
TOPIC_SUBJECTS = {"insurance": "订单险", "deposit": "保证金", "deposit_topup": "保证金", "deposit_release": "保证金",
                  "dispute_freeze": "维权", "dispute_blocks_exit": "维权", "forced_category": "强制类目"}
DEFAULT_SUBJECT = "账期保障"


def conversation_subject(events: List[Dict[Text, Any]]) -> Text:
    """What the conversation is about, before its latest message: the subject the
    seller named last, or the subject of the last FAQ answer; 账期保障 otherwise."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    for event in reversed(events[:users[-1]] if users else events):
        if event.get("event") == "user":
            named = subject_of((event.get("parse_data") or {}).get("text") or event.get("text") or "")
            if named:
                return named
        elif event.get("event") == "bot":
            action = (event.get("metadata") or {}).get("utter_action") or ""
            if action.startswith("utter_faq/"):
                return TOPIC_SUBJECTS.get(action.split("/", 1)[1], DEFAULT_SUBJECT)
    return DEFAULT_SUBJECT


# A subject whose money a bare "能退吗" asks back: its topic for that, when the reading picks it.
REFUND_TOPICS = {"保证金": "deposit_release"}


def follow_up_topic(parse: Dict[Text, Any], subject: Text) -> Optional[Text]:
    """The FAQ topic of a follow-up that left its subject out, read with ``subject``.

    "那能退吗" after an answer on 保证金 still sounds like "can I leave" to the classifier; when the
    topic it picks is getting the 保证金 back, that is what the seller asks.
    """
    reading = (parse.get("with_subject") or {}).get(subject) or {}
    topic = _topic(reading.get("intent"), reading.get("topic"))
    if topic is None and reading.get("intent") == "ask_can_exit" and REFUND_TOPICS.get(subject) \
            and reading.get("topic") == f"faq/{REFUND_TOPICS[subject]}":
        return REFUND_TOPICS[subject]
    return topic
