"""Start the bot the way `make run` does (scripts/serve.sh) for end-to-end tests."""
import json
import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

PROJECT_DIR = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotServer:
    """The bot's servers on free ports, with their own SQLite file.

    ``start()`` runs ``scripts/serve.sh`` (all parts, as `make run` does);
    ``start("rasa")`` etc. runs one part, so a test can stop and restart it.
    """

    def __init__(self, workdir: Path, env: Optional[Dict[str, str]] = None,
                 action_port: Optional[int] = None) -> None:
        """``env`` adds settings; ``action_port`` shares another BotServer's action server."""
        self.rasa_port, self.web_port = free_port(), free_port()
        self.action_port = action_port or free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.web_url = f"http://127.0.0.1:{self.web_port}"
        self.log_path = workdir / f"bot-{self.rasa_port}.log"
        # Tokens as an operator sets them, so parts started one by one agree (serve.sh makes
        # one per start when none is set).
        self.env = {**os.environ, "RASA_AUTH_TOKEN": "test-rasa-token", "AGENT_TOKEN": "test-agent-token",
                    "HANDOFF_API_TOKEN": "test-handoff-token", "RASA_PORT": str(self.rasa_port),
                    "ACTION_PORT": str(self.action_port), "WEB_PORT": str(self.web_port),
                    "TRACKER_DB": str(workdir / "tracker.db"), **(env or {})}
        self.processes: Dict[str, subprocess.Popen] = {}
        self.tokens: Dict[str, str] = {}  # web sessions made by `session`
        self._log = open(self.log_path, "ab")

    def _ready(self, part: str) -> bool:
        token = self.env.get("RASA_AUTH_TOKEN")
        checks = {"rasa": [f"{self.url}/status" + (f"?token={token}" if token else "")],
                  "actions": [f"http://127.0.0.1:{self.action_port}/health"],
                  "web": [f"{self.web_url}/widget/chat-widget.js"]}
        urls = sum(checks.values(), []) if part == "all" else checks[part]
        return all(self._up(url) for url in urls)

    def start(self, part: str = "all") -> "BotServer":
        process = subprocess.Popen(
            [str(PROJECT_DIR / "scripts" / "serve.sh"), part], cwd=PROJECT_DIR, env=self.env,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[part] = process
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{part} exited early; see {self.log_path}")
            if self._ready(part):
                return self
            time.sleep(0.5)
        raise RuntimeError(f"{part} did not start in {STARTUP_SECONDS}s; see {self.log_path}")

    def stop(self, part: str = "all", sig: int = signal.SIGTERM) -> int:
        """SIGTERM, as an operator would (SIGKILL: a crash); returns serve.sh's exit code."""
        process = self.processes.pop(part)
        os.killpg(process.pid, sig)
        return process.wait(timeout=60)

    def stop_all(self) -> None:
        for part in list(self.processes):
            self.stop(part)
        self._log.close()

    @staticmethod
    def _up(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def post(self, path: str, body: bytes, content_type: str = "application/json",
             headers: Optional[Dict[str, str]] = None):
        """(status, parsed JSON or raw text) of a POST."""
        request = urllib.request.Request(f"{self.url}{path}", data=body,
                                         headers={"Content-Type": content_type, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def session(self) -> str:
        """A new web session (what the widget starts with); its token is kept for say/history/rate."""
        status, made = self.post("/webhooks/rest/session", b"{}")
        assert status == 201, (status, made)
        self.tokens[made["sender"]] = made["token"]
        return made["sender"]

    def token_header(self, sender: str) -> Dict[str, str]:
        return {"X-Session-Token": self.tokens[sender]} if sender in self.tokens else {}

    def say(self, sender: str, message: Any) -> List[Dict[str, Any]]:
        """Send one message over the REST channel and return the bot's replies."""
        status, replies = self.post("/webhooks/rest/webhook", json.dumps(
            {"sender": sender, "message": message}, ensure_ascii=False).encode("utf-8"),
            headers=self.token_header(sender))
        assert status == 200, (status, replies)
        return replies

    def history(self, sender: str) -> List[Dict[str, Any]]:
        """The conversation as the widget shows it again after a reload (needs a session from ``session``)."""
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/history?sender={urllib.parse.quote(sender, safe='')}",
            headers=self.token_header(sender))
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["messages"]

    def rate(self, sender: str, rating: str, message: str) -> int:
        """The status of a 👍 / 👎 on ``message`` in ``sender``'s conversation."""
        return self.post("/webhooks/rest/feedback", json.dumps(
            {"sender": sender, "rating": rating, "message": message}, ensure_ascii=False).encode("utf-8"),
            headers=self.token_header(sender))[0]

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, url: str, headers: Dict[str, str] = None):
        """(status, headers) of a GET, errors included."""
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)

    def stored_events(self, sender: str) -> List[Dict[str, Any]]:
        """The conversation's events as the tracker store holds them (any id, however odd)."""
        with sqlite3.connect(self.env["TRACKER_DB"]) as connection:
            rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
            return [json.loads(data) for (data,) in rows]

    def tracker(self, sender: str) -> Dict[str, Any]:
        token = self.env.get("RASA_AUTH_TOKEN")
        query = f"?token={token}" if token else ""
        with urllib.request.urlopen(f"{self.url}/conversations/{sender}/tracker{query}",
                                    timeout=30) as response:
            return json.loads(response.read())
