"""A part that dies comes back by itself; while the action server is away, FAQ answers go on and the exit check apologises."""
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from tests.bot_server import BotServer, free_port

pytestmark = pytest.mark.model
APOLOGY = "系统暂时出了点问题"
HALF_ANSWER = "逐项"  # the exit check's opening line: never sent without the check
FAQ, EXIT_CHECK = "退出后钱多久能用", "我能退出账期保障吗"


def texts(replies):
    return "\n".join(r.get("text") or "" for r in replies)


def part_pid(bot, script):
    """The pid of one part's process (not its supervising shell) in `make run`'s process group."""
    pgid = os.getpgid(bot.processes["all"].pid)
    found = subprocess.run(["pgrep", "-g", str(pgid), "-f", script], capture_output=True, text=True).stdout.split()
    assert len(found) == 1, found
    return int(found[0])


def up(url):
    try:
        urllib.request.urlopen(url, timeout=2).close()
        return True
    except OSError:
        return False


def wait_until_up(url, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if up(url):
            return time.monotonic()
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come back in {seconds}s")


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    server = BotServer(tmp_path_factory.mktemp("faults")).start()
    yield server
    server.stop_all()


def test_a_killed_action_server_is_started_again_and_meanwhile_faqs_are_answered(bot):
    health = f"http://127.0.0.1:{bot.action_port}/health"
    old = part_pid(bot, "scripts/action_server.py")
    os.kill(old, signal.SIGKILL)
    while up(health):
        time.sleep(0.05)
    killed = time.monotonic()
    asker = bot.session()
    faq = texts(bot.say(asker, FAQ))
    check = texts(bot.say(bot.session(), EXIT_CHECK))
    back = wait_until_up(health, 30)
    assert back - killed < 15  # restarted after a 1 s pause, not left dead
    assert part_pid(bot, "scripts/action_server.py") != old
    assert "15天" in faq and APOLOGY not in faq  # answered without the action server
    assert "15天" in bot.history(asker)[-1]["text"]  # and kept in the conversation (history, ratings)
    assert APOLOGY in check and HALF_ANSWER not in check  # the check: the apology only, no half answer
    seller = bot.session()
    assert "维权" in texts(bot.say(seller, EXIT_CHECK))  # and everything works again
    assert "强制类目" in texts(bot.say(seller, "没有"))
    assert "action server exited" in bot.log()


def test_a_killed_web_server_is_started_again_and_the_bot_keeps_answering(bot):
    page = f"{bot.web_url}/"
    os.kill(part_pid(bot, "scripts/web_server.py"), signal.SIGKILL)
    while up(page):
        time.sleep(0.05)
    assert "千牛卖家中心" in texts(bot.say(bot.session(), "账期保障怎么退出"))
    wait_until_up(page, 30)


class HungActionServer:
    """Accepts connections and never answers."""

    def __init__(self):
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()


def test_a_hung_action_server_gets_the_apology_in_seconds(tmp_path):
    hung = HungActionServer()
    server = BotServer(tmp_path, {"ACTION_ENDPOINT_URL": f"http://127.0.0.1:{hung.port}/webhook",
                                  "ACTION_TIMEOUT": "2"})
    try:
        server.start("rasa")
        started = time.monotonic()
        check = texts(server.say(server.session(), EXIT_CHECK))
        assert time.monotonic() - started < 8  # ACTION_TIMEOUT, not Rasa's 300 s
        assert APOLOGY in check and HALF_ANSWER not in check
        started = time.monotonic()
        assert "15天" in texts(server.say(server.session(), FAQ))
        assert time.monotonic() - started < 8
    finally:
        server.stop_all()
        hung.close()
