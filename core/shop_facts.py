"""Read what a seller states about their own shop, in any message. No Rasa imports.

``read_facts(text, pending)`` returns the exit-check facts a message states, each
as yes / no / unknown:

- in passing, whatever the message is about: "没有维权订单为什么退不了" states
  ``dispute: no``; "店里有个订单还在维权，现在能退出吗" states ``dispute: yes``;
- as a reply to the question the bot is waiting on (``pending``): "交过了",
  "有的 但是快结束了", "一个都没", "我去看看".

What a message does *not* state is left out, so the caller asks instead of
guessing: questions and hypotheticals about the rules ("有维权就退不了吗",
"如果有维权能退吗", "维权是指什么 差评算吗") state nothing, and neither does a bare
"有" when no question is pending.

How: the text is cut into clauses (punctuation, spaces, 但是/不过/…). A clause
that names a fact (the words of ``fact_table``) is read around that word: what
stands between it and the previous / next named fact. A clause that names no fact
is read as a bare reply to ``pending``. Cues are checked from the most specific
to the most general, so "还没处理完" (still open) is not a plain "没" (no) and
"快结束了" (still open) is not "结束了" (closed). For one fact named twice, the
later clause wins ("上周还有维权 现在没了" → no), except that 保证金 *or* 订单险
is enough for ``covered``.
"""
import re
from typing import Callable, Dict, List, Optional, Pattern, Sequence, Tuple

from core.eligibility import Answer, Fact
from core.fact_table import FACT_TABLE

UNKNOWN = re.compile(r"不(太|是很|大)?(知道|清楚|确定|记得|懂|晓得|会看)|说不(准|好|清)|忘了|记不清|没注意|"
                     r"没(去)?(看|查|瞅)过?(?![到见出])|没留意|不好说|搞不清|没数")
# "我去看看", "等我查一下", "稍等 我看下后台": the seller goes to look and will answer; it states nothing yet
# (the check waits for the answer instead of recording "unknown"). "帮我看看" asks the bot to look.
GOING_TO_CHECK = re.compile(r"去看|看看|看一下|看下|查一下|查查|查下|瞅瞅|瞧瞧|翻翻|确认一下|核实一下|^(稍等|等下|等一下|等等|等会)")
_ASKS_TO_CHECK = re.compile(r"[帮你您]\S{0,2}(看|查|瞅|瞧|确认|核实)")
# Words that make the text around a named fact a question about it, a rule, or
# a hypothesis, not a statement about the shop.
HYPOTHESIS_BEFORE = ("有没有", "是不是", "是否", "如果", "假如", "要是", "万一", "假设", "算不算", "会不会",
                     "可能", "也许", "说不定", "明天", "将来", "以后", "下次", "快要", "要来", "还是",
                     "什么是", "什么叫", "什么算", "哪", "怎么算", "怎么处理", "怎么解决", "怎么办", "怎么还",
                     "提示", "要交", "要买", "要开", "一定要", "必须", "需要", "得交", "该交", "想卖", "想交",
                     "想买", "想开", "打算", "准备", "计划")
HYPOTHESIS_REACH = 8  # characters before a named fact read for a question or hypothesis
HYPOTHESIS_AFTER_START = ("是什么", "是指", "指的是", "指什么", "算吗", "算不算", "是不是", "吗", "么", "嘛",
                          "是啥", "有哪些", "有什么", "在哪", "怎么", "多少", "哪", "还是")
HYPOTHESIS_AFTER_ANYWHERE = ("的话", "会怎样", "会怎么样", "会不会", "以后", "之后", "一定要", "必须", "需要",
                             "要不要", "是不是", "怎么弄", "怎么交", "怎么买", "怎么开", "多久", "多长时间")
CONDITIONAL = re.compile(r"如果|假如|要是|假设|万一")
QUESTION_CUES = ("?", "吗", "么", "嘛", "什么", "如何", "哪", "为什么", "是不是", "是否", "有没有", "能不能",
                 "可不可以", "算不算", "会不会", "要不要", "多久", "多少", "是指", "几天", "还是", "好不好", "哪个")
