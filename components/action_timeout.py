"""A hung action server is given up on after ACTION_TIMEOUT seconds, not Rasa's 300.

Rasa 3.6 calls the action server with ``EndpointConfig.request``, passing
``timeout=DEFAULT_REQUEST_TIMEOUT`` (300 s) from ``rasa.core.actions.action``,
and the aiohttp session takes the same constant from ``rasa.utils.endpoints``;
both are read at each call: a seller whose action hangs would wait five minutes
for the apology. Both are set from ACTION_TIMEOUT (default 10 s; the actions answer in milliseconds, the
slowest outgoing work runs in the background). channels/failures.py then sends
the apology, or the FAQ answers planned without the action server.

Installed by ``components/__init__.py``, wherever Rasa loads this project's model.
"""
import rasa.core.actions.action
import rasa.utils.endpoints

from core.settings import positive_number

DEFAULT_SECONDS = 10.0


def action_timeout() -> float:
    """ACTION_TIMEOUT in seconds; a missing, unreadable or non-positive value gives the default."""
    return positive_number("ACTION_TIMEOUT", DEFAULT_SECONDS, float)


def install() -> None:
    seconds = action_timeout()
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = seconds
    rasa.utils.endpoints.DEFAULT_REQUEST_TIMEOUT = seconds
