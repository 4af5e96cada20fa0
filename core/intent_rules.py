"""Rules that correct the classifier's intent where words settle it. No Rasa imports.

Used by ``components/intent_rules.py`` after the classifiers. Each rule is
narrow and named:

- ``is_other_product``: a question about another product or programme (88VIP,
  花呗, 天猫, 抖店, 运费险…) or from a buyer is out of scope, even when it shares
  到账 / 冻结 / 15天 with the article, unless it is also about 账期保障 itself.
- ``too_long_for_reply``: "好的" / "没有" / "算了" are replies; a long message
  classified as one is really something else (a story, a question).
- ``asks_whether_exit_possible``: "能退出吗" asks for the exit check, with or
  without shop facts ("没有维权 也没有强制类目 可以退出吗"); a statement of shop
  facts that asks nothing ("有个买家在维权 还没完") is an answer to it too.
- ``split_questions``: several questions in one message, each answered.
"""
import re
from typing import Callable, List

# Other products and programmes sellers mix up with 账期保障 (facts.md: "Not
# known", and seller_questions.md: "Out of scope"). Normalised text.
OTHER_PRODUCTS = ("88vip", "花呗", "余额宝", "天猫", "速卖通", "抖店", "抖音", "拼多多", "京东", "闲鱼", "1688",
                  "快手", "微店", "亚马逊", "保价", "价保", "运费险", "直通车", "淘宝客", "淘宝联盟", "引力魔方",
                  "万相台", "dsr", "信用卡", "借呗", "网商贷", "芝麻", "淘金币", "聚划算", "双11", "双十一",
                  "天天特卖", "极速回款", "提前收款", "信用购", "先用后付", "退货宝", "极速退款", "淘宝直播",
                  # Alipay's own freezes: risk control, fraud
                  "风控", "提示风险", "风险提示", "被骗", "诈骗")
# The speaker is a buyer, not a seller.
BUYER_CUES = ("我是买家", "我是个买家", "作为买家", "我是消费者", "我买的东西", "我买了个", "我网购",
              "买家这边", "我是顾客", "我是买东西的", "我在淘宝买", "我买家", "我是买方", "我是买的人", "不是卖家",
              "我是买东西")
# Words that keep a message about 账期保障 itself.
OWN_TOPIC = ("账期",)
# Intents that are replies or small talk, and the longest message each may be.
REPLY_INTENTS = {"affirm": 8, "deny": 10, "dont_know": 10, "cancel": 10, "greet": 10, "thank": 12,
                 "goodbye": 10}
# "Can I exit?" in the seller's words; not "how do I exit?" nor "why can't I?".
CAN_EXIT = re.compile(r"(?<![才就再不])(能|可以|可不可以|能不能|能否|可否|让)\S{0,3}(退|关|取消|解除|停|不要|撤)|"
                      r"(退|关|取消|解除|撤)\S{0,6}(行吗|行不行|可以吗|可以不|行不|能行吗|成吗|ok)|"
                      r"退得(了|掉)|关得(了|掉)|符合\S{0,4}条件|(帮我|帮忙|给我)\S{0,2}(查|看|检查)\S{0,2}(下|一下)?(吗|呗|吧)?$")
# Where to do it ("千牛手机app能退吗") asks how; "我卖手机的 能退吗" does not.
WHERE_CUES = ("手机上", "手机端", "手机版", "手机app", "手机千牛", "千牛手机", "用手机", "电脑上", "电脑端", "电脑版",
              "用电脑", "app", "pc端", "移动端", "网页版", "千牛端")
HOW_OR_WHY = ("怎么", "如何", "在哪", "哪里", "哪儿", "步骤", "退出流程", "操作流程", "流程是", "入口", "路径", *WHERE_CUES,
              "为什么", "为啥", "不了", "不掉", "失败", "再开", "再加", "再参加", "再申请", "重新", "还能开",
              "多久", "什么时候", "之后", "以后", "后钱", "影响", "几次", "多少", "必须", "程度", "是不是")