# Doubt whether what was paid reaches the category's standard amount (N1): "交了保证金 不知道够不够" is not
# "covered", whatever verb of paying it has.
DOUBTS_AMOUNT = re.compile(r"够不够|够没够|足不足|够了?(吗|么|没|没有|不)[?？]*$|交够了?没|达(没|不)达标|交了(一)?点|"
                           r"(不知道|不清楚|不确定|不晓得|不知)\S{0,3}(够|足|达标)")
# An amount of money: "500", "800块", "1.5k", "五百", "两千", "一千五". Not a count of days, items or orders.
_AMOUNT_DIGITS = re.compile(r"(?<![0-9.])([0-9]+(?:\.[0-9]+)?)\s*(k|w|千|万)?(?![0-9.]|\s*(天|个|单|笔|件|条|款|月|年|号|日|次|%|点|分|岁|人|类))",
                            re.IGNORECASE)
_AMOUNT_CHINESE = re.compile(r"([一二两三四五六七八九]?)([千百万])([一二两三四五六七八九]?)(?!\s*(天|个|单|笔|件|条|款|多个))")
_CHINESE_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"k": 1000, "K": 1000, "千": 1000, "w": 10000, "W": 10000, "万": 10000, "百": 100}
# Below this, a paid 保证金 cannot be taken as enough: K11's example category asks 1000, and a first voluntary
# deposit is at least 1000 (N1). Whether more is enough depends on the category (the verdict says so).
LEAST_KNOWN_STANDARD = 1000


def amounts(text: str) -> List[float]:
    """The amounts of money in normalised ``text``, in yuan."""
    found = [float(number) * _UNITS.get(unit or "", 1) for number, unit, _ in _AMOUNT_DIGITS.findall(text)]
    for before, unit, after, _ in _AMOUNT_CHINESE.findall(text):
        value = _CHINESE_DIGITS.get(before, 1) * _UNITS[unit]
        if after:  # "一千五": the digit after counts in the next unit down
            value += _CHINESE_DIGITS[after] * _UNITS[unit] // 10
        found.append(value)
    return found


# Verbs of paying or joining: a reply with one is about 保证金 / 订单险 whatever was asked.
COVER_VERB = re.compile(r"(?<!成)交(?!易)|缴|买(?!家)|投保|充")
# Verbs of listing: a reply with one is about the items on sale whatever was asked
# ("不对不对 那几个链接上周就下架了" to the 保证金 question).
LISTING_VERB = re.compile(r"下架|上架|撤下|挂着|在卖|在售|停售")
# Several categories, covered differently: "一个交了保证金 另一个没有" is not covered.
PARTITION = re.compile(r"另一个|另外一个|另外的|其他的|其它的|有的(类目|交|没)|一个.{1,8}一个|"
                       r"[0-9一二两三四五六七八九十几]+个\S{0,10}[0-9一二两三四五六七八九十几]+个")
# One part of the categories left without: "3个里面2个交了保证金，1个没交", "另一个啥也没有".
_PART_NOT_COVERED = re.compile(r"(个|些|部分|类目|一半|剩下的?|其余的?)\S{0,3}(没|未)(有)?(交|缴|买|开|加|投保|弄|办)|"
                               r"(另一个|另外一个|另外的|其他的?|其它的?|剩下的?|其余的?)\S{0,4}(没|未)")
# A category that takes 订单险 only: a 保证金 does not cover it (K9).
INSURANCE_ONLY = re.compile(r"只(认|接受|要|能用|能选|收)订单险")
# A negation word in these phrases does not deny a fact: "能不能退", "退不了".
NOT_NEGATIONS = ("不对", "能不能", "可不可以", "行不行", "会不会", "要不要", "用不用", "是不是", "有没有", "退不了",
                 "退不掉", "退不出", "不能退", "不让", "不了", "不行", "不管", "不想", "不用", "不要", "不太",
                 "不会", "没法", "没办法", "没用", "没问题")
