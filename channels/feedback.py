"""A seller's 👍 / 👎 on one answer, kept in the conversation itself.

The feedback is stored as a ``SlotSet`` of the unfeaturised slot
``answer_feedback`` (see domain.yml), so it lives in the tracker with its
timestamp, next to the answer it rates, and never steers the dialogue.

A rating names an answer the bot really gave in that conversation (its text);
it is recorded with that answer's timestamp (``answer_ts``), so each answer has
one rating, the latest (core/stats.py counts it so). A rating of an answer the
conversation does not hold is refused: figures move only with real answers.
"""
from typing import Any, Dict, Iterable, Optional

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


def rated_answer_ts(events: Iterable[Dict[str, Any]], message: str) -> Optional[float]:
    """The timestamp of the latest bot answer of ``events`` whose text is ``message``; None if there is none."""
    found = None
    for event in events:
        if event.get("event") == "bot" and message and event.get("text") == message:
            found = event.get("timestamp")
    return found
