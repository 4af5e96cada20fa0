"""Reading yes / no / don't-know from what sellers actually type."""
import pytest

from actions.answers import mention_polarity, parse_reply
from actions.eligibility import Answer, Fact
from actions.normalization import normalizer_for
from tests.conftest import PROJECT_DIR

normalize = normalizer_for(str(PROJECT_DIR / "data" / "dict"))


@pytest.mark.parametrize(
    "reply, fact, expected",
    [
        ("有", Fact.DISPUTE, Answer.YES),
        ("有的", Fact.DISPUTE, Answer.YES),
        ("有两个", Fact.DISPUTE, Answer.YES),
        ("是的", Fact.FORCED, Answer.YES),
        ("对", Fact.FORCED, Answer.YES),
        ("嗯嗯", Fact.DISPUTE, Answer.YES),
        ("交了", Fact.COVERED, Answer.YES),
        ("开了订单险", Fact.COVERED, Answer.YES),
        ("有个还在处理中", Fact.DISPUTE, Answer.YES),
        ("还没处理完", Fact.DISPUTE, Answer.YES),
        ("没有", Fact.DISPUTE, Answer.NO),
        ("没", Fact.FORCED, Answer.NO),
        ("不是", Fact.FORCED, Answer.NO),
        ("木有", Fact.DISPUTE, Answer.NO),
        ("都处理完了", Fact.DISPUTE, Answer.NO),
        ("都下架了", Fact.FORCED, Answer.NO),
        ("没交也没开", Fact.COVERED, Answer.NO),
        ("不知道", Fact.DISPUTE, Answer.UNKNOWN),
        ("不清楚", Fact.FORCED, Answer.UNKNOWN),
        ("不太确定", Fact.COVERED, Answer.UNKNOWN),
        ("YES", Fact.DISPUTE, Answer.YES),
        ("ＮＯ", Fact.DISPUTE, Answer.NO),
    ],
)
def test_short_replies(reply, fact, expected):
    assert parse_reply(normalize(reply), fact) is expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "?", "账期保障是什么", "退出以后钱多久能到账啊我急着用", "👍", "<b>有</b>x" * 5],
)
def test_non_replies_are_not_guessed(text):
    assert parse_reply(normalize(text), Fact.DISPUTE) is None


@pytest.mark.parametrize(
    "text, word, fact, expected",
    [
        ("店里有个订单还在维权,能退出吗", "维权", Fact.DISPUTE, Answer.YES),
        ("我有维权订单能不能退出", "维权", Fact.DISPUTE, Answer.YES),
        ("有两个维权的订单,还能退出吗", "维权", Fact.DISPUTE, Answer.YES),
        ("没有维权了,可以退出吗", "维权", Fact.DISPUTE, Answer.NO),
        ("维权都处理完了,现在能退吗", "维权", Fact.DISPUTE, Answer.NO),
        ("维权的订单都没有了", "维权", Fact.DISPUTE, Answer.NO),
        ("不知道有没有维权,能退出吗", "维权", Fact.DISPUTE, Answer.UNKNOWN),
        ("店里有强制类目的商品,能退出吗", "强制类目", Fact.FORCED, Answer.YES),
        ("我没卖强制类目的东西,可以退出吗", "强制类目", Fact.FORCED, Answer.NO),
        ("我的强制类目宝贝都下架了,能退了吗", "强制类目", Fact.FORCED, Answer.NO),
        ("我交了保证金,能退出吗", "保证金", Fact.COVERED, Answer.YES),
        ("保证金还没交", "保证金", Fact.COVERED, Answer.NO),
        ("我卖的是强制类目,没交保证金,能退吗", "保证金", Fact.COVERED, Answer.NO),
        ("我卖的是强制类目,没交保证金,能退吗", "强制类目", Fact.FORCED, Answer.YES),
        ("没有维权,但是有强制类目商品在卖", "强制类目", Fact.FORCED, Answer.YES),
        ("没有维权,但是有强制类目商品在卖", "维权", Fact.DISPUTE, Answer.NO),
    ],
)
def test_facts_stated_in_passing(text, word, fact, expected):
    start = text.index(word)
    assert mention_polarity(text, start, start + len(word), fact) is expected
