"""The plain Rasa commands work from the project root with nothing but the virtualenv (issue #12).

`rasa run actions`, `rasa run`, `rasa shell` and `rasa interactive` are started as a Rasa user would,
with an environment that has none of the project's settings: the virtualenv's
`.pth` file (scripts/rasa_env.py, written by `make install`) fills in what
endpoints.yml and credentials.yml expand. Only ports and the SQLite file are
chosen here, so the test does not collide with a running bot.
"""
import json
import os
import pty
import select
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.bot_server import free_port
from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.model

RASA = str(PROJECT_DIR / ".venv" / "bin" / "rasa")
MODEL = "models/zqbz.tar.gz"
STEPS = "千牛卖家中心"  # in the exit steps (K2)


def _bare_env(tmp_path: Path, action_port: int) -> dict:
    """What a user's shell would have: no settings of this project, only the ports we must avoid clashing on."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", str(tmp_path)),
            "ACTION_PORT": str(action_port), "TRACKER_DB": str(tmp_path / "plain.db"),
            "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}


def _wait_for(url: str, process: subprocess.Popen, seconds: int = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{process.args} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {seconds}s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def plain_actions(tmp_path):
    """`rasa run actions`, as a Rasa user starts the action server."""
    port = free_port()
    env = _bare_env(tmp_path, port)
    process = subprocess.Popen([RASA, "run", "actions", "--port", str(port)], cwd=PROJECT_DIR, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}/health", process)
        yield env
    finally:
        _stop(process)


def test_rasa_run_alone_answers_over_rest(plain_actions):
    port = free_port()
    process = subprocess.Popen([RASA, "run", "--model", MODEL, "--port", str(port)], cwd=PROJECT_DIR,
                               env=plain_actions, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(f"http://127.0.0.1:{port}/", process)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook", headers={"Content-Type": "application/json"},
            data=json.dumps({"sender": "plain-1", "message": "账期保障怎么退出"}).encode("utf-8"))
        with urllib.request.urlopen(request, timeout=60) as response:
            replies = json.loads(response.read())
        assert any(STEPS in (reply.get("text") or "") for reply in replies), replies
    finally:
        _stop(process)


class _Terminal:
    """A command on a pseudo-terminal, as if a person sat at it (rasa shell and rasa interactive need one)."""

    def __init__(self, args, env):
        self.leader, follower = pty.openpty()
        self.process = subprocess.Popen(args, cwd=PROJECT_DIR, env={**env, "TERM": "dumb"}, stdin=follower,
                                        stdout=follower, stderr=follower, close_fds=True)
        os.close(follower)
        self.seen = b""

    def wait_for(self, marker: str, seconds: int) -> None:
        wanted, deadline = marker.encode("utf-8"), time.monotonic() + seconds
        while time.monotonic() < deadline and wanted not in self.seen:
            ready, _, _ = select.select([self.leader], [], [], 0.5)
            if ready:
                try:
                    self.seen += os.read(self.leader, 65536)
                except OSError:
                    break
        assert wanted in self.seen, self.seen.decode("utf-8", "replace")[-2000:]

    def type(self, text: str) -> None:
        os.write(self.leader, (text + "\r").encode("utf-8"))

    def close(self) -> None:
        _stop(self.process)
        os.close(self.leader)


def test_rasa_shell_answers_in_the_terminal(plain_actions):
    terminal = _Terminal([RASA, "shell", "--model", MODEL, "--port", str(free_port())], plain_actions)
    try:
        terminal.wait_for("Bot loaded", 180)
        terminal.type("账期保障怎么退出")
        terminal.wait_for(STEPS, 60)
        terminal.type("/stop")
    finally:
        terminal.close()


def test_rasa_interactive_starts_and_reads_a_message(plain_actions):
    terminal = _Terminal([RASA, "interactive", "--model", MODEL, "--port", str(free_port()),
                          "--skip-visualization"], plain_actions)
    try:
        terminal.wait_for("Your input", 240)
        terminal.type("账期保障怎么退出")
        terminal.wait_for("with intent 'faq'", 60)  # it asks whether the NLU reading is right
    finally:
        terminal.close()
