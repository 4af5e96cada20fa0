"""The exit check for a shop described by an agent. No Rasa imports."""
import re
from typing import Any, Dict, List, Optional

from core.eligibility import Answer, Facts, assess
from core.fact_table import FACT_TABLE
from core.replies import response_text
from core.verdict_responses import responses_for

FIELDS = tuple(spec.api_field for spec in FACT_TABLE)


class CheckError(ValueError):
    """The request does not describe a shop; the message says how."""


def _answer(value: Any, field: str) -> Optional[Answer]:
    if value is True:
        return Answer.YES
    if value is False:
        return Answer.NO
    if value is None:
        return Answer.UNKNOWN
    raise CheckError(f'"{field}" must be true, false or null (not known)')


def check_shop(body: Any, responses: Dict[str, Any]) -> Dict[str, Any]:
    """Verdict, blockers with remedies, steps and the seller's messages for ``body``."""
    if not isinstance(body, dict):
        raise CheckError('body must be a JSON object: {"dispute", "forced", "covered"}')
    facts = Facts(**{spec.fact.name.lower(): _answer(body.get(spec.api_field), spec.api_field)
                     for spec in FACT_TABLE})
    verdict = assess(facts)

    def text(name: str) -> str:
        return response_text(responses, name) or ""

    messages = [text(name) for name in responses_for(verdict)]
    steps: List[str] = []
    if verdict.show_steps:
        steps = [re.sub(r"^\d+\.\s*", "", line) for line in text("utter_exit_steps").splitlines()
                 if re.match(r"^\d+\.", line)]
    return {
        "can_exit": verdict.can_exit,
        "outcome": verdict.outcome.value,
        "blockers": [{"id": b.value, "remedy": text(f"utter_blocker_{b.value}")} for b in verdict.blockers],
        "possible_blockers": [{"id": b.value, "remedy": text(f"utter_possible_blocker_{b.value}")}
                              for b in verdict.possible_blockers],
        "steps": steps,
        "messages": messages,
    }