NEGATIONS = ("没有", "没得", "没", "无", "不是", "未", "不", "否", "零个", "0个", "no", "nope")
DOUBLE_NEGATION = re.compile(r"(不是|并非|并不是)(没|无)")
# Not "ok": an acknowledgement, not "yes, there is one" (a seller-tester's "ok" got the blocked verdict).
POSITIVE_STARTS = ("有", "是", "对", "嗯", "恩", "在", "yes", "yep", "确实", "存在")
COUNT = re.compile(r"[0-9一二两三四五六七八九十几好多俩仨]+\s*(个|单|笔|件|条|款)|俩|仨")
# Replies that stop the check or change the subject rather than answer it ("不用了" is not "no").
NOT_ANSWERS = ("算了", "不查了", "不用了", "不问了", "取消", "不弄了", "不想", "不要", "别查", "停", "问题",
               "问一下", "想问", "请问", "咨询", "人工", "客服", "对了", "顺便", "还有个事", "另外")
# "没有维权，哦不对有一个": the seller corrects what they just said; what follows the marker answers again.
SELF_CORRECTION = re.compile(r"^(哦|噢|喔|啊|呃|额|嗯|唉)?(不对|不是不是|错了|说错了|搞错了|记错了|(?<=[哦噢喔啊呃额嗯唉])不是)(不对)?(了|啊|哦)?")
# Hedges and filler at the start of a reply: "应该没有吧", "我们店目前一个都没有".
_LEADING = re.compile(r"^(我们|我这边|我这里|我这|这边|我|店里|店铺|我的店|咱们|目前|现在|暂时|应该|好像|估计|大概|可能|貌似|感觉|"
                      r"已经|全部|反正|其实|都|还|也|就|倒是|一个都|一单都|一件都|一个也|啊|哦|噢|额|呃|那个|这个|亲|是)+")
_AFTER_FILLER = re.compile(r"^(一个都|一单都|一个也|两个都|全都|全部|的|订单|单子|单|商品|宝贝|东西|这块|这边|方面|那里|我|也|都|还|倒是|反正|其实|是|现在|目前|已经)+")
_CLAUSE_BREAK = re.compile(r"[,.;!?，。；！？、~…\n]|但是|但|不过|可是|而且|另外|然后|并且|同时|只是|"
                           r"那(?=我|现在|是不是|还|就|怎么|要|能|可以)")
_REPEATED = re.compile(r"(.{1,3}?)\1+")
_NEGATED_CUE = re.compile(r"(没有|没|不|未|无)(及时|按时|马上|全|都|再|还|去)?$")
# "要结束了", "马上撤了": about to stop is still going on.
_ABOUT_TO = re.compile(r"(要|快|将|马上|即将|准备|打算)(就)?$")
# A negation right before the fact's name governs the whole phrase: "没有强制类目商品在售".
_ADJACENT_NEGATION = re.compile(r"((没有|没|无|不是|未|木有|没得)(在卖|卖|在售|什么|啥|任何|一个|一单)?|不(做|卖|经营|碰))$")
# A negation after the fact's name denies it only when it ends there ("维权没有", "维权一个都没"),
# not when it belongs to a verb of another fact ("强制类目的也没交保证金").
_AFTER_NEGATION = re.compile(r"^(没有|没得|没|无|不是|未|零|0)(个|单|件|笔|了|的|啊|呢|呀|吧|哦|有|$)")
_COVER_VERB_NEGATION = re.compile(r"^(没|未|不|还没|没有)(交|缴|充|存|付|补|买|加|开|参加|加入|投保|办|弄|搞)")
# "关了影响权重不", "能退不": a question without a question word.
_TAG_QUESTION = re.compile(r"(不|没)[?？]*$|(.)不\2")
# "…就能退了吗", "…才可以关吗": the clause is a condition on the exit.
THEN_CLAUSE = re.compile(r"(就|才)(能|可以|行|好|可)")
# What a rule does to the exit: a question with one in the same clause asks about the rule.
RULE_EFFECT = re.compile(r"挡|卡着|卡住|影响|阻止|导致|妨碍|拦")
# "交没交", "开没开": whether, not a denial.
_WHETHER = re.compile(r"(\S)[没不]\1")
_WAITING_FOR = re.compile(r"等(到|着|这个|那个|这些|那些)?$")
NEGATION_REACH = 8  # characters before a named fact that a negation still reaches
AFTER_REACH = 12  # characters after a named fact read for its verb ("保证金早就已经交了")
MAX_REPLY_CHARS = 16  # a longer clause that names no fact is not a bare reply
MAX_BARE_MENTION = 2  # "维权？" : a clause that is little more than the fact's name


