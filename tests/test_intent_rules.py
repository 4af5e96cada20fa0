"""Word rules that correct the classifier (core/intent_rules.py), without a model."""
from pathlib import Path

import pytest

from core import intent_rules
from core.normalization import normalizer_for

normalize = normalizer_for(str(Path(__file__).resolve().parent.parent / "data" / "dict"))


@pytest.mark.parametrize("text, questions", [
    ("退出账期保障怎么操作？退出后对店铺有影响吗？", ["退出账期保障怎么操作", "账期保障退出后对店铺有影响吗"]),
    ("账期保障怎么开通 开了有啥用", ["账期保障怎么开通", "账期保障开了有啥用"]),  # subject carried over
    ("賬期保障是什麼 怎麼關閉", ["賬期保障是什麼", "账期保障怎麼關閉"]),  # traditional question words
    ("zqbz shi sha, zen me tui", ["zqbz shi sha", "账期保障zen me tui"]),  # pinyin question words
    ("什么破玩意 压我钱 我要退出 怎么退", ["什么破玩意 压我钱 我要退出 怎么退"]),  # a rant, one question
    ("没有维权 也没有强制类目 可以退出帐期保障吗", ["没有维权 也没有强制类目 可以退出帐期保障吗"]),
    ("账期保障 怎么退出", ["账期保障 怎么退出"]),
    ("抖店有没有账期保障 怎么退", ["抖店有没有账期保障", "抖店怎么退"]),  # another product's subject carried
])
def test_questions_are_split_only_where_each_side_asks(text, questions):
    split = intent_rules.split_questions(text, normalize)
    assert intent_rules.with_subjects(split, normalize) == questions


def test_a_long_story_is_also_read_by_its_last_question():
    story = "我是卖零食的小店 开店两年 结果每次货款都压半个月 周转很难受 账期保障怎么退出"
    assert intent_rules.core_question(story) == "账期保障怎么退出"
    assert intent_rules.core_question("账期保障怎么退出") == ""


@pytest.mark.parametrize("text, question", [
    ("我不想退了 我想问怎么开通", "我想问怎么开通"), ("算了不关了，那保证金怎么退", "那保证金怎么退"),
    ("还是不退了 退了之后钱多久能用", "退了之后钱多久能用"), ("算了不查了 你直接告诉我在哪退就行", "你直接告诉我在哪退就行"),
    ("不退出会怎么样", ""),  # asks what not leaving does: no change of mind
    ("不想退了", ""), ("我不想退了因为朋友说影响不大", ""),  # nothing asked after it
])
def test_the_question_after_taking_leaving_back(text, question):
    assert intent_rules.after_taking_back_leaving(normalize(text)) == question


@pytest.mark.parametrize("text, can_exit", [
    ("账期保障能关掉吗", True), ("账期保障能退不", True), ("关账期保障的话我符合条件吗", True),
    ("账期保障我想关了 行吗", True),
    ("账期保障怎么退", False), ("为什么退不了", False), ("退出后还能再开吗", False),
    ("是不是必须等维权全部结束才能退账期保障", False), ("千牛手机app能退账期保障吗", False),
    ("店里没维权 也不卖强制类目 那我是不是可以直接退了", True), ("系统不让关账期保障 什么情况", False),
    ("退出了账期保障，那保证金能退吗", False), ("交了保证金 能退账期保障吗", True),
    ("我卖手机的 没交保证金 能退账期吗", True), ("没有维权 强制类目的在卖 没交保证金也没订单险 能退吗", True),
    ("那保证金能退吗", False),  # the 保证金's money: not the exit
    ("账期保障退出 能帮我查下吗", True), ("用手机能关账期保障吗", False),  # 手机 as goods, not as where
])
def test_can_i_exit_is_told_from_how_and_why(text, can_exit):
    assert intent_rules.asks_whether_exit_possible(normalize(text)) is can_exit


@pytest.mark.parametrize("text, other", [
    ("88vip的钱什么时候到账", True), ("花呗分期的钱什么时候到账", True), ("抖店保证金怎么退", True),
    ("我是买家，卖家说他开了账期保障，我退货有保障吗", True),  # the bot serves sellers
    ("天猫和账期保障什么关系", False),  # names 账期: the model decides
    ("我是买家 退款多久到账", True), ("1688账期保障怎么退", True), ("1688的账期支付是什么", True),
    ("天猫的账期保障怎么关", True), ("1688采购能申请账期吗 怎么开", True), ("我在抖店也卖 账期保障怎么退", False), ("我买家 卖家说账期保障压着钱退不了款", True), ("账期保障怎么退出", False), ("有个买家在维权", False),
])
def test_other_products_and_buyers(text, other):
    assert intent_rules.is_other_product(normalize(text)) is other