# "那保证金能退吗" asks about the deposit, not about leaving 账期保障.
_OTHER_TOOL_BEFORE = re.compile(r"(?<![没无未])(?<!没交)(?<!没买)(?<!没开)(?<!没有)(保证金|订单险)(的钱)?(也|还|就|现在)?$")
# "是不是可以直接退了" asks whether the shop can exit; other "是不是" ask how or why.
_IS_IT_POSSIBLE = re.compile(r"是不是(就|都|已经|现在)?(可以|能)")
# A question ends here (or the text goes on with another one).
_QUESTION_END = re.compile(r"[?？!！。；;\n]+")
QUESTION_WORDS = ("吗", "么", "嘛", "呢", "什么", "啥", "怎么", "咋", "如何", "哪", "为什么", "为啥", "多久",
                  "多少", "几天", "能不能", "可不可以", "是不是", "是否", "有没有", "会不会", "要不要", "?", "？",
                  "what", "how", "why", "when", "where", "difference")
MAX_QUESTIONS = 3
# A message this long is classified by its last question as well ("…开店两年…账期保障怎么退出").
LONG_MESSAGE = 24
_SPOKEN_BREAK = re.compile(r"[,，.。!！?？;；\s~…]+|然后|就是|但是|可是|不过|所以|结果|[啊呀嘛吧哈](?=.)")


# Another product's own 账期: "1688账期保障怎么退", "天猫的账期".
# "1688采购能申请账期吗": another product, then a 账期 that is not 账期保障.
_OTHERS_ZHANGQI = re.compile("(" + "|".join(map(re.escape, OTHER_PRODUCTS)) + r")((的|那边的|那个|上的)?账期|"
                             r"[^，。？！?!,\s]{0,8}账期(?!保障))")


def is_other_product(text: str) -> bool:
    """Whether normalised ``text`` is about another product, or asked by a buyer.

    A buyer is declined even about 账期保障 (the bot serves sellers); another
    product when 账期保障 itself is not named, or when the 账期 named is that
    product's ("1688的账期").
    """
    if any(word in text for word in BUYER_CUES) or _OTHERS_ZHANGQI.search(text):
        return True
    return not any(word in text for word in OWN_TOPIC) and any(word in text for word in OTHER_PRODUCTS)


# Asking for a person says so: "转人工", "叫小二来", "有没有真人"; "还剩一个在等小二处理" does not.
_ASKS_FOR_PERSON = re.compile(r"人工|真人|活人|客服|机器人|转|叫|找|让|换人|接|联系|跟.{0,4}(说|聊)|有没有.{0,4}(在|人)|"
                              r"人呢|在哪|出来|投诉|human|agent|person")
# "How do I…" and "why / what is…" words: a message with one asks for steps or an
# explanation, not for the check ("我想把账期保障关了，怎么操作", "这笔冻结到底咋回事").
HOW_OR_WHY_CUES = ("怎么操作", "怎么弄", "怎么关", "怎么退", "怎么取消", "怎么解除", "如何", "在哪", "哪里", "步骤",
                   "入口", "怎么回事", "咋回事", "为什么", "为啥", "意思", "是什么", "是啥")


# "别给我转人工", "不用转人工了", "不要人工": the opposite of a request.
_DECLINES_PERSON = re.compile(r"(别|不要|不用|不需要|无需|用不着|不想|不|没让你|没叫你|没必要|没说要)(给我|帮我|再)?"
                              r"(转|找|叫|接|要|等)?(个)?(人工|客服|真人|小二)")
