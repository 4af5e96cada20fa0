"""The few calls the agent tools make to Rasa's HTTP API (server started with --enable-api)."""
import json
import os
import urllib.parse
import urllib.request
from typing import Any, Dict, List

TIMEOUT_SECONDS = 10


def _url(path: str, **params: str) -> str:
    base = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        params["token"] = token
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    return f"{base}{path}{query}"


def _post(url: str, body: Any) -> Any:
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return json.loads(response.read())


def parse(text: str) -> Dict[str, Any]:
    """NLU only (/model/parse): no conversation is touched."""
    return _post(_url("/model/parse"), {"text": text})


def send_events(conversation_id: str, events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Append events; bot messages among them go out on the seller's latest channel."""
    path = f"/conversations/{urllib.parse.quote(conversation_id, safe='')}/tracker/events"
    return _post(_url(path, output_channel="latest", execute_side_effects="true"), events)