@pytest.mark.parametrize("text, question", [
    ("不清楚有没有维权", False), ("什么破玩意", False), ("能退不", True), ("还压不压", True),
    ("退了有影响没", True), ("是冻结还是扣走", True), ("维权都处理完了", False),
])
def test_questions_without_question_marks(text, question):
    assert intent_rules.is_question(text) is question


@pytest.mark.parametrize("text, own", [
    ("帐期保障期间买家退款 钱从哪扣", True), ("账期保障压的钱能提吗", True),
    ("天猫和账期保障什么关系", False), ("我是买家 卖家的账期保障跟我有关系吗", False), ("维权怎么申诉", False),
])
def test_a_question_naming_only_zhangqi_baozhang_is_about_it(text, own):
    assert intent_rules.about_own_topic(normalize(text)) is own


def _examples(intent):
    import yaml
    for path in sorted((Path(__file__).resolve().parent.parent / "data" / "nlu").glob("*.yml")):
        data = yaml.safe_load(path.read_text("utf-8")) or {}
        for item in data.get("nlu") or []:
            if item.get("intent") == intent:
                return [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
    raise AssertionError(f"no training examples of {intent}")


def test_every_way_of_asking_for_a_person_in_the_training_data_says_so():
    assert all(intent_rules.asks_for_person(normalize(text)) for text in _examples("request_human"))


def test_every_way_of_stopping_in_the_training_data_says_so():
    assert all(intent_rules.says_stop(normalize(text)) for text in _examples("cancel"))


def test_every_way_of_leaving_in_the_training_data_says_so():
    # as written or normalised ("see you" is spelled as pinyin by the normaliser): the component checks both
    assert all(intent_rules.says_bye(normalize(text)) or intent_rules.says_bye(text) for text in _examples("goodbye"))


@pytest.mark.parametrize("text, bye", [("之前有过，现在没了", False), ("现在没了", False), ("拜拜", True),
                                       ("好的 先这样吧", True), ("886", True)])
def test_a_goodbye_says_so(text, bye):
    assert intent_rules.says_bye(normalize(text)) is bye


@pytest.mark.parametrize("text, stops", [
    ("那行 帮我检查", False), ("帮我检查", False), ("行 你查吧", False), ("继续吧", False),
    ("算了算了", True), ("先不弄了", True), ("别问了", True), ("改天再说", True), ("Stop", True),
])
def test_a_stop_says_so(text, stops):
    assert intent_rules.says_stop(normalize(text)) is stops


@pytest.mark.parametrize("text", ["还剩一个在等小二处理", "维权等平台小二介入了", "上次小二说可以退"])
def test_mentioning_a_person_is_not_asking_for_one(text):
    assert not intent_rules.asks_for_person(normalize(text))


@pytest.mark.parametrize("text", ["账期保障怎么退出 转人工吧", "退不掉啊 找人工", "钱压了15天太久了 我要找人工客服问问",
                                  "我要人工 退出后钱多久能用", "我店里有个维权 退不掉账期保障 转人工", "小二呢",
                                  "麻烦转接客服，谢谢", "我要跟人说话 退出账期有影响吗", "有小二吗 我问下退出的事",
                                  "叫你们客服出来 钱压着15天什么鬼", "那转吧", "帮我转"])
def test_a_plain_request_for_a_person_holds_whatever_else_the_message_asks(text):
    assert intent_rules.demands_person(normalize(text))


@pytest.mark.parametrize("text", ["别给我转人工啊 我就问问能不能退", "不用转人工了", "要找客服吗", "客服说不能退",
                                  "我找了客服也没用", "还剩一个在等小二处理", "我不找人工，就问下退出有没有影响",
                                  "我没让你转人工", "没必要转人工吧 退出会降权吗", "不想等人工 你告诉我退出入口"])
def test_declining_asking_whether_or_mentioning_a_person_is_no_request(text):
    assert not intent_rules.demands_person(normalize(text))


@pytest.mark.parametrize("text, asks", [
    ("我要人工 退出后钱多久能用", True), ("账期保障怎么退出 转人工吧", True), ("转人工", False),
    ("转人工 我店里还有个维权", False), ("人工人工", False), ("转人工吧 快点", False),
])
def test_a_question_besides_the_request_for_a_person(text, asks):
    assert intent_rules.question_besides_person(normalize(text)) == asks


@pytest.mark.parametrize("text, yes", [
    ("要", True), ("行吧", True), ("好啊 帮我转", True), ("👌", True), ("可以 谢谢", True), ("嗯嗯", True),
    ("不要", False), ("账期保障", False), ("要怎么退", False), ("好的 那保证金呢", False),
])
def test_a_short_yes(text, yes):
    assert intent_rules.short_yes(text) == yes


def test_declining_a_person_is_not_asking_for_one():
    assert intent_rules.declines_person(normalize("别给我转人工啊 我就问问能不能退"))
    assert not intent_rules.asks_for_person(normalize("别给我转人工啊 我就问问能不能退"))


@pytest.mark.parametrize("text, how", [
    ("我想把账期保障关了，怎么操作啊", True), ("账期保障在哪关", True), ("有个维权 钱被冻住了 这是咋回事", True),
    ("账期保障能关掉吗", False), ("怎么知道我符合不符合退出条件", False), ("我想退出账期保障", False),
])
def test_how_and_why_are_told_from_can_i(text, how):
    assert intent_rules.asks_how_or_why(normalize(text)) is how


@pytest.mark.parametrize("text, follow_up", [
    ("一年多少钱", True), ("那之前的钱呢", True), ("那开它有啥用", True), ("能提前吗", True), ("怎么交", True),
    ("交了以后能退吗", True),  # paying for what was named before
    ("退出后钱多久能用", False), ("88VIP怎么开通", False), ("订单险一年多少钱", False),  # complete, or names its subject
])
def test_follow_ups_are_short_questions_that_point_back(text, follow_up):
    assert intent_rules.is_follow_up(normalize(text)) is follow_up


@pytest.mark.parametrize("text, joins", [
    ("我想开通账期保障，我能开吗", True), ("账期保障可以加入吗", True), ("1688采购能申请账期吗", True), ("怎么开通账期保障", True),
    ("账期保障能退出吗", False), ("退出后还能再开吗", False), ("开了能关吗", False), ("不想开了 能取消吗", False),
])
def test_joining_is_told_from_leaving(text, joins):
    assert intent_rules.asks_to_join(normalize(text)) is joins


@pytest.mark.parametrize("intent, text, question", [
    ("affirm", "哦对了 退出要钱吗", True), ("affirm", "对吗", False), ("affirm", "好的 可以", False),
    ("deny", "没有 那退了钱多久能用", True), ("deny", "没有没有", False), ("faq", "退出要钱吗", False),
])
def test_a_question_is_not_a_bare_reply(intent, text, question):
    assert intent_rules.question_not_reply(intent, normalize(text)) is question


@pytest.mark.parametrize("text, understood", [
    ("收到", True), ("收到了", True), ("明白了", True), ("好的 知道了", True), ("懂了", True), ("了解了", True),
    ("原来如此", True), ("get了", True), ("👍", True), ("好的🙏", True),
    ("不知道", False), ("不清楚", False), ("我不明白", False), ("收到的货是坏的怎么办", False), ("了解一下账期保障", False),
    ("知道了谢谢", False),  # thanks: the thanks reply
])
def test_understood_is_told_from_not_knowing_and_from_questions(text, understood):
    assert intent_rules.acknowledges(normalize(text)) is understood


@pytest.mark.parametrize("text, abuse", [
    ("傻逼机器人", True), ("垃圾客服 一问三不知", True), ("SB", True), ("你们淘宝就是坑人", True),
    ("账期保障怎么退出", False), ("客服说不能退", False), ("机器人能帮我查吗", False),
])
def test_abuse_is_told_from_mentioning_the_bot_or_a_person(text, abuse):
    assert intent_rules.insults(normalize(text)) is abuse


@pytest.mark.parametrize("text, trouble", [("麻烦了", True), ("那就麻烦你了", True), ("麻烦您了！", True),
                                           ("麻烦帮我查下怎么退", False), ("太麻烦了", False)])
def test_trouble_you(text, trouble):
    assert intent_rules.trouble_you(text) is trouble


@pytest.mark.parametrize("text, wants", [
    ("我想退账期保障", True), ("我要把账期保障关了", True), ("我想退出账期保障", True), ("想关掉账期", True),
    ("我想退账期保障 怎么退", False), ("我想退款", False), ("我想退出", False), ("账期保障怎么退出", False),
    ("帮我退出账期保障 谢谢", True), ("请帮我关掉账期保障", True),
])
def test_the_wish_to_leave_is_told_from_questions(text, wants):
    assert intent_rules.wants_to_exit(normalize(text)) is wants


@pytest.mark.parametrize("text, mentions", [("hi 我想咨询下账期的事", False), ("我的店是卖二手手机的 强制类目吗", False),
                                            ("帮我看看", True), ("我符合条件吗", True), ("能关吗", True),
                                            ("能不能提前解冻", False), ("钱能不能早点到账", False),  # the money
                                            ("能不能退 退了钱能不能提前用", True)])
def test_the_check_needs_words_of_leaving_or_checking(text, mentions):
    assert intent_rules.mentions_exit_or_check(normalize(text)) is mentions