# A request for a person that holds whatever else the message says: "账期保障怎么退出 转人工吧".
_DEMANDS_PERSON = re.compile(r"(转|转接|找|要|叫|接|换|联系|呼叫)(个|一下|下|一个)?(人工|真人|活人|小二)|"
                             r"(转|转接|找|要|叫|换)(个|一下|下|一个)?(人工)?客服|人工人工|"
                             r"(人工|客服|小二|真人)(呢|在哪|在吗|在不在)|(有没有|有)(小二|人工|真人|客服)(吗|在|么)|"
                             r"(叫|让)(你们)?(的)?(人工|客服|小二)(出来|来)|(跟|和)(真人|人工|人)(说话|聊|沟通)|"
                             r"(让|请|麻烦|要)(你们)?(的)?(人工|客服|真人)(来)?(回答|回复|处理一下)|"
                             r"(找|要找|叫)你们(的)?(人工|客服|小二)|"
                             r"^(那|好|好啊|好的|行|可以)?(麻烦|帮我|请)?(你)?转(吧|一下|啊|呀)?$")


# What every way of stopping says (data/nlu: the cancel examples): without one, a message does not stop
# the check ("那行 帮我检查" is taken for cancel by its word 检查 alone).
_SAYS_STOP = re.compile(r"算了|罢了|不|别|取消|停|中止|终止|结束|到此为止|退出(这个|本次)?(检查|查询|流程)|下次|改天|回头再|等会|晚点|先这样|免了|没事了|"
                        r"stop|quit|cancel|never ?mind", re.IGNORECASE)


def says_stop(text: str) -> bool:
    """Whether normalised ``text`` has a word of stopping or refusing."""
    return bool(_SAYS_STOP.search(text))


# What every way of leaving says (data/nlu: the goodbye examples): "之前有过，现在没了" was taken for
# goodbye by its 没了 and ended the exit check.
_SAYS_BYE = re.compile(r"再见|再会|拜|bye|88|先这样|就这样|没事了|没别的|没问题了|下次|回头|就这些|走了|先下|先忙|"
                       r"晚安|see ?you|告辞|撤了", re.IGNORECASE)


def says_bye(text: str) -> bool:
    """Whether normalised ``text`` has a word of leaving the conversation."""
    return bool(_SAYS_BYE.search(text))


# Abuse aimed at the bot ("傻逼机器人", "垃圾客服 一问三不知"): its 机器人 / 客服 asks for nobody. The seller is
# offered a person with an apology, not handed over unasked (a seller-tester's insult got "正在为您转接").
_INSULT = re.compile(r"傻逼|傻b|sb|煞笔|垃圾|废物|智障|弱智|脑残|白痴|坑人|坑爹|骗子|妈的|他妈|tmd|nmd|操你|去死|"
                     r"一问三不知|没用的东西", re.IGNORECASE)


def insults(text: str) -> bool:
    """Whether normalised ``text`` is abuse (at the bot, or the platform)."""
    return bool(_INSULT.search(text))


def asks_for_person(text: str) -> bool:
    """Whether normalised ``text`` asks for a person, in words (not only mentions one, nor declines one)."""
    return bool(_ASKS_FOR_PERSON.search(text)) and not declines_person(text)


def question_besides_person(text: str) -> bool:
    """Whether normalised ``text`` asks a question besides asking for a person ("我要人工 退出后钱多久能用")."""
    rest = _DEMANDS_PERSON.sub("", re.sub(r"\s", "", text))
    rest = re.sub(r"^(我要|我想|请|帮我|麻烦)+|[吧啊呀呢嘛了]+$", "", rest)
    return len(re.sub(r"[\W_]", "", rest)) >= 4 and is_question(rest)


# A short yes ("要", "行吧", "好啊 帮我转", "👌") to a question the bot just asked.
_SHORT_YES = re.compile(r"^(那|嗯+|好+|好的|好啊|好吧|行|行吧|可以|可以的|可以啊|要|需要|要的|是的|对|ok|okay|👌|👍|"
                        r"麻烦了|麻烦你了|谢谢|帮我|转|转吧|转一下)+[啊吧呀的了!！。.~]*$", re.IGNORECASE)


