"""Rasa's socket.io channel, limited to the widget's origins and checking each message.

Rasa 3.6 builds its socket.io server with ``cors_allowed_origins=[]``, which
turns the origin check off. This subclass sets the origins from
``cors_origins`` in credentials.yml (``${WIDGET_ORIGINS}``), so a page on any
other origin is refused.

Rasa's own handlers trust the event data: a non-object payload, a number as the
message or a string that is not JSON as metadata raised inside the handler and
the seller heard nothing. Here ``session_request`` and ``user_uttered`` check
their data with the limits every channel shares (core/message_limits.py);
a message that cannot be passed on gets a polite reply on the same socket and
never reaches the conversation. Payloads above MAX_SOCKET_BYTES are refused by
engine.io itself.

Engine.io answers cross-origin HTTP long-polling with its own CORS headers
(for the allowed origins only). Rasa's ``--cors`` (sanic-cors) adds the same
headers to every answer of the app, and browsers refuse an answer that carries
``Access-Control-Allow-Origin`` twice, so polling clients (rasa-webchat starts
with polling) never connected. The socket.io path is left to engine.io: its
requests are marked as already handled for sanic-cors.

A socket only talks in the conversation it was confirmed for. ``session_request``
resumes a web session only with its token (channels/sessions.py); otherwise it
starts a new one. ``session_confirm`` carries ``{"session_id", "token"}`` (the
object rasa-webchat also reads), and each ``user_uttered`` goes to the socket's
confirmed session: naming another id in it is refused.

With several Rasa instances, ``redis_url`` (SOCKETIO_REDIS_URL, set by
scripts/serve.sh from the REDIS_* settings) makes every instance relay its
emits through Redis (python-socketio's AsyncRedisManager), so a message for a
seller reaches their socket whichever instance produced it (an agent's reply,
say).
"""
import json
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Request
from sanic_cors.core import SANIC_CORS_EVALUATED
from socketio import AsyncRedisManager

from channels.admission import admitted
from channels.failures import apologising
from channels.notices import MESSAGE_TOO_LONG, MESSAGE_UNREADABLE, notice
from channels.origins import parse_origins
from channels.sessions import holds_token, new_session, token_for
from core.message_limits import MessageError, MessageTooLong, check_metadata, check_sender, check_text

MAX_SOCKET_BYTES = 64 * 1024
REDIS_CHANNEL = "zqbz-socketio"


class WidgetSocketIOInput(SocketIOInput):
    """socket.io channel for the chat widget, with an origin allow-list."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = parse_origins(credentials.pop("cors_origins", None))
        redis_url = credentials.pop("redis_url", None) or None
        channel = super().from_credentials(credentials)
        channel.cors_origins, channel.redis_url = origins, redis_url
        return channel

    cors_origins: List[Text] = []
    redis_url: Optional[Text] = None

    def _user_message(self, sid: Text, data: Any, output: SocketIOOutput,
                      confirmed: Optional[Text]) -> UserMessage:
        """The UserMessage for a ``user_uttered`` payload; MessageError if there is none.

        ``confirmed``: the session this socket was confirmed for (None: it asked for none).
        """
        if not isinstance(data, dict):
            raise MessageError("the payload must be an object")
        if self.session_persistence:
            if confirmed is None:
                raise MessageError("no session: send session_request first")
            if check_sender(data.get("session_id")) != confirmed:
                raise MessageError("this socket belongs to another session")
            sender_id = confirmed
        else:
            sender_id = sid
        metadata = data.get(self.metadata_key)
        if isinstance(metadata, str):
            try:
                metadata = json.loads(metadata)
            except ValueError:
                raise MessageError('"metadata" is not JSON') from None
        return UserMessage(check_text(data.get("message")), output, sender_id,
                           input_channel=self.name(), metadata=check_metadata(metadata))

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> SocketBlueprint:
        on_new_message = apologising(admitted(on_new_message))
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        sio.eio.cors_allowed_origins = list(self.cors_origins)
        sio.eio.max_http_buffer_size = MAX_SOCKET_BYTES
        if self.redis_url:
            # Replaced before the first connection, when the server initialises its manager.
            manager = AsyncRedisManager(self.redis_url, channel=REDIS_CHANNEL)
            manager.set_server(sio)
            sio.manager = manager

        async def session_request(sid: Text, data: Any = None) -> None:
            given = data.get("session_id") if isinstance(data, dict) else None
            token = data.get("token") if isinstance(data, dict) else None
            if isinstance(given, str) and holds_token(given, token):
                session_id = given  # the widget after a reload: its own conversation
            else:
                session_id, token = new_session()  # none, someone else's, or forged: a new one
            if self.session_persistence:
                previous = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
                if previous and previous != session_id:
                    sio.leave_room(sid, previous, namespace=self.namespace)
                await sio.save_session(sid, {"session_id": session_id}, namespace=self.namespace)
                sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", {"session_id": session_id, "token": token_for(session_id)},
                           room=sid, namespace=self.namespace)

        async def handle_message(sid: Text, data: Any = None) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            confirmed = (await sio.get_session(sid, namespace=self.namespace)).get("session_id")
            try:
                message = self._user_message(sid, data, output, confirmed)
            except MessageTooLong:
                await output.send_text_message(sid, notice(MESSAGE_TOO_LONG))
                return
            except MessageError:
                await output.send_text_message(sid, notice(MESSAGE_UNREADABLE))
                return
            await on_new_message(message)

        # Registering again replaces Rasa's handlers for these events.
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        self._leave_cors_to_engineio(sio)
        return blueprint

    @staticmethod
    def _leave_cors_to_engineio(sio: Any) -> None:
        """sanic-cors skips what engine.io answers, so each answer carries one CORS header: engine.io's.

        Engine.io's route (added when the blueprint joins the app) calls the
        server's ``handle_request``; the request is marked on its way in.
        """
        handle = sio.eio.handle_request

        async def handle_request(request: Request, *args: Any, **kwargs: Any) -> Any:
            setattr(request.ctx, SANIC_CORS_EVALUATED, "1")
            return await handle(request, *args, **kwargs)

        sio.eio.handle_request = handle_request
