"""The agent API: ``/agent/api/...`` requests to JSON answers.

Routes (all JSON):
  POST /agent/api/suggest {"text"}                 suggested answers, unsure flag
  POST /agent/api/check {"dispute","forced","covered"}  the exit check for a shop
  GET  /agent/api/handoffs                         conversations waiting for a person (the 100
                                                   longest waiting; "total": how many wait)
  POST /agent/api/handoffs/{id}/reply {"text"}     an agent's message to the seller
  POST /agent/api/handoffs/{id}/resume             give the conversation back to the bot
  GET  /agent/api/stats                            resolution figures
  GET  /agent/api/inbox                            messages the bot missed, not labelled yet (desk/inbox.py),
                                                   and the labels they can get ("choices")
  POST /agent/api/inbox/{id}/label {"conversation_id","kind","value","note","agent"}
                                                   an agent's label of one of them (stores/miss_labels.py)
Every call needs ``Authorization: Bearer <AGENT_TOKEN>`` (scripts/serve.sh makes
a token and prints the desk's address with it when none is set); without a
token configured the API answers nothing (503). scripts/web_server.py also
checks Host and Origin first (channels/request_guard.py).
"""
import hmac
import json
import logging
import os
import re
import urllib.error
import urllib.parse
from functools import lru_cache
from typing import Any, Callable, Dict, Optional, Tuple

from core.message_limits import max_message_chars
from core.replies import intent_replies, load_responses
from desk import conversations, inbox, rasa_api
from desk.handoffs import handoff_summary
from desk.shop_check import CheckError, check_shop
from desk.suggestions import suggest

logger = logging.getLogger(__name__)
MAX_LISTED = 100  # waiting conversations listed at once, longest waiting first ("total" says how many wait)
INBOX_CONVERSATIONS = 300  # the unresolved conversations most recently active the inbox reads
INBOX_LISTED = 100
HttpReply = Tuple[int, Dict[str, Any]]


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@lru_cache(maxsize=1)
def _responses() -> Dict[str, Any]:
    return load_responses()


@lru_cache(maxsize=1)
def _intent_replies() -> Dict[str, str]:
    return intent_replies()


def authorize(headers: Dict[str, str]) -> None:
    """Raise ApiError unless the request may use the agent API."""
    token = os.environ.get("AGENT_TOKEN", "")
    if not token:  # loopback too: any web page the agent's browser opens could call it
        raise ApiError(503, "the agent API is off: set AGENT_TOKEN (make run makes one and prints it)")
    given = next((value for name, value in headers.items() if name.lower() == "authorization"), "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise ApiError(401, "missing or wrong 'Authorization: Bearer <AGENT_TOKEN>'")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "body must be JSON") from None


def _text_field(data: Any) -> str:
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, '"text" is required: a non-empty string')
    if len(text) > max_message_chars():
        raise ApiError(400, f'"text" is longer than {max_message_chars()} characters')
    return text


def _handoff(action: str, conversation_id: str, text: Optional[str] = None) -> None:
    """Reply or resume through Rasa, which checks (404, 409) and serialises it with the seller's messages."""
    try:
        rasa_api.handoff(action, conversation_id, text)
    except rasa_api.HandoffRefused as error:
        if error.status in (401, 503):  # the desk and Rasa disagree on HANDOFF_API_TOKEN: an operator's fix
            logger.error("Rasa refused the hand-off API: %s", error)
            raise ApiError(502, f"the Rasa server refused the hand-off API: {error}") from error
        raise ApiError(error.status, str(error)) from error


def suggest_route(data: Any, _: Optional[str]) -> HttpReply:
    return 200, suggest(rasa_api.parse(_text_field(data)), _responses(), _intent_replies())


def check_route(data: Any, _: Optional[str]) -> HttpReply:
    try:
        return 200, check_shop(data, _responses())
    except CheckError as error:
        raise ApiError(400, str(error)) from error


def handoffs_route(_: Any, __: Optional[str]) -> HttpReply:
    total, shown = conversations.waiting_for_person(MAX_LISTED)
    waiting = [s for s in (handoff_summary(cid, events) for cid, events in shown) if s]
    return 200, {"handoffs": waiting, "total": total}


def reply_route(data: Any, conversation_id: Optional[str]) -> HttpReply:
    _handoff("reply", conversation_id, _text_field(data))
    return 200, {"status": "sent"}


def resume_route(_: Any, conversation_id: Optional[str]) -> HttpReply:
    _handoff("resume", conversation_id)
    return 200, {"status": "resumed"}


def stats_route(_: Any, __: Optional[str]) -> HttpReply:
    return 200, conversations.figures()


def inbox_route(_: Any, __: Optional[str]) -> HttpReply:
    listed = inbox.inbox(conversations.recent_unresolved(INBOX_CONVERSATIONS), conversations.labelled_ids(),
                         INBOX_LISTED)
    return 200, {**listed, "choices": inbox.label_choices(_responses())}


def label_route(data: Any, miss_id: Optional[str]) -> HttpReply:
    try:
        kind, value, note, agent = inbox.check_label(data, inbox.label_choices(_responses()))
    except inbox.LabelError as error:
        raise ApiError(400, str(error)) from error
    conversation_id = data.get("conversation_id")
    if not isinstance(conversation_id, str) or not conversation_id:
        raise ApiError(400, '"conversation_id" is required: the conversation the message is in')
    miss = inbox.find_miss(conversation_id, conversations.conversation_events(conversation_id), miss_id or "")
    if miss is None:
        raise ApiError(404, "no such missed message in that conversation")
    return 200, {"label": conversations.save_label(miss, kind, value, note, agent)}


ROUTES: Dict[Tuple[str, str], Callable[[Any, Optional[str]], HttpReply]] = {
    ("POST", r"/agent/api/suggest"): suggest_route,
    ("POST", r"/agent/api/check"): check_route,
    ("GET", r"/agent/api/handoffs"): handoffs_route,
    ("POST", r"/agent/api/handoffs/(?P<id>[^/]{1,1024})/reply"): reply_route,
    ("POST", r"/agent/api/handoffs/(?P<id>[^/]{1,1024})/resume"): resume_route,
    ("GET", r"/agent/api/stats"): stats_route,
    ("GET", r"/agent/api/inbox"): inbox_route,
    ("POST", r"/agent/api/inbox/(?P<id>[0-9a-f]{1,64})/label"): label_route,
}


def handle(method: str, path: str, headers: Dict[str, str], body: bytes) -> HttpReply:
    """Answer one agent API request with (HTTP status, JSON body)."""
    path = path.split("?")[0]  # matched still encoded: a conversation id may hold '/' ("%2F")
    try:
        authorize(headers)
        for (route_method, pattern), route in ROUTES.items():
            match = re.fullmatch(pattern, path)
            if match:
                if method != route_method:
                    raise ApiError(405, f"use {route_method}")
                conversation_id = match.groupdict().get("id")
                if conversation_id is not None:
                    conversation_id = urllib.parse.unquote(conversation_id)
                return route(_json(body) if method == "POST" else None, conversation_id)
        raise ApiError(404, "no such agent API")
    except ApiError as error:
        return error.status, {"error": str(error)}
    except (urllib.error.URLError, OSError) as error:
        return 502, {"error": f"the Rasa server did not answer: {error}"}
    except Exception:  # any failure: a bug here must still get a JSON answer
        logger.exception("agent API %s %s failed", method, path)
        return 500, {"error": "internal error; see the web server's log"}