# Only an OK-sound ("嗯嗯", "好的", "ok", "好滴"): to "需要的话可以转人工客服" it says "noted" as often as "yes";
# a hand-over needs more ("要", "可以", "转吧", the button). A seller-tester's "嗯嗯" was handed over.
_BARE_OK = re.compile(r"^(嗯+|恩+|好+的?|好滴|好哒|好嘞|ok|okay|哦+|噢+|喔+)[啊吧呀的了哈!！。.~]*$", re.IGNORECASE)


def bare_ok(text: str) -> bool:
    """Whether ``text`` is only an OK-sound ("嗯嗯", "好的", "ok"), which accepts no person."""
    return bool(_BARE_OK.match(re.sub(r"[\s,，]", "", text)))


def short_yes(text: str) -> bool:
    """Whether ``text`` is only a short yes ("行吧", "好啊 帮我转", "👌")."""
    return bool(_SHORT_YES.match(re.sub(r"[\s,，]", "", text)))


# Only "I've understood" ("收到", "明白了", "哦哦知道了", "get"): an acknowledgement of what the bot said, which
# neither accepts an offer (a person, the check) nor answers a question of the check. Without it "收到" was taken
# for out of scope and declined, and "明白了" after the decline's 转人工 button handed the seller to a person.
_ACKNOWLEDGES = re.compile(r"^(嗯+|恩+|哦+|噢+|喔+|好+的?|行|ok|okay|那|我|这下)*"
                           r"(收到|明白|知道|了解|懂|清楚|晓得|get|原来如此|原来是这样|是这样啊|这样啊|👍|👌|🙏)+"
                           r"(了|啦|的|哈|啊|呀|咯|喽|嗯|哦|噢)*[!！。.~]*$", re.IGNORECASE)


def acknowledges(text: str) -> bool:
    """Whether normalised ``text`` only says the seller has understood ("收到", "明白了", "好的 知道了")."""
    return bool(_ACKNOWLEDGES.match(re.sub(r"[\s,，]", "", text)))


def declines_person(text: str) -> bool:
    """Whether normalised ``text`` says the seller does not want a person ("别给我转人工")."""
    return bool(_DECLINES_PERSON.search(re.sub(r"\s", "", text)))


def demands_person(text: str) -> bool:
    """Whether normalised ``text`` plainly asks to be put through to a person, whatever else it asks."""
    compact = re.sub(r"\s", "", text)
    asked = any(compact[m.end():m.end() + 1] not in ("吗", "么", "?", "？")  # "要找客服吗" asks whether to
                for m in _DEMANDS_PERSON.finditer(compact))
    return asked and not declines_person(compact)


def asks_how_or_why(text: str) -> bool:
    """Whether normalised ``text`` asks how to do something, or why, and not whether the shop can exit."""
    compact = re.sub(r"\s", "", text)
    return any(cue in compact for cue in HOW_OR_WHY_CUES) and not asks_whether_exit_possible(text)


def about_own_topic(text: str) -> bool:
    """Whether normalised ``text`` names 账期保障 and nothing that takes it elsewhere (a buyer, another product)."""
    return any(word in text for word in OWN_TOPIC) and not any(
        word in text for word in BUYER_CUES + OTHER_PRODUCTS)


def too_long_for_reply(intent: str, text: str) -> bool:
    """Whether ``text`` is too long to be the reply or small talk ``intent`` stands for."""
    limit = REPLY_INTENTS.get(intent)
    return limit is not None and len(re.sub(r"[\W_]", "", text)) > limit


# Joining, not leaving: "我想开通账期保障，我能开吗", "账期保障可以加入吗".
_JOIN = re.compile(r"开通|加入|参加|报名|开启|申请|(能|可以|想|要|怎么|咋|去|再|重新)开")
_EXIT_WORDS = re.compile(r"退|关|取消|解除|停|不要|撤|不想|不用")


