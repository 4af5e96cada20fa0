"""Which responses tell a verdict, in order: shared by the bot and the agent page.

The texts themselves are domain.yml's; this only names them. No Rasa imports.
"""
from typing import List, Text

from core.eligibility import Answer, Blocker, Facts, Outcome, Verdict, assess, blockers

_OPENING = {
    Outcome.CAN_EXIT: "utter_verdict_can_exit",
    Outcome.BLOCKED: "utter_verdict_blocked",
    Outcome.DEPENDS: "utter_verdict_depends",
}

VERDICT_OPENINGS = frozenset(_OPENING.values())
BLOCKER_RESPONSES = frozenset(f"utter_blocker_{blocker.value}" for blocker in Blocker)


def responses_for(verdict: Verdict) -> List[Text]:
    """The response names that tell ``verdict`` to the seller, in order."""
    if verdict.outcome is Outcome.INCOMPLETE:
        return []
    names = [_OPENING[verdict.outcome]]
    names += [f"utter_blocker_{blocker.value}" for blocker in verdict.blockers]
    if verdict.blockers and verdict.possible_blockers:
        names.append("utter_also_check")
    names += [f"utter_possible_blocker_{blocker.value}" for blocker in verdict.possible_blockers]
    if verdict.category_may_require_insurance:
        names.append("utter_note_insurance_only")
    if verdict.show_steps:
        names.append("utter_exit_steps")
    else:
        names.append("utter_after_blockers")
    if verdict.show_consequences:
        names.append("utter_after_exit")
    return names


def cause_responses(facts: Facts) -> List[Text]:
    """Why the exit may fail, given what the seller said: causes ruled out, the
    cause they stated, the causes that remain, or none left that the material knows.
    """
    certain, possible = blockers(facts)
    if certain:  # a stated blocker settles it: the verdict, what to do, what else to check
        return responses_for(assess(facts))
    names = []
    for blocker in Blocker:
        if blocker in certain or blocker in possible:
            continue
        if blocker is Blocker.FORCED_CATEGORY and facts.forced is not Answer.NO:
            names.append("utter_cause_ruled_out_forced_category_covered")  # paid or insured
        else:
            names.append(f"utter_cause_ruled_out_{blocker.value}")
    names += [f"utter_possible_blocker_{blocker.value}" for blocker in possible]
    names.append("utter_offer_exit_check" if possible else "utter_causes_beyond_material")
    return names