# Words of asking, for telling a question from a statement the classifier took for one ("之前有一个 已经关了").
_ASKING = QUESTION_CUES + ("呢", "怎", "咋", "啥", "多长", "几时", "？")


def asks_something(text: str) -> bool:
    """Whether normalised ``text`` asks anything at all."""
    return _has_any(text or "", _ASKING) or bool(re.search(r"(.)不\1|不[?？]*$", text or ""))  # "能退不"


def goes_to_check(text: str) -> bool:
    """Whether a message says the seller will go and look before answering ("我去看看", "等下我查一下后台")."""
    compact = re.sub(r"\s", "", text or "")
    return (bool(GOING_TO_CHECK.search(compact)) and not _ASKS_TO_CHECK.search(compact)
            and not UNKNOWN.search(compact) and not _has_any(compact, QUESTION_CUES))


def _clauses(text: str, normalize: Callable[[str], str]) -> List[str]:
    """Clauses of ``text``, each normalised; spaces separate clauses as sellers use them."""
    clauses: List[str] = []
    chunks = _join_pinyin(text.split())
    # "no dispute": an English negation word belongs to what follows it.
    for index in range(len(chunks) - 1, 0, -1):
        if (chunks[index - 1].lower().split() or [""])[-1] in ("no", "not", "without", "zero"):
            chunks[index - 1:index + 1] = [chunks[index - 1] + chunks[index]]
    for chunk in chunks:
        for clause in _CLAUSE_BREAK.split(normalize(chunk)):
            if clause.strip():
                clauses.append(clause.strip())
    return clauses


_LATIN_CHUNK = re.compile(r"[a-zA-Z]+[1-5]?[,，.。?？]?")


def _join_pinyin(chunks: List[str]) -> List[str]:
    """Spaced pinyin ("mei you wei quan") is one chunk, so the normaliser can spell it."""
    joined: List[str] = []
    for chunk in chunks:
        if joined and _LATIN_CHUNK.fullmatch(chunk) and _LATIN_CHUNK.fullmatch(joined[-1].split(" ")[-1]) \
                and not joined[-1].endswith((",", "，", ".", "。", "?", "？")):
            joined[-1] += " " + chunk
        else:
            joined.append(chunk)
    return joined


# "还有就是…", "还有个问题": the seller goes on to something else; the 有 in it is no one's possession.
_DISCOURSE = re.compile(r"还有(就是|个问题|一个问题|一点|件事|个事|一件事|个情况|一个情况)")
# Names joined into one subject: "订单险和保证金我都没有" says the same of both.
_COORDINATION = re.compile(r"(和|跟|与|及|以及|还有|、|/|或者|或)")


def _mask(text: str) -> str:
    """Blank out words whose negation denies nothing, and turns of speech that state nothing, keeping offsets."""
    for phrase in NOT_NEGATIONS:
        text = text.replace(phrase, "_" * len(phrase))
    return _DISCOURSE.sub(lambda match: "_" * len(match.group()), text)


def _coordinated_groups(clause: str, mentions: List[Tuple[Fact, int, int]]) -> List[List[int]]:
    """Indexes of mentions of one fact joined only by "和", "、", … ("订单险和保证金"), in order."""
    groups: List[List[int]] = []
    for index, (fact, start, _) in enumerate(mentions):
        if (groups and mentions[groups[-1][-1]][0] is fact
                and _COORDINATION.fullmatch(clause[mentions[groups[-1][-1]][2]:start])):
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


_MENTION_WORDS = sorted(((word, spec.fact) for spec in FACT_TABLE for word in spec.mentions),
                        key=lambda item: -len(item[0]))
