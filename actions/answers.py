"""Read a seller's yes / no / don't-know out of Chinese text.

Two uses, one set of cue words:
- ``parse_reply``: the seller answers a question the bot asked ("有两个", "没",
  "不是", "不清楚").
- ``mention_polarity``: the seller states a fact in passing ("店里有个订单还在维权",
  "维权都处理完了", "没交保证金"), and NLU marked where the fact is mentioned.

Cues are checked from the most specific to the most general, so "还没处理完"
(still open) is not mistaken for a plain "没" (no). Text is expected in the
normalised form of ``actions.normalization``. Nothing here imports Rasa.
"""
import re
from typing import Optional, Sequence

from actions.eligibility import Answer, Fact

UNKNOWN_CUES = ("不知道", "不清楚", "不确定", "不太确定", "不太清楚", "不记得", "忘了", "不太懂", "说不准", "不懂", "没注意", "不晓得")

# Phrases that mean "still going on" although they contain a negation.
STILL_OPEN_CUES = ("没处理完", "没处理好", "没解决", "未解决", "没结束", "未结束", "没完结", "未完结",
                   "还没好", "没关闭", "未处理", "没处理", "处理中", "进行中", "还在")
# Phrases that mean "over", "gone" without a negation word: a dispute closed,
# forced-category items taken off sale.
DISPUTE_CLOSED_CUES = ("处理完", "处理好了", "解决了", "结束了", "完结了", "关闭了", "都撤了", "撤销了")
DELISTED_CUES = ("下架了", "都下了", "已经下架")
NEGATIVE_CUES = ("没有", "没得", "木有", "没", "无", "不是", "不在", "不用", "未", "不", "否", "no", "nope")
POSITIVE_CUES = ("有", "是", "对", "嗯", "恩", "yes", "yep", "ok", "交了", "开了", "加入了", "买了",
                 "参加了", "在卖", "卖着", "有的", "好像有", "应该有")

# Which resolved / still-open phrases apply to which fact: "下架了" ends a
# forced-category listing, not a dispute.
_RESOLVED_FOR = {
    Fact.DISPUTE: DISPUTE_CLOSED_CUES,
    Fact.FORCED: DELISTED_CUES,
    Fact.COVERED: (),
}
_STILL_OPEN_FOR = {
    Fact.DISPUTE: STILL_OPEN_CUES,
    Fact.FORCED: ("还在",),
    Fact.COVERED: (),
}

_CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？\n]|但是|不过|可是|而且|另外")
# Longest answer still read as a bare reply rather than a sentence about something else.
MAX_REPLY_CHARS = 12


def _contains_any(text: str, cues: Sequence[str]) -> bool:
    return any(cue in text for cue in cues)


def _starts_with_any(text: str, cues: Sequence[str]) -> bool:
    return any(text.startswith(cue) for cue in cues)


def parse_reply(text: str, fact: Fact) -> Optional[Answer]:
    """The answer a short reply gives to the bot's question about ``fact``.

    Returns None when the text is not a recognisable reply (too long, or no cue),
    so the caller can treat it as something else (an FAQ question, say).
    """
    reply = text.strip().lower()
    if not reply or len(reply) > MAX_REPLY_CHARS:
        return None
    if _contains_any(reply, UNKNOWN_CUES):
        return Answer.UNKNOWN
    if _contains_any(reply, _STILL_OPEN_FOR[fact]):
        return Answer.YES
    if _contains_any(reply, _RESOLVED_FOR[fact]):
        return Answer.NO
    if _starts_with_any(reply, NEGATIVE_CUES):
        return Answer.NO
    if _starts_with_any(reply, POSITIVE_CUES):
        return Answer.YES
    return None


# Phrases with a negation word that do not deny the fact: "能不能退出", "退不了".
QUESTION_PATTERNS = ("能不能", "可不可以", "行不行", "会不会", "要不要", "用不用", "退不了", "退不掉",
                     "退不出", "不能退", "不了")
# Words that may stand between a mention and its verb: "维权的订单都没有", "保证金还没交".
_FILLER = re.compile(r"^(的|订单|单子|商品|宝贝|东西|都|还|也|已经|现在|目前)+")
# How far before a mention a negation still applies to it ("没有在卖强制类目").
NEGATION_REACH = 6


def _clause_bounds(text: str, start: int, end: int) -> "tuple[int, int]":
    """Start and end of the clause of ``text`` that holds the span ``start:end``."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right_match = _CLAUSE_BREAK.search(text, end)
    return left, right_match.start() if right_match else len(text)


def _mask_questions(text: str) -> str:
    """Blank out negations that belong to a question, keeping offsets intact."""
    for pattern in QUESTION_PATTERNS:
        text = text.replace(pattern, "_" * len(pattern))
    return text


def mention_polarity(text: str, start: int, end: int, fact: Fact) -> Answer:
    """Whether the clause mentioning ``fact`` at ``start:end`` affirms or denies it.

    "店里有个订单还在维权" → YES, "没有维权" → NO, "维权都处理完了" → NO,
    "保证金还没交" → NO, "不知道有没有维权" → UNKNOWN.
    """
    text = text.lower()
    left, right = _clause_bounds(text, start, end)
    clause = text[left:right]
    if _contains_any(clause, UNKNOWN_CUES) or "有没有" in clause or "是否" in clause:
        return Answer.UNKNOWN
    if _contains_any(clause, _STILL_OPEN_FOR[fact]):
        return Answer.YES
    if _contains_any(clause, _RESOLVED_FOR[fact]):
        return Answer.NO
    masked = _mask_questions(text)
    before = masked[max(left, start - NEGATION_REACH):start]
    after = _FILLER.sub("", masked[end:right])
    if _contains_any(before, NEGATIVE_CUES) or _starts_with_any(after, NEGATIVE_CUES):
        return Answer.NO
    return Answer.YES