# Joining again after leaving: "现在退了，过两个月还能开吗" (not in the material: the rejoin answer says so).
_REJOIN = re.compile(r"(再|重新|还能|还可以|还可不可以)\S{0,2}(开|加入|参加|申请|恢复)")


# "我想退账期保障", "我要把账期关了": the wish to leave, stated without a question: the check guides it.
_WANTS_EXIT = re.compile(r"^(我|我们|本店|我这边)?(现在|真的|就)?(想|要|打算|准备|决定)(把)?(这个)?(账期保障|账期)?(给)?"
                         r"(退出|退掉|退了|退|关掉|关了|关闭|关|取消|取消掉|解除)(这个)?(账期保障|账期)?(吧|了|啊|呀)?$")


_POLITE = re.compile(r"^(请|麻烦|麻烦你|帮我|帮忙|你帮我)|(谢谢|谢了|多谢|感谢|thx|thanks)(你|啦|了|哈)?$")


def wants_to_exit(text: str) -> bool:
    """Whether normalised ``text`` only says the seller wants to leave 账期保障 ("我想退账期保障",
    "帮我退出账期保障 谢谢")."""
    compact = _POLITE.sub("", re.sub(r"[\s,，.。!！~]", "", text))
    compact = _POLITE.sub("", compact)
    if not ("账期" in compact or "zqbz" in compact):
        return False
    return bool(_WANTS_EXIT.match(compact) or re.fullmatch(
        r"(退出|退掉|关掉|关闭|取消|解除)(我的|这个)?(账期保障|账期)(吧|了)?", compact))


# Words without which a message does not ask for the exit check: leaving, or checking.
_EXIT_OR_CHECK = re.compile(r"退|关|取消|解除|停|不要|撤|不想|不用|符合|条件|检查|查|看看|看下|看一下|能不能|行不行|"
                            r"可以吗|行吗|exit|quit|cancel|close")


# "能不能提前解冻": whether the held money can be freed, not whether the seller can leave.
_MONEY_ASK = re.compile(r"(能不能|能否|可不可以|可以|行不行)\S{0,3}(解冻|到账|提现|释放|取出|用)")


def mentions_exit_or_check(text: str) -> bool:
    """Whether normalised ``text`` says anything of leaving 账期保障 or of checking ("我想咨询下账期的事",
    "能不能提前解冻" do not)."""
    return bool(_EXIT_OR_CHECK.search(_MONEY_ASK.sub("", text)))


def asks_to_rejoin(text: str) -> bool:
    """Whether normalised ``text`` asks about joining again ("退了以后还能再开吗")."""
    return bool(_REJOIN.search(re.sub(r"\s", "", text)))


def asks_to_join(text: str) -> bool:
    """Whether normalised ``text`` is about joining 账期保障 and says nothing of leaving it."""
    compact = re.sub(r"\s", "", text)
    return bool(_JOIN.search(compact)) and not _EXIT_WORDS.search(compact)


# A question the classifier took for a bare reply: "哦对了 退出要钱吗", "嗯 那钱呢".
MIN_QUESTION_NOT_REPLY = 6
ANSWER_INTENTS = ("affirm", "deny", "dont_know")


def question_not_reply(intent: str, text: str) -> bool:
    """Whether ``text``, classified as a yes / no / don't-know, is really a question of its own."""
    return (intent in ANSWER_INTENTS and is_question(text)
            and len(re.sub(r"[\W_]", "", text)) >= MIN_QUESTION_NOT_REPLY)


# "麻烦了", "那就麻烦你了": thanks that, after an offer, accept it.
_TROUBLE_YOU = re.compile(r"^(那|那就|就)?麻烦(你|您)?(了|啦)?[!！。.~]*$")


def trouble_you(text: str) -> bool:
    """Whether ``text`` is only "麻烦了" (thanks, or yes to an offer)."""
    return bool(_TROUBLE_YOU.match(re.sub(r"\s", "", text)))