_CUES: Dict[Fact, Tuple[Pattern[str], Pattern[str]]] = {
    spec.fact: tuple(re.compile("|".join(cues)) if cues else re.compile(r"(?!)")
                     for cues in (spec.true_cues, spec.false_cues))
    for spec in FACT_TABLE
}


def _find_mentions(clause: str) -> List[Tuple[Fact, int, int]]:
    """Where each fact is named in ``clause``, longest word first, without overlaps."""
    taken = [False] * len(clause)
    found: List[Tuple[Fact, int, int]] = []
    for word, fact in _MENTION_WORDS:
        for match in re.finditer(re.escape(word), clause):
            start, end = match.span()
            if not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                found.append((fact, start, end))
    return sorted(found, key=lambda item: item[1])


def _has_any(text: str, cues: Sequence[str]) -> bool:
    return any(cue in text for cue in cues)


# "什么也没有", "啥都没交" (normalised: 什么): nothing at all, not a question.
_NOTHING_AT_ALL = re.compile(r"什么(也|都)")


def _is_question(clause: str) -> bool:
    return _has_any(_NOTHING_AT_ALL.sub("", clause), QUESTION_CUES)


def _cue(pattern: Pattern[str], window: str) -> Optional[bool]:
    """None if ``pattern`` is not in ``window``; else whether it is negated ("没在卖")."""
    match = pattern.search(window)
    return None if match is None else _negated(window, match.start())


def _negated(window: str, position: int) -> bool:
    """Whether a negation stands right before ``position`` ("没在卖", "没及时补齐")."""
    return bool(_NEGATED_CUE.search(window[max(0, position - 4):position]))


def _state_cues(fact: Fact, window: str) -> Optional[Answer]:
    """The fact's own cues in ``window``: true ("还在处理", "交过了") or false ("下架了").

    For ``COVERED`` a false cue wins: "订单险开过 但过期了" is not covered.
    """
    true_cue, false_cue = _CUES[fact]
    if DOUBLE_NEGATION.search(window):
        return Answer.YES
    over = false_cue.search(window)
    over_negated = over is not None and _negated(window, over.start())
    if fact is Fact.COVERED and over is not None and not over_negated:
        return Answer.NO
    negated = _cue(true_cue, window)
    if negated is not None:
        return Answer.NO if negated else Answer.YES
    if over is not None:
        if fact is Fact.DISPUTE and _ABOUT_TO.search(window[max(0, over.start() - 3):over.start()]):
            return Answer.YES  # not over yet
        return Answer.YES if over_negated else Answer.NO
    return None


def _is_hypothesis(before: str, after: str) -> bool:
    after_head = after.lstrip("的")
    return (_has_any(before, HYPOTHESIS_BEFORE) or after.startswith(HYPOTHESIS_AFTER_START)
            or after_head.startswith(HYPOTHESIS_AFTER_START)
            or _has_any(after[:HYPOTHESIS_REACH], HYPOTHESIS_AFTER_ANYWHERE))


