"""What the bot missed in real conversations, and how a labelled miss becomes training data. No Rasa imports.

A *miss* is a message a seller typed that the bot did not serve well, read from
the conversation's stored events:

- ``declined``: the bot said it cannot answer or did not understand
  (``utter_out_of_scope``, ``utter_default``) or, after two such turns,
  offered a person (``utter_offer_person``);
- ``none_of_these``: the bot asked "您是不是想问…" and the seller answered
  "都不是" (the menu's last button): the miss is the message that led to the menu;
- ``thumbs_down``: the seller rated an answer 👎: the miss is the message it answered;
- ``handed_over``: the seller asked for a person right after the bot answered: the miss is the message the bot
  answered (maybe misunderstood; an agent skips it when the seller simply wanted a person).

Each miss keeps the bot's reply and its top candidates (``core/ranking.py``),
so an agent can label it with a topic or intent the bot already has, as out of
scope, or as needing a new answer (``desk/`` stores the labels,
``scripts/learn.py`` exports them with :func:`training_examples`).
"""
import hashlib
import re
import time
from typing import Any, Callable, Dict, Iterable, List, Optional

from core.intent_rules import is_follow_up, is_question
from core.ranking import meanings
from core.stats import NO_ANSWER_RESPONSES, useful_question
from core.transcript import intent_of, typed_by_seller

CLARIFY = "utter_clarify"
NONE_OF_THESE_PAYLOAD = "/out_of_scope"  # the payload of the menu's "都不是" button (actions/clarification.py)
REASONS = ("declined", "none_of_these", "thumbs_down", "handed_over")
ASK_FOR_PERSON = "request_human"
ANSWERED = ("faq", "ask_can_exit")  # what a question the bot answers is classified as
MAX_CANDIDATES = 3
# How an agent labels a miss: an intent or FAQ topic the bot has, out of scope, a new answer, or skipped.
LABEL_KINDS = ("intent", "out_of_scope", "new_answer", "skip")


def miss_id(conversation_id: str, timestamp: Any) -> str:
    """A stable id for the message of ``conversation_id`` sent at ``timestamp``."""
    return hashlib.sha256(f"{conversation_id}\n{timestamp}".encode("utf-8")).hexdigest()[:20]


def _candidates(parse: Dict[str, Any]) -> List[Dict[str, Any]]:
    ranked = []
    for meaning in meanings(parse):
        ranked.append({"label": meaning.topic or meaning.intent, "confidence": round(meaning.confidence, 4)})
    ranked.sort(key=lambda c: c["confidence"], reverse=True)
    return ranked[:MAX_CANDIDATES]


