"""The exit decision over every combination of the three facts, unknowns included."""
import itertools

import pytest

from core.eligibility import (
    Answer,
    Blocker,
    Fact,
    Facts,
    Outcome,
    assess,
    next_question,
    relevant_facts,
)

STATES = [None, Answer.YES, Answer.NO, Answer.UNKNOWN]
ALL_FACTS = [Facts(d, f, c) for d, f, c in itertools.product(STATES, STATES, STATES)]


def _complete(facts: Facts) -> bool:
    return all(facts.get(fact) is not None for fact in relevant_facts(facts))


@pytest.mark.parametrize("facts", ALL_FACTS, ids=str)
def test_every_combination_is_consistent(facts):
    verdict = assess(facts)
    dispute_open = facts.dispute is Answer.YES
    forced_uncovered = facts.forced is Answer.YES and facts.covered is Answer.NO

    if not _complete(facts) and not (dispute_open or forced_uncovered):
        # Ask the first missing fact, in the order dispute → forced → covered.
        assert verdict.outcome is Outcome.INCOMPLETE
        assert verdict.can_exit is None
        missing = [f for f in relevant_facts(facts) if facts.get(f) is None]
        assert verdict.next_question is missing[0]
        assert not verdict.blockers and not verdict.show_steps
        return

    # A stated blocker settles it at once; facts not asked yet are possible blockers.
    assert verdict.next_question is None
    assert (Blocker.DISPUTE in verdict.blockers) == dispute_open
    assert (Blocker.FORCED_CATEGORY in verdict.blockers) == forced_uncovered
    assert (Blocker.DISPUTE in verdict.possible_blockers) == (facts.dispute in (Answer.UNKNOWN, None))
    assert not set(verdict.blockers) & set(verdict.possible_blockers)

    if dispute_open or forced_uncovered:
        assert verdict.outcome is Outcome.BLOCKED and verdict.can_exit is False
        assert not verdict.show_steps
    elif verdict.possible_blockers:
        assert verdict.outcome is Outcome.DEPENDS and verdict.can_exit is None
        assert verdict.show_steps
    else:
        assert verdict.outcome is Outcome.CAN_EXIT and verdict.can_exit is True
        assert facts.dispute is Answer.NO
        assert facts.forced is Answer.NO or facts.covered is Answer.YES
        assert verdict.show_steps and verdict.show_consequences


@pytest.mark.parametrize("facts", ALL_FACTS, ids=str)
def test_coverage_is_never_asked_without_forced_category_items(facts):
    if facts.forced is Answer.NO:
        assert Fact.COVERED not in relevant_facts(facts)
        assert next_question(facts) is not Fact.COVERED


def test_open_dispute_blocks_whatever_else_is_true():
    for forced, covered in itertools.product(STATES[1:], STATES[1:]):
        verdict = assess(Facts(Answer.YES, forced, covered))
        assert verdict.can_exit is False
        assert Blocker.DISPUTE in verdict.blockers


def test_clean_shop_can_exit():
    verdict = assess(Facts(dispute=Answer.NO, forced=Answer.NO))
    assert verdict.can_exit is True
    assert verdict.blockers == () and verdict.possible_blockers == ()
    assert not verdict.category_may_require_insurance


def test_forced_category_covered_by_deposit_can_exit_with_hedge():
    verdict = assess(Facts(Answer.NO, Answer.YES, Answer.YES))
    assert verdict.can_exit is True
    # K9: some categories accept only 订单险, so the bot must hedge.
    assert verdict.category_may_require_insurance


def test_forced_category_without_deposit_or_insurance_is_blocked():
    verdict = assess(Facts(Answer.NO, Answer.YES, Answer.NO))
    assert verdict.outcome is Outcome.BLOCKED
    assert verdict.blockers == (Blocker.FORCED_CATEGORY,)


def test_unknown_forced_category_without_coverage_is_a_possible_blocker():
    verdict = assess(Facts(Answer.NO, Answer.UNKNOWN, Answer.NO))
    assert verdict.outcome is Outcome.DEPENDS
    assert verdict.possible_blockers == (Blocker.FORCED_CATEGORY,)


def test_questions_come_one_at_a_time_in_order():
    facts = Facts()
    asked = []
    answers = {Fact.DISPUTE: Answer.NO, Fact.FORCED: Answer.YES, Fact.COVERED: Answer.NO}
    while (question := next_question(facts)) is not None:
        asked.append(question)
        facts = Facts(**{**facts.__dict__, {Fact.DISPUTE: "dispute", Fact.FORCED: "forced",
                                             Fact.COVERED: "covered"}[question]: answers[question]})
    assert asked == [Fact.DISPUTE, Fact.FORCED, Fact.COVERED]