def _read_mention(clause: str, start: int, end: int, fact: Fact,
                  before_from: int, after_to: int) -> Optional[Answer]:
    """What ``clause`` says of the fact named at ``start:end`` (None: nothing)."""
    before = clause[max(before_from, start - NEGATION_REACH):start]
    after = clause[end:min(after_to, end + AFTER_REACH)]
    if UNKNOWN.search(clause[before_from:start]) or UNKNOWN.search(after):
        return Answer.UNKNOWN
    if _WHETHER.search(clause[before_from:start]) and UNKNOWN.search(clause[:start]):
        return Answer.UNKNOWN  # "不记得交没交保证金开没开订单险": the doubt covers both
    if fact is Fact.DISPUTE and _WAITING_FOR.search(clause[max(before_from, start - 4):start]) \
            and _CUES[fact][1].search(after):
        return Answer.YES  # "等维权结束了再退": waiting for it to end, so it is open
    if _is_hypothesis(clause[max(before_from, start - HYPOTHESIS_REACH):start], after):
        return None
    if _is_question(clause) and THEN_CLAUSE.search(after):
        return None  # "那维权结束了就能退了吗": a condition asked about, not a fact stated
    if _is_question(clause) and RULE_EFFECT.search(clause):
        return None  # "维权没结束的单子会不会挡着退出": the rule asked about, not the shop described
    if _state_cues(fact, clause[start:end]) is Answer.NO:
        # The name says it is not there ("全是普通类目"); "不是普通类目" says too little to record.
        return None if _has_any(_mask(before), NEGATIONS) or _is_question(clause) else Answer.NO
    if after.lstrip("的订单单子").startswith("就") and _is_question(clause):  # noqa: B005 - a set of characters on purpose
        return None  # "有维权就退不了吗": a rule asked about, not a fact stated
    if DOUBLE_NEGATION.search(before):
        return Answer.YES
    masked_before = _mask(before)
    if _ADJACENT_NEGATION.search(masked_before):
        return Answer.NO
    stated = _state_cues(fact, after) or _state_cues(fact, before)
    if stated is not None:
        return stated
    after_head = _AFTER_FILLER.sub("", _mask(after))
    denied_after = _AFTER_NEGATION.match(after_head) or (
        fact is Fact.COVERED and _COVER_VERB_NEGATION.match(after_head))
    if _has_any(masked_before, NEGATIONS) or denied_after:
        return Answer.NO
    if (re.search(r"(有|在|卖|是|属于)[^没不未]{0,4}$", masked_before) or COUNT.search(before + after)
            or after_head.startswith(("有", "还有", "在", "还在"))):
        return Answer.YES
    return None


def _read_reply(clause: str, fact: Fact) -> Optional[Answer]:
    """What a clause naming no fact answers to the question about ``fact``."""
    if len(clause) > MAX_REPLY_CHARS or _has_any(clause, NOT_ANSWERS):
        return None
    corrected = SELF_CORRECTION.match(clause)
    if corrected and corrected.end() < len(clause):
        clause = clause[corrected.end():]  # "哦不对有一个": the answer after the marker
    if UNKNOWN.search(clause):
        return Answer.UNKNOWN
    clause = _REPEATED.sub(r"\1", clause)  # "没有没有", "有的有的"
    if _is_question(clause):
        return None
    stated = _state_cues(fact, clause)
    if stated is not None:
        return stated
    reply = _LEADING.sub("", _mask(clause))
    if _has_any(reply, NEGATIONS):
        return Answer.NO
    if reply.startswith(POSITIVE_STARTS) or COUNT.match(reply) or clause.startswith(POSITIVE_STARTS):
        return Answer.YES
    return None


def _read_continuation(clause: str, fact: Fact) -> Optional[Answer]:
    """A clause naming no fact after one that did: "之前有过维权 早就结束了"."""
    if _is_question(clause) or (len(clause) > 3 and _TAG_QUESTION.search(clause)):
        return None  # "关了影响权重不"
    if UNKNOWN.search(clause):
        return Answer.UNKNOWN
    if PARTITION.search(clause) and _has_any(_mask(clause), NEGATIONS):
        return Answer.NO  # "另一个没有"
    if fact is Fact.COVERED and _PART_NOT_COVERED.search(clause):
        return Answer.NO  # "1个没交": one part of the categories is not covered
    return _state_cues(fact, clause)


def _forced_implied_by_cover(clause: str, mentions: List[Tuple[Fact, int, int]],
                             readings: "_Readings") -> None:
    """"强制类目的还没交保证金": saying what was paid for the forced-category items says there are some."""
    facts = [fact for fact, _, _ in mentions]
    if Fact.FORCED in facts and Fact.COVERED in facts and not readings.has(Fact.FORCED) \
            and set(readings.tools.values()) & {Answer.YES, Answer.NO} and not _is_question(clause) \
            and facts.index(Fact.FORCED) < facts.index(Fact.COVERED):
        readings.add(Fact.FORCED, Answer.YES)