def asks_whether_exit_possible(text: str) -> bool:
    """Whether normalised ``text`` asks if the shop can exit ("能退出吗", "可以取消吗", "我符合条件吗").

    Not "how do I exit", "why can't I", or "can I join again later".
    """
    text = re.sub(r"\s", "", text)
    match = CAN_EXIT.search(text)
    if not match:
        return False
    if _OTHER_TOOL_BEFORE.search(text[:match.start()]) and "账期" not in text[match.start():match.end() + 4]:
        return False
    return not any(cue in _IS_IT_POSSIBLE.sub("", text) for cue in HOW_OR_WHY)


# "不清楚有没有维权" states a doubt; it asks nothing.
_DOUBT = re.compile(r"(不知道|不清楚|不确定|不记得|忘了|记不清)\S{0,4}?(有没有|是不是|是否|交没交|开没开|买没买|在不在)")


# Questions without a question word: "能退不", "还压不压", "有影响没", "是冻结还是扣走".
_TAG_QUESTION = re.compile(r"不[?？]*$|(.)不\1|有.{1,8}没[?？]*$|是.{1,12}还是")
# Exclamations built like questions: "什么鬼东西", "什么破玩意".
_EXCLAMATION = re.compile(r"什么(鬼|破|垃圾|玩意|东西|规则)")


def is_question(text: str) -> bool:
    """Whether ``text`` asks something ("不清楚有没有维权", "什么破玩意" do not)."""
    text = _EXCLAMATION.sub("", _DOUBT.sub("", text))
    return any(word in text for word in QUESTION_WORDS) or bool(_TAG_QUESTION.search(text))


_WORD_BREAK = re.compile(r"(?<=[,，\s])")


def _cut(chunk: str, asks: Callable[[str], bool]) -> List[str]:
    """``chunk`` cut at the first space or comma where both sides ask something, recursively."""
    words = [w for w in _WORD_BREAK.split(chunk) if w]
    for index in range(1, len(words)):
        left, right = "".join(words[:index]).strip(" ,，"), "".join(words[index:]).strip(" ,，")
        if left and right and asks(left) and asks(right):
            return [left] + _cut(right, asks)
    return [chunk.strip(" ,，")] if chunk.strip(" ,，") else []


def split_questions(text: str, normalize: Callable[[str], str] = lambda t: t) -> List[str]:
    """The questions in ``text`` as written, in order (at most ``MAX_QUESTIONS``).

    Pieces between question ends that ask nothing ("什么破玩意 压我钱") are kept
    with the question that follows them; a message with one question gives one
    piece. Within a sentence, a space or comma separates two questions only when
    both sides ask something ("怎么退 退了钱呢", but not "账期保障 怎么退出").
    ``normalize`` lets question words be found in traditional characters or pinyin.
    """
    def asks(piece: str) -> bool:
        return is_question(normalize(piece))

    pieces: List[str] = []
    for chunk in _QUESTION_END.split(text or ""):
        pieces += _cut(chunk, asks)
    questions: List[str] = []
    pending = ""
    for piece in pieces:
        pending = f"{pending} {piece}".strip()
        if asks(piece):
            questions.append(pending)
            pending = ""
    if pending:
        if questions:
            questions[-1] = f"{questions[-1]} {pending}"
        else:
            questions.append(pending)
    return questions[:MAX_QUESTIONS]


def core_question(text: str) -> str:
    """The last clause of a long message that asks something, with what leads into it.

    "我是卖零食的小店 … 周转很难受 账期保障怎么退出" → "账期保障怎么退出". Empty
    when the message is short or its last question is the whole of it.
    """
    if len(re.sub(r"\s", "", text or "")) <= LONG_MESSAGE:
        return ""
    clauses = [c for c in _SPOKEN_BREAK.split(text) if c and c.strip()]
    for index in range(len(clauses) - 1, -1, -1):
        if is_question(clauses[index]):
            core = clauses[index]
            # A bare "怎么办" / "能告诉我吗" needs the clause before it to mean anything.
            if len(core) < 6 and index > 0:
                core = clauses[index - 1] + core
            return core if len(core) < len(text.strip()) else ""
    return ""


