"""The few calls the agent tools make to Rasa's HTTP API (server started with --enable-api)."""
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Optional

TIMEOUT_SECONDS = 10


def _base() -> str:
    return os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"


def _url(path: str, **params: str) -> str:
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        params["token"] = token
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return f"{_base()}{path}{query}"


def _post(url: str, body: Any) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return json.loads(response.read())


def parse(text: str) -> Dict[str, Any]:
    """NLU only (/model/parse): no conversation is touched."""
    return _post(_url("/model/parse"), {"text": text})


class HandoffRefused(Exception):
    """Rasa's hand-off API refused the call (404 unknown, 409 not waiting, 401/503 token)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def handoff(action: str, conversation_id: str, text: Optional[str] = None) -> Dict[str, Any]:
    """``reply`` or ``resume`` through channels/handoff_api.py (the id goes in the body, never in the URL)."""
    body: Dict[str, Any] = {"conversation_id": conversation_id}
    if text is not None:
        body["text"] = text
    request = urllib.request.Request(
        f"{_base()}/webhooks/handoff/{action}", data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json",
                 "Authorization": f"Bearer {os.environ.get('HANDOFF_API_TOKEN', '')}"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            message = json.loads(error.read()).get("error") or str(error)
        except ValueError:
            message = str(error)
        raise HandoffRefused(error.code, message) from error
