"""Seller text in all its forms reaches NLU in one canonical form."""
import pytest

from core.normalization import Normalizer, initials_map, load_terms, normalizer_for
from tests.conftest import PROJECT_DIR

DICT_DIR = PROJECT_DIR / "data" / "dict"
normalize = normalizer_for(str(DICT_DIR))


@pytest.mark.parametrize(
    "raw, canonical",
    [
        ("賬期保障怎麼退出？？？", "账期保障怎么退出?"),
        ("zqbz怎么取消？", "账期保障怎么取消?"),
        ("ＺＱＢＺ能退吗！！", "账期保障能退吗!"),
        ("帐期 保障 在哪退出啊", "账期保障在哪退出啊"),
        ("账起保障怎么退啊急", "账期保障怎么退啊急"),
        ("千N里找半天", "千牛里找半天"),
        ("交了bzj还要开zqbz吗", "交了保证金还要开账期保障吗"),
        ("ddx是啥", "订单险是什么"),
        ("账期保障 how to cancel", "账期保障 how to cancel"),
        ("  亲  在吗  ", "亲在吗"),
    ],
)
def test_variants_become_canonical(raw, canonical):
    assert normalize(raw) == canonical


def test_normalisation_is_idempotent():
    for text in ["賬期保障怎麼退出？？？", "zqbz 怎么 关", "ＡＢＣ　１２３", "退出 after 15天"]:
        once = normalize(text)
        assert normalize(once) == once


def test_initials_come_from_the_dictionary_and_skip_ambiguous_ones():
    mapping = initials_map(["账期保障", "保证金", "订单险", "对对象"])
    assert mapping["zqbz"] == "账期保障" and mapping["bzj"] == "保证金"
    assert "ddx" not in mapping  # 订单险 and 对对象 share initials: never guessed
    assert "dd" not in initials_map(["订单"])  # two letters are too ambiguous
    assert "zqbz" in initials_map(load_terms(DICT_DIR))


def test_english_words_are_not_taken_for_initials():
    assert normalize("tbd") == "tbd"  # 退不掉 is a verb: no initials for verbs
    assert normalize("ok") == "ok"


@pytest.mark.parametrize(
    "text",
    ["", " ", "😀😀", "<script>alert(1)</script>", "\x00\x01\x02", "a" * 100_000,
     "㈠㈡", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")],
)
def test_odd_input_does_not_crash(text):
    assert isinstance(normalize(text), str)


@pytest.mark.parametrize("raw, canonical", [
    ("zhang qi bao zhang zen me tui chu", "账期保障怎么退出"),  # spaced pinyin
    ("zhangqibaozhang zenme guanbi", "账期保障怎么关闭"),  # run together
    ("zhàng qī bǎo zhàng", "账期保障"),  # tone marks
    ("zhang4 qi1 bao3 zhang4", "账期保障"),  # tone numbers
    ("zqbz ya qian ya duo jiu", "账期保障压钱压多久"),  # initials beside pinyin
])
def test_full_pinyin_becomes_the_words_the_model_knows(raw, canonical):
    assert normalize(raw) == canonical


@pytest.mark.parametrize("english", ["how to join", "mean", "can i", "hold", "ok", "deposit"])
def test_english_is_not_read_as_pinyin(english):
    assert normalize(english) == english


def test_a_normalizer_without_terms_still_converts_characters():
    assert Normalizer()("賬期") == "账期"
