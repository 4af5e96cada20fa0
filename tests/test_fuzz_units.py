"""Property-based fuzzing (hypothesis) of the pure parts every message goes through.

Bounded (max_examples) so `make test` stays quick; the seed is derived from the
test, so a failure reproduces.
"""
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from core.eligibility import Answer, Fact, Facts, Outcome, assess
from core.intent_rules import split_questions
from core.message_limits import MessageError, check_metadata, check_sender, check_text
from core.normalization import normalizer_for
from core.shop_facts import read_facts

FUZZ = settings(max_examples=300, deadline=None, derandomize=True)
# Any text, including control characters, lone surrogates and emoji.
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=300)
SELLER_WORDS = st.sampled_from(["有", "没有", "没", "不清楚", "是的", "不是", "维权", "强制类目", "保证金",
                                "订单险", "都处理完了", "还没", "吗", "？", "，", "。", "😀", "zqbz", "帐期"])
SELLER_TEXT = st.lists(SELLER_WORDS | ANY_TEXT, max_size=8).map("".join)
normalize = normalizer_for(str(Path(__file__).resolve().parent.parent / "data" / "dict"))
FIELD = {Fact.DISPUTE: "dispute", Fact.FORCED: "forced", Fact.COVERED: "covered"}
ANSWERS = st.sampled_from([None, Answer.YES, Answer.NO, Answer.UNKNOWN])


@FUZZ
@given(SELLER_TEXT, st.sampled_from([None, *Fact]))
def test_reading_shop_facts_never_fails_and_gives_answers(text, pending):
    found = read_facts(text, normalize, pending)
    assert set(found) <= set(Fact) and set(found.values()) <= set(Answer)


@FUZZ
@given(SELLER_TEXT)
def test_splitting_questions_keeps_at_most_three_pieces_of_the_text(text):
    pieces = split_questions(text)
    assert len(pieces) <= 3
    remaining = iter("".join(text.split()))
    assert all(ch in remaining for ch in "".join("".join(piece.split()) for piece in pieces)), \
        "every piece is the seller's own text, in order"


@FUZZ
@given(ANY_TEXT)
def test_normalisation_is_total_and_stable(text):
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(list(Fact)), ANSWERS.filter(bool)), max_size=10))
def test_the_check_asks_each_fact_at_most_once_and_ends_within_three_questions(answers):
    """Answers arriving in any order (also unasked, repeated): no loop, verdict always decided."""
    given_facts: dict = {}
    asked = []
    supply = iter(answers)
    for _ in range(10):
        verdict = assess(Facts(**{FIELD[f]: given_facts.get(f) for f in Fact}))
        if verdict.next_question is None:
            break
        assert verdict.next_question not in given_facts and verdict.next_question not in asked
        asked.append(verdict.next_question)
        extra = next(supply, None)  # the seller may also mention another fact in passing
        if extra:
            given_facts.setdefault(extra[0], extra[1])
        given_facts.setdefault(verdict.next_question, Answer.UNKNOWN)
    assert verdict.next_question is None and len(asked) <= 3
    assert verdict.outcome in (Outcome.CAN_EXIT, Outcome.BLOCKED, Outcome.DEPENDS)
    # A "yes, open dispute" can never come out as "you can exit".
    if given_facts.get(Fact.DISPUTE) is Answer.YES:
        assert verdict.outcome is Outcome.BLOCKED


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
                    max_leaves=20)


@FUZZ
@given(JSON, JSON, JSON)
def test_message_checks_accept_or_refuse_with_a_reason_never_crash(sender, text, metadata):
    for check, value in ((check_sender, sender), (check_text, text), (check_metadata, metadata)):
        try:
            checked = check(value)
        except MessageError as error:
            assert str(error)
            continue
        if check is check_text:  # what passes is printable text the database and JSON can store
            checked.encode("utf-8")
            assert not any(ord(c) < 32 and c not in "\t\n" for c in checked)