# "我不想退了 我想问怎么开通", "算了不关了 那保证金怎么退", "算了不查了 直接告诉我在哪退": the seller takes
# leaving (or the check) back, then asks something; read whole, its 退 made it the exit steps, or its 算了 a
# stop that swallowed the question. The question is what follows.
_TAKES_BACK_LEAVING = re.compile(r"^(算了|那|哦|噢|嗯|好吧|行吧)?(我|我们)?(还是|先|暂时|现在|又)?"
                                 r"((不想|不打算|不准备|不)(退|关|退出|关闭|关掉)(账期保障|账期|这个)?|"
                                 r"(不|不用|别|先不|不要)(帮我)?(查|检查|测|看)(了|啦)?)(了|啦)")
MIN_QUESTION_AFTER = 4


def after_taking_back_leaving(text: str) -> str:
    """The question after "我不想退了" in normalised ``text``; empty when there is none."""
    plain = re.sub(r"[\s,，。.!！~]", "", text or "")
    taken_back = _TAKES_BACK_LEAVING.match(plain)
    if not taken_back:
        return ""
    rest = plain[taken_back.end():]
    return rest if len(rest) >= MIN_QUESTION_AFTER and is_question(rest) else ""


# Words that name what a question is about; a follow-up question without one
# ("开了怎么关") is about what the message or the conversation named before.
SUBJECTS = ("账期保障", "账期", "保证金", "订单险", "维权", "强制类目")
# The subjects a follow-up is read with, as the conversation may have set them.
FOLLOW_UP_SUBJECTS = ("账期保障", "保证金", "订单险", "维权", "强制类目")
MAX_FOLLOW_UP = 16  # longer messages say what they are about


# A question that points back at what was said before: "那之前的钱呢", "那开它有啥用", "还能退吗";
# or one too short to name anything ("一年多少钱", "能提前吗", "怎么交"); or one that starts with paying
# for what was named ("交了以后能退吗" after a question on 保证金).
_REFERS_BACK = re.compile(r"^(那|那么|这|它|还|也|再|然后)|它|呢$|^.{1,6}$|^(交|缴|充|买|付)(了|完|过|好)")


def is_follow_up(text: str) -> bool:
    """Whether normalised ``text`` is a short question that leaves its subject out and points back
    ("一年多少钱", "那之前的钱呢"); each one costs the classifiers a reading per possible subject."""
    compact = re.sub(r"[\W_]", "", text)
    return (len(compact) <= MAX_FOLLOW_UP and is_question(text) and bool(_REFERS_BACK.search(compact))
            and not any(subject in text for subject in SUBJECTS))


def subject_of(text: str) -> str:
    """The subject a normalised text names last, or "" ("订单险是什么" → 订单险)."""
    found = [(text.rfind(s), s) for s in FOLLOW_UP_SUBJECTS + ("账期",) if s in text]
    if not found:
        return ""
    subject = max(found)[1]
    return "账期保障" if subject == "账期" else subject


def with_subjects(questions: List[str], normalize: Callable[[str], str] = lambda t: t) -> List[str]:
    """Each question with the subject it leaves out: "账期保障怎么开通 开了有啥用" → …"账期保障开了有啥用";
    after a question naming another product, that product ("抖店有没有账期保障 怎么退" → …"抖店怎么退")."""
    completed: List[str] = []
    subject = ""
    for question in questions:
        normalized = normalize(question)
        named = [s for s in SUBJECTS if s in normalized]
        others = [p for p in OTHER_PRODUCTS if p in normalized]
        if others or named:
            # "抖店有没有账期保障 怎么退": the next question is about 抖店's, not ours.
            subject = others[0] if others else named[0]
            completed.append(question)
        else:
            completed.append(f"{subject}{question}" if subject else question)
    return completed
