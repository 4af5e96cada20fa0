"""Rasa's socket.io channel, limited to the widget's configured origins.

Rasa 3.6 builds its socket.io server with ``cors_allowed_origins=[]``, which
turns the origin check off. This subclass sets the origins from
``cors_origins`` in credentials.yml (``${WIDGET_ORIGINS}``), so a page on any
other origin is refused.
"""
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput

from channels.origins import parse_origins


class WidgetSocketIOInput(SocketIOInput):
    """socket.io channel for the chat widget, with an origin allow-list."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = dict(credentials or {})
        origins = parse_origins(credentials.pop("cors_origins", None))
        channel = super().from_credentials(credentials)
        channel.cors_origins = origins
        return channel

    cors_origins: List[Text] = []

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> SocketBlueprint:
        blueprint = super().blueprint(on_new_message)
        self.sio.eio.cors_allowed_origins = list(self.cors_origins)
        return blueprint
