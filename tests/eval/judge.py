"""Judge one bot turn against an evaluation label (tests/eval/LABELS.md).

A turn is judged by the responses the bot sent (Rasa records each one's name in
the bot event's ``utter_action``) and the exit-check slots afterwards. The
verdict rules are LABELS.md's, written here independently of
``core/eligibility.py`` so that a bug there cannot hide itself.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

SLOTS = {"dispute": "has_open_dispute", "forced": "has_forced_category_items",
         "covered": "has_deposit_or_insurance"}
BLOCKER_OF = {"dispute": "dispute", "forced_category": "forced_category"}
VERDICTS = {"utter_verdict_can_exit": "can_exit", "utter_verdict_blocked": "blocked",
            "utter_verdict_depends": "depends"}
CAUSES = {"utter_cause_ruled_out_dispute", "utter_cause_ruled_out_forced_category",
          "utter_cause_ruled_out_forced_category_covered", "utter_blocker_dispute",
          "utter_blocker_forced_category", "utter_possible_blocker_dispute",
          "utter_possible_blocker_forced_category", "utter_causes_beyond_material",
          "utter_confirm_plan_dispute", "utter_confirm_plan_forced_category"}
# Responses that answer a topic as well as its own FAQ answer does.
EQUIVALENT = {
    "how_to_exit": {"utter_exit_steps"},
    "money_after_exit": {"utter_after_exit"},
    "exit_fails": CAUSES,
    "dispute_blocks_exit": CAUSES,
    "exit_effect": {"utter_after_exit"},
}
# Responses that say "I do not know this" and offer a person.
HONEST_UNKNOWN = {"utter_out_of_scope", "utter_default", "utter_faq/exit_timing", "utter_faq/hold_as_deposit",
                  "utter_faq/insurance", "utter_faq/rejoin", "utter_faq/forced_category", "utter_faq/exit_fee",
                  "utter_faq/deposit_deducted",
                  "utter_faq/tools_compared", "utter_faq/other_15_days", "utter_faq/dispute_freeze",
                  "utter_causes_beyond_material", "utter_faq/hold_rules"}
DECLINES = {"utter_out_of_scope", "utter_default"}
# What each response takes for granted about the shop: (fact, value) pairs.
PRESUPPOSES = {
    "utter_blocker_dispute": [("dispute", "yes")],
    "utter_cause_ruled_out_dispute": [("dispute", "no")],
    "utter_blocker_forced_category": [("forced", "yes"), ("covered", "no")],
    "utter_cause_ruled_out_forced_category": [("forced", "no")],
    "utter_cause_ruled_out_forced_category_covered": [("covered", "yes")],
    "utter_ask_has_deposit_or_insurance": [("forced", "not no")],
}
OPPOSITE = {"yes": "no", "no": "yes"}


def expected_verdict(stated: Dict[str, str]) -> Optional[Dict[str, Any]]:
    """The verdict the stated facts settle (LABELS.md), or None while they do not."""
    dispute, forced, covered = (stated.get(k) for k in ("dispute", "forced", "covered"))
    blockers = []
    if dispute == "yes":
        blockers.append("dispute")
    if forced == "yes" and covered == "no":
        blockers.append("forced_category")
    if blockers:
        return {"verdict": "blocked", "blockers": blockers}
    if dispute == "no" and (forced == "no" or covered == "yes"):
        return {"verdict": "can_exit", "blockers": []}
    forced_done = forced == "no" or covered is not None
    if dispute is not None and forced is not None and forced_done:
        return {"verdict": "depends", "blockers": []}
    return None


@dataclass
class Judgement:
    correct: bool
    hard: List[str] = field(default_factory=list)  # contradictions and wrong verdicts
    problems: List[str] = field(default_factory=list)


def _given_verdict(responses: List[str]) -> Optional[Dict[str, Any]]:
    outcome = next((VERDICTS[r] for r in responses if r in VERDICTS), None)
    if outcome is None:
        return None
    blockers = [r[len("utter_blocker_"):] for r in responses if r.startswith("utter_blocker_")]
    return {"verdict": outcome, "blockers": blockers}


def _hard_failures(responses: List[str], slots: Dict[str, Any], stated: Dict[str, str],
                   expect: Dict[str, Any]) -> List[str]:
    hard = []
    for fact, value in stated.items():
        if value in OPPOSITE and slots.get(SLOTS[fact]) == OPPOSITE[value]:
            hard.append(f"recorded {fact}={slots.get(SLOTS[fact])} although the seller said {value}")
    for response in responses:
        for fact, value in PRESUPPOSES.get(response, []):
            said = stated.get(fact)
            if value == "not no" and said == "no":
                hard.append(f"{response} although the seller said {fact}=no")
            elif said is not None and said == OPPOSITE.get(value):
                hard.append(f"{response} presupposes {fact}={value}; the seller said {said}")
    given = _given_verdict(responses)
    if given is not None:
        right = expected_verdict(stated)
        if "verdict" in expect:
            right = {"verdict": expect["verdict"], "blockers": expect.get("blockers", [])}
        if right is None:
            if given["verdict"] != "blocked" or not given["blockers"]:
                hard.append(f"verdict {given} before the facts settle it")
        elif given["verdict"] != right["verdict"] or set(given["blockers"]) - set(right["blockers"]):
            hard.append(f"wrong verdict {given}, should be {right}")
    return hard


def _answers(topic: str, responses: List[str]) -> bool:
    return f"utter_faq/{topic}" in responses or bool(EQUIVALENT.get(topic, set()) & set(responses))


def _in_scope_answers(responses: List[str]) -> List[str]:
    """Answers about 账期保障 (asking the check's pending question again is not one)."""
    return [r for r in responses if r.startswith("utter_faq/") or r in VERDICTS
            or r in CAUSES or r in ("utter_exit_steps", "utter_after_exit")]


def _ordinary_problems(responses: List[str], expect: Dict[str, Any], stated: Dict[str, str],
                       stated_before: Dict[str, str]) -> List[str]:
    problems = []
    if "answers" in expect:
        missing = [t for t in expect["answers"] if not _answers(t, responses)]
        if missing:
            problems.append(f"did not answer {missing}")
    elif "verdict" in expect:
        given = _given_verdict(responses)
        if given is None:
            problems.append("no verdict")
        elif set(expect.get("blockers", [])) - set(given["blockers"]):
            problems.append(f"blockers named as possible only: {given}")
    elif expect.get("check"):
        asked = [r for r in responses if r.startswith("utter_ask_")]
        if not asked:
            problems.append("did not start the check")
        if any(r == f"utter_ask_{SLOTS[f]}" for f in stated for r in asked):
            problems.append("asked a fact the seller had stated")
    elif "asks" in expect:
        if f"utter_ask_{SLOTS[expect['asks']]}" not in responses:
            problems.append(f"did not ask {expect['asks']}")
    elif expect.get("unknown"):
        if not set(responses) & HONEST_UNKNOWN:
            problems.append("did not say it does not know")
        confident = [r for r in _in_scope_answers(responses) if r not in HONEST_UNKNOWN]
        if confident:
            problems.append(f"answered something else confidently: {confident}")
    elif expect.get("decline"):
        if not set(responses) & DECLINES:
            problems.append("did not decline")
        if _in_scope_answers(responses) or "utter_clarify" in responses:
            problems.append(f"in-scope answer to an out-of-scope question: {responses}")
    elif expect.get("cancelled"):
        if any(r.startswith("utter_ask_") for r in responses):
            problems.append("kept asking after the seller stopped the check")
    elif expect.get("human"):
        if not any(r.startswith("utter_handoff") for r in responses):
            problems.append("did not hand off")
    else:
        for kind in ("greet", "thank", "goodbye"):
            if expect.get(kind) and f"utter_{kind}" not in responses:
                problems.append(f"no {kind}")
    if not responses:
        problems.append("no reply")
    asked_again = [f for f in stated_before if f"utter_ask_{SLOTS[f]}" in responses]
    if asked_again:
        problems.append(f"asked again about {asked_again}")
    return problems


def judge(responses: List[str], slots: Dict[str, Any], expect: Dict[str, Any],
          stated: Dict[str, str], stated_before: Optional[Dict[str, str]] = None) -> Judgement:
    """Judge a turn: ``stated`` holds every fact the seller stated so far, this turn included."""
    hard = _hard_failures(responses, slots, stated, expect)
    problems = _ordinary_problems(responses, expect, stated, stated_before or {})
    return Judgement(correct=not hard and not problems, hard=hard, problems=problems)
