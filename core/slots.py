"""Translation between the exit check's Rasa slots and ``eligibility.Facts``."""
from typing import Any, Mapping, Optional

from core.eligibility import Answer, Fact, Facts


def to_answer(value: Any) -> Optional[Answer]:
    """A slot value as an Answer; anything else (None, junk) as not known."""
    try:
        return Answer(value)
    except ValueError:
        return None


def facts_from_slots(slots: Mapping[str, Any]) -> Facts:
    """The three facts from slot values (``Fact.value`` is the slot name)."""
    return Facts(
        dispute=to_answer(slots.get(Fact.DISPUTE.value)),
        forced=to_answer(slots.get(Fact.FORCED.value)),
        covered=to_answer(slots.get(Fact.COVERED.value)),
    )