def _turns(events: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The user messages, each with the bot's events up to the next one (``typed``: by the seller)."""
    turns: List[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "user":  # a reminder's message (the hand-off timer) too: what follows it is not an answer
            turns.append({"user": event, "bot": [], "typed": typed_by_seller(event)})
        elif kind == "bot" and turns:
            turns[-1]["bot"].append(event)
    return turns


def _utters(turn: Dict[str, Any]) -> List[str]:
    return [(e.get("metadata") or {}).get("utter_action") or "" for e in turn["bot"]]


def _rated_down(events: Iterable[Dict[str, Any]]) -> set:
    """Timestamps of the answers whose latest rating is 👎."""
    latest: Dict[Any, str] = {}
    for event in events:
        if event.get("event") == "slot" and event.get("name") == "answer_feedback":
            value = event.get("value")
            if isinstance(value, dict) and value.get("answer_ts") is not None:
                latest[value["answer_ts"]] = value.get("rating")
    return {stamp for stamp, rating in latest.items() if rating == "down"}


def _asks_for_person(user: Dict[str, Any]) -> bool:
    return intent_of(user) == ASK_FOR_PERSON or str(user.get("text") or "").strip() == f"/{ASK_FOR_PERSON}"


def _answered_by_bot(turn: Dict[str, Any]) -> bool:
    """A question the seller typed that the bot (not an agent) answered or checked."""
    return (turn["typed"] and intent_of(turn["user"]) in ANSWERED and bool(turn["bot"])
            and not any((e.get("metadata") or {}).get("agent") for e in turn["bot"]))


def misses(conversation_id: str, events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The misses of one conversation, in the order they happened (one per message, first reason wins)."""
    turns = _turns(events)
    rated_down = _rated_down(events)
    found: Dict[int, str] = {}
    for index, turn in enumerate(turns):
        utters = _utters(turn)
        if any(u in NO_ANSWER_RESPONSES for u in utters):
            found.setdefault(index, "declined")
        answered_none = index + 1 < len(turns) and turns[index + 1]["user"].get("text") == NONE_OF_THESE_PAYLOAD
        if CLARIFY in utters and answered_none:
            found.setdefault(index, "none_of_these")
        # A 👎 on what an agent wrote at the desk is not the bot's miss.
        if any(e.get("timestamp") in rated_down and not (e.get("metadata") or {}).get("agent") for e in turn["bot"]):
            found.setdefault(index, "thumbs_down")
        if index and _asks_for_person(turn["user"]) and _answered_by_bot(turns[index - 1]):
            found.setdefault(index - 1, "handed_over")
    result = []
    for index in sorted(found):
        user, bot = turns[index]["user"], turns[index]["bot"]
        if not turns[index]["typed"] or not useful_question(user.get("text")):
            continue
        result.append({
            "id": miss_id(conversation_id, user.get("timestamp")),
            "conversation_id": conversation_id,
            "timestamp": user.get("timestamp"),
            "text": user["text"],
            "reason": found[index],
            "reply": [e["text"] for e in bot if e.get("text")],
            "candidates": _candidates(user.get("parse_data") or {}),
        })
    return result


# Personal data never goes into training data: phone numbers, order and account numbers, names.
_PHONE = re.compile(r"(?:\+?86[\s-]?)?(?<!\d)1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_LONG_NUMBER = re.compile(r"\d(?:[\s-]?\d){5,}")  # order, account and card numbers, also in groups of four
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ACCOUNT = re.compile(r"(微信号?|vx|wx|v信|旺旺号?|qq号?|支付宝账?号?)\s*[:：是为]?\s*[A-Za-z0-9_.@-]{3,}", re.IGNORECASE)
_SURNAME = re.compile(r"(我姓)([\u4e00-\u9fff])")
_NAME = re.compile(r"(我叫|我是|本人是?|我的名字是)\s*([\u4e00-\u9fff]{2,3})(?=$|[\s，,。.！!？?、;；])")
# What follows 我是 in sellers' messages far more often than a name.
_NOT_NAMES = re.compile(r"^(卖家|买家|商家|新手|店主|老板|个人|企业|淘宝|天猫|新店|老店|小店|做|卖|开|刚|这|那|一个|第一)")


def mask_personal_data(text: str) -> str:
    """``text`` with e-mail addresses, chat accounts, phone numbers, long numbers (orders, accounts, cards) and
    names after 我叫 / 我是 / 我姓 masked."""
    text = _EMAIL.sub("***@***", text)
    text = _ACCOUNT.sub(lambda m: m.group(1) + " ***", text)
    text = _PHONE.sub("1**********", text)
    text = _LONG_NUMBER.sub(lambda m: re.sub(r"\d", "*", m.group()), text)
    text = _SURNAME.sub(r"\1某", text)

    def name(match: "re.Match[str]") -> str:
        return match.group(0) if _NOT_NAMES.match(match.group(2)) else match.group(1) + "某某"

    return _NAME.sub(name, text)


def normalized_key(text: str) -> str:
    """The form two examples are compared in: no spaces or punctuation, lower case."""
    return re.sub(r"[\s\W_]+", "", text).lower()


# Sentence-final particles that do not change what a message says ("怎么退出啊" is "怎么退出"); 吗, 呢, 嘛 and
# 吧 only where what is left still asks ("怎么退出呢"), not where they make the question ("有维权吗" / "有维权").
_FINAL_PARTICLES = re.compile(r"[啊呀哦哈啦诶哇]+$")
_QUESTION_PARTICLES = re.compile(r"[吗呢嘛吧]+$")
# What mask_personal_data() leaves: a masked message no longer says what the seller said.
_MASKED = re.compile(r"某某|我姓某|\*{3,}")
# Written by source_note(): marks the examples of data/nlu/learned.yml among the training data.
LEARNED_SOURCE = "labelled by "


def learned_key(text: str, normalize: Callable[[str], str] = lambda t: t) -> str:
    """The form a seller's message is matched against labelled messages in: read as the model reads
    (``normalize``: traditional characters, typos, pinyin), without spaces, punctuation, case or the final
    particles that change nothing. Two messages with one key say the same thing in the same words."""
    key = _FINAL_PARTICLES.sub("", normalized_key(normalize(text)))
    asked = _QUESTION_PARTICLES.sub("", key)
    return asked if asked != key and is_question(asked) else key


def unlearnable(text: str, normalize: Callable[[str], str] = lambda t: t) -> Optional[str]:
    """Why the labelled (masked) ``text`` cannot be answered as labelled wherever a seller writes it, or None.

    ``masked``: masking changed it ("我是某某 能退吗" stood for 我是食品类 as well as for a name);
    ``context``: a reply or a follow-up ("没维权", "都交了", "那怎么退", "一年多少钱") means what the
    conversation before it makes it mean.
    """
    if _MASKED.search(text):
        return "masked"
    canonical = normalize(text)
    if not is_question(canonical) or is_follow_up(canonical):
        return "context"
    return None


def is_learned(source: Any) -> bool:
    """Whether an example's ``source`` metadata says it came from an agent's label (source_note())."""
    return isinstance(source, str) and source.startswith(LEARNED_SOURCE)


def training_examples(labels: Iterable[Dict[str, Any]], existing: Iterable[str],
                      key: Callable[[str], str] = normalized_key) -> Dict[str, List[Dict[str, Any]]]:
    """intent (or ``faq/<topic>``) → new examples ``{"text", "source"}`` from agents' labels.

    Only labels of kind ``intent`` (an intent or topic the bot has) and
    ``out_of_scope`` become examples; texts are masked, and one already among
    ``existing`` (or given twice) is left out.
    """
    seen = {key(text) for text in existing}
    grouped: Dict[str, List[Dict[str, Any]]] = {}
    for label in labels:
        if label.get("kind") not in ("intent", "out_of_scope"):
            continue
        intent = "out_of_scope" if label["kind"] == "out_of_scope" else label.get("value")
        text = mask_personal_data(str(label.get("text") or "")).strip()
        compared = key(text)
        if not intent or not compared or compared in seen:
            continue
        seen.add(compared)
        grouped.setdefault(intent, []).append({"text": text, "source": source_note(label)})
    return grouped


def _day(when: Any) -> str:
    """A label's date: stored as seconds since the epoch, or already a date."""
    if isinstance(when, (int, float)):
        return time.strftime("%Y-%m-%d", time.gmtime(when))
    return str(when or "?")[:10]


def source_note(label: Dict[str, Any]) -> str:
    """Where an example came from: who labelled it, when, and which conversation (hashed)."""
    conversation = hashlib.sha256(str(label.get("conversation_id") or "").encode("utf-8")).hexdigest()[:10]
    return (f"{LEARNED_SOURCE}{label.get('agent') or '?'} on {_day(label.get('labelled_at'))}; "
            f"conversation {conversation} ({label.get('reason') or 'miss'})")


def new_answers_report(labels: Iterable[Dict[str, Any]]) -> Optional[str]:
    """A short Markdown report of the misses that need an answer the bot does not have (None when none)."""
    lines = [f"- 「{mask_personal_data(str(label.get('text') or ''))}」: {label.get('note') or '(no note)'}"
             f" ({label.get('agent') or '?'}, {_day(label.get('labelled_at'))})"
             for label in labels if label.get("kind") == "new_answer"]
    if not lines:
        return None
    return "# Questions that need a new answer\n\nFor whoever owns the knowledge (../shared/knowledge/facts.md).\n\n" \
        + "\n".join(lines) + "\n"
