"""Rasa's REST channel with the request checked, plus the widget's two extras.

Rasa's own ``RestInput`` answers an empty body with a 500 and files every
message without a ``sender`` under one shared conversation called "default".
This subclass keeps the same URL and JSON (``POST /webhooks/rest/webhook``,
``{"sender": "...", "message": "..."}``) and refuses malformed requests with a
400 that says what is wrong. Nothing reaches the tracker in that case, so a bad
request never changes a conversation.

It adds, under the same prefix:
- ``POST /webhooks/rest/session``: a new web session ``{"sender", "token"}``
  (channels/sessions.py); the widget keeps both and sends the token with every
  call below in the ``X-Session-Token`` header;
- ``GET /webhooks/rest/history?sender=ID``: the messages of that conversation
  as the seller saw them (the widget shows them again after a reload);
- ``POST /webhooks/rest/feedback {"sender", "rating": "up"|"down", "message"}``:
  a 👍 / 👎 on an answer the bot gave in that conversation (``message``: its
  text; 404 otherwise), stored in the conversation's tracker; rating the same
  answer again replaces the earlier rating.
History and feedback need the session's token (403 without); the webhook
refuses chat platforms' conversations and web sessions without their token
(channels/sessions.py says who owns which id).
"""
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import EventVerbosity
from sanic import Blueprint, response
from sanic.exceptions import Forbidden, InvalidUsage
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.admission import admitted
from channels.failures import apologising
from channels.feedback import FEEDBACK_SLOT, FeedbackError, feedback_value, rated_answer_ts
from channels.sessions import TOKEN_HEADER, NotYours, check_read, check_write, new_session
from core.message_limits import MessageError, check_metadata, check_sender, check_text
from core.transcript import transcript


def checked_sender(sender: Any) -> Text:
    """A usable conversation id, else InvalidUsage (HTTP 400)."""
    try:
        return check_sender(sender)
    except MessageError as error:
        raise InvalidUsage(str(error)) from error


def checked_body(body: Any) -> Dict[Text, Any]:
    """The message with its text cleaned, else InvalidUsage (HTTP 400) saying what is wrong."""
    if not isinstance(body, dict):
        raise InvalidUsage('body must be a JSON object: {"sender": "...", "message": "..."}')
    try:
        return {**body, "sender": check_sender(body.get("sender")),
                "message": check_text(body.get("message")),
                "metadata": check_metadata(body.get("metadata"))}
    except MessageError as error:
        raise InvalidUsage(str(error)) from error


def _token(request: Request, body: Any = None) -> Optional[Text]:
    """The session token: the header, else a "token" field of the JSON body."""
    given = request.headers.get(TOKEN_HEADER)
    if given is None and isinstance(body, dict):
        given = body.get("token")
    return given if isinstance(given, str) else None


def _owned(check: Callable[[Text, Optional[Text]], None], sender: Text, token: Optional[Text]) -> None:
    try:
        check(sender, token)
    except NotYours as error:
        raise Forbidden(str(error)) from error


def _refused(check: Callable[[Text, Optional[Text]], None], sender: Text,
             token: Optional[Text]) -> Optional[HTTPResponse]:
    """A JSON 403 when the caller may not use ``sender`` (whatever the client's Accept header says)."""
    try:
        check(sender, token)
    except NotYours as error:
        return response.json({"error": str(error)}, status=403)
    return None


class ValidatedRestInput(RestInput):
    """REST channel that answers bad requests with a clear 400 instead of a 500."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @staticmethod
    def _body(request: Request) -> Dict[Text, Any]:
        """The checked body, once per request (Rasa asks for sender, text, channel, metadata)."""
        if not hasattr(request.ctx, "checked_body"):
            request.ctx.checked_body = checked_body(request.json)  # broken JSON: sanic's own 400
        return request.ctx.checked_body

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        body = self._body(req)
        _owned(check_write, body["sender"], _token(req, body))
        return body["sender"]

    def _extract_message(self, req: Request) -> Optional[Text]:
        return self._body(req)["message"]

    def _extract_input_channel(self, req: Request) -> Text:
        # Always "rest": Rasa's REST channel takes "input_channel" from the body, and
        # later messages (an agent's reply) go out through the channel named there:
        # {"input_channel": "wecom"} would have had the desk message a WeCom user.
        return self.name()

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return self._body(request).get("metadata")

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[None]]
    ) -> Blueprint:
        blueprint = super().blueprint(apologising(admitted(on_new_message)))

        @blueprint.route("/session", methods=["POST"])
        async def session(request: Request) -> HTTPResponse:
            sender, token = new_session()
            return response.json({"sender": sender, "token": token}, status=201)

        @blueprint.route("/history", methods=["GET"])
        async def history(request: Request) -> HTTPResponse:
            sender = checked_sender(request.args.get("sender"))
            refused = _refused(check_read, sender, _token(request))
            if refused:
                return refused
            tracker = await request.app.ctx.agent.tracker_store.retrieve(sender)
            events = [] if tracker is None else tracker.current_state(
                event_verbosity=EventVerbosity.ALL)["events"]
            return response.json({"sender": sender, "messages": transcript(events)})

        @blueprint.route("/feedback", methods=["POST"])
        async def feedback(request: Request) -> HTTPResponse:
            body = request.json
            sender = checked_sender((body or {}).get("sender") if isinstance(body, dict) else None)
            try:
                value = feedback_value(body)
            except FeedbackError as error:
                raise InvalidUsage(str(error)) from error
            refused = _refused(check_read, sender, _token(request, body))
            if refused:
                return refused
            agent = request.app.ctx.agent
            async with agent.lock_store.lock(sender):
                tracker = await agent.tracker_store.retrieve(sender)
                if tracker is None:
                    return response.json({"error": "no such conversation"}, status=404)
                answer_ts = rated_answer_ts((e.as_dict() for e in tracker.events), value["message"])
                if answer_ts is None:
                    return response.json({"error": "this conversation has no such answer"}, status=404)
                tracker.update(SlotSet(FEEDBACK_SLOT, {**value, "answer_ts": answer_ts}))
                await agent.tracker_store.save(tracker)
            return response.json({"status": "recorded", "rating": value["rating"]})

        return blueprint
