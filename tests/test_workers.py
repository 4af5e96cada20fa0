"""SANIC_WORKERS=2 `make run`: two Rasa processes on one port, a local Redis for their locks, stopped together."""
import concurrent.futures
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Dict, List

import pytest

from tests.bot_server import BotServer

pytestmark = [pytest.mark.model, pytest.mark.redis]


def _group(pgid: int) -> Dict[int, str]:
    """The processes of a process group: pid → command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == pgid:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                pass
    return found


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _texts(replies: List[Dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("workers")
    server = BotServer(workdir, {"SANIC_WORKERS": "2", "TMPDIR": str(workdir), "REDIS_HOST": ""})
    server.start()
    deadline = time.monotonic() + 240
    while server.log().count("Rasa server is up and running") < 2 and time.monotonic() < deadline:
        time.sleep(1)
    yield server, workdir
    if server.processes:
        server.stop_all()


def test_two_rasa_processes_serve_one_port_with_their_locks_in_a_local_redis(two_workers):
    import redis

    server, workdir = two_workers
    group = server.processes["all"].pid
    rasa = [pid for pid, command in _group(group).items() if "rasa_run.py run" in command]
    assert len(rasa) == 3, _group(group)  # Sanic's main process and its two workers
    workers = [pid for pid in rasa if int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
               in rasa]
    assert len(workers) == 2

    config = next(workdir.glob("zqbz-redis.*/redis.conf")).read_text()
    settings = dict(line.split(" ", 1) for line in config.splitlines())
    assert settings["bind"] == "127.0.0.1" and (Path(next(workdir.glob("zqbz-redis.*/redis.conf"))).stat().st_mode
                                                & 0o077) == 0
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis("127.0.0.1", int(settings["port"]), socket_timeout=2).ping()
    client = redis.Redis("127.0.0.1", int(settings["port"]), password=settings["requirepass"], socket_timeout=2)
    lock_writes_before = sum(client.info("commandstats").get(f"cmdstat_{name}", {}).get("calls", 0)
                             for name in ("set", "setex"))
    cpu_before = {pid: _cpu_seconds(pid) for pid in workers}

    messages = ["账期保障是什么", "退出后钱多久能用", "账期保障怎么退出"]

    def converse(sender: str) -> List[str]:
        return [_texts(server.say(sender, message)) for message in messages]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(converse, [f"w-{uuid.uuid4().hex[:8]}" for _ in range(16)]))
    assert all(all(replies) for replies in answers)
    assert all("千牛" in replies[2] for replies in answers)

    # One seller's messages sent at once are handled one at a time whichever process takes them.
    sender = f"w-{uuid.uuid4().hex[:8]}"
    server.say(sender, "你好")
    burst = [f"账期保障是什么{n}" for n in range(6)]
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        assert all(_texts(r) for r in pool.map(lambda text: server.say(sender, text), burst))
    events = server.tracker(sender)["events"]
    assert sorted(e["text"] for e in events if e["event"] == "user") == sorted(["你好"] + burst)
    kinds = [e["event"] for e in events if e["event"] in ("user", "bot")]
    assert not any(a == b == "user" for a, b in zip(kinds, kinds[1:], strict=False)), "two messages were handled at once"

    assert sum(client.info("commandstats").get(f"cmdstat_{name}", {}).get("calls", 0)
               for name in ("set", "setex")) > lock_writes_before
    assert all(_cpu_seconds(pid) - cpu_before[pid] > 0.05 for pid in workers), "one process did all the work"


def test_sigterm_to_make_run_stops_both_processes_and_the_local_redis(two_workers):
    server, workdir = two_workers
    serve = server.processes.pop("all")
    group = serve.pid
    assert any("redis-server" in command for command in _group(group).values())
    os.kill(serve.pid, signal.SIGTERM)  # to serve.sh alone, as a process manager sends it
    assert serve.wait(timeout=60) == 143
    deadline = time.monotonic() + 30
    while _group(group) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _group(group) == {}
    assert not list(workdir.glob("zqbz-redis.*"))