def _other_fact_by_verb(clause: str, topic: Fact) -> Optional[Fact]:
    """The fact a clause naming none is about by its verb, when that is not ``topic``: paying → covered,
    listing → forced ("维权没有 东西也都下架了")."""
    if topic is not Fact.COVERED and COVER_VERB.search(clause) and not _is_question(clause):
        return Fact.COVERED
    if topic is not Fact.FORCED and LISTING_VERB.search(clause) and not COVER_VERB.search(clause) \
            and not _is_question(clause):
        return Fact.FORCED
    return None


def verb_fact(text: str) -> Optional[Fact]:
    """The fact a message is about by its verb alone: paying → covered, listing → forced ("其实没交")."""
    if COVER_VERB.search(text):
        return Fact.COVERED
    if LISTING_VERB.search(text):
        return Fact.FORCED
    return None


class _Readings:
    """What the message says, fact by fact; for ``COVERED``, tool by tool.

    The later statement about a fact (or about one tool) wins: "上周还有维权 现在没了"
    → no, "订单险开过 好像过期了" → no. Either tool covers a category ("没交保证金
    但买了订单险" → yes), except where the category takes 订单险 only (K9); and a
    category left uncovered ("一个交了保证金 另一个没有") means not covered.
    """

    def __init__(self) -> None:
        self.facts: Dict[Fact, Answer] = {}
        self.tools: Dict[str, Answer] = {}  # "保证金" / "订单险" / "reply" → what was said
        self.last_tool = "reply"

    def add(self, fact: Fact, answer: Answer, word: str = "") -> None:
        if fact is not Fact.COVERED:
            self.facts[fact] = answer
            return
        if word:
            self.last_tool = "订单险" if word in ("订单险", "insurance") else "保证金"
        self.tools[self.last_tool] = answer

    def has(self, fact: Fact) -> bool:
        return fact in self.facts or (fact is Fact.COVERED and bool(self.tools))

    def result(self, text: str) -> Dict[Fact, Answer]:
        found = dict(self.facts)
        said = list(self.tools.values())
        if INSURANCE_ONLY.search(text) and "订单险" in self.tools:
            said = [self.tools["订单险"]]
        if Answer.NO in said and PARTITION.search(text):
            found[Fact.COVERED] = Answer.NO
        elif said:
            found[Fact.COVERED] = next((a for a in (Answer.YES, Answer.NO, Answer.UNKNOWN) if a in said))
        return found


# 账期保障 itself is not 保证金 nor 订单险: "我开着账期保障呢" says nothing of them, "只开了账期保障" denies them.
_OWN_SERVICE = re.compile(r"(开|加|参加|加入|开通|有|用)(了|着|的|过)?(这个)?(账期保障|账期)(服务)?")
_ONLY_OWN = re.compile(r"(只|就|只是|仅)(开|加|参加|加入|开通|有|用)(了|着|的|过)?(这个)?(账期保障|账期)")


def _without_own_service(clause: str) -> str:
    return _OWN_SERVICE.sub(lambda match: "_" * len(match.group()), clause)


def _read_group(clause: str, mentions: List[Tuple[Fact, int, int]], group: List[int]) -> Optional[Answer]:
    """What ``clause`` says of the mentions ``group`` joins ("订单险和保证金我都没有": of both alike).

    The group is read as one name: the first that does not deny the fact by itself ("强制类目和普通类目都有在卖"
    is read as "强制类目都有在卖"), with the words before the group and after it.
    """
    first, last = mentions[group[0]], mentions[group[-1]]
    fact = first[0]
    named = next((mentions[index] for index in group
                  if _state_cues(fact, clause[mentions[index][1]:mentions[index][2]]) is not Answer.NO), first)
    name = clause[named[1]:named[2]]
    read = clause[:first[1]] + name + clause[last[2]:]
    removed = (last[2] - first[1]) - len(name)
    before_from = mentions[group[0] - 1][2] if group[0] else 0
    after_to = (mentions[group[-1] + 1][1] - removed) if group[-1] + 1 < len(mentions) else len(read)
    return _read_mention(read, first[1], first[1] + len(name), fact, before_from, after_to)


