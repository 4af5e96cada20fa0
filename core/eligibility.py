"""Can this shop exit 账期保障? A pure decision over three facts.

The rules come from facts.md: K4 (open 维权 orders block the exit until they are
closed) and K5 (items on sale in a forced category block it until the category's
保证金 is paid or 订单险 is joined). The article names these as the *possible*
reasons an exit fails, not as a complete list, so even a clean result is a
"should be able to" that the seller confirms on the 千牛 page.

Nothing here imports Rasa: the form and the actions translate slots to ``Facts``
and a ``Verdict`` back to response names.
"""
from dataclasses import dataclass
from enum import Enum
from typing import Optional, Tuple


class Answer(str, Enum):
    """What the seller told us about one fact."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Fact(str, Enum):
    """The three facts the exit check needs, in the order they are asked."""

    DISPUTE = "has_open_dispute"  # open 维权 orders?
    FORCED = "has_forced_category_items"  # items on sale in a 强制类目?
    COVERED = "has_deposit_or_insurance"  # that category's 保证金 paid or 订单险 joined?


class Outcome(str, Enum):
    """The overall answer to "can I exit?"."""

    INCOMPLETE = "incomplete"  # a fact is still missing: ask ``next_question``
    CAN_EXIT = "can_exit"  # none of the known blockers applies
    BLOCKED = "blocked"  # at least one blocker certainly applies
    DEPENDS = "depends"  # no certain blocker, but an unknown fact may be one


class Blocker(str, Enum):
    """Something that stops the exit, each with its own remedy (K4, K5)."""

    DISPUTE = "dispute"  # close the 维权 orders first
    FORCED_CATEGORY = "forced_category"  # pay the 保证金 or join 订单险 first


@dataclass(frozen=True)
class Facts:
    """The seller's answers; ``None`` means not asked yet."""

    dispute: Optional[Answer] = None
    forced: Optional[Answer] = None
    covered: Optional[Answer] = None

    @property
    def any_known(self) -> bool:
        """Whether the seller has said anything about the shop yet."""
        return any(value is not None for value in (self.dispute, self.forced, self.covered))

    def get(self, fact: Fact) -> Optional[Answer]:
        return {
            Fact.DISPUTE: self.dispute,
            Fact.FORCED: self.forced,
            Fact.COVERED: self.covered,
        }[fact]


@dataclass(frozen=True)
class Verdict:
    """The structured result the bot (or an agent) turns into replies."""

    outcome: Outcome
    blockers: Tuple[Blocker, ...]  # certainly apply
    possible_blockers: Tuple[Blocker, ...]  # apply if an unknown fact turns out badly
    next_question: Optional[Fact]
    show_steps: bool  # give the numbered exit path (K2)
    show_consequences: bool  # say what happens to the money and the shop (K3, K6)
    category_may_require_insurance: bool  # K9 hedge: some categories want 订单险 only

    @property
    def can_exit(self) -> Optional[bool]:
        """True / False when decided, None while incomplete or depending on unknowns."""
        if self.outcome is Outcome.CAN_EXIT:
            return True
        if self.outcome is Outcome.BLOCKED:
            return False
        return None


def relevant_facts(facts: Facts) -> Tuple[Fact, ...]:
    """The facts worth asking about, given what is known so far.

    Whether the seller has 保证金 or 订单险 only matters when they (may) sell in a
    forced category, so ``COVERED`` is dropped once ``FORCED`` is a plain no; and
    a seller who has paid the 保证金 or joined 订单险 is covered whatever they
    sell, so ``FORCED`` is not asked then.
    """
    wanted = [Fact.DISPUTE]
    if facts.covered is not Answer.YES or facts.forced is not None:
        wanted.append(Fact.FORCED)
    if facts.forced is not Answer.NO:
        wanted.append(Fact.COVERED)
    return tuple(wanted)


def next_question(facts: Facts) -> Optional[Fact]:
    """The first relevant fact not known yet, or None when the check can conclude.

    A blocker the seller stated settles the verdict ("not now") at once: the
    other facts are named as possible blockers instead of being asked first.
    """
    if _certain_blockers(facts):
        return None
    for fact in relevant_facts(facts):
        if facts.get(fact) is None:
            return fact
    return None


def _dispute_blocker(facts: Facts) -> Tuple[bool, bool]:
    """(certain, possible) for the 维权 blocker; not asked yet counts as possible."""
    return facts.dispute is Answer.YES, facts.dispute in (Answer.UNKNOWN, None)


def _forced_blocker(facts: Facts) -> Tuple[bool, bool]:
    """(certain, possible) for the forced-category blocker."""
    if facts.forced is Answer.NO or facts.covered is Answer.YES:
        return False, False
    certain = facts.forced is Answer.YES and facts.covered is Answer.NO
    return certain, not certain


def blockers(facts: Facts) -> Tuple[Tuple[Blocker, ...], Tuple[Blocker, ...]]:
    """(certain, possible) blockers, in the order the check asks about them."""
    certain, possible = [], []
    for blocker, (is_certain, is_possible) in (
        (Blocker.DISPUTE, _dispute_blocker(facts)),
        (Blocker.FORCED_CATEGORY, _forced_blocker(facts)),
    ):
        if is_certain:
            certain.append(blocker)
        elif is_possible:
            possible.append(blocker)
    return tuple(certain), tuple(possible)


def _certain_blockers(facts: Facts) -> Tuple[Blocker, ...]:
    return blockers(facts)[0]


def assess(facts: Facts) -> Verdict:
    """Decide what the seller can do with the facts known so far."""
    question = next_question(facts)
    if question is not None:
        return Verdict(
            outcome=Outcome.INCOMPLETE,
            blockers=(),
            possible_blockers=(),
            next_question=question,
            show_steps=False,
            show_consequences=False,
            category_may_require_insurance=False,
        )

    certain, possible = blockers(facts)
    if certain:
        outcome = Outcome.BLOCKED
    elif possible:
        outcome = Outcome.DEPENDS
    else:
        outcome = Outcome.CAN_EXIT

    return Verdict(
        outcome=outcome,
        blockers=certain,
        possible_blockers=possible,
        next_question=None,
        show_steps=outcome is not Outcome.BLOCKED,
        show_consequences=outcome is not Outcome.BLOCKED,
        # Relying on 保证金 in a forced category: K9 says some categories insist on
        # 订单险, so the bot must add "以发布页面提示为准".
        category_may_require_insurance=facts.forced is not Answer.NO
        and facts.covered is Answer.YES,
    )
