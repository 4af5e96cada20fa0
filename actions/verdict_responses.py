"""Which responses tell a verdict, in order: shared by the bot and the agent page.

The texts themselves are domain.yml's; this only names them. No Rasa imports.
"""
from typing import List, Text

from actions.eligibility import Outcome, Verdict

_OPENING = {
    Outcome.CAN_EXIT: "utter_verdict_can_exit",
    Outcome.BLOCKED: "utter_verdict_blocked",
    Outcome.DEPENDS: "utter_verdict_depends",
}


def responses_for(verdict: Verdict) -> List[Text]:
    """The response names that tell ``verdict`` to the seller, in order."""
    if verdict.outcome is Outcome.INCOMPLETE:
        return []
    names = [_OPENING[verdict.outcome]]
    names += [f"utter_blocker_{blocker.value}" for blocker in verdict.blockers]
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
