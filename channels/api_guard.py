"""Puts channels/request_guard.py in front of Rasa's HTTP API.

Rasa 3.6 has no setting for a Host or Origin check, and its server app is made
before any project code runs; an input channel is the project's way into it.
This one adds no route: when the server starts it registers a request
middleware on the app that refuses, with 403, requests to Rasa's own API
(``/conversations``, ``/model``, ``/status``, …) whose Host is not allowed or
that change something from another origin. The channels' own paths
(``/webhooks/…``, ``/socket.io``) are left to the channels, and ``GET /`` (the
health greeting, probed by IP) is open: web pages on other
origins and chat platforms call them by design. credentials.yml lists it.
"""
from typing import Any, Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.request_guard import allowed_hosts, refusal

CHANNEL_PATHS = ("/webhooks/", "/socket.io")
HEALTH_PATH = "/"  # "Hello from Rasa": what load balancers and Kubernetes probe, by IP


async def guard(request: Request) -> Optional[HTTPResponse]:
    if request.path.startswith(CHANNEL_PATHS) or request.path == HEALTH_PATH:
        return None
    refused = refusal(request.method, request.headers.get("host"), request.headers.get("origin"),
                      allowed_hosts())
    return response.json({"error": refused[1]}, status=refused[0]) if refused else None


class ApiGuard(InputChannel):
    """Not a channel for messages: the Host and Origin check of Rasa's HTTP API."""

    @classmethod
    def name(cls) -> Text:
        return "api_guard"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = Blueprint("api_guard", __name__)

        @blueprint.listener("before_server_start")
        async def install(app: Any, _loop: Any) -> None:
            if guard not in app.request_middleware:
                app.register_middleware(guard, "request")

        return blueprint