def read_facts(text: str, normalize: Callable[[str], str],
               pending: Optional[Fact] = None) -> Dict[Fact, Answer]:
    """The facts ``text`` states, reading bare replies as answers to ``pending``.

    ``normalize`` is the project's text normaliser (``core.normalization``); it
    runs on each space-separated chunk so spaces still separate clauses.
    """
    clauses = _clauses(text or "", normalize)
    only_own = any(_ONLY_OWN.search(clause) for clause in clauses)
    clauses = [_without_own_service(clause) for clause in clauses]
    whole = "".join(clauses)
    if CONDITIONAL.search(whole) and _is_question(whole):
        return {}  # "如果…都下架了 维权也处理完了 是不是就可以退了": a hypothesis throughout
    readings = _Readings()
    replies: List[str] = []
    topic: Optional[Fact] = None  # the fact the previous clauses were about
    bare_topic = False  # that clause only named it ("维权？没有的事")
    asked: List[Fact] = []  # facts a clause asks about ("有个买家申请了退款 算维权吗")
    for clause in clauses:
        mentions = _find_mentions(clause)
        if not mentions:
            if topic is None:
                replies.append(clause)
                continue
            corrected = SELF_CORRECTION.match(clause)
            if corrected and corrected.end() == len(clause):
                bare_topic = True  # "有维权 不对 没有": the next clause answers about the same fact again
                continue
            other = _other_fact_by_verb(clause, topic)
            if other is not None:  # "卖的是强制类目 不过交过了": paying is about 保证金 / 订单险
                answer = _read_reply(clause, other)
                if answer is not None:
                    readings.add(other, answer)
                bare_topic = False
                continue
            # After a clause that only named the fact, or asked about it ("维权要多久才能结束？我这有一个"),
            # the next one answers as a reply would.
            replies_to_question = topic in asked and not (len(clause) > 3 and _TAG_QUESTION.search(clause))
            answer = (_read_reply(clause, topic) if bare_topic or corrected or replies_to_question
                      else _read_continuation(clause, topic))
            if answer is not None:
                readings.add(topic, answer)
            bare_topic = False
            continue
        said_nothing = True
        for group in _coordinated_groups(clause, mentions):
            answer = _read_group(clause, mentions, group)
            for index in group:
                fact, start, end = mentions[index]
                if answer is not None:
                    readings.add(fact, answer, clause[start:end])
                    said_nothing = False
        if _is_question(clause):
            asked += [fact for fact, _, _ in mentions]
        _forced_implied_by_cover(clause, mentions, readings)
        topic = mentions[-1][0]
        bare_topic = said_nothing and len(clause) - (mentions[-1][2] - mentions[-1][1]) <= MAX_BARE_MENTION
    if only_own and not readings.has(Fact.COVERED):
        readings.add(Fact.COVERED, Answer.NO)  # "只开了账期保障"
    if pending is not None and not readings.has(pending) and pending not in asked:
        by_verb: Optional[Fact] = None  # the fact the previous clause was about by its verb
        for clause in replies:
            fact = pending
            if pending is not Fact.COVERED and COVER_VERB.search(clause):
                fact = Fact.COVERED  # "还没交也没买" answers the 保证金 question, whatever was asked
            elif pending is not Fact.FORCED and LISTING_VERB.search(clause) and not COVER_VERB.search(clause):
                fact = Fact.FORCED
            elif by_verb is not None:  # "交了一点 不够吧": still about what was paid, not a "no" to the question
                answer = _read_continuation(clause, by_verb)
                if answer is not None:
                    readings.add(by_verb, answer)
                continue
            by_verb = fact if fact is not pending else None
            answer = _read_reply(clause, fact)
            if answer is not None:
                readings.add(fact, answer)
                if fact is Fact.COVERED and pending is Fact.FORCED and not readings.has(Fact.FORCED):
                    readings.add(Fact.FORCED, Answer.YES)  # paying for them: there are some
    found = readings.result(whole)
    if found.get(Fact.COVERED) is Answer.YES and (
            DOUBTS_AMOUNT.search(whole) or any(amount < LEAST_KNOWN_STANDARD for amount in amounts(whole))):
        found[Fact.COVERED] = Answer.UNKNOWN  # paid, but maybe not enough ("交了500")
    return found
