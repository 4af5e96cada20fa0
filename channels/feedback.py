"""A seller's 👍 / 👎 on one answer, kept in the conversation itself.

The feedback is stored as a ``SlotSet`` of the unfeaturised slot
``answer_feedback`` (see domain.yml), so it lives in the tracker with its
timestamp, next to the answer it rates, and never steers the dialogue.
"""
from typing import Any, Dict

RATINGS = ("up", "down")
FEEDBACK_SLOT = "answer_feedback"
MAX_QUOTED_CHARS = 2000


class FeedbackError(ValueError):
    """The feedback request is malformed; the message says how."""


def feedback_value(body: Any) -> Dict[str, Any]:
    """The slot value recorded for a feedback request body."""
    if not isinstance(body, dict):
        raise FeedbackError('body must be a JSON object: {"sender", "rating", "message"}')
    rating = body.get("rating")
    if rating not in RATINGS:
        raise FeedbackError('"rating" must be "up" or "down"')
    message = body.get("message", "")
    if not isinstance(message, str):
        raise FeedbackError('"message" (the rated answer) must be a string')
    return {"rating": rating, "message": message[:MAX_QUOTED_CHARS]}
