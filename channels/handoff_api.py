"""The agents' side of a hand-off, inside the Rasa server: reply to the seller, give the conversation back.

POST /webhooks/handoff/reply   {"conversation_id": "...", "text": "..."}
POST /webhooks/handoff/resume  {"conversation_id": "..."}
Both need ``Authorization: Bearer <HANDOFF_API_TOKEN>`` (off, 503, without a
token); the agents' desk (desk/http.py) is the caller.

Why here and not Rasa's tracker API: the conversation id travels in the JSON
body, so ids such as ``wecom:zhaoliu`` or ``dingtalk:cid:staff`` need no URL
encoding (Rasa does not decode its path); each call holds the conversation's
lock in Rasa's lock store, the same lock the seller's messages take, so a
reply, a resume and a seller's "算了" happen one at a time and in order; and the
message reaches the seller on the channel they last wrote from, through that
channel's own output (socket.io live, DingTalk and WeCom through their send
APIs, REST in the conversation's history).

Answers: 200 when done; 404 for an unknown conversation; 409 when it is not
waiting for a person (a second resume, a reply after a resume or after the
seller took the hand-off back).
"""
import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from core.eligibility import next_question
from core.message_limits import MessageError, check_sender, max_message_chars
from core.slots import facts_from_slots
from core.waiting_for_person import ENDED_HANDOFF_SLOTS

logger = logging.getLogger(__name__)
RESUMED_RESPONSE = "utter_bot_resumed"
DURING_CHECK = "handoff_during_check"  # set by actions/handoff.py while the exit check was under way
CHECK_FORM = "exit_check_form"


class HandoffError(Exception):
    def __init__(self, status: int, message: Text) -> None:
        super().__init__(message)
        self.status = status


def _body(request: Request, needs_text: bool) -> Dict[Text, Any]:
    body = request.json  # sanic answers 400 itself for broken JSON
    if not isinstance(body, dict):
        raise HandoffError(400, 'body must be a JSON object: {"conversation_id": "..."}')
    try:
        conversation_id = check_sender(body.get("conversation_id"))
    except MessageError as error:
        raise HandoffError(400, f'"conversation_id": {error}') from error
    text = body.get("text")
    if needs_text and (not isinstance(text, str) or not text.strip() or len(text) > max_message_chars()):
        raise HandoffError(400, f'"text" must be a non-empty string of at most {max_message_chars()} characters')
    return {"conversation_id": conversation_id, "text": text}


def seller_output(request: Request, channel_name: Optional[Text]) -> OutputChannel:
    """The output of the channel the seller last wrote from (REST and unknown ones: history only)."""
    for channel in getattr(request.app.ctx, "input_channels", None) or []:
        if channel.name() == channel_name:
            output = channel.get_output_channel()
            if output is not None:
                return output
    return CollectingOutputChannel()


class HandoffInput(InputChannel):
    """Agents' reply and resume, serialised with the seller's messages."""

    @classmethod
    def name(cls) -> Text:
        return "handoff"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(str((credentials or {}).get("token") or ""))

    def __init__(self, token: Text) -> None:
        self.token = token

    def _authorize(self, request: Request) -> None:
        if not self.token:
            raise HandoffError(503, "hand-off API off: set HANDOFF_API_TOKEN (make run sets one)")
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
            raise HandoffError(401, "missing or wrong 'Authorization: Bearer <HANDOFF_API_TOKEN>'")

    async def _in_waiting_conversation(
        self, request: Request, conversation_id: Text,
        change: Callable[[Any], Awaitable[List[Event]]],
    ) -> None:
        """Run ``change`` on the conversation under its lock, if a person is still asked for."""
        agent = request.app.ctx.agent
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None or not tracker.events:
                raise HandoffError(404, "no such conversation")
            if not tracker.get_slot("handed_off"):
                raise HandoffError(409, "this conversation is not waiting for a person")
            for event in await change(tracker):
                tracker.update(event)
            await agent.tracker_store.save(tracker)

    async def _say(self, request: Request, tracker: Any, text: Text, metadata: Dict[Text, Any],
                   buttons: Optional[List[Dict[Text, Any]]] = None) -> BotUttered:
        output = seller_output(request, tracker.get_latest_input_channel())
        message = {"text": text, **({"buttons": buttons} if buttons else {})}
        try:
            await output.send_response(tracker.sender_id, message)
        except Exception:  # any failure: the message stays in the conversation's history
            logger.exception("hand-off: could not deliver to %s on %s", tracker.sender_id, output.name())
        return BotUttered(text, data={"buttons": buttons} if buttons else None, metadata=metadata)

    async def _say_response(self, request: Request, tracker: Any, name: Text) -> BotUttered:
        """Say the domain's response ``name`` (text and buttons) to the seller."""
        generated = await request.app.ctx.agent.processor.nlg.generate(name, tracker, "") or {}
        return await self._say(request, tracker, generated.get("text") or "", {"utter_action": name},
                               generated.get("buttons"))

    async def _check_goes_on(self, request: Request, tracker: Any) -> List[Event]:
        """The exit check the hand-off interrupted goes on with the question it still needs, if any."""
        if not tracker.get_slot(DURING_CHECK):
            return []
        question = next_question(facts_from_slots(tracker.current_slot_values()))
        if question is None:
            return []
        # The events of a turn in which the form asked its question, so Rasa's rules read the seller's next
        # message as they do inside the check (without them the form rejects "能退出吗" and falls back).
        return [ActiveLoop(CHECK_FORM), SlotSet(REQUESTED_SLOT, question.value),
                await self._say_response(request, tracker, f"utter_ask_{question.value}"),
                ActionExecuted(CHECK_FORM), ActionExecuted(ACTION_LISTEN_NAME)]

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("handoff_api", __name__)

        async def answer(request: Request, needs_text: bool,
                         change: Callable[[Request, Any, Dict[Text, Any]], Awaitable[List[Event]]],
                         status: Text) -> HTTPResponse:
            try:
                self._authorize(request)
                body = _body(request, needs_text)
                await self._in_waiting_conversation(
                    request, body["conversation_id"], lambda tracker: change(request, tracker, body))
            except HandoffError as error:
                return response.json({"error": str(error)}, status=error.status)
            return response.json({"status": status, "conversation_id": body["conversation_id"]})

        async def reply(request: Request, tracker: Any, body: Dict[Text, Any]) -> List[Event]:
            return [await self._say(request, tracker, body["text"], {"agent": True})]

        async def resume(request: Request, tracker: Any, body: Dict[Text, Any]) -> List[Event]:
            said = await self._say_response(request, tracker, RESUMED_RESPONSE)
            check = await self._check_goes_on(request, tracker)  # before the slots that remember it are cleared
            return [said] + [SlotSet(name, value) for name, value in ENDED_HANDOFF_SLOTS.items()] + check

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token else "disabled"})

        @hook.route("/reply", methods=["POST"])
        async def reply_route(request: Request) -> HTTPResponse:
            return await answer(request, True, reply, "sent")

        @hook.route("/resume", methods=["POST"])
        async def resume_route(request: Request) -> HTTPResponse:
            return await answer(request, False, resume, "resumed")

        return hook
