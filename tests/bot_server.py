"""Start the bot the way `make run` does (scripts/serve.sh) for end-to-end tests."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
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
    """The action server and the Rasa server, on free ports, with their own SQLite file."""

    def __init__(self, workdir: Path) -> None:
        self.rasa_port, self.action_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.log_path = workdir / "bot.log"
        self.env = {**os.environ, "RASA_PORT": str(self.rasa_port),
                    "ACTION_PORT": str(self.action_port),
                    "TRACKER_DB": str(workdir / "tracker.db")}
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "BotServer":
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [str(PROJECT_DIR / "scripts" / "serve.sh")], cwd=PROJECT_DIR, env=self.env,
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"bot exited early; see {self.log_path}")
            if self._up(f"{self.url}/status") and self._up(
                    f"http://127.0.0.1:{self.action_port}/health"):
                return self
            time.sleep(1)
        raise RuntimeError(f"bot did not start in {STARTUP_SECONDS}s; see {self.log_path}")

    def stop(self) -> int:
        """SIGTERM, as an operator would; returns serve.sh's exit code."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        finally:
            self._log.close()

    @staticmethod
    def _up(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def post(self, path: str, body: bytes, content_type: str = "application/json"):
        """(status, parsed JSON or raw text) of a POST."""
        request = urllib.request.Request(f"{self.url}{path}", data=body,
                                         headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode("utf-8", "replace")

    def say(self, sender: str, message: Any) -> List[Dict[str, Any]]:
        """Send one message over the REST channel and return the bot's replies."""
        status, replies = self.post("/webhooks/rest/webhook", json.dumps(
            {"sender": sender, "message": message}, ensure_ascii=False).encode("utf-8"))
        assert status == 200, (status, replies)
        return replies

    def tracker(self, sender: str) -> Dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/conversations/{sender}/tracker",
                                    timeout=30) as response:
            return json.loads(response.read())
